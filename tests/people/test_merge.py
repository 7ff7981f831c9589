"""Two records of one person are merged by a senior practitioner, audited."""

import pytest
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent
from earlyhelp.cases import services as case_services
from earlyhelp.people.models import Person
from earlyhelp.people.services import merge_people
from earlyhelp.referrals.models import Consent, RequestMember
from tests.casework import open_case, submit
from tests.factories import make_staff


def _duplicate_child(world):
    """A second request made the child again (confirmed new by mistake)."""
    first = submit(world)
    second = submit(world, postcode="PR2 1AA")
    kept = first.members.get(is_subject=True).person
    duplicate = second.members.get(is_subject=True).person
    assert kept.pk != duplicate.pk
    return first, second, kept, duplicate


@pytest.mark.django_db
def test_a_senior_practitioner_merges_a_duplicate_and_every_reference_moves(world):
    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=world.team)
    first, second, kept, duplicate = _duplicate_child(world)
    merge_people(
        actor=practitioner, keep_id=kept.pk, duplicate_id=duplicate.pk, reason="Same child"
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
    assert RequestMember.objects.filter(person=duplicate).count() == 0
    assert RequestMember.objects.filter(person=kept).count() == 2
    assert Consent.objects.filter(person=duplicate).count() == 0
    assert set(kept.families.values_list("pk", flat=True)) == {
        first.family_id,
        second.family_id,
    }
    event = AuditEvent.objects.get(code="person.merged")
    assert event.actor == practitioner
    assert event.details["merged"] == duplicate.pk
    assert event.details["reason"] == "Same child"


@pytest.mark.django_db
def test_a_merged_duplicate_is_no_longer_offered_as_a_match(world):
    from earlyhelp.referrals.selectors import find_possible_matches

    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=world.team)
    _, _, kept, duplicate = _duplicate_child(world)
    merge_people(actor=practitioner, keep_id=kept.pk, duplicate_id=duplicate.pk, reason="Same")
    offered = find_possible_matches(
        first_name=kept.first_name,
        last_name=kept.last_name,
        date_of_birth=kept.date_of_birth,
        postcode="",
    )
    assert [m["person_id"] for m in offered] == [kept.pk]


@pytest.mark.django_db
def test_contact_attendance_moves_to_the_kept_person(world):
    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=world.team)
    case = open_case(world)
    child = case.request.members.get(is_subject=True).person
    duplicate = Person.objects.create(
        first_name=child.first_name, last_name=child.last_name, date_of_birth=child.date_of_birth
    )
    case.family.memberships.create(person=duplicate, relationship="child")
    contact = case_services.record_contact(
        actor=case.key_worker,
        case_id=case.pk,
        occurred_at=timezone.now(),
        contact_type="home_visit",
        duration_minutes=60,
        notes="Visit",
        attendee_ids=[duplicate.pk],
    )
    merge_people(actor=practitioner, keep_id=child.pk, duplicate_id=duplicate.pk, reason="Same")
    assert list(contact.attendees.values_list("pk", flat=True)) == [child.pk]
    assert case.family.memberships.filter(person=duplicate).count() == 0


@pytest.mark.django_db
def test_only_a_senior_practitioner_may_merge_and_the_refusal_is_audited(world, client):
    _, _, kept, duplicate = _duplicate_child(world)
    client.force_login(world.key_worker)
    response = client.get(f"/families/people/{kept.pk}/merge/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="denied", object_id=str(kept.pk)).exists()
    response = client.post(
        "/api/v1/families/people/merge",
        {"keep_id": kept.pk, "duplicate_id": duplicate.pk, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


@pytest.mark.django_db
def test_the_merge_page_offers_look_alikes_and_merges_on_confirmation(world, client):
    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=world.team)
    _, _, kept, duplicate = _duplicate_child(world)
    client.force_login(practitioner)
    page = client.get(f"/families/people/{kept.pk}/merge/")
    assert page.status_code == 200
    assert f'value="{duplicate.pk}"' in page.content.decode()
    missing_reason = client.post(
        f"/families/people/{kept.pk}/merge/", {"duplicate_id": duplicate.pk}
    )
    assert missing_reason.status_code == 200
    assert "Say why these are the same person" in missing_reason.content.decode()
    response = client.post(
        f"/families/people/{kept.pk}/merge/",
        {"duplicate_id": duplicate.pk, "reason": "Same school and date of birth"},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk


@pytest.mark.django_db
def test_merging_through_the_api(world, client):
    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=world.team)
    _, _, kept, duplicate = _duplicate_child(world)
    client.force_login(practitioner)
    response = client.post(
        "/api/v1/families/people/merge",
        {"keep_id": kept.pk, "duplicate_id": duplicate.pk, "reason": "Same"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"kept_id": kept.pk, "merged_id": duplicate.pk}
    again = client.post(
        "/api/v1/families/people/merge",
        {"keep_id": kept.pk, "duplicate_id": duplicate.pk, "reason": "Same"},
        content_type="application/json",
    )
    assert again.status_code == 422
