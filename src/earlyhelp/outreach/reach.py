"""Reach: the unique families and young people the service reached in a period, across
casework, group programmes (named attendance), outreach and detached sessions (people
met by name) and Talkzone (contacts linked to a person).

A person is counted once however many ways they were reached: every count is the size of
a set of person ids, and a merged duplicate counts as the record it was merged into. A
family is reached when any of its members is. Anonymous contacts (outreach head counts,
anonymous Talkzone contacts) cannot be told apart, so they are shown beside the unique
counts, never added to them. A fixed number of queries, whatever the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.utils import timezone

from earlyhelp.configuration.models import District, TargetGroup
from earlyhelp.domain.consent import age_on
from earlyhelp.domain.people import OLDEST_YOUNG_PERSON, OLDEST_YOUNG_PERSON_WITH_SEND
from earlyhelp.outreach.models import ContactCount, OutreachSession, TalkzoneContact

SOURCES = (
    ("casework", "Casework"),
    ("groups", "Group programmes"),
    ("outreach", "Outreach and detached"),
    ("talkzone", "Talkzone"),
)


@dataclass(frozen=True)
class ReachCounts:
    families: int
    young_people: int
    people: int


@dataclass(frozen=True)
class ReachRow:
    label: str
    counts: ReachCounts
    detail: str = ""


@dataclass
class ReachReport:
    since: dt.date
    until: dt.date
    district: District | None
    total: ReachCounts
    by_source: list[ReachRow]
    by_district: list[ReachRow]
    by_centre: list[ReachRow]
    by_target_group: list[ReachRow]
    by_priority: list[ReachRow]
    anonymous_outreach_contacts: int
    anonymous_talkzone_contacts: int
    groups_included: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Seen:
    """One way one person was reached."""

    person_id: int
    source: str
    district_id: int | None
    centre_id: int | None = None
    priority: bool | None = None


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return start, end


def _casework(since: dt.date, until: dt.date, district_id: int | None) -> list[_Seen]:
    """Every member of a family with a case open at some time in the period."""
    from earlyhelp.people.models import FamilyMember

    _, end = _bounds(since, until)
    rows = FamilyMember.objects.filter(
        Q(family__cases__closed_on__isnull=True) | Q(family__cases__closed_on__gte=since),
        family__cases__allocated_at__lt=end,
    )
    if district_id is not None:
        rows = rows.filter(family__district_id=district_id)
    return [
        _Seen(person_id=p, source="casework", district_id=d)
        for p, d in rows.values_list("person_id", "family__district_id").distinct()
    ]


def _groups(
    since: dt.date, until: dt.date, district_id: int | None
) -> tuple[list[_Seen], dict[int, tuple[str, str]], bool]:
    """Named attendance at group sessions (centres app), with the centres' names."""
    try:
        from earlyhelp.centres.selectors import centre_list, group_reach
    except ImportError:
        return [], {}, False
    rows = group_reach(
        since=since,
        until=until,
        district_ids=None if district_id is None else [district_id],
    )
    seen = [_Seen(person_id=p, source="groups", district_id=d, centre_id=c) for p, c, d in rows]
    centres = {
        c.pk: (c.name, c.district.name if c.district_id else "")
        for c in centre_list().select_related("district")
    }
    return seen, centres, True


def _outreach(since: dt.date, until: dt.date, district_id: int | None) -> list[_Seen]:
    start, end = _bounds(since, until)
    through = OutreachSession.people_met.through
    rows = through.objects.filter(
        outreachsession__starts_at__gte=start, outreachsession__starts_at__lt=end
    )
    if district_id is not None:
        rows = rows.filter(outreachsession__district_id=district_id)
    return [
        _Seen(person_id=p, source="outreach", district_id=d, priority=priority)
        for p, d, priority in rows.values_list(
            "person_id",
            "outreachsession__district_id",
            "outreachsession__priority_neighbourhood",
        ).distinct()
    ]


def _talkzone(since: dt.date, until: dt.date) -> list[_Seen]:
    """Linked contacts; the district is the one given on the contact, if any (otherwise
    the person's family's, filled in later)."""
    start, end = _bounds(since, until)
    rows = TalkzoneContact.objects.filter(
        person__isnull=False, occurred_at__gte=start, occurred_at__lt=end
    )
    return [
        _Seen(person_id=p, source="talkzone", district_id=d)
        for p, d in rows.values_list("person_id", "district_id").distinct()
    ]


def _anonymous(since: dt.date, until: dt.date, district_id: int | None) -> tuple[int, int, dict]:
    start, end = _bounds(since, until)
    counts = ContactCount.objects.filter(session__starts_at__gte=start, session__starts_at__lt=end)
    talkzone = TalkzoneContact.objects.filter(
        person__isnull=True, occurred_at__gte=start, occurred_at__lt=end
    )
    if district_id is not None:
        counts = counts.filter(session__district_id=district_id)
        talkzone = talkzone.filter(district_id=district_id)
    by_priority = dict(
        counts.order_by()
        .values("session__priority_neighbourhood")
        .annotate(total=Sum("count"))
        .values_list("session__priority_neighbourhood", "total")
    )
    return sum(by_priority.values()), talkzone.count(), by_priority


@dataclass
class _People:
    """What reach needs to know of each person reached, in three queries."""

    canonical: dict[int, int]
    young: set[int]
    families: dict[int, set[int]]
    family_district: dict[int, int | None]
    target_groups: dict[int, set[int]]

    def families_of(self, people: Iterable[int]) -> set[int]:
        return {f for p in people for f in self.families.get(p, ())}


def _people(person_ids: set[int], on: dt.date) -> _People:
    from earlyhelp.people.models import FamilyMember, Person, Relationship
    from earlyhelp.referrals.models import RequestForSupport

    canonical: dict[int, int] = {}
    details: dict[int, tuple] = {}
    for pk, merged_into, born, send in Person.objects.filter(pk__in=person_ids).values_list(
        "pk", "merged_into_id", "date_of_birth", "has_send"
    ):
        canonical[pk] = merged_into or pk
        details[pk] = (born, send)
    families: dict[int, set[int]] = defaultdict(set)
    family_district: dict[int, int | None] = {}
    children: set[int] = set()
    for person_id, family_id, relationship, district_id in FamilyMember.objects.filter(
        person_id__in=set(canonical.values())
    ).values_list("person_id", "family_id", "relationship", "family__district_id"):
        families[person_id].add(family_id)
        family_district[family_id] = district_id
        if relationship == Relationship.CHILD:
            children.add(person_id)
    young: set[int] = set()
    for pk, (born, send) in details.items():
        person = canonical[pk]
        if born is None:
            if person in children:
                young.add(person)
            continue
        oldest = OLDEST_YOUNG_PERSON_WITH_SEND if send else OLDEST_YOUNG_PERSON
        if age_on(born, on) <= oldest:
            young.add(person)
    target_groups: dict[int, set[int]] = defaultdict(set)
    through = RequestForSupport.target_groups.through
    for family_id, group_id in through.objects.filter(
        requestforsupport__family_id__in={f for fs in families.values() for f in fs}
    ).values_list("requestforsupport__family_id", "targetgroup_id"):
        target_groups[family_id].add(group_id)
    return _People(
        canonical=canonical,
        young=young,
        families=dict(families),
        family_district=family_district,
        target_groups=dict(target_groups),
    )


def _counts(people: set[int], known: _People) -> ReachCounts:
    return ReachCounts(
        families=len(known.families_of(people)),
        young_people=len(people & known.young),
        people=len(people),
    )


def reach_report(*, since: dt.date, until: dt.date, district_id: int | None = None) -> ReachReport:
    """Unique families and young people reached from ``since`` to ``until`` (inclusive),
    in one district or the whole county: in total, by source, district, centre, target
    group (named on the family's Requests for Support) and priority neighbourhood."""
    district = District.objects.filter(pk=district_id).first() if district_id else None
    groups, centres, groups_included = _groups(since, until, district_id)
    seen = [
        *_casework(since, until, district_id),
        *groups,
        *_outreach(since, until, district_id),
        *_talkzone(since, until),
    ]
    known = _people({s.person_id for s in seen}, until)

    def person(s: _Seen) -> int:
        return known.canonical.get(s.person_id, s.person_id)

    def district_of(s: _Seen) -> int | None:
        if s.district_id is not None:
            return s.district_id
        for family_id in sorted(known.families.get(person(s), ())):
            if known.family_district.get(family_id) is not None:
                return known.family_district[family_id]
        return None

    if district_id is not None:
        seen = [s for s in seen if district_of(s) == district_id]

    everyone = {person(s) for s in seen}
    by_source = [
        ReachRow(label, _counts({person(s) for s in seen if s.source == code}, known))
        for code, label in SOURCES
    ]
    by_district_ids: dict[int | None, set[int]] = defaultdict(set)
    for s in seen:
        by_district_ids[district_of(s)].add(person(s))
    names = dict(District.objects.values_list("pk", "name"))
    by_district = [
        ReachRow(
            names.get(d, "Not recorded") if d is not None else "Not recorded", _counts(p, known)
        )
        for d, p in sorted(
            by_district_ids.items(), key=lambda item: (item[0] is None, names.get(item[0], ""))
        )
    ]
    by_centre_ids: dict[int, set[int]] = defaultdict(set)
    for s in seen:
        if s.centre_id is not None:
            by_centre_ids[s.centre_id].add(person(s))
    by_centre = sorted(
        (
            ReachRow(
                centres.get(c, (f"Centre {c}", ""))[0],
                _counts(p, known),
                detail=centres.get(c, ("", ""))[1],
            )
            for c, p in by_centre_ids.items()
        ),
        key=lambda row: (row.detail, row.label),
    )
    by_group_ids: dict[int, set[int]] = defaultdict(set)
    for p in everyone:
        for family_id in known.families.get(p, ()):
            for group_id in known.target_groups.get(family_id, ()):
                by_group_ids[group_id].add(p)
    by_target_group = [
        ReachRow(group.name, _counts(by_group_ids.get(group.pk, set()), known))
        for group in TargetGroup.objects.all()
    ]
    anonymous_outreach, anonymous_talkzone, anonymous_by_priority = _anonymous(
        since, until, district_id
    )
    priority_people = {person(s) for s in seen if s.priority is True}
    other_people = {person(s) for s in seen if s.priority is False}
    by_priority = [
        ReachRow(
            "Priority neighbourhoods",
            _counts(priority_people, known),
            detail=str(anonymous_by_priority.get(True, 0) or 0),
        ),
        ReachRow(
            "Other neighbourhoods",
            _counts(other_people, known),
            detail=str(anonymous_by_priority.get(False, 0) or 0),
        ),
    ]
    notes = []
    if not groups_included:
        notes.append("Group programme attendance is not available, so it is not counted.")
    return ReachReport(
        since=since,
        until=until,
        district=district,
        total=_counts(everyone, known),
        by_source=by_source,
        by_district=by_district,
        by_centre=by_centre,
        by_target_group=by_target_group,
        by_priority=by_priority,
        anonymous_outreach_contacts=anonymous_outreach,
        anonymous_talkzone_contacts=anonymous_talkzone,
        groups_included=groups_included,
        notes=notes,
    )
