"""The centres' default offer tables (what the timetable is checked against) and the
planning model's default scenario (what the budget is sized from) describe the same
sessions: a change to one without the other fails here."""

from __future__ import annotations

from decimal import Decimal

import yaml

from earlyhelp.centres.loader import DEFAULT_PATH
from earlyhelp.domain.resource_model import default_scenario

# The centres file's session types and posts, named as the planning model names them.
SESSION_NAMES = {
    "weekday_daytime": "weekday daytime",
    "twilight": "twilight",
    "evening_weekend": "evening/weekend",
}
POST_NAMES = {
    "grade_6": "G6",
    "outreach_a": "G4 outreach Type A",
    "outreach_b": "G4 outreach Type B",
    "delivery_support": "G4 delivery support",
}


def _offer_tables() -> dict[str, dict[str, tuple[Decimal, dict[str, Decimal]]]]:
    offers = yaml.safe_load(DEFAULT_PATH.read_text())["offers"]
    return {
        offer["code"]: {
            SESSION_NAMES[row["session_type"]]: (
                Decimal(row["sessions_per_week"]),
                {name: Decimal(row.get(post, 0)) for post, name in POST_NAMES.items()},
            )
            for row in offer["requirements"]
        }
        for offer in offers
    }


def _planning_tables() -> dict[str, dict[str, tuple[Decimal, dict[str, Decimal]]]]:
    return {
        code: {
            session.name: (session.sessions_per_week, dict(session.staff_by_post))
            for session in centre.session_types
        }
        for code, centre in default_scenario().centre_types.items()
    }


def test_the_centres_offer_tables_are_the_planning_models_session_tables():
    assert _offer_tables() == _planning_tables()


def test_an_enhanced_offer_has_12_sessions_and_a_core_offer_7():
    sessions = {
        code: sum(count for count, _ in table.values()) for code, table in _offer_tables().items()
    }
    assert sessions == {"enhanced": Decimal(12), "core": Decimal(7)}
