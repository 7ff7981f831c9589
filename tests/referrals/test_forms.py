"""The intake forms: GOV.UK date and time parsing, empty member rows, and every key of
the service's ValidationError placed by the field it is about."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from earlyhelp.core.forms import parse_date_parts
from earlyhelp.referrals.errors import NotInServiceArea
from earlyhelp.referrals.forms import (
    Intake,
    TimeOfDayField,
    WithdrawForm,
    place_errors,
)
from earlyhelp.referrals.views import deadline_tag
from tests.referrals.test_views import CHILD, PARENT, intake_data


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["", "4", "2020"], "Date of birth must include a day"),
        (["1", "", ""], "Date of birth must include a month and year"),
        (["31", "2", "2020"], "Date of birth must be a real date"),
        (["1", "April", "2020"], "Date of birth must be a real date"),
        (["1", "4", "20"], "Year must include 4 numbers"),
    ],
)
def test_date_parts_give_govuk_messages(parts, message):
    with pytest.raises(ValidationError) as raised:
        parse_date_parts(parts, noun="Date of birth")

    assert raised.value.messages == [message]


def test_date_parts_parse_a_real_date_and_nothing_as_none():
    assert parse_date_parts([" 1", "04", "2020 "], noun="Date") == dt.date(2020, 4, 1)
    assert parse_date_parts(["", "", ""], noun="Date") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", dt.time(14, 30)),
        ("9.05", dt.time(9, 5)),
        ("2:30pm", dt.time(14, 30)),
        ("12am", dt.time(0, 0)),
        ("12 PM", dt.time(12, 0)),
        ("7", dt.time(7, 0)),
    ],
)
def test_time_of_day_accepts_common_ways_of_writing_a_time(text, expected):
    assert TimeOfDayField().clean(text) == expected


@pytest.mark.parametrize("text", ["25:00", "10:75", "13pm", "noon"])
def test_time_of_day_refuses_what_is_not_a_time(text):
    with pytest.raises(ValidationError):
        TimeOfDayField().clean(text)


@pytest.mark.parametrize(
    ("due", "days_left", "text", "colour"),
    [
        (dt.date(2026, 3, 10), 3, "3 working days left", "blue"),
        (dt.date(2026, 3, 10), 1, "1 working day left", "yellow"),
        (dt.date(2026, 3, 9), 0, "Due today", "orange"),
        (dt.date(2026, 3, 6), -1, "Overdue by 1 working day", "red"),
        (dt.date(2026, 3, 2), -5, "Overdue by 5 working days", "red"),
    ],
)
def test_deadline_tag(due, days_left, text, colour):
    assert deadline_tag(due, days_left, dt.date(2026, 3, 9)) == {"text": text, "colour": colour}


def test_deadline_tag_at_the_weekend_after_a_friday_deadline_is_overdue():
    friday, saturday = dt.date(2026, 3, 6), dt.date(2026, 3, 7)

    assert deadline_tag(friday, 0, saturday) == {"text": "Overdue", "colour": "red"}


def _bound_intake(world, members=(PARENT, CHILD), **fields) -> Intake:
    intake = Intake.bind(intake_data(members=members, **fields))
    assert intake.is_valid(), intake.summary()
    intake.submission({})
    return intake


@pytest.mark.django_db
def test_empty_rows_are_left_out_of_the_submission(world):
    intake = _bound_intake(world)

    submission = intake.submission({})

    assert [m.key for m in submission["members"]] == ["m0", "m1"]
    assert [(c.member_key, c.given_by_key) for c in submission["consents"]] == [
        ("m0", "m0"),
        ("m1", "m0"),
    ]
    assert submission["members"][1].is_subject
    assert submission["members"][0].is_parent_or_carer
    assert submission["needs"].tfu_criteria == (2,)


@pytest.mark.django_db
def test_a_gap_between_rows_keeps_each_rows_key(world):
    data = intake_data(members=(PARENT, {}, CHILD))
    intake = Intake.bind(data)
    assert intake.is_valid(), intake.summary()

    members = intake.submission({})["members"]

    assert [m.key for m in members] == ["m0", "m2"]


@pytest.mark.django_db
def test_every_service_error_key_lands_by_its_field(world):
    # Row 1 left empty: the service's members[1] is the third row on the page.
    intake = Intake.bind(intake_data(members=(PARENT, {}, CHILD)))
    assert intake.is_valid()
    intake.submission({})

    intake.place_service_errors(
        ValidationError(
            {
                "received_at": ["The date received must be in the past"],
                "referrer.name": ["Enter the referrer's name"],
                "address.postcode": ["Enter the family's postcode"],
                "caf.urn": ["Enter the URN of the existing CAF"],
                "caf.lead_professional": ["Enter the lead professional of the existing CAF"],
                "presenting_needs": ["Describe the family's needs"],
                "route": ["Choose how the request came in"],
                "members": ["Add the family's members"],
                "members[1].date_of_birth": ["Date of birth must be today or in the past"],
                "members[0].first_name": ["Enter a first name"],
                "members[1].has_send": ["Odd"],
                "consents[1]": ["Consent must name members of this request"],
                "referrer_email": ["Enter a valid email address."],
                "mystery.key": ["Something else"],
            }
        )
    )

    form, rows = intake.form, intake.members.forms
    assert form.errors["received_on"] == ["The date received must be in the past"]
    assert form.errors["referrer_name"] == ["Enter the referrer's name"]
    assert form.errors["postcode"] == ["Enter the family's postcode"]
    assert form.errors["caf_urn"] == ["Enter the URN of the existing CAF"]
    assert form.errors["caf_lead_professional"] == [
        "Enter the lead professional of the existing CAF"
    ]
    assert form.errors["presenting_needs"] == ["Describe the family's needs"]
    assert form.errors["route"] == ["Choose how the request came in"]
    assert form.errors["referrer_email"] == ["Enter a valid email address."]
    assert form.non_field_errors() == ["Something else"]
    assert intake.member_errors == ["Add the family's members"]
    assert rows[2].errors["date_of_birth"] == ["Date of birth must be today or in the past"]
    assert rows[0].errors["first_name"] == ["Enter a first name"]
    assert rows[2].errors["about"] == ["Odd"]
    assert rows[2].errors["consent"] == ["Consent must name members of this request"]
    assert not rows[1].errors
    summary = intake.summary()
    hrefs = {item["text"]: item["href"] for item in summary}
    assert hrefs["The date received must be in the past"] == "#id_received_on_day"
    assert hrefs["Choose how the request came in"] == "#id_route_0"
    assert hrefs["Date of birth must be today or in the past"] == "#id_members-2-date_of_birth_day"
    assert hrefs["Consent must name members of this request"] == "#id_members-2-consent_0"
    assert hrefs["Add the family's members"] == "#members"
    assert hrefs["Something else"] == "#request-form"
    # Page order: the request, then the people, then needs and the CAF.
    texts = [item["text"] for item in summary]
    assert texts.index("Enter the referrer's name") < texts.index("Enter a first name")
    assert texts.index("Enter a first name") < texts.index("Describe the family's needs")


@pytest.mark.django_db
def test_a_domain_error_lands_by_its_field(world):
    intake = _bound_intake(world)

    intake.place(
        NotInServiceArea("Not in the area", field="address.postcode").field, ["Not in the area"]
    )

    assert intake.form.errors["postcode"] == ["Not in the area"]


def test_simple_forms_place_service_errors():
    form = WithdrawForm({"reason": "x"})
    assert form.is_valid()

    place_errors(form, ValidationError({"reason": ["Give the reason"], "other": ["Other"]}))

    assert form.errors["reason"] == ["Give the reason"]
    assert form.non_field_errors() == ["Other"]
