"""A county's years of synthetic casework, written in bulk for speed tests.

``generate_county`` makes the staffed service (``workforce.demo.seed_demo`` with no
families), then, request by request in date order, families and their people, Requests
for Support with members, consents and target groups, the cases opened from them with
their assessment, decision, plan actions, Outcomes Star readings, reviews every six
weeks, contacts at the case type's visiting rhythm, and the tasks the services would
have created and completed. Everything is synthetic (Faker en_GB names, flagged
``is_synthetic``) and the same seed and ``as_of`` always make the same rows.

Rows are written straight to the tables by id, not through the service functions: by
PostgreSQL ``COPY`` when on PostgreSQL, by ``bulk_create`` elsewhere. No audit events
are written.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import json
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from faker import Faker

from earlyhelp.accounts.roles import Role
from earlyhelp.cases.models import (
    ActionStatus,
    Assessment,
    Case,
    ClosureReason,
    ConsentDecision,
    Contact,
    ContactType,
    Decision,
    Level,
    PlanAction,
    Review,
    ReviewOutcome,
    StarReading,
    StarReadingKind,
)
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.centres.models import (
    Attendance,
    Centre,
    GroupProgramme,
    GroupRun,
    GroupSession,
    Participant,
    ProgrammeKind,
)
from earlyhelp.configuration.models import (
    CaseType,
    District,
    OutcomesStar,
    ServiceOutcome,
    TargetGroup,
)
from earlyhelp.configuration.selectors import (
    service_calendar,
    service_settings,
    service_timescales,
)
from earlyhelp.domain import casework
from earlyhelp.domain.people import format_urn
from earlyhelp.outreach.models import AgeBand as TalkzoneAgeBand
from earlyhelp.outreach.models import Channel, ContactOutcome, TalkzoneContact, TalkzoneTopic
from earlyhelp.outreach.selectors import OutreachListsNotLoaded, talkzone_opening_hours
from earlyhelp.people.models import Family, FamilyMember, Gender, Person, Relationship
from earlyhelp.referrals.models import (
    Consent,
    ConsentPurpose,
    RequestForSupport,
    RequestMember,
    Route,
    UrnSequence,
)
from earlyhelp.referrals.models import Status as RequestStatus
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from earlyhelp.workforce.demo import INWARD_LETTERS, STREET_SUFFIXES, demo_data_loaded, seed_demo
from earlyhelp.workforce.models import CASEWORKER_ROLES, StaffMember

LONDON = ZoneInfo("Europe/London")
# Staff per 10,000 cases a year: about 175 key workers and senior practitioners among
# the district teams (Appendix E's establishment shape, as workforce.demo shares it out).
STAFF_PER_10000_CASES = 280
FEWEST_STAFF = 80
# Rows buffered across all tables before they are written, parents first.
FLUSH_ROWS = 60_000

ROUTES = (
    (Route.AGENCY, 70), (Route.SELF, 10), (Route.MASH, 8), (Route.STEP_DOWN, 7),
    (Route.TFU, 3), (Route.PARTNERSHIP, 2),
)  # fmt: skip
REFERRER_ORGANISATIONS = (
    ("Primary school", "Designated safeguarding lead"),
    ("High school", "Pastoral lead"),
    ("Health visiting", "Health visitor"),
    ("GP practice", "GP"),
    ("Lancashire Constabulary", "Police officer"),
    ("Midwifery", "Community midwife"),
    ("Children's Social Care", "Social worker"),
    ("Housing association", "Tenancy support officer"),
)
# How many six-week cycles of support a plan runs to: most end after the first,
# some are extended once or twice at review.
CYCLES = ((1, 60), (2, 30), (3, 10))
CLOSURE_REASONS = (
    (ClosureReason.NEEDS_MET, 68), (ClosureReason.SIGNPOSTED, 10),
    (ClosureReason.STEPPED_UP, 7), (ClosureReason.MOVED_AWAY, 4),
    (ClosureReason.DISENGAGED, 9), (ClosureReason.OTHER, 2),
)  # fmt: skip
REVIEW_OUTCOME_AT_CLOSE = {
    ClosureReason.STEPPED_UP: ReviewOutcome.STEP_UP,
    ClosureReason.SIGNPOSTED: ReviewOutcome.STEP_DOWN,
}
# Share of cases for a family the service has worked with before.
RE_REFERRAL_SHARE = 0.1
WITHDRAWN_SHARE = 0.02
ALLOCATED_IN_TIME_SHARE = 0.9
# Share of level 2 families whose parent joins a targeted group programme at a centre
# of their district; the share of its sessions they attend.
GROUP_SHARE = 0.3
GROUP_ATTENDANCE = 0.75
# Targeted programmes each centre runs a term (13 weeks), from the configured list.
RUNS_PER_CENTRE_TERM = 2
# Talkzone contacts a year for every 10,000 cases a year, mostly in the evening.
TALKZONE_PER_10000_CASES = 6000
TALKZONE_CHANNELS = (
    (Channel.PHONE, 35), (Channel.SMS, 25), (Channel.WEBTALK, 25),
    (Channel.SOCIAL_MEDIA, 10), (Channel.EMAIL, 5),
)  # fmt: skip
TALKZONE_OUTCOMES = (
    (ContactOutcome.INFORMATION, 35), (ContactOutcome.ADVICE, 35),
    (ContactOutcome.SIGNPOSTING, 22), (ContactOutcome.FOLLOW_UP, 8),
)  # fmt: skip
VISIT_KINDS = (
    (ContactType.HOME_VISIT, 75), (ContactType.CENTRE, 10),
    (ContactType.COMMUNITY_VENUE, 8), (ContactType.VIDEO, 7),
)  # fmt: skip
NOTES = (
    "Visited the family at home; talked through the plan with the parents.",
    "Checked in by phone; school attendance has improved this week.",
    "Met mum at the centre; she is using the bedtime routine we agreed.",
    "Talked with the young person about how things are at school.",
    "Went over the family's budget and the help available with bills.",
    "Followed up the referral to the parenting group; a place is booked.",
    "Discussed progress against the plan and what to do before the review.",
    "Family not in at the agreed time; arranged another visit.",
)
ACTIONS = (
    ("Attend school every day", "Parents and school", "Attendance above 95%"),
    ("Keep to the agreed bedtime routine", "Parents", "Children in bed by 8pm on school nights"),
    ("Join the parenting programme", "Mum and dad", "Completes at least 8 of 10 sessions"),
    ("Meet the debt adviser", "Mum", "A payment plan is agreed with the creditors"),
    ("See the GP about low mood", "Dad", "An appointment attended and a plan agreed"),
    ("Take part in the youth group", "Young person", "Attends weekly for a term"),
)


class CountyDataError(Exception):
    """County data cannot be generated as asked."""


@dataclass
class CountySummary:
    """What ``generate_county`` wrote, and how long it took."""

    seed: int
    as_of: dt.date
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def _weighted(rng: random.Random, choices) -> object:
    values = [v for v, _ in choices]
    return rng.choices(values, weights=[w for _, w in choices])[0]


def _weekday(day: dt.date) -> dt.date:
    """The day, or the Monday after it when it falls at a weekend."""
    wd = day.weekday()
    return day + dt.timedelta(days=7 - wd) if wd >= 5 else day


def _at(day: dt.date, rng: random.Random, first_hour: int = 9, last_hour: int = 16) -> dt.datetime:
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(first_hour, last_hour),
        rng.choice((0, 15, 30, 45)),
        tzinfo=LONDON,
    )


class _Table:
    """Rows for one model, given as tuples of ``columns`` (attnames); every other column
    takes the field's default (or ``now`` for automatic timestamps)."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...], now: dt.datetime):
        self.model = model
        self.columns = columns
        fields = list(model._meta.concrete_fields)
        by_attname = {f.attname: f for f in fields}
        missing = [f for f in fields if f.attname not in columns]
        self.extra_columns = tuple(f.attname for f in missing)
        extra = []
        for f in missing:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                extra.append(now)
            else:
                extra.append(f.get_default())
        self.extra = tuple(extra)
        self.all_columns = columns + self.extra_columns
        self.json_positions = tuple(
            i for i, name in enumerate(self.all_columns)
            if isinstance(by_attname[name], models.JSONField)
        )  # fmt: skip
        self.rows: list[tuple] = []
        self.written = 0
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, *row) -> None:
        self.rows.append(row)

    def take(self) -> list[tuple]:
        """The buffered rows, handed over for writing."""
        rows, self.rows = self.rows, []
        self.written += len(rows)
        return rows

    def write(self, rows: list[tuple]) -> None:
        """Write rows on this thread's database connection."""
        if connection.vendor == "postgresql":
            self._copy(rows)
        else:
            names = self.all_columns
            objs = [self.model(**dict(zip(names, row + self.extra, strict=True))) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=2000)

    def _copy(self, rows: list[tuple]) -> None:
        table = connection.ops.quote_name(self.model._meta.db_table)
        column_of = {f.attname: f.column for f in self.model._meta.concrete_fields}
        columns = ", ".join(connection.ops.quote_name(column_of[c]) for c in self.all_columns)
        positions = self.json_positions
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                full = row + self.extra
                if positions:
                    full = list(full)
                    for i in positions:
                        full[i] = json.dumps(full[i])
                copy.write_row(full)


class _Writer:
    """Writes batches in the order given: on this thread, or (PostgreSQL outside a
    transaction) on a thread of its own with its own connection, so that the database
    loads one batch while the next is being made."""

    def __init__(self, *, background: bool) -> None:
        self.background = background
        self.error: BaseException | None = None
        if background:
            self.queue: queue.Queue = queue.Queue(maxsize=3)
            self.thread = threading.Thread(target=self._run, name="county-writer", daemon=True)
            self.thread.start()

    def submit(self, table: _Table, rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.background:
            table.write(rows)
            return
        if self.error is not None:
            raise CountyDataError(f"Writing failed: {self.error}") from self.error
        self.queue.put((table, rows))

    def close(self) -> None:
        if not self.background:
            return
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise CountyDataError(f"Writing failed: {self.error}") from self.error

    def _run(self) -> None:
        try:
            # Every id is set by the generator from rows it has written first, so the
            # foreign-key triggers are skipped while loading (allowed to a superuser only).
            with (
                contextlib.suppress(DatabaseError),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute("SET session_replication_role = replica")
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    table, rows = item
                    table.write(rows)
        except BaseException as error:  # reported on the generating thread
            self.error = error
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()


@dataclass
class _Worker:
    user_id: int
    team_id: int


@dataclass
class _Team:
    id: int
    district: District
    manager_id: int
    workers: list[int]


@dataclass
class _FamilyPlan:
    id: int
    district: District
    team: _Team
    last_name: str
    key_worker_id: int | None = None
    written: bool = False
    parents: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    free_after: dt.date = dt.date.min
    postcode: str = ""
    address: str = ""


class CountyGenerator:
    """Builds the county's records; ``progress`` is told what is happening."""

    def __init__(
        self,
        *,
        years: float,
        cases_per_year: int,
        seed: int,
        as_of: dt.date,
        progress: Callable[[str], None] = lambda message: None,
    ) -> None:
        if years <= 0 or cases_per_year < 1 or round(years * cases_per_year) < 1:
            raise CountyDataError("Give a period and a number of cases a year that make a case")
        self.years = years
        # A fraction of a year is a county's first weeks: 0.1 x 10,000 is 1,000 cases.
        self.total = round(years * cases_per_year)
        self.first_day = as_of - dt.timedelta(days=round(365 * years))
        self.cases_per_year = cases_per_year
        self.seed = seed
        self.as_of = as_of
        self.progress = progress
        # Seeded for reproducible synthetic data, not for anything secret.
        self.rng = random.Random(seed)  # noqa: S311
        self.started = time.perf_counter()

    # --- checks and reference data ------------------------------------------------------

    def _reference(self) -> None:
        self.districts = list(District.objects.select_related("locality").order_by("code"))
        self.case_types = list(CaseType.objects.order_by("sort_order", "code"))
        if not self.districts or not self.case_types:
            raise CountyDataError(
                "The configuration is not loaded: run "
                "`manage.py load_configuration configuration/lancashire.yaml` first"
            )
        if demo_data_loaded():
            raise CountyDataError(
                "Synthetic staff already exist in this database: generate a county into "
                "a new, empty database (migrate and load the configuration first)"
            )
        self.calendar = service_calendar()
        self.timescales = service_timescales()
        settings_row = service_settings()
        self.urn_template = settings_row.urn_format
        self.urn_prefix = settings_row.urn_prefix
        self.target_groups = list(TargetGroup.objects.values_list("pk", flat=True))
        self.outcomes = list(ServiceOutcome.objects.values_list("pk", flat=True))
        star = OutcomesStar.objects.filter(is_default=True).first() or OutcomesStar.objects.first()
        self.star_id = star.pk if star else None
        self.star_areas = [a.code for a in star.areas.all()] if star else []
        self.star_range = (star.scale_min, star.scale_max) if star else (1, 10)

        fake = Faker("en_GB")
        fake.seed_instance(self.seed)
        self.female_names = sorted({fake.first_name_female() for _ in range(3000)})
        self.male_names = sorted({fake.first_name_male() for _ in range(3000)})
        self.last_names = sorted({fake.last_name() for _ in range(4000)})
        self.streets = sorted({fake.last_name() for _ in range(1500)})

    def _staff(self) -> None:
        staff = max(FEWEST_STAFF, round(STAFF_PER_10000_CASES * self.cases_per_year / 10_000))
        self.progress(f"Staff: about {staff}, shaped like the establishment")
        seed_demo(families=0, staff=staff, seed=self.seed, as_of=self.as_of)
        caseworkers = (
            StaffMember.objects.filter(
                team__isnull=False, user__groups__name__in=[r.value for r in CASEWORKER_ROLES]
            )
            .order_by("user_id")
            .values_list("team_id", "user_id")
            .distinct()
        )
        by_team: dict[int, list[int]] = {}
        for team_id, user_id in caseworkers:
            by_team.setdefault(team_id, []).append(user_id)
        self.teams: list[_Team] = []
        for district in self.districts:
            team = district.teams.order_by("pk").first()
            if team is None or not by_team.get(team.pk):
                continue
            self.teams.append(_Team(team.pk, district, team.manager_id, by_team[team.pk]))
        self.team_weights = [len(t.workers) for t in self.teams]
        self.caseworkers = sum(self.team_weights)

    # --- tables ---------------------------------------------------------------------

    def _tables(self) -> None:
        now = dt.datetime.combine(self.as_of, dt.time(18), tzinfo=LONDON)
        t = _Table
        self.t_person = t(Person, (
            "id", "first_name", "last_name", "date_of_birth", "gender", "postcode",
            "preferred_language", "interpreter_needed", "has_send", "school_or_setting",
            "is_synthetic", "created_at", "updated_at",
        ), now)  # fmt: skip
        self.t_family = t(Family, (
            "id", "name", "address_line_1", "town", "postcode", "district_id", "team_id",
            "key_worker_id", "is_synthetic", "created_at", "updated_at",
        ), now)  # fmt: skip
        self.t_member = t(FamilyMember, ("id", "family_id", "person_id", "relationship"), now)
        self.t_request = t(RequestForSupport, (
            "id", "family_id", "team_id", "status", "route", "received_at",
            "first_received_at", "allocation_due_by", "referrer_name",
            "referrer_organisation", "referrer_role", "referrer_email", "presenting_needs",
            "caf_urn", "urn_issued", "is_re_referral", "acknowledged_at", "created_by_id",
        ), now)  # fmt: skip
        through = RequestForSupport.target_groups.through
        self.t_request_groups = t(through, ("id", "requestforsupport_id", "targetgroup_id"), now)
        self.t_request_member = t(RequestMember, (
            "id", "request_id", "person_id", "is_subject", "is_parent_or_carer",
        ), now)  # fmt: skip
        self.t_consent = t(Consent, (
            "id", "request_id", "person_id", "purpose", "given", "given_by_id",
            "recorded_at", "recorded_by_id",
        ), now)  # fmt: skip
        self.t_case = t(Case, (
            "id", "request_id", "family_id", "urn", "is_re_referral", "status",
            "status_before_closure", "key_worker_id", "team_id", "allocated_at",
            "allocated_by_id", "allocation_reason", "initial_visit_due_by", "initial_visit_on",
            "level", "case_type_id", "lead_professional_id", "plan_started_on",
            "last_reviewed_on", "next_review_due_by", "caf_submitted_at", "closure_reason",
            "closure_notes", "closed_on",
        ), now)  # fmt: skip
        self.t_assessment = t(Assessment, (
            "id", "case_id", "child_development_needs", "parenting_capacity_needs",
            "family_environment_needs", "consent", "consent_recorded_at", "completed_at",
            "completed_by_id", "updated_at",
        ), now)  # fmt: skip
        self.t_decision = t(Decision, (
            "id", "case_id", "level", "case_type_id", "rationale", "decided_by_id", "decided_at",
        ), now)  # fmt: skip
        self.t_action = t(PlanAction, (
            "id", "case_id", "what", "who", "by_when", "success_measure", "status",
            "outcome_id", "created_at",
        ), now)  # fmt: skip
        self.t_star = t(StarReading, (
            "id", "case_id", "star_id", "kind", "taken_on", "scores", "recorded_by_id",
            "recorded_at",
        ), now)  # fmt: skip
        self.t_review = t(Review, (
            "id", "case_id", "held_on", "progress", "summary", "outcome", "star_reading_id",
            "recorded_by_id", "submitted_at",
        ), now)  # fmt: skip
        self.t_contact = t(Contact, (
            "id", "case_id", "occurred_at", "contact_type", "duration_minutes", "notes",
            "recorded_by_id", "recorded_at",
        ), now)  # fmt: skip
        self.t_task = t(Task, (
            "id", "kind", "title", "assignee_id", "team_id", "case_id", "request_id",
            "due_on", "created_at", "completed_at", "completed_by_id",
        ), now)  # fmt: skip
        self.t_run = t(GroupRun, (
            "id", "programme_id", "centre_id", "starts_on", "starts_at", "ends_at",
            "created_by_id", "created_at",
        ), now)  # fmt: skip
        self.t_session = t(GroupSession, (
            "id", "run_id", "number", "date", "starts_at", "ends_at", "register_taken_at",
            "register_taken_by_id",
        ), now)  # fmt: skip
        self.t_participant = t(Participant, (
            "id", "run_id", "person_id", "consent_recorded_at", "enrolled_by_id",
        ), now)  # fmt: skip
        self.t_attendance = t(Attendance, ("id", "session_id", "person_id"), now)
        self.t_talkzone = t(TalkzoneContact, (
            "id", "channel", "occurred_at", "in_hours", "topic_id", "outcome", "age_band_id",
            "district_id", "summary", "recorded_by_id", "recorded_at",
        ), now)  # fmt: skip
        # Parents before children: written in this order so every foreign key resolves.
        self.tables = [
            self.t_person, self.t_family, self.t_member, self.t_request,
            self.t_request_groups, self.t_request_member, self.t_consent, self.t_case,
            self.t_assessment, self.t_decision, self.t_action, self.t_star, self.t_review,
            self.t_contact, self.t_task, self.t_run, self.t_session, self.t_participant,
            self.t_attendance, self.t_talkzone,
        ]  # fmt: skip

    def _maybe_flush(self, force: bool = False) -> None:
        if force or sum(len(t.rows) for t in self.tables) >= FLUSH_ROWS:
            for table in self.tables:
                self.writer.submit(table, table.take())

    # --- people ---------------------------------------------------------------------

    def _birth_date(self, on: dt.date, min_age: int, max_age: int) -> dt.date:
        days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 364)
        return on - dt.timedelta(days=days)

    def _person(self, family: _FamilyPlan, on: dt.date, adult: bool, created: dt.datetime) -> int:
        rng = self.rng
        female = rng.random() < (0.7 if adult else 0.49)
        first = rng.choice(self.female_names if female else self.male_names)
        last = family.last_name if rng.random() < 0.85 else rng.choice(self.last_names)
        dob = self._birth_date(on, 18, 50) if adult else self._birth_date(on, 0, 17)
        language = "English" if rng.random() > 0.12 else rng.choice(("Urdu", "Polish", "Gujarati"))
        pk = self.t_person.new_id()
        self.t_person.add(
            pk, first, last, dob, Gender.FEMALE if female else Gender.MALE, family.postcode,
            language, language != "English" and rng.random() < 0.3,
            (not adult) and rng.random() < 0.12, "", True, created, created,
        )  # fmt: skip
        self.t_member.add(
            self.t_member.new_id(),
            family.id,
            pk,
            Relationship.PARENT if adult else Relationship.CHILD,
        )
        return pk

    def _new_family(self, received: dt.date) -> _FamilyPlan:
        rng = self.rng
        team = rng.choices(self.teams, weights=self.team_weights)[0]
        district = team.district
        family = _FamilyPlan(
            id=self.t_family.new_id(),
            district=district,
            team=team,
            last_name=rng.choice(self.last_names),
        )
        outward = rng.choice(sorted(district.postcode_districts) or ["PR1"])
        family.postcode = (
            f"{outward} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        )
        family.address = (
            f"{rng.randint(1, 180)} {rng.choice(self.streets)} {rng.choice(STREET_SUFFIXES)}"
        )
        return family

    def _write_family(self, family: _FamilyPlan, received: dt.date, created: dt.datetime) -> None:
        self.t_family.add(
            family.id, family.last_name, family.address, family.district.name, family.postcode,
            family.district.pk, family.team.id, family.key_worker_id, True, created, created,
        )  # fmt: skip
        parents = 1 if self.rng.random() < 0.6 else 2
        children = _weighted(self.rng, ((1, 45), (2, 35), (3, 20)))
        family.parents = [self._person(family, received, True, created) for _ in range(parents)]
        family.children = [self._person(family, received, False, created) for _ in range(children)]
        family.written = True

    # --- the plan of every request ---------------------------------------------------

    def _received_days(self) -> Iterator[dt.date]:
        total = self.total
        first = self.first_day
        span = max(1, (self.as_of - first).days)
        offsets = sorted(self.rng.randrange(span) for _ in range(total))
        for offset in offsets:
            yield _weekday(first + dt.timedelta(days=offset + 1))

    def generate(self) -> CountySummary:
        self._reference()
        with transaction.atomic():
            self._staff()
        self._tables()
        self.progress(
            f"{len(self.teams)} teams, {self.caseworkers} caseworkers; "
            f"{self.total} Requests for Support from {self.first_day} to {self.as_of}"
        )
        self.urn_numbers: dict[int, int] = {}
        self.family_workers: dict[int, int] = {}
        self.joined: set[tuple[int, int]] = set()
        self._group_runs()
        self.families: list[_FamilyPlan] = []
        self.case_type_weights = [float(c.demand_share) for c in self.case_types]
        background = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.writer = _Writer(background=background)
        atomic = _nothing() if background else transaction.atomic()
        with atomic:
            total = self.total
            step = max(1, total // 20)
            for n, received in enumerate(self._received_days(), start=1):
                self._request(received)
                self._maybe_flush()
                if n % step == 0:
                    contacts = self.t_contact.written + len(self.t_contact.rows)
                    self.progress(
                        f"  {n:>8} requests, {contacts:>9} contacts "
                        f"({time.perf_counter() - self.started:.0f} s)"
                    )
            self._talkzone()
            self._maybe_flush(force=True)
            self.writer.close()
            self._finish()
        summary = CountySummary(seed=self.seed, as_of=self.as_of)
        summary.counts = {
            "teams": len(self.teams),
            "caseworkers": self.caseworkers,
            "families": self.t_family.written,
            "people": self.t_person.written,
            "requests for support": self.t_request.written,
            "cases": self.t_case.written,
            "contacts": self.t_contact.written,
            "reviews": self.t_review.written,
            "star readings": self.t_star.written,
            "plan actions": self.t_action.written,
            "consents": self.t_consent.written,
            "tasks": self.t_task.written,
            "group sessions": self.t_session.written,
            "group participants": self.t_participant.written,
            "group attendances": self.t_attendance.written,
            "Talkzone contacts": self.t_talkzone.written,
        }
        summary.seconds = time.perf_counter() - self.started
        return summary

    def _pick_family(self, received: dt.date) -> tuple[_FamilyPlan, bool]:
        """A family known before (a re-referral) now and then, else a new family."""
        rng = self.rng
        if self.families and rng.random() < RE_REFERRAL_SHARE:
            for _ in range(3):
                known = self.families[rng.randrange(len(self.families))]
                if known.free_after < received:
                    return known, True
        family = self._new_family(received)
        self.families.append(family)
        return family, False

    def _urn(self, year: int) -> str:
        number = self.urn_numbers.get(year, 0) + 1
        self.urn_numbers[year] = number
        return format_urn(
            template=self.urn_template, prefix=self.urn_prefix, year=year, number=number
        )

    def _request(self, received_on: dt.date) -> None:
        rng = self.rng
        cal = self.calendar
        family, again = self._pick_family(received_on)
        team = family.team
        received_at = _at(received_on, rng, 8, 17)
        due = casework.allocation_due_by(received_on, cal, self.timescales)
        if rng.random() < ALLOCATED_IN_TIME_SHARE:
            allocated_on = cal.add_working_days(received_on, rng.randint(1, 5))
        else:
            allocated_on = cal.add_working_days(received_on, rng.randint(6, 12))
        withdrawn = rng.random() < WITHDRAWN_SHARE
        if withdrawn:
            status = RequestStatus.WITHDRAWN
        elif allocated_on > self.as_of:
            status = RequestStatus.AWAITING_ALLOCATION
        else:
            status = RequestStatus.ALLOCATED
        worker = rng.choice(team.workers)
        if status == RequestStatus.ALLOCATED:
            family.key_worker_id = worker
            if family.written:
                # The family's row is already out: its new worker is set at the end.
                self.family_workers[family.id] = worker
        if not family.written:
            self._write_family(family, received_on, received_at)
        request_id = self.t_request.new_id()
        organisation, role = rng.choice(REFERRER_ORGANISATIONS)
        route = _weighted(rng, ROUTES)
        if route == Route.SELF:
            organisation, role = "", ""
        referrer_first = rng.choice(self.female_names + self.male_names)
        referrer_last = rng.choice(self.last_names)
        urn = self._urn(received_on.year)
        self.t_request.add(
            request_id, family.id, team.id, status, route, received_at, received_at, due,
            f"{referrer_first} {referrer_last}", organisation, role,
            f"{referrer_first.lower()}.{referrer_last.lower()}@example.org"
            if organisation else "",
            f"Support asked for the {family.last_name} family: "
            + rng.choice(("school attendance", "parenting and routines", "money worries",
                          "low mood at home", "behaviour at home and at school")),
            urn, True, again, received_at + dt.timedelta(minutes=rng.randint(5, 240)),
            team.manager_id,
        )  # fmt: skip
        for group in rng.sample(
            self.target_groups, k=min(len(self.target_groups), rng.randint(1, 2))
        ):
            self.t_request_groups.add(self.t_request_groups.new_id(), request_id, group)
        first_parent = family.parents[0]
        for person in family.parents:
            self.t_request_member.add(
                self.t_request_member.new_id(), request_id, person, False, True
            )
        for person in family.children:
            self.t_request_member.add(
                self.t_request_member.new_id(), request_id, person, True, False
            )
        for person in family.parents + family.children:
            for purpose in (ConsentPurpose.SHARE_INFORMATION, ConsentPurpose.ASSESSMENT):
                self.t_consent.add(
                    self.t_consent.new_id(), request_id, person, purpose, True,
                    person if person in family.parents else first_parent, received_at,
                    team.manager_id,
                )  # fmt: skip
        if status == RequestStatus.ALLOCATED:
            done_at, done_by = _at(allocated_on, rng), team.manager_id
        elif status == RequestStatus.WITHDRAWN:
            done_at, done_by = received_at + dt.timedelta(days=1), team.manager_id
        else:
            done_at, done_by = None, None
        self.t_task.add(
            self.t_task.new_id(), TaskKind.ALLOCATE,
            f"Allocate the Request for Support for the {family.last_name} family",
            team.manager_id, team.id, None, request_id, due, received_at, done_at, done_by,
        )  # fmt: skip
        if status != RequestStatus.ALLOCATED:
            family.free_after = max(family.free_after, received_on + dt.timedelta(days=30))
            return
        end = self._case(request_id, family, team, worker, urn, again, allocated_on)
        family.free_after = end

    def _case(
        self,
        request_id: int,
        family: _FamilyPlan,
        team: _Team,
        worker: int,
        urn: str,
        again: bool,
        allocated_on: dt.date,
    ) -> dt.date:
        """Write the case and its history up to ``as_of``; the day it closed (or will)."""
        rng = self.rng
        as_of = self.as_of
        cal = self.calendar
        case_id = self.t_case.new_id()
        allocated_at = _at(allocated_on, rng)
        visit_due = casework.initial_visit_due_by(allocated_on, cal, self.timescales)
        if rng.random() < 0.9:
            first_visit = cal.add_working_days(allocated_on, rng.randint(1, 7))
        else:
            first_visit = cal.add_working_days(allocated_on, rng.randint(8, 12))
        case_type = rng.choices(self.case_types, weights=self.case_type_weights)[0]
        decided_on = _weekday(first_visit + dt.timedelta(days=rng.randint(10, 25)))
        cycles = _weighted(rng, CYCLES)
        weeks = case_type.weeks_of_support * cycles
        reason = _weighted(rng, CLOSURE_REASONS)
        if reason == ClosureReason.DISENGAGED:
            weeks = max(3, rng.randint(2, weeks))
        closes_on = _weekday(decided_on + dt.timedelta(weeks=weeks, days=rng.randint(0, 4)))
        review_weeks = self.timescales.review_interval_weeks

        visited = first_visit <= as_of
        decided = decided_on <= as_of
        closed = closes_on <= as_of
        if closed:
            status, before = CaseStatus.CLOSED, CaseStatus.PLANNING
        elif decided:
            status, before = CaseStatus.PLANNING, ""
        else:
            status, before = CaseStatus.ASSESSMENT, ""

        reviews: list[dt.date] = []
        day = decided_on
        while True:
            day = day + dt.timedelta(weeks=review_weeks, days=rng.randint(-3, 3))
            if day >= closes_on:
                break
            reviews.append(_weekday(day))
        held = [d for d in reviews if d <= as_of]
        last_reviewed = held[-1] if held else None
        next_review = None
        if status == CaseStatus.PLANNING:
            next_review = casework.next_review_due_by(last_reviewed or decided_on, self.timescales)

        decided_at = _at(decided_on, rng) if decided else None
        self.t_case.add(
            case_id, request_id, family.id, urn, again, status, before, worker, team.id,
            allocated_at, team.manager_id, "Allocated by the team's leader", visit_due,
            first_visit if visited else None, Level.LEVEL_2 if decided else "",
            case_type.pk if decided else None, worker if decided else None,
            decided_on if decided else None, last_reviewed, next_review,
            decided_at, reason if closed else "",
            "Closed after the final review" if closed else "", closes_on if closed else None,
        )  # fmt: skip
        self.t_assessment.add(
            self.t_assessment.new_id(), case_id,
            "Needs help to keep up with school" if visited else "",
            "Routines at home are hard to keep" if visited else "",
            "Money is tight" if visited else "",
            ConsentDecision.GIVEN if visited else ConsentDecision.NOT_ASKED,
            _at(first_visit, rng) if visited else None,
            decided_at, worker if decided else None, decided_at or allocated_at,
        )  # fmt: skip
        self.t_task.add(
            self.t_task.new_id(), TaskKind.INITIAL_VISIT,
            f"Initial visit to the {family.last_name} family", worker, None, case_id, None,
            visit_due, allocated_at, _at(first_visit, rng) if visited else None,
            worker if visited else None,
        )  # fmt: skip

        # Contacts: the initial visit, visits during assessment, then the case type's
        # rhythm of visits with a phone call between and a TAF meeting at each review.
        self._contact(case_id, first_visit, worker, ContactType.HOME_VISIT)
        day = first_visit + dt.timedelta(weeks=1)
        while day < decided_on:
            self._contact(case_id, day, worker, _weighted(rng, VISIT_KINDS))
            day += dt.timedelta(weeks=1)
        every = dt.timedelta(weeks=case_type.visit_every_weeks)
        day = decided_on + dt.timedelta(days=rng.randint(1, 4))
        while day < closes_on and day <= as_of:
            self._contact(case_id, day, worker, _weighted(rng, VISIT_KINDS))
            if rng.random() < 0.7:
                self._contact(
                    case_id, day + dt.timedelta(days=rng.randint(2, 4)), worker, ContactType.PHONE
                )
            day += every
        for review_day in held:
            self._contact(case_id, review_day, worker, ContactType.TAF_MEETING)

        if not decided:
            return closes_on
        self.t_decision.add(
            self.t_decision.new_id(), case_id, Level.LEVEL_2, case_type.pk,
            f"Assessment shows needs best met by a {case_type.name.lower()} plan",
            team.manager_id, decided_at,
        )  # fmt: skip
        action_ids = []
        for what, who, measure in rng.sample(ACTIONS, k=rng.randint(2, 3)):
            pk = self.t_action.new_id()
            action_ids.append(pk)
            achieved = closed and reason == ClosureReason.NEEDS_MET
            self.t_action.add(
                pk, case_id, what, who, decided_on + dt.timedelta(weeks=case_type.weeks_of_support),
                measure, ActionStatus.ACHIEVED if achieved else ActionStatus.IN_PROGRESS,
                rng.choice(self.outcomes) if self.outcomes else None, decided_at,
            )  # fmt: skip
        # Without centres no random draw is made, so the rest of the county is the same.
        if self.runs_by_district and rng.random() < GROUP_SHARE:
            self._join_group(family, decided_on, min(closes_on, as_of), worker)
        scores = self._star(case_id, decided_on, StarReadingKind.BASELINE, worker, None)
        review_count = len(reviews)
        for n, review_day in enumerate(held, start=1):
            scores, star_id = self._star_with_id(
                case_id, review_day, StarReadingKind.REVIEW, worker, scores
            )
            last = n == review_count and closed
            if last:
                outcome = REVIEW_OUTCOME_AT_CLOSE.get(reason, ReviewOutcome.CLOSE)
            elif n * review_weeks % case_type.weeks_of_support < review_weeks and n > 1:
                outcome = ReviewOutcome.EXTEND
            else:
                outcome = ReviewOutcome.CONTINUE
            progress = {
                str(a): {"status": ActionStatus.IN_PROGRESS, "note": "Going well"}
                for a in action_ids
            }
            self.t_review.add(
                self.t_review.new_id(), case_id, review_day, progress,
                "Progress reviewed with the family and the team around it", outcome,
                star_id, worker, _at(review_day, rng, 15, 17),
            )  # fmt: skip
            self.t_task.add(
                self.t_task.new_id(), TaskKind.REVIEW,
                f"Review the {family.last_name} family's plan", worker, None, case_id, None,
                review_day, decided_at, _at(review_day, rng, 15, 17), worker,
            )  # fmt: skip
        if closed:
            self._star(case_id, closes_on, StarReadingKind.CLOSURE, worker, scores)
        elif status == CaseStatus.PLANNING:
            self.t_task.add(
                self.t_task.new_id(), TaskKind.REVIEW,
                f"Review the {family.last_name} family's plan", worker, None, case_id, None,
                next_review, decided_at, None, None,
            )  # fmt: skip
        return closes_on

    def _group_runs(self) -> None:
        """Each centre's targeted group programmes, term by term over the period (when
        the centres are loaded: manage.py load_centres), weekly sessions with their
        registers taken; families join them from their cases."""
        self.runs_by_district: dict[int, tuple[list[dt.date], list[tuple]]] = {}
        programmes = list(
            GroupProgramme.objects.filter(
                kind=ProgrammeKind.TARGETED, is_active=True, is_drop_in=False
            ).order_by("code")
        )
        centres = list(Centre.objects.order_by("pk").values_list("pk", "district_id"))
        if not programmes or not centres:
            self.progress("No centres or group programmes loaded (load_centres): no groups")
            return
        managers = {team.district.pk: team.manager_id for team in self.teams}
        rng = self.rng
        plans: dict[int, list[tuple]] = {}
        term = self.first_day - dt.timedelta(days=self.first_day.weekday())
        while term <= self.as_of:
            for centre_id, district_id in centres:
                leader = managers.get(district_id)
                if leader is None:
                    continue
                for programme in rng.sample(
                    programmes, k=min(RUNS_PER_CENTRE_TERM, len(programmes))
                ):
                    starts_on = term + dt.timedelta(weeks=rng.randrange(6), days=rng.randrange(5))
                    hour = rng.choice((10, 13, 18))
                    starts_at, ends_at = dt.time(hour), dt.time(hour + 2)
                    run_id = self.t_run.new_id()
                    self.t_run.add(
                        run_id, programme.pk, centre_id, starts_on, starts_at, ends_at, leader,
                        _at(starts_on - dt.timedelta(weeks=3), rng),
                    )  # fmt: skip
                    sessions = []
                    for number in range(1, programme.number_of_sessions + 1):
                        day = starts_on + dt.timedelta(weeks=number - 1)
                        if day > self.as_of:
                            break
                        session_id = self.t_session.new_id()
                        taken = dt.datetime.combine(day, ends_at, tzinfo=LONDON)
                        self.t_session.add(
                            session_id, run_id, number, day, starts_at, ends_at, taken, leader
                        )
                        sessions.append((session_id, day))
                    plans.setdefault(district_id, []).append((starts_on, run_id, sessions))
            term += dt.timedelta(weeks=13)
        for district_id, runs in plans.items():
            runs.sort()
            self.runs_by_district[district_id] = ([r[0] for r in runs], runs)

    def _join_group(self, family: _FamilyPlan, after: dt.date, until: dt.date, worker: int):
        """A parent joins a run starting in the eight weeks after ``after``."""
        found = self.runs_by_district.get(family.district.pk)
        if not found or not family.parents:
            return
        starts, runs = found
        first = bisect.bisect_left(starts, after)
        last = bisect.bisect_right(starts, min(until, after + dt.timedelta(weeks=8)))
        if first >= last:
            return
        starts_on, run_id, sessions = runs[self.rng.randrange(first, last)]
        person = family.parents[0]
        if (run_id, person) in self.joined:
            return
        self.joined.add((run_id, person))
        self.t_participant.add(
            self.t_participant.new_id(), run_id, person,
            _at(starts_on - dt.timedelta(days=7), self.rng), worker,
        )  # fmt: skip
        for session_id, _day in sessions:
            if self.rng.random() < GROUP_ATTENDANCE:
                self.t_attendance.add(self.t_attendance.new_id(), session_id, person)

    def _talkzone(self) -> None:
        """Talkzone's contacts over the period, when its topics are loaded
        (manage.py load_outreach_lists): anonymous, most after school hours, in or out
        of hours by the configured opening hours."""
        topics = list(TalkzoneTopic.objects.order_by("pk").values_list("pk", flat=True))
        workers = list(
            StaffMember.objects.filter(user__groups__name=Role.TALKZONE_WORKER.value)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        if not topics or not workers:
            self.progress("No Talkzone topics loaded (load_outreach_lists): no Talkzone contacts")
            return
        bands = list(TalkzoneAgeBand.objects.order_by("pk").values_list("pk", flat=True))
        try:
            hours = talkzone_opening_hours()
        except OutreachListsNotLoaded:
            self.progress("No Talkzone opening hours (load_outreach_lists): no Talkzone contacts")
            return
        rng = self.rng
        count = round(TALKZONE_PER_10000_CASES * self.cases_per_year / 10_000 * self.years)
        span = max(1, (self.as_of - self.first_day).days)
        self.progress(f"{count} Talkzone contacts")
        for offset in sorted(rng.randrange(span * 24 * 60) for _ in range(count)):
            day = self.first_day + dt.timedelta(days=1 + offset // (24 * 60))
            # Three in four in the afternoon and evening, the rest at any hour.
            hour = rng.randint(15, 21) if rng.random() < 0.75 else rng.randrange(24)
            at = dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=LONDON)
            local = at.replace(tzinfo=None)  # the opening hours take local wall-clock time
            self.t_talkzone.add(
                self.t_talkzone.new_id(), _weighted(rng, TALKZONE_CHANNELS), at,
                hours.is_open(local), rng.choice(topics), _weighted(rng, TALKZONE_OUTCOMES),
                rng.choice(bands) if bands and rng.random() < 0.9 else None,
                rng.choice(self.districts).pk if rng.random() < 0.7 else None,
                "Young person got in touch; talked it through and agreed next steps.",
                rng.choice(workers), at + dt.timedelta(minutes=rng.randint(5, 60)),
            )  # fmt: skip
            self._maybe_flush()

    def _contact(self, case_id: int, day: dt.date, worker: int, kind: str) -> None:
        day = _weekday(day)
        if day > self.as_of:
            return
        rng = self.rng
        at = _at(day, rng)
        self.t_contact.add(
            self.t_contact.new_id(), case_id, at, kind,
            30 if kind == ContactType.PHONE else rng.choice((45, 60, 60, 90)),
            rng.choice(NOTES), worker, at + dt.timedelta(hours=2),
        )  # fmt: skip

    def _star_with_id(self, case_id, day, kind, worker, previous) -> tuple[dict, int | None]:
        if self.star_id is None:
            return previous or {}, None
        low, high = self.star_range
        rng = self.rng
        if previous is None:
            scores = {area: rng.randint(low + 1, low + 5) for area in self.star_areas}
        else:
            scores = {
                area: max(low, min(high, value + rng.choice((-1, 0, 1, 1, 2))))
                for area, value in previous.items()
            }
        pk = self.t_star.new_id()
        self.t_star.add(pk, case_id, self.star_id, kind, day, scores, worker, _at(day, rng, 15, 17))
        return scores, pk

    def _star(self, case_id, day, kind, worker, previous) -> dict:
        return self._star_with_id(case_id, day, kind, worker, previous)[0]

    def _finish(self) -> None:
        """Counters and sequences carry on after the generated rows; statistics fresh."""
        Family.objects.bulk_update(
            [Family(pk=pk, key_worker_id=worker) for pk, worker in self.family_workers.items()],
            ["key_worker"],
            batch_size=1000,
        )
        for year, number in self.urn_numbers.items():
            sequence, _ = UrnSequence.objects.get_or_create(year=year)
            if sequence.last_number < number:
                sequence.last_number = number
                sequence.save(update_fields=["last_number"])
        sql = connection.ops.sequence_reset_sql(no_style(), [t.model for t in self.tables])
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
        if connection.vendor == "postgresql":
            self.progress("Updating the planner's statistics (ANALYZE)")
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def generate_county(
    *,
    years: float,
    cases_per_year: int,
    seed: int,
    as_of: dt.date,
    progress: Callable[[str], None] = lambda message: None,
) -> CountySummary:
    """Generate ``years`` of casework at ``cases_per_year`` into an empty, configured
    database. Raises CountyDataError when the configuration is missing or synthetic
    staff already exist."""
    generator = CountyGenerator(
        years=years, cases_per_year=cases_per_year, seed=seed, as_of=as_of, progress=progress
    )
    return generator.generate()
