"""Every change to people and families: one function per action, atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from earlyhelp.audit.services import diff, record_write, snapshot
from earlyhelp.configuration.models import District
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
    source: str = "",
) -> Family:
    """Change a family's household address; the user must have access to the family."""
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
        source=source,
    )


@transaction.atomic
def _save_family_address(
    *,
    actor,
    family_id: int,
    address_line_1: str,
    address_line_2: str,
    town: str,
    postcode: str,
    source: str,
) -> Family:
    family = Family.objects.select_for_update().get(pk=family_id)
    before = snapshot(family, (*ADDRESS_FIELDS, "district_id"))
    family.address_line_1 = address_line_1
    family.address_line_2 = address_line_2
    family.town = town
    family.postcode = normalise_postcode(postcode)
    family.district = district_for_postcode(postcode) or family.district
    family.full_clean()
    family.save(update_fields=[*ADDRESS_FIELDS, "district", "updated_at"])
    Person.objects.filter(memberships__family=family).update(postcode=family.postcode)
    record_write(
        actor=actor,
        code="family.address_changed",
        instance=family,
        changes=diff(before, snapshot(family, (*ADDRESS_FIELDS, "district_id"))),
        source=source,
    )
    return family
