"""Every model in the Django admin leaves an audit trail; the audit log itself is
read-only there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.people.models import FamilyMember, Relationship
from tests.factories import FamilyFactory, PersonFactory, TeamFactory, UserFactory


def test_every_model_registered_in_the_admin_uses_audited_model_admin():
    registry = admin.site._registry
    assert registry, "nothing is registered in the admin"
    not_audited = [
        model._meta.label
        for model, model_admin in registry.items()
        if model is not AuditEvent and not isinstance(model_admin, AuditedModelAdmin)
    ]
    # Third-party apps register admins too (django-axes: set AXES_ENABLE_ADMIN = False,
    # or register its models with AuditedModelAdmin subclasses).
    assert not_audited == [], f"admin changes to these are not audited: {not_audited}"


def test_audit_event_admin_is_registered_and_is_not_an_editing_admin():
    model_admin = admin.site._registry[AuditEvent]

    assert not isinstance(model_admin, AuditedModelAdmin)


@pytest.mark.django_db
def test_audit_event_admin_is_read_only_even_for_a_superuser():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEvent]
    event = AuditEvent.objects.create(kind=Kind.WRITE, code="test.written")

    assert model_admin.has_view_permission(request, event) is True
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.django_db
def test_audit_event_change_page_cannot_save(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    event = AuditEvent.objects.create(kind=Kind.WRITE, code="test.written")
    client.force_login(superuser)

    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"code": "tampered"})

    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).code == "test.written"


@pytest.mark.django_db
def test_admin_change_is_on_the_audit_log_with_before_and_after(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    team = TeamFactory(name="Old name")
    client.force_login(superuser)

    response = client.post(
        f"/admin/workforce/team/{team.pk}/change/",
        {"name": "New name", "district": team.district_id, "manager": ""},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(code="team.changed_in_admin")
    assert event.kind == Kind.WRITE
    assert event.actor == superuser
    assert event.object_id == str(team.pk)
    assert event.changes == {"name": ["Old name", "New name"]}


def _family_form(family, **members) -> dict:
    return {
        "name": family.name,
        "address_line_1": family.address_line_1,
        "address_line_2": family.address_line_2,
        "town": family.town,
        "postcode": family.postcode,
        "district": family.district_id,
        "team": "",
        "key_worker": "",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **members,
    }


@pytest.mark.django_db
def test_admin_inline_changes_are_on_the_audit_log(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    family = FamilyFactory()
    person = PersonFactory()
    client.force_login(superuser)
    url = f"/admin/people/family/{family.pk}/change/"

    added = client.post(
        url,
        _family_form(
            family,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-person": person.pk,
                "memberships-0-relationship": Relationship.CHILD,
            },
        ),
    )
    assert added.status_code == 302
    membership = FamilyMember.objects.get(family=family, person=person)
    event = AuditEvent.objects.get(code="familymember.added_in_admin")
    assert event.actor == superuser
    assert event.object_id == str(membership.pk)
    assert event.subject_family_id == family.pk
    assert event.changes["relationship"] == [None, Relationship.CHILD]

    changed = client.post(
        url,
        _family_form(
            family,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": membership.pk,
                "memberships-0-family": family.pk,
                "memberships-0-person": person.pk,
                "memberships-0-relationship": Relationship.SIBLING,
            },
        ),
    )
    assert changed.status_code == 302
    event = AuditEvent.objects.get(code="familymember.changed_in_admin")
    assert event.changes == {"relationship": [Relationship.CHILD, Relationship.SIBLING]}

    removed = client.post(
        url,
        _family_form(
            family,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": membership.pk,
                "memberships-0-family": family.pk,
                "memberships-0-person": person.pk,
                "memberships-0-relationship": Relationship.SIBLING,
                "memberships-0-DELETE": "on",
            },
        ),
    )
    assert removed.status_code == 302
    assert not FamilyMember.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(code="familymember.deleted_in_admin")
    assert event.object_id == str(membership.pk)
    assert event.changes["person_id"] == [person.pk, None]
