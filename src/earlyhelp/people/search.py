"""Finding a person by name and date of birth, forgiving of spelling, among the people in
families the user may see.

On PostgreSQL the names are matched by trigram similarity (pg_trgm) through a GIN index
on `lower(first_name || ' ' || last_name)` (people migration 0003), so a search stays
fast across hundreds of thousands of people. SQLite has no pg_trgm: there the
candidates are people whose first or last name starts like a word of the query, or who
were born on the date given, ranked in Python by the same similarity the matching of
new requests uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value

from earlyhelp.audit.services import record_search
from earlyhelp.domain.matching import name_similarity
from earlyhelp.people.models import Person
from earlyhelp.people.rules import families_visible_to

MAX_RESULTS = 25
# Rows read on SQLite before ranking: enough for a name shared by many families.
SQLITE_CANDIDATES = 500
# pg_trgm's similarity threshold for the % operator (its default, 0.3).
TRIGRAM_THRESHOLD = 0.3


class SimilarName(Func):
    """`lower(first_name || ' ' || last_name) % lower(query)`: pg_trgm's similarity
    operator on the expression its GIN index holds, so PostgreSQL uses the index."""

    output_field = BooleanField()

    def __init__(self, query: str) -> None:
        super().__init__(F("first_name"), F("last_name"), Value(query))

    def as_sql(self, compiler, connection, **extra_context):
        first, last, query = (compiler.compile(e) for e in self.get_source_expressions())
        # "%%" is one "%" once the driver has put the parameters in.
        sql = f"lower({first[0]} || ' ' || {last[0]}) %% lower({query[0]})"
        return sql, [*first[1], *last[1], *query[1]]


@dataclass(frozen=True)
class PersonHit:
    person_id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    postcode: str
    family_id: int | None
    family_name: str
    score: float

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _visible_people(user) -> QuerySet[Person]:
    # The rule on the membership's own family, the one whose name the rows show: one
    # look-up of each candidate's family rather than a second one in a subquery.
    visible = families_visible_to(user, through="memberships__family")
    return Person.objects.filter(
        visible, merged_into__isnull=True, memberships__family__isnull=False
    ).distinct()


def _postgresql_candidates(people: QuerySet[Person], name: str, born: dt.date | None):
    match = Q(pk__in=[])
    if name:
        match |= Q(SimilarName(name))
    if born:
        match |= Q(date_of_birth=born)
    return people.filter(match)


def _sqlite_candidates(people: QuerySet[Person], name: str, born: dt.date | None):
    match = Q(pk__in=[])
    for word in name.split():
        stem = word[:3]
        match |= Q(first_name__istartswith=stem) | Q(last_name__istartswith=stem)
    if born:
        match |= Q(date_of_birth=born)
    return people.filter(match)


def search_people(
    *, user, name: str = "", date_of_birth: dt.date | None = None, limit: int = MAX_RESULTS
) -> list[PersonHit]:
    """People the user may see whose name is like `name` and/or who were born on
    `date_of_birth`, best first: a name that matches well and the same date of birth
    rank highest. At least one of the two must be given."""
    name = " ".join(name.split())
    if not name and date_of_birth is None:
        return []
    people = _visible_people(user)
    if connection.vendor == "postgresql":
        candidates = _postgresql_candidates(people, name, date_of_birth)
    else:
        candidates = _sqlite_candidates(people, name, date_of_birth)
    rows = candidates.values(
        "pk",
        "first_name",
        "last_name",
        "date_of_birth",
        "postcode",
        "memberships__family_id",
        "memberships__family__name",
    )[:SQLITE_CANDIDATES]
    best: dict[int, PersonHit] = {}
    for row in rows:
        score = _score(name, date_of_birth, row)
        if name and date_of_birth is None and score < TRIGRAM_THRESHOLD:
            continue
        current = best.get(row["pk"])
        if current is None or score > current.score:
            best[row["pk"]] = PersonHit(
                person_id=row["pk"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                date_of_birth=row["date_of_birth"],
                postcode=row["postcode"],
                family_id=row["memberships__family_id"],
                family_name=row["memberships__family__name"] or "",
                score=score,
            )
    hits = sorted(best.values(), key=lambda h: (-h.score, h.last_name, h.first_name, h.person_id))
    return hits[:limit]


def _score(name: str, born: dt.date | None, row: dict) -> float:
    """0 to 1: name similarity (whole name, or the best of first and last name for a
    one-word query), with the date of birth weighing as much as the name when given."""
    full = f"{row['first_name']} {row['last_name']}"
    if name:
        similarity = name_similarity(name, full)
        if " " not in name:
            similarity = max(
                similarity,
                name_similarity(name, row["first_name"]),
                name_similarity(name, row["last_name"]),
            )
    else:
        similarity = 0.0
    if born is None:
        return round(similarity, 3)
    same_day = 1.0 if row["date_of_birth"] == born else 0.0
    if not name:
        return same_day
    return round((similarity + same_day) / 2, 3)


def find_people(
    *, user, name: str = "", date_of_birth: dt.date | None = None, source: str
) -> list[PersonHit]:
    """The search as staff use it, on the page and in the API: refused without a name or
    a date of birth, and recorded in the audit log with what was looked for."""
    if not name.strip() and date_of_birth is None:
        raise ValidationError({"name": ["Enter a name or a date of birth"]})
    hits = search_people(user=user, name=name, date_of_birth=date_of_birth)
    record_search(
        actor=user,
        code="person.searched",
        object_type="people.person",
        details={
            "name": name.strip(),
            "date_of_birth": date_of_birth.isoformat() if date_of_birth else "",
            "results": len(hits),
        },
        source=source,
    )
    return hits
