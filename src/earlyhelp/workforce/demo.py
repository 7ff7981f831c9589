"""Synthetic demo data: a staffed service and a caseload of made-up families.

Everything made here is fictional and flagged ``is_synthetic``. The same seed and
reference date always make the same people, dates of birth, postcodes and
allocations, so a demo, a screenshot or a failing test can be reproduced exactly.

The staffing is shaped like the establishment in the specification (Appendix E),
scaled to the number of staff asked for: one team per district led by an
operations and delivery leader, a locality manager per locality and a small
county-wide group under the head of service. Every role has one named demo
sign-in (``<role>@demo.earlyhelp.test``) sharing ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.services import create_staff_user
from earlyhelp.audit.services import record_write
from earlyhelp.configuration.models import District, Locality, Specialism
from earlyhelp.domain.consent import age_on
from earlyhelp.domain.people import OLDEST_YOUNG_PERSON, OLDEST_YOUNG_PERSON_WITH_SEND
from earlyhelp.people.models import Gender, Relationship
from earlyhelp.people.services import add_family_member, create_family
from earlyhelp.workforce.models import (
    CASEWORKER_ROLES,
    Absence,
    AbsenceKind,
    Grade,
    StaffMember,
    Team,
)

# Demo only: printed by `manage.py demo_sign_ins` and shared by every demo sign-in.
# Never use demo data, or this password, in a live deployment.
DEMO_PASSWORD = "early-help-demo-2026"  # noqa: S105
DEMO_EMAIL_DOMAIN = "demo.earlyhelp.test"
SOURCE = "seed_demo"

# The demo key worker, senior practitioner, business support officer and operations
# and delivery leader work in this district's team (the first district if the
# configuration has no district with this code).
DEMO_DISTRICT_CODE = "preston"
# How many families the demo key worker holds (fewer if fewer families are asked for).
DEMO_CASELOAD = 6
ALLOCATED_SHARE = 0.6

# Appendix E posts of the roles that sit in district teams: 48 senior practitioners
# (G8), 266 key workers (G6), 33 business support officers (G4-G6) and 126.5
# neighbourhood outreach workers (G4). Demo staff are shared out in these proportions.
TEAM_ROLE_WEIGHTS: tuple[tuple[Role, Decimal], ...] = (
    (Role.SENIOR_PRACTITIONER, Decimal("48")),
    (Role.KEY_WORKER, Decimal("266")),
    (Role.BUSINESS_SUPPORT, Decimal("33")),
    (Role.OUTREACH_WORKER, Decimal("126.5")),
)
# Appendix E: 5 Talkzone workers in a 552.24 FTE service.
TALKZONE_SHARE = Decimal("5") / Decimal("552.24")

JOB_TITLES: dict[Role, str] = {
    Role.KEY_WORKER: "Key worker",
    Role.SENIOR_PRACTITIONER: "Senior practitioner",
    Role.OPERATIONS_DELIVERY_LEADER: "Operations and delivery leader",
    Role.LOCALITY_MANAGER: "Locality manager",
    Role.DSO: "Senior practitioner (designated safeguarding officer)",
    Role.BUSINESS_SUPPORT: "Business support officer",
    Role.TALKZONE_WORKER: "Talkzone worker",
    Role.OUTREACH_WORKER: "Neighbourhood outreach worker",
    Role.QUALITY_REVIEW_OFFICER: "Quality review officer",
    Role.HEAD_OF_SERVICE: "Head of service",
    Role.SYSTEM_ADMINISTRATOR: "System administrator",
}

# Languages, other than English, commonly spoken at home in Lancashire.
HOME_LANGUAGES = ("Urdu", "Polish", "Gujarati", "Punjabi", "Romanian", "Bengali")
HOME_LANGUAGE_SHARE = 0.12
# Demo caseworkers: a share speak a home language; some keep protected hours; a few are
# away around the demo date (leave, sickness) so that capacity pages show absence.
STAFF_LANGUAGE_SHARE = 0.2
PROTECTED_HOURS_CHOICES = (Decimal("0"), Decimal("0"), Decimal("2.5"), Decimal("5"))
ABSENCE_SHARE = 0.15
ABSENCE_KINDS = (AbsenceKind.ANNUAL_LEAVE, AbsenceKind.ANNUAL_LEAVE, AbsenceKind.SICKNESS)
SAINTS = ("Mary", "Joseph", "Peter", "Paul", "Anne", "Andrew", "John", "Michael", "Wilfrid")
# Faker's en_GB streets end in American suffixes (Plaza, Canyon); these are British.
STREET_SUFFIXES = (
    "Road", "Street", "Avenue", "Lane", "Close", "Drive", "Grove", "Crescent", "Terrace",
    "Way", "Gardens", "Walk", "Place", "Court", "Brow", "Fold", "Mews", "View",
)  # fmt: skip
# Letters a postcode's inward code may use (never C, I, K, M, O or V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class DemoDataError(Exception):
    """Demo data cannot be made as asked."""


class ConfigurationNotLoaded(DemoDataError):
    """No districts are configured, so there is nowhere to put teams and families."""


class DemoDataAlreadyLoaded(DemoDataError):
    """Synthetic staff already exist; seeding again would duplicate them."""


@dataclass(frozen=True)
class DemoSummary:
    """What ``seed_demo`` made."""

    seed: int
    as_of: dt.date
    teams: int
    staff: int
    families: int
    people: int
    allocated_families: int
    sign_ins: tuple[tuple[Role, str], ...] = field(default=())


def demo_email(role: Role | str) -> str:
    """The fixed email address of the demo sign-in for a role."""
    return f"{Role(role).value.replace('_', '-')}@{DEMO_EMAIL_DOMAIN}"


def demo_sign_in_emails() -> dict[Role, str]:
    """Every role's demo sign-in email, in the order roles are declared."""
    return {role: demo_email(role) for role in Role}


def demo_data_loaded() -> bool:
    """Whether synthetic staff already exist."""
    return StaffMember.objects.filter(is_synthetic=True).exists()


def seed_demo(*, families: int, staff: int, seed: int, as_of: dt.date | None = None) -> DemoSummary:
    """Make a synthetic staffed service and ``families`` families, in one transaction.

    Needs the configuration loaded (districts and localities). The same ``seed`` and
    ``as_of`` (the date ages are worked out from; today unless given) always make
    the same data.
    """
    if families < 0:
        raise DemoDataError("The number of families cannot be negative")
    districts = list(District.objects.select_related("locality").order_by("code"))
    if not districts:
        raise ConfigurationNotLoaded(
            "No districts are configured: load the configuration first "
            "(manage.py load_configuration configuration/lancashire.yaml)"
        )
    with transaction.atomic():
        if demo_data_loaded():
            raise DemoDataAlreadyLoaded("Demo data already loaded")
        builder = _DemoBuilder(seed=seed, as_of=as_of or timezone.localdate())
        return builder.build(districts=districts, families=families, staff=staff)


# --- staffing plan ------------------------------------------------------------------


def _largest_remainder(total: int, weights: Sequence[Decimal]) -> list[int]:
    """Share ``total`` out in proportion to ``weights``; ties go to the earlier weight."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class _TeamPlan:
    district: District
    counts: dict[Role, int]


def _plan_staffing(
    *, districts: list[District], localities: list[Locality], staff: int, demo: District, rng
) -> tuple[int, int, list[_TeamPlan]]:
    """How many quality review officers, Talkzone workers and team workers of each role."""
    quality_review_officers = 3 if staff >= 100 else 2
    talkzone = max(2, int((staff * TALKZONE_SHARE).to_integral_value()))
    county = 1 + quality_review_officers + talkzone + 1  # + head of service, sysadmin
    fixed = county + len(localities) + len(districts)  # + locality managers, ODLs

    minimums: dict[int, dict[Role, int]] = {}
    for index, district in enumerate(districts):
        if district.pk == demo.pk:
            # The demo sign-ins need two senior practitioners (one is the demo DSO),
            # two key workers, a business support officer and an outreach worker.
            minimums[index] = {
                Role.SENIOR_PRACTITIONER: 2,
                Role.KEY_WORKER: 2,
                Role.BUSINESS_SUPPORT: 1,
                Role.OUTREACH_WORKER: 1,
            }
        else:
            minimums[index] = {Role.KEY_WORKER: 1}
    least = fixed + sum(sum(m.values()) for m in minimums.values())
    if staff < least:
        raise DemoDataError(
            f"At least {least} staff are needed for a team in each of the "
            f"{len(districts)} districts"
        )

    roles = [role for role, _ in TEAM_ROLE_WEIGHTS]
    spare = _largest_remainder(staff - least, [weight for _, weight in TEAM_ROLE_WEIGHTS])
    plans = [_TeamPlan(district=d, counts=dict.fromkeys(roles, 0)) for d in districts]
    for index, plan in enumerate(plans):
        for role, count in minimums[index].items():
            plan.counts[role] += count
    for role, extra in zip(roles, spare, strict=True):
        # Each team gets an even share; the odd ones over go to districts in a
        # seeded order, so no district is always the one that misses out.
        each, over = divmod(extra, len(plans))
        lucky = list(range(len(plans)))
        rng.shuffle(lucky)
        for plan in plans:
            plan.counts[role] += each
        for index in lucky[:over]:
            plans[index].counts[role] += 1
    return quality_review_officers, talkzone, plans


# --- the builder --------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower()) or "staff"


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


class _DemoBuilder:
    def __init__(self, *, seed: int, as_of: dt.date) -> None:
        self.seed = seed
        self.as_of = as_of
        # Seeded for reproducible demo data, not for anything secret.
        self.rng = random.Random(seed)  # noqa: S311
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.emails: set[str] = set()
        self.staff_rows: list[StaffMember] = []
        self.sign_ins: dict[Role, User] = {}

    # staff

    def _fte(self, choices: Sequence[tuple[str, int]]) -> Decimal:
        values = [Decimal(v) for v, _ in choices]
        return self.rng.choices(values, weights=[w for _, w in choices])[0]

    def _user(self, *, roles: Sequence[Role], demo_role: Role | None = None) -> User:
        if self.rng.random() < 0.7:
            first_name = self.fake.first_name_female()
        else:
            first_name = self.fake.first_name_male()
        last_name = self.fake.last_name()
        if demo_role is not None:
            email = demo_email(demo_role)
        else:
            stem = f"{_slug(first_name)}.{_slug(last_name)}"
            email, n = f"{stem}@{DEMO_EMAIL_DOMAIN}", 1
            while email in self.emails:
                n += 1
                email = f"{stem}{n}@{DEMO_EMAIL_DOMAIN}"
        self.emails.add(email)
        user = create_staff_user(
            actor=None,
            email=email,
            first_name=first_name,
            last_name=last_name,
            roles=roles,
            password=None,
            source=SOURCE,
        )
        if demo_role is not None:
            self.sign_ins[demo_role] = user
        return user

    def _member(
        self,
        *,
        user: User,
        job_title: str,
        grade: Grade,
        fte: Decimal = Decimal("1.00"),
        team: Team | None = None,
        locality: Locality | None = None,
        line_manager: User | None = None,
    ) -> StaffMember:
        member = StaffMember(
            user=user,
            job_title=job_title,
            grade=grade,
            fte=fte,
            team=team,
            locality=locality,
            line_manager=line_manager,
            is_synthetic=True,
        )
        self.staff_rows.append(member)
        return member

    def _build_staff(self, *, districts: list[District], staff: int, demo: District):
        localities = sorted({d.locality for d in districts}, key=lambda loc: loc.code)
        qros, talkzone, plans = _plan_staffing(
            districts=districts, localities=localities, staff=staff, demo=demo, rng=self.rng
        )

        head = self._user(roles=[Role.HEAD_OF_SERVICE], demo_role=Role.HEAD_OF_SERVICE)
        self._member(user=head, job_title=JOB_TITLES[Role.HEAD_OF_SERVICE], grade=Grade.G14)

        locality_managers: dict[int, User] = {}
        for locality in localities:
            is_demo = locality.pk == demo.locality_id
            manager = self._user(
                roles=[Role.LOCALITY_MANAGER],
                demo_role=Role.LOCALITY_MANAGER if is_demo else None,
            )
            locality_managers[locality.pk] = manager
            self._member(
                user=manager,
                job_title=f"{JOB_TITLES[Role.LOCALITY_MANAGER]}, {locality.name}",
                grade=Grade.G11,
                locality=locality,
                line_manager=head,
            )

        key_workers: dict[int, list[tuple[User, Decimal]]] = {}
        teams: dict[int, Team] = {}
        dso_localities: set[int] = {demo.locality_id}
        for plan in plans:
            district = plan.district
            # One senior practitioner in each locality is also its designated
            # safeguarding officer (in the demo team, the demo DSO).
            team, workers = self._build_team(
                plan,
                manager=locality_managers[district.locality_id],
                is_demo=district.pk == demo.pk,
                with_dso=district.locality_id not in dso_localities,
            )
            dso_localities.add(district.locality_id)
            teams[district.pk] = team
            key_workers[district.pk] = workers

        for n in range(qros):
            user = self._user(
                roles=[Role.QUALITY_REVIEW_OFFICER],
                demo_role=Role.QUALITY_REVIEW_OFFICER if n == 0 else None,
            )
            self._member(
                user=user,
                job_title=JOB_TITLES[Role.QUALITY_REVIEW_OFFICER],
                grade=Grade.G11,
                line_manager=head,
            )
        for n in range(talkzone):
            user = self._user(
                roles=[Role.TALKZONE_WORKER],
                demo_role=Role.TALKZONE_WORKER if n == 0 else None,
            )
            # Appendix E: one Talkzone worker full time, the others at 0.81 FTE.
            self._member(
                user=user,
                job_title=JOB_TITLES[Role.TALKZONE_WORKER],
                grade=Grade.G6,
                fte=Decimal("1.00") if n == 0 else Decimal("0.81"),
                line_manager=head,
            )
        admin = self._user(roles=[Role.SYSTEM_ADMINISTRATOR], demo_role=Role.SYSTEM_ADMINISTRATOR)
        self._member(
            user=admin,
            job_title=JOB_TITLES[Role.SYSTEM_ADMINISTRATOR],
            grade=Grade.G7,
            line_manager=head,
        )

        StaffMember.objects.bulk_create(self.staff_rows)
        # One hash for every demo sign-in: hashing is deliberately slow.
        User.objects.filter(pk__in=[u.pk for u in self.sign_ins.values()]).update(
            password=make_password(DEMO_PASSWORD)
        )
        return teams, key_workers

    def _build_team(
        self, plan: _TeamPlan, *, manager: User, is_demo: bool, with_dso: bool
    ) -> tuple[Team, list[tuple[User, Decimal]]]:
        """A district's team: its leader, then senior practitioners, key workers,
        business support and outreach workers. The first of each role in the demo
        team is that role's demo sign-in."""
        district = plan.district

        def demo_role(role: Role, n: int) -> Role | None:
            return role if is_demo and n == 0 else None

        leader = self._user(
            roles=[Role.OPERATIONS_DELIVERY_LEADER],
            demo_role=demo_role(Role.OPERATIONS_DELIVERY_LEADER, 0),
        )
        team = Team.objects.create(
            name=f"{district.name} Family Support Team", district=district, manager=leader
        )
        self._member(
            user=leader,
            job_title=JOB_TITLES[Role.OPERATIONS_DELIVERY_LEADER],
            grade=Grade.G9,
            team=team,
            line_manager=manager,
        )
        in_team = {"team": team, "line_manager": leader}

        for n in range(plan.counts[Role.SENIOR_PRACTITIONER]):
            # In the demo team the DSO is the second senior practitioner, so the demo
            # senior practitioner and the demo DSO are different people.
            dso = (n == 1) if is_demo else (with_dso and n == 0)
            roles = [Role.SENIOR_PRACTITIONER, Role.DSO] if dso else [Role.SENIOR_PRACTITIONER]
            user = self._user(
                roles=roles,
                demo_role=Role.DSO if is_demo and dso else demo_role(Role.SENIOR_PRACTITIONER, n),
            )
            self._member(
                user=user,
                job_title=JOB_TITLES[Role.DSO if dso else Role.SENIOR_PRACTITIONER],
                grade=Grade.G8,
                fte=self._fte([("1.00", 85), ("0.80", 15)]),
                **in_team,
            )

        workers: list[tuple[User, Decimal]] = []
        for n in range(plan.counts[Role.KEY_WORKER]):
            user = self._user(roles=[Role.KEY_WORKER], demo_role=demo_role(Role.KEY_WORKER, n))
            fte = self._fte([("1.00", 72), ("0.80", 10), ("0.70", 6), ("0.60", 6), ("0.50", 6)])
            if user.email == demo_email(Role.KEY_WORKER):
                fte = Decimal("1.00")
            workers.append((user, fte))
            self._member(
                user=user, job_title=JOB_TITLES[Role.KEY_WORKER], grade=Grade.G6, fte=fte, **in_team
            )

        for n in range(plan.counts[Role.BUSINESS_SUPPORT]):
            user = self._user(
                roles=[Role.BUSINESS_SUPPORT], demo_role=demo_role(Role.BUSINESS_SUPPORT, n)
            )
            self._member(
                user=user,
                job_title=JOB_TITLES[Role.BUSINESS_SUPPORT],
                # Appendix E: 18 business support officers at G4, 12 at G5.
                grade=self.rng.choices([Grade.G4, Grade.G5], weights=[18, 12])[0],
                fte=self._fte([("1.00", 70), ("0.60", 15), ("0.50", 15)]),
                **in_team,
            )

        for n in range(plan.counts[Role.OUTREACH_WORKER]):
            user = self._user(
                roles=[Role.OUTREACH_WORKER], demo_role=demo_role(Role.OUTREACH_WORKER, n)
            )
            self._member(
                user=user,
                job_title=JOB_TITLES[Role.OUTREACH_WORKER],
                grade=Grade.G4,
                fte=self._fte([("1.00", 75), ("0.50", 25)]),
                **in_team,
            )
        return team, workers

    # families

    def _birth_date(self, min_age: int, max_age: int) -> dt.date:
        """A date of birth giving an age from ``min_age`` to ``max_age`` on ``as_of``."""
        latest = _years_before(self.as_of, min_age)
        earliest = _years_before(self.as_of, max_age + 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def _gender(self, female_share: float = 0.49) -> Gender:
        roll = self.rng.random()
        if roll < female_share:
            return Gender.FEMALE
        if roll < 0.97:
            return Gender.MALE
        return Gender.OTHER if roll < 0.985 else Gender.NOT_KNOWN

    def _first_name(self, gender: Gender) -> str:
        if gender == Gender.FEMALE:
            return self.fake.first_name_female()
        if gender == Gender.MALE:
            return self.fake.first_name_male()
        return self.fake.first_name()

    def _postcode(self, district: District) -> str:
        outward = self.rng.choice(sorted(district.postcode_districts))
        inward = (
            f"{self.rng.randint(0, 9)}"
            f"{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"
        )
        return f"{outward} {inward}"

    def _schools(self, district: District) -> dict[str, str]:
        """The settings a family's children attend (siblings share a school)."""
        saint = self.rng.choice(SAINTS)
        primary = self.rng.choice(
            [
                f"{self.fake.last_name()} Community Primary School",
                f"St {saint}'s Church of England Primary School",
                f"St {saint}'s Catholic Primary School",
                f"{self.fake.street_name()} Primary School",
            ]
        )
        secondary = self.rng.choice(
            [
                f"{self.fake.last_name()} High School",
                f"{district.name} Academy",
                f"St {saint}'s Catholic High School",
            ]
        )
        return {
            "nursery": f"{self.fake.last_name()} Day Nursery",
            "primary": primary,
            "secondary": secondary,
            "college": self.rng.choice([f"{district.name} College", "Lancashire Sixth Form"]),
        }

    def _setting(self, age: int, schools: dict[str, str], has_send: bool) -> str:
        if age <= 1:
            return ""
        if age <= 3:
            return schools["nursery"] if self.rng.random() < 0.5 else ""
        if age <= 10:
            return schools["primary"]
        if age <= 15:
            return schools["secondary"]
        if age <= 18:
            return schools["college"] if self.rng.random() < 0.85 else ""
        if has_send:
            return schools["college"] if self.rng.random() < 0.5 else ""
        return ""

    def _family(self, *, district: District, team: Team, key_worker: User | None) -> int:
        surname = self.fake.last_name()
        street = f"{self.fake.last_name()} {self.rng.choice(STREET_SUFFIXES)}"
        number = self.fake.building_number().lstrip("0") or "1"
        if self.rng.random() < 0.15:
            address_line_1 = f"Flat {self.rng.randint(1, 24)}, {number} {street}"
        else:
            address_line_1 = f"{number} {street}"
        family = create_family(
            actor=None,
            name=surname,
            address_line_1=address_line_1,
            town=district.name,
            postcode=self._postcode(district),
            district=district,
            team=team,
            key_worker=key_worker,
            is_synthetic=True,
            source=SOURCE,
        )
        language = (
            self.rng.choice(HOME_LANGUAGES)
            if self.rng.random() < HOME_LANGUAGE_SHARE
            else "English"
        )
        schools = self._schools(district)

        children = []
        for _ in range(self.rng.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]):
            if self.rng.random() < 0.05:
                # A young person with SEND is supported up to 25.
                date_of_birth = self._birth_date(OLDEST_YOUNG_PERSON, OLDEST_YOUNG_PERSON_WITH_SEND)
                has_send = True
            else:
                date_of_birth = self._birth_date(0, OLDEST_YOUNG_PERSON)
                has_send = self.rng.random() < 0.12
            children.append((date_of_birth, has_send, self._gender()))
        children.sort(key=lambda child: child[0])
        oldest = age_on(children[0][0], self.as_of)

        adults = 1 if self.rng.random() < 0.4 else 2
        first_gender = self._gender(female_share=0.8)
        for n in range(adults):
            if n == 0:
                gender = first_gender
            else:
                gender = Gender.MALE if first_gender == Gender.FEMALE else Gender.FEMALE
            last_name = surname if n == 0 or self.rng.random() < 0.8 else self.fake.last_name()
            add_family_member(
                actor=None,
                family=family,
                first_name=self._first_name(gender),
                last_name=last_name,
                relationship=Relationship.PARENT,
                date_of_birth=self._birth_date(min(60, max(18, oldest + 16)), 60),
                gender=gender,
                preferred_language=language,
                interpreter_needed=language != "English" and self.rng.random() < 0.7,
                is_synthetic=True,
                source=SOURCE,
            )
        for date_of_birth, has_send, gender in children:
            age = age_on(date_of_birth, self.as_of)
            add_family_member(
                actor=None,
                family=family,
                first_name=self._first_name(gender),
                last_name=surname,
                relationship=Relationship.CHILD,
                date_of_birth=date_of_birth,
                gender=gender,
                preferred_language=language if age < 5 else "English",
                has_send=has_send,
                school_or_setting=self._setting(age, schools, has_send),
                is_synthetic=True,
                source=SOURCE,
            )
        return adults + len(children)

    def _build_families(self, *, count: int, districts, demo, teams, key_workers):
        demo_worker = self.sign_ins[Role.KEY_WORKER]
        weights = [float(sum(fte for _, fte in key_workers[d.pk])) for d in districts]
        # The demo key worker's caseload comes first, so it never runs short; then
        # exactly the allocated share of all families, chosen by the seed.
        demo_caseload = min(DEMO_CASELOAD, count)
        to_allocate = max(0, round(count * ALLOCATED_SHARE) - demo_caseload)
        allocate = set(self.rng.sample(range(demo_caseload, count), to_allocate))
        people = allocated = 0
        for index in range(count):
            if index < demo_caseload:
                district, key_worker = demo, demo_worker
            else:
                district = self.rng.choices(districts, weights=weights)[0]
                key_worker = None
                if index in allocate:
                    workers = key_workers[district.pk]
                    key_worker = self.rng.choices(
                        [u for u, _ in workers], weights=[float(f) for _, f in workers]
                    )[0]
            people += self._family(
                district=district, team=teams[district.pk], key_worker=key_worker
            )
            allocated += key_worker is not None
        return people, allocated

    def _capacity_details(self) -> None:
        """Specialisms, languages, protected hours and a few absences for the caseworkers,
        from a generator of their own so that the rest of the demo stays as it was."""
        rng = random.Random(f"{self.seed}-capacity")  # noqa: S311
        specialisms = list(Specialism.objects.order_by("sort_order", "code"))
        workers = list(
            StaffMember.objects.filter(
                pk__in=[m.pk for m in self.staff_rows],
                team__isnull=False,
                user__groups__name__in=[r.value for r in CASEWORKER_ROLES],
            )
            .select_related("team")
            .distinct()
            .order_by("pk")
        )
        links = []
        absences = []
        for staff in workers:
            for specialism in rng.sample(specialisms, k=min(len(specialisms), 2)):
                links.append(
                    StaffMember.specialisms.through(
                        staffmember_id=staff.pk, specialism_id=specialism.pk
                    )
                )
            if rng.random() < STAFF_LANGUAGE_SHARE:
                staff.languages = [rng.choice(HOME_LANGUAGES).lower()]
            staff.protected_hours = rng.choice(PROTECTED_HOURS_CHOICES)
            if rng.random() < ABSENCE_SHARE and staff.team.manager_id is not None:
                start = self.as_of + dt.timedelta(days=rng.randint(-3, 20))
                absences.append(
                    Absence(
                        worker=staff,
                        kind=rng.choice(
                            [
                                AbsenceKind.ANNUAL_LEAVE,
                                AbsenceKind.ANNUAL_LEAVE,
                                AbsenceKind.SICKNESS,
                            ]
                        ),
                        start_date=start,
                        end_date=start + dt.timedelta(days=rng.randint(0, 9)),
                        recorded_by_id=staff.team.manager_id,
                        recorded_at=timezone.now(),
                    )
                )
        StaffMember.objects.bulk_update(workers, ["languages", "protected_hours"])
        StaffMember.specialisms.through.objects.bulk_create(links)
        Absence.objects.bulk_create(absences)

    def build(self, *, districts: list[District], families: int, staff: int) -> DemoSummary:
        demo = next((d for d in districts if d.code == DEMO_DISTRICT_CODE), districts[0])
        teams, key_workers = self._build_staff(districts=districts, staff=staff, demo=demo)
        people, allocated = self._build_families(
            count=families, districts=districts, demo=demo, teams=teams, key_workers=key_workers
        )
        self._capacity_details()
        summary = DemoSummary(
            seed=self.seed,
            as_of=self.as_of,
            teams=len(teams),
            staff=len(self.staff_rows),
            families=families,
            people=people,
            allocated_families=allocated,
            sign_ins=tuple((role, demo_email(role)) for role in Role),
        )
        record_write(
            actor=None,
            code="demo_data.seeded",
            details={
                "seed": self.seed,
                "as_of": self.as_of.isoformat(),
                "teams": summary.teams,
                "staff": summary.staff,
                "families": summary.families,
                "people": summary.people,
                "allocated_families": summary.allocated_families,
            },
            source=SOURCE,
        )
        return summary
