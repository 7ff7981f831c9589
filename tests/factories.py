"""Shared factories: geography, teams, staff of each role, families. en_GB Faker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from faker import Faker

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.configuration.models import District, Locality
from earlyhelp.people.models import Family, FamilyMember, Person, Relationship
from earlyhelp.workforce.models import Grade, StaffMember, Team

factory.Faker._DEFAULT_LOCALE = "en_GB"
fake = Faker("en_GB")

PASSWORD = "correct horse battery staple"


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"locality-{n}")
    name = factory.Sequence(lambda n: f"Locality {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"District {n}")
    locality = factory.SubFactory(LocalityFactory)
    postcode_districts = factory.LazyFunction(list)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    district = factory.SubFactory(DistrictFactory)
    manager = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[Role(r).value for r in extracted]))
        if create:
            self.save()


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    job_title = "Key worker"
    team = factory.SubFactory(TeamFactory)
    grade = Grade.G6
    fte = Decimal("1.00")
    line_manager = None


NEW_TEAM = object()


def make_staff(
    role: Role,
    *,
    team: Team | object | None = NEW_TEAM,
    line_manager: User | None = None,
    **user_fields,
) -> User:
    """A staff user holding one role, in a team: a new one unless given, none if None."""
    user = UserFactory(roles=[role], **user_fields)
    StaffMemberFactory(
        user=user,
        job_title=role.label,
        team=TeamFactory() if team is NEW_TEAM else team,
        line_manager=line_manager,
    )
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(
        lambda: fake.date_between(start_date=dt.date(2008, 1, 1), end_date=dt.date(2024, 1, 1))
    )
    postcode = "PR1 2AB"


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    name = factory.Faker("last_name")
    address_line_1 = factory.Faker("street_address")
    town = "Preston"
    postcode = "PR1 2AB"
    district = factory.SubFactory(DistrictFactory)
    team = None
    key_worker = None


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    relationship = Relationship.CHILD
