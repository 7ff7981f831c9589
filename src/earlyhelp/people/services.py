"""Every change to people and families: one function per action, atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.audit.services import diff, record_denied, record_write, snapshot
from earlyhelp.configuration.models import District
from earlyhelp.core.concurrency import check_version, save_versioned
from earlyhelp.people.models import Family, FamilyMember, Gender, Person, Relationship
from earlyhelp.people.selectors import access_family

ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "postcode")


def normalise_postcode(postcode: str) -> str:
    """A UK postcode in capitals with one space before the inward code."""
    compact = "".join(postcode.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def district_for_postcode(postcode: str) -> District | None:
    """The configured district whose outward postcodes include this one."""
    outward = normalise_postcode(postcode).split(" ")[0]
    for district in District.objects.all():
        if outward in district.postcode_districts:
            return district
    return None


@transaction.atomic
def create_family(
    *,
    actor,
    name: str,
    address_line_1: str = "",
    address_line_2: str = "",
    town: str = "",
    postcode: str = "",
    district: District | None = None,
    team=None,
    key_worker=None,
    is_synthetic: bool = False,
    source: str = "",
) -> Family:
    """Record a new family and its household address."""
    family = Family(
        name=name,
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=normalise_postcode(postcode) if postcode else "",
        district=district or (district_for_postcode(postcode) if postcode else None),
        team=team,
        key_worker=key_worker,
        is_synthetic=is_synthetic,
    )
    family.full_clean()
    family.save()
    record_write(
        actor=actor,
        code="family.created",
        instance=family,
        changes=diff({}, snapshot(family)),
        source=source,
    )
    return family


@transaction.atomic
def add_family_member(
    *,
    actor,
    family: Family,
    first_name: str,
    last_name: str,
    relationship: Relationship | str,
    date_of_birth: dt.date | None = None,
    gender: Gender | str = Gender.NOT_KNOWN,
    preferred_language: str = "English",
    interpreter_needed: bool = False,
    has_send: bool = False,
    school_or_setting: str = "",
    is_synthetic: bool = False,
    source: str = "",
) -> FamilyMember:
    """Add a new person to a family."""
    person = Person(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        gender=gender,
        preferred_language=preferred_language,
        interpreter_needed=interpreter_needed,
        has_send=has_send,
        school_or_setting=school_or_setting,
        postcode=family.postcode,
        is_synthetic=is_synthetic,
    )
    person.full_clean()
    person.save()
    membership = FamilyMember(family=family, person=person, relationship=relationship)
    membership.full_clean()
    membership.save()
    record_write(
        actor=actor,
        code="person.added_to_family",
        instance=person,
        changes=diff({}, snapshot(person)),
        details={"relationship": str(relationship)},
        source=source,
        subject_family_id=family.pk,
    )
    return membership


def update_family_address(
    *,
    actor,
    family_id: int,
    address_line_1: str,
    address_line_2: str,
    town: str,
    postcode: str,
    expected_version: int | None = None,
    source: str = "",
) -> Family:
    """Change a family's household address; the user must have access to the family. A
    save made to an older version than the one saved (``expected_version``) is refused
    with the changes."""
    # Checked before the transaction opens: a refusal raises, and inside the
    # transaction its audit row would be rolled back with everything else.
    access_family(user=actor, family_id=family_id, source=source)
    return _save_family_address(
        actor=actor,
        family_id=family_id,
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=postcode,
        expected_version=expected_version,
        source=source,
    )


ADDRESS_LABELS = {
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "town": "Town or city",
    "postcode": "Postcode",
}


@transaction.atomic
def _save_family_address(
    *,
    actor,
    family_id: int,
    address_line_1: str,
    address_line_2: str,
    town: str,
    postcode: str,
    expected_version: int | None,
    source: str,
) -> Family:
    family = Family.objects.select_for_update().get(pk=family_id)
    check_version(
        family,
        expected_version,
        saved={name: getattr(family, name) for name in ADDRESS_FIELDS},
        submitted={
            "address_line_1": address_line_1,
            "address_line_2": address_line_2,
            "town": town,
            "postcode": normalise_postcode(postcode),
        },
        labels=ADDRESS_LABELS,
        noun="this family's address",
    )
    before = snapshot(family, (*ADDRESS_FIELDS, "district_id"))
    family.address_line_1 = address_line_1
    family.address_line_2 = address_line_2
    family.town = town
    family.postcode = normalise_postcode(postcode)
    family.district = district_for_postcode(postcode) or family.district
    family.full_clean()
    save_versioned(family, [*ADDRESS_FIELDS, "district"], noun="this family's address")
    Person.objects.filter(memberships__family=family).update(postcode=family.postcode)
    record_write(
        actor=actor,
        code="family.address_changed",
        instance=family,
        changes=diff(before, snapshot(family, (*ADDRESS_FIELDS, "district_id"))),
        source=source,
    )
    return family


def merge_people(
    *, actor, keep_id: int, duplicate_id: int, reason: str, source: str = ""
) -> Person:
    """Merge a duplicate record into the one kept (senior practitioners): the duplicate's
    family memberships, requests, consents and contacts move to the kept person; the
    duplicate stays, marked as merged, so the audit trail still points somewhere."""
    # Checked before the transaction, so that a refusal stays on the audit log.
    if not actor.has_perm("people.merge_person"):
        record_denied(actor=actor, object_type="people.person", object_id=keep_id, source=source)
        raise PermissionDenied("Only a senior practitioner can merge two people's records.")
    return _merge_people(
        actor=actor, keep_id=keep_id, duplicate_id=duplicate_id, reason=reason, source=source
    )


@transaction.atomic
def _merge_people(*, actor, keep_id: int, duplicate_id: int, reason: str, source: str) -> Person:
    if keep_id == duplicate_id:
        raise ValidationError({"duplicate_id": ["Choose a different person to merge"]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why these are the same person"]})
    people = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(
            pk__in=[keep_id, duplicate_id], merged_into__isnull=True
        )
    }
    if keep_id not in people or duplicate_id not in people:
        raise ValidationError(
            {"duplicate_id": ["Both people must exist and not be merged already"]}
        )
    keep, duplicate = people[keep_id], people[duplicate_id]
    moved = _move_references(keep=keep, duplicate=duplicate)
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    record_write(
        actor=actor,
        code="person.merged",
        instance=keep,
        details={
            "kept": keep.pk,
            "merged": duplicate.pk,
            "merged_name": duplicate.full_name,
            "reason": reason.strip(),
            "moved": moved,
        },
        source=source,
    )
    record_write(
        actor=actor,
        code="person.merged_into_another",
        instance=duplicate,
        changes={"merged_into_id": [None, keep.pk]},
        source=source,
    )
    return keep


def _move_references(*, keep: Person, duplicate: Person) -> dict[str, int]:
    """Point every record about the duplicate at the kept person."""
    from earlyhelp.cases.models import Contact
    from earlyhelp.referrals.models import Consent, RequestMember

    moved: dict[str, int] = {}
    kept_families = set(keep.memberships.values_list("family_id", flat=True))
    memberships = list(duplicate.memberships.all())
    for membership in memberships:
        if membership.family_id in kept_families:
            membership.delete()
        else:
            membership.person = keep
            membership.save(update_fields=["person"])
    moved["family_memberships"] = len(memberships)
    kept_requests = set(
        RequestMember.objects.filter(person=keep).values_list("request_id", flat=True)
    )
    RequestMember.objects.filter(person=duplicate, request_id__in=kept_requests).delete()
    moved["request_members"] = RequestMember.objects.filter(person=duplicate).update(person=keep)
    moved["consents"] = Consent.objects.filter(person=duplicate).update(person=keep)
    moved["consents_given"] = Consent.objects.filter(given_by=duplicate).update(given_by=keep)
    attended = Contact.attendees.through.objects.filter(person=duplicate)
    already = set(
        Contact.attendees.through.objects.filter(person=keep).values_list("contact_id", flat=True)
    )
    attended.filter(contact_id__in=already).delete()
    moved["contacts"] = attended.update(person=keep)
    return moved
