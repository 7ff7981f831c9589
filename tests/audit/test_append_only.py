"""The audit log is append-only: the model refuses edits and deletes, and so does the
database (triggers from migration audit/0002) when the ORM is bypassed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from earlyhelp.audit.models import AuditEvent, AuditLogIsAppendOnly, Kind
from earlyhelp.audit.services import record_write
from tests.factories import UserFactory


@pytest.fixture
def event(db) -> AuditEvent:
    return record_write(
        actor=UserFactory(), code="family.address_changed", changes={"town": ["A", "B"]}
    )


@pytest.mark.django_db
def test_new_audit_event_can_be_written(event):
    assert AuditEvent.objects.filter(pk=event.pk, kind=Kind.WRITE).exists()


@pytest.mark.django_db
def test_saving_an_existing_audit_event_raises(event):
    event.code = "something.else"

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).code == "family.address_changed"


@pytest.mark.django_db
def test_saving_a_reloaded_audit_event_raises(event):
    reloaded = AuditEvent.objects.get(pk=event.pk)

    with pytest.raises(AuditLogIsAppendOnly):
        reloaded.save(update_fields=["code"])


@pytest.mark.django_db
def test_deleting_an_audit_event_raises(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_queryset_update_raises(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(code="something.else")

    assert AuditEvent.objects.get(pk=event.pk).code == "family.address_changed"


@pytest.mark.django_db
def test_queryset_delete_raises(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_bulk_update_raises(event):
    event.code = "something.else"

    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["code"])


@pytest.mark.django_db
def test_database_refuses_raw_sql_update_of_an_audit_row(event):
    table = AuditEvent._meta.db_table

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET code = %s WHERE id = %s", ["tampered", event.pk])  # noqa: S608

    assert AuditEvent.objects.get(pk=event.pk).code == "family.address_changed"


@pytest.mark.django_db
def test_database_refuses_raw_sql_delete_of_an_audit_row(event):
    table = AuditEvent._meta.db_table

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_database_refuses_raw_sql_delete_of_every_audit_row(event):
    table = AuditEvent._meta.db_table

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_truncate_of_the_audit_table_on_postgresql(event):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has no such statement")
    table = AuditEvent._meta.db_table

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")

    assert AuditEvent.objects.count() == 1
