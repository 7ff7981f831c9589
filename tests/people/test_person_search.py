"""Finding a person by name and date of birth: close spellings found, the date of birth
ranking its person first, only families the user may see, merged duplicates left out,
every search audited, and the same number of queries however many people match. Runs
the pg_trgm path on PostgreSQL and the fallback on SQLite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.people.models import Family, FamilyMember, Person
from earlyhelp.people.search import find_people, search_people

BORN = dt.date(2014, 5, 17)


def _family(world, surname: str, *, team=None, people=()) -> Family:
    family = Family.objects.create(
        name=surname, district=world.district, team=team or world.team, postcode="PR1 2AB"
    )
    for first, born in people:
        person = Person.objects.create(first_name=first, last_name=surname, date_of_birth=born)
        FamilyMember.objects.create(family=family, person=person, relationship="child")
    return family


@pytest.fixture
def people(world):
    _family(world, "Smith", people=[("Jonathan", BORN), ("Ellie", dt.date(2016, 1, 2))])
    _family(world, "Okafor", people=[("Chidi", BORN)])
    _family(world, "Smithers", team=world.other_team, people=[("Jonathan", BORN)])
    return world


def _names(hits) -> list[str]:
    return [hit.name for hit in hits]


def test_a_close_spelling_finds_the_person(people):
    hits = search_people(user=people.key_worker, name="Jonathon Smyth")

    assert _names(hits)[0] == "Jonathan Smith"


def test_one_word_finds_people_by_first_or_last_name(people):
    assert "Jonathan Smith" in _names(search_people(user=people.key_worker, name="jonathan"))
    assert "Chidi Okafor" in _names(search_people(user=people.key_worker, name="Okafor"))


def test_a_date_of_birth_alone_finds_everyone_born_that_day(people):
    hits = search_people(user=people.key_worker, date_of_birth=BORN)

    assert sorted(_names(hits)) == ["Chidi Okafor", "Jonathan Smith"]


def test_the_same_date_of_birth_ranks_its_person_first(people):
    hits = search_people(user=people.key_worker, name="Smith", date_of_birth=dt.date(2016, 1, 2))

    assert _names(hits)[0] == "Ellie Smith"


def test_only_people_in_families_the_user_may_see_are_found(people):
    assert "Jonathan Smithers" not in _names(
        search_people(user=people.key_worker, name="Jonathan Smithers")
    )
    assert "Jonathan Smithers" in _names(
        search_people(user=people.other_worker, name="Jonathan Smithers")
    )


def test_a_merged_duplicate_is_not_found(people):
    duplicate = Person.objects.get(first_name="Ellie")
    duplicate.merged_into = Person.objects.get(first_name="Jonathan", last_name="Smith")
    duplicate.save()

    assert "Ellie Smith" not in _names(search_people(user=people.key_worker, name="Ellie Smith"))


def test_a_search_needs_a_name_or_a_date_of_birth_and_is_audited(people):
    with pytest.raises(ValidationError):
        find_people(user=people.key_worker, name="  ", source="test")

    find_people(user=people.key_worker, name="Okafor", source="/families/people/search/")

    event = AuditEvent.objects.get(code="person.searched")
    assert event.actor == people.key_worker
    assert event.details == {"name": "Okafor", "date_of_birth": "", "results": 1}


def test_the_page_finds_people_and_puts_errors_next_to_the_field(client, people):
    client.force_login(people.key_worker)
    url = reverse("people:person-search")

    found = client.get(url, {"name": "Jonathon Smyth"})
    refused = client.get(url, {"name": ""})

    assert found.status_code == 200
    assert "Jonathan Smith" in found.content.decode()
    assert refused.status_code == 200
    assert "Enter a name or a date of birth" in refused.content.decode()
    assert 'href="#id_name"' in refused.content.decode()


def test_the_api_finds_people_and_refuses_an_empty_search(client, people):
    client.force_login(people.key_worker)

    found = client.get(
        "/api/v1/families/people/search", {"name": "Chidi", "date_of_birth": BORN.isoformat()}
    )
    refused = client.get("/api/v1/families/people/search")

    assert found.status_code == 200
    assert found.json()[0]["first_name"] == "Chidi"
    assert found.json()[0]["family_name"] == "Okafor"
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")


def test_the_number_of_queries_does_not_grow_with_the_people_found(
    client, people, django_assert_max_num_queries
):
    client.force_login(people.key_worker)
    url = reverse("people:person-search")
    with django_assert_max_num_queries(12) as few:
        client.get(url, {"name": "Smith"})
    _family(people, "Smith", people=[(f"Child{n}", BORN) for n in range(30)])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"name": "Smith"})

    assert response.content.decode().count("Child") >= 20
