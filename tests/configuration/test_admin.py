"""The configuration in the admin: a system administrator's changes are audited with
before and after; the settings stay a single row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.configuration.models import CaseType, District, Locality, ServiceSettings
from earlyhelp.configuration.selectors import service_calendar
from tests.configuration.conftest import CONFIGURATION_MODELS
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_every_configuration_model_is_in_the_admin_and_audited():
    registered = admin.site._registry
    # Star areas are edited inline on their Star.
    missing = [
        model._meta.label
        for model in CONFIGURATION_MODELS
        if model._meta.model_name != "stararea" and model not in registered
    ]
    assert missing == []
    assert all(
        isinstance(registered[model], AuditedModelAdmin)
        for model in CONFIGURATION_MODELS
        if model in registered
    )


def test_every_configuration_list_page_opens(client, superuser, loaded):
    for model in admin.site._registry:
        if model._meta.app_label != "configuration":
            continue
        url = reverse(f"admin:configuration_{model._meta.model_name}_changelist")
        response = client.get(url, follow=True)
        assert response.status_code == 200, url


def test_moving_a_district_to_another_locality_in_the_admin_is_audited_with_before_and_after(
    client, superuser, loaded
):
    district = District.objects.get(code="preston")
    old_locality = district.locality
    new_locality = Locality.objects.get(code="lancaster-fylde-wyre")

    response = client.post(
        reverse("admin:configuration_district_change", args=[district.pk]),
        {
            "code": "preston",
            "name": "Preston",
            "locality": new_locality.pk,
            "postcode_districts": '["PR1", "PR2"]',
            "latitude": district.latitude,
            "longitude": district.longitude,
        },
    )

    assert response.status_code == 302
    district.refresh_from_db()
    assert district.locality == new_locality
    event = AuditEvent.objects.get(code="district.changed_in_admin")
    assert event.kind == Kind.WRITE
    assert event.actor == superuser
    assert event.object_id == str(district.pk)
    assert event.changes == {"locality_id": [old_locality.pk, new_locality.pk]}


def test_changing_a_demand_share_in_the_admin_is_audited_and_warns_when_shares_stop_adding_up(
    client, superuser, loaded
):
    case_type = CaseType.objects.get(code="L2A")

    response = client.post(
        reverse("admin:configuration_casetype_change", args=[case_type.pk]),
        {
            "code": "L2A",
            "name": case_type.name,
            "visit_every_weeks": 1,
            "weeks_of_support": 12,
            "slots_per_cycle": 12,
            "cycles_per_year": "3.80",
            "demand_share": "0.35",
            "sort_order": 1,
        },
        follow=True,
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(code="casetype.changed_in_admin")
    assert event.changes == {"demand_share": ["0.4000", "0.35"]}
    assert "now add up to 0.95" in response.content.decode()


def test_a_closure_day_added_in_the_admin_is_in_the_calendar_at_once(client, superuser, loaded):
    day = dt.date(2026, 7, 20)
    assert service_calendar().is_working_day(day)

    response = client.post(
        reverse("admin:configuration_closureday_add"),
        {"date": "2026-07-20", "reason": "Staff development day"},
    )

    assert response.status_code == 302
    assert not service_calendar().is_working_day(day)
    assert AuditEvent.objects.filter(code="closureday.added_in_admin").exists()


def test_service_settings_cannot_be_added_twice_or_deleted(client, superuser, loaded):
    row = ServiceSettings.objects.get()

    add = client.get(reverse("admin:configuration_servicesettings_add"))
    delete = client.post(
        reverse("admin:configuration_servicesettings_delete", args=[row.pk]), {"post": "yes"}
    )
    listing = client.get(reverse("admin:configuration_servicesettings_changelist"))

    assert add.status_code == 403
    assert delete.status_code == 403
    assert ServiceSettings.objects.count() == 1
    assert listing.status_code == 302
    assert listing.url == reverse("admin:configuration_servicesettings_change", args=[row.pk])


def test_service_settings_can_be_added_when_there_are_none(client, superuser):
    response = client.get(reverse("admin:configuration_servicesettings_add"))

    assert response.status_code == 200


def test_a_referenced_district_cannot_be_deleted_in_the_admin(client, superuser, loaded):
    district = District.objects.get(code="hyndburn")
    TeamFactory(district=district)

    response = client.post(
        reverse("admin:configuration_district_delete", args=[district.pk]), {"post": "yes"}
    )

    assert response.status_code == 200  # the "cannot delete: protected" page
    assert District.objects.filter(pk=district.pk).exists()
