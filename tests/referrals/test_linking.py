"""Linking a known person to a new request: only someone offered as a possible match
for the details given, or someone in a family the user works with. Knowing a record's
id is not enough (the API takes ids, so the rule lives in the service)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from earlyhelp.people.models import Family, FamilyMember, Person
from earlyhelp.referrals import services as rfs
from earlyhelp.referrals.models import RequestMember
from earlyhelp.referrals.selectors import find_possible_matches, match_candidates
from tests.casework import full_consent, members


@pytest.fixture
def known_child(world):
    """A child already known to the service, in a family of another district's team."""
    family = Family.objects.create(
        name="Hiddenfamily", district=world.other_district, team=world.other_team
    )
    child = Person.objects.create(
        first_name="Jordan",
        last_name="Hiddenfamily",
        date_of_birth=dt.date(2017, 3, 9),
        postcode="LA1 1AA",
    )
    FamilyMember.objects.create(family=family, person=child, relationship="child")
    return child


def _submit_with_child(world, child: rfs.MemberInput, *, actor=None):
    parent = members()[0]
    return rfs.submit_request(
        actor=actor or world.business_support,
        route="agency",
        received_at=timezone.now() - dt.timedelta(hours=1),
        referrer=rfs.ReferrerInput(name="Pat Referrer", organisation="School"),
        address=rfs.AddressInput(
            family_name="Testfamily", address_line_1="1 Test Street", postcode="PR1 2AB"
        ),
        members=[parent, child],
        consents=full_consent(),
        needs=rfs.NeedsInput(presenting_needs="Struggling with routines"),
        caf=rfs.CafInput(),
    )


def test_a_known_person_cannot_be_linked_by_id_alone(world, known_child):
    child = rfs.MemberInput(key="child", person_id=known_child.pk, relationship="child")

    with pytest.raises(ValidationError) as refused:
        _submit_with_child(world, child)

    assert "members[1].person_id" in refused.value.message_dict
    assert not RequestMember.objects.filter(person=known_child).exists()


def test_a_known_person_offered_as_a_match_for_the_details_given_can_be_linked(world, known_child):
    child = rfs.MemberInput(
        key="child",
        first_name="Jordan",
        last_name="Hiddenfamily",
        date_of_birth=dt.date(2017, 3, 9),
        relationship="child",
        person_id=known_child.pk,
    )

    request = _submit_with_child(world, child)

    assert request.members.filter(person=known_child).exists()


def test_details_that_do_not_match_do_not_unlock_a_link(world, known_child):
    child = rfs.MemberInput(
        key="child",
        first_name="Casey",
        last_name="Otherfamily",
        date_of_birth=dt.date(2019, 1, 1),
        relationship="child",
        person_id=known_child.pk,
    )

    with pytest.raises(ValidationError) as refused:
        _submit_with_child(world, child)

    assert "members[1].person_id" in refused.value.message_dict


def test_a_person_in_a_family_the_user_works_with_can_be_linked_by_id(world, known_child):
    child = rfs.MemberInput(key="child", person_id=known_child.pk, relationship="child")

    request = _submit_with_child(world, child, actor=world.other_manager)

    assert request.members.filter(person=known_child).exists()


def test_an_empty_surname_does_not_match_everyone(world, known_child):
    Person.objects.create(first_name="Robin", last_name="Anyone")

    candidates = match_candidates(
        first_name="Jordan", last_name="  ", date_of_birth=None, postcode=""
    )

    assert list(candidates) == [known_child]
    assert (
        find_possible_matches(first_name="", last_name=" ", date_of_birth=None, postcode="") == []
    )
