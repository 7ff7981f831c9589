"""The shared optimistic locking (core/concurrency.py): the write is conditional on the
version read, so a save whose row changed after it was read fails even without a row
lock; differences are listed as a form shows them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F

from earlyhelp.core.concurrency import (
    StaleRecord,
    as_text,
    check_version,
    differences,
    save_versioned,
)
from earlyhelp.people.models import Family

pytestmark = pytest.mark.django_db


def test_a_write_to_a_row_changed_since_it_was_read_is_refused_and_changes_nothing():
    family = Family.objects.create(name="Ashworth", town="Preston")
    read = Family.objects.get(pk=family.pk)
    Family.objects.filter(pk=family.pk).update(town="Chorley", version=F("version") + 1)

    read.town = "Blackpool"
    with pytest.raises(StaleRecord) as refused:
        save_versioned(read, ["town"], noun="this family's address")

    assert refused.value.current_version == 2
    assert refused.value.status == 409
    family.refresh_from_db()
    assert (family.town, family.version) == ("Chorley", 2)


def test_a_write_to_the_row_as_read_raises_its_version_by_one():
    family = Family.objects.create(name="Ashworth", town="Preston")

    family.town = "Blackpool"
    save_versioned(family, ["town"])

    family.refresh_from_db()
    assert (family.town, family.version) == ("Blackpool", 2)


def test_a_save_without_a_version_is_not_checked_but_one_behind_is_refused():
    family = Family.objects.create(name="Ashworth", town="Preston", version=3)
    kwargs = {"saved": {"town": "Preston"}, "labels": {"town": "Town"}, "noun": "it"}

    check_version(family, None, submitted={"town": "Leyland"}, **kwargs)
    check_version(family, 3, submitted={"town": "Leyland"}, **kwargs)
    with pytest.raises(StaleRecord) as refused:
        check_version(family, 2, submitted={"town": "Leyland"}, **kwargs)

    assert refused.value.extra() == {
        "current_version": 3,
        "differences": [
            {"field": "town", "label": "Town", "saved": "Preston", "submitted": "Leyland"}
        ],
    }


def test_differences_compare_values_as_a_form_shows_them():
    found = differences(
        saved={"fte": Decimal("0.60"), "languages": ["urdu"], "note": None},
        submitted={"fte": Decimal("0.6"), "languages": ["urdu", "polish"], "note": ""},
        labels={"fte": "FTE", "languages": "Languages", "note": "Note"},
    )

    assert [d.field for d in found] == ["languages"]
    assert as_text(Decimal("1.00")) == "1"
    assert as_text(True) == "Yes"
