"""Finding people already known who may be the same as a person being entered:
similar name, same date of birth, same postcode."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).lower()


def name_similarity(a: str, b: str) -> float:
    """0 to 1: how alike two names are, ignoring case, accents and punctuation."""
    fa, fb = _fold(a), _fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    return SequenceMatcher(None, fa, fb).ratio()


@dataclass(frozen=True)
class Candidate:
    person_id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    postcode: str


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...]


MATCH_THRESHOLD = 0.6


def score_match(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    postcode: str,
    candidate: Candidate,
) -> Match:
    """How likely a candidate is the same person, with the reasons a user is shown."""
    reasons: list[str] = []
    first = name_similarity(first_name, candidate.first_name)
    last = name_similarity(last_name, candidate.last_name)
    score = 0.25 * first + 0.25 * last
    if first >= 0.85 and last >= 0.85:
        reasons.append("same or similar name")
    elif last >= 0.85:
        reasons.append("same or similar surname")
    if date_of_birth and candidate.date_of_birth:
        if date_of_birth == candidate.date_of_birth:
            score += 0.35
            reasons.append("same date of birth")
        elif (date_of_birth.day, date_of_birth.month) == (
            candidate.date_of_birth.month,
            candidate.date_of_birth.day,
        ):
            score += 0.2
            reasons.append("date of birth with day and month swapped")
    if postcode and candidate.postcode and _fold(postcode) == _fold(candidate.postcode):
        score += 0.15
        reasons.append("same postcode")
    return Match(candidate=candidate, score=round(score, 3), reasons=tuple(reasons))


def rank_matches(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    postcode: str,
    candidates: list[Candidate],
    threshold: float = MATCH_THRESHOLD,
) -> list[Match]:
    """Candidates scoring at least the threshold, best first."""
    matches = [
        score_match(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            postcode=postcode,
            candidate=c,
        )
        for c in candidates
    ]
    return sorted(
        (m for m in matches if m.score >= threshold),
        key=lambda m: (-m.score, m.candidate.last_name, m.candidate.person_id),
    )
