from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from earlyhelp.core.pagination import Page, paginate
from earlyhelp.people import selectors, services
from earlyhelp.people.search import find_people

router = Router(tags=["Families"])


class MemberOut(Schema):
    person_id: int
    first_name: str
    last_name: str
    date_of_birth: str | None
    relationship: str


class FamilySummaryOut(Schema):
    id: int
    name: str
    postcode: str
    district: str | None
    team: str | None
    key_worker: str | None
    member_count: int


class FamilyOut(Schema):
    id: int
    name: str
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    district: str | None
    team: str | None
    key_worker: str | None
    members: list[MemberOut]
    version: int = Field(description="Of the address: send it back to change it")


class AddressIn(Schema):
    address_line_1: str
    address_line_2: str = ""
    town: str
    postcode: str
    expected_version: int | None = Field(
        None,
        description="The family's `version` you read; if someone has saved since, the "
        "answer is 409 with `current_version` and the `differences`",
    )


def _summary(family) -> FamilySummaryOut:
    return FamilySummaryOut(
        id=family.pk,
        name=family.name,
        postcode=family.postcode,
        district=family.district.name if family.district_id else None,
        team=family.team.name if family.team_id else None,
        key_worker=str(family.key_worker) if family.key_worker_id else None,
        member_count=family.member_count,
    )


def _detail(family) -> FamilyOut:
    return FamilyOut(
        id=family.pk,
        name=family.name,
        address_line_1=family.address_line_1,
        address_line_2=family.address_line_2,
        town=family.town,
        postcode=family.postcode,
        district=family.district.name if family.district_id else None,
        team=family.team.name if family.team_id else None,
        key_worker=str(family.key_worker) if family.key_worker_id else None,
        version=family.version,
        members=[
            MemberOut(
                person_id=m.person_id,
                first_name=m.person.first_name,
                last_name=m.person.last_name,
                date_of_birth=m.person.date_of_birth.isoformat()
                if m.person.date_of_birth
                else None,
                relationship=m.relationship,
            )
            for m in family.memberships.all()
        ],
    )


@router.get("", response=Page[FamilySummaryOut], summary="Families you may see")
def list_families(request, page: int = 1):
    """The families the signed-in user may see, 50 a page."""
    return paginate(selectors.family_list_for_user(user=request.auth), page, _summary)


@router.get("/{family_id}", response=FamilyOut, summary="A family's record")
def get_family(request, family_id: int):
    """One family's record; the view is audited, and so is a refusal."""
    family = selectors.access_family(
        user=request.auth, family_id=family_id, source=f"API GET {request.path}"
    )
    return _detail(family)


@router.put("/{family_id}/address", response=FamilyOut, summary="Change a family's address")
def change_address(request, family_id: int, payload: AddressIn):
    """Change the household address of a family."""
    services.update_family_address(
        actor=request.auth,
        family_id=family_id,
        source=f"API PUT {request.path}",
        **payload.dict(),
    )
    return _detail(selectors.family_with_members(family_id=family_id))


class PersonHitOut(Schema):
    person_id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    postcode: str
    family_id: int | None
    family_name: str
    score: float


@router.get(
    "/people/search", response=list[PersonHitOut], summary="Find a person by name and birth date"
)
def search_people(request, name: str = "", date_of_birth: dt.date | None = None):
    """People in families you may see whose name is like `name` (close spellings too)
    and/or who were born on `date_of_birth`, best first, at most 25. Audited."""
    hits = find_people(
        user=request.auth,
        name=name,
        date_of_birth=date_of_birth,
        source=f"API GET {request.path}",
    )
    return [PersonHitOut(**hit.__dict__) for hit in hits]


class MergeIn(Schema):
    keep_id: int
    duplicate_id: int
    reason: str


class MergeOut(Schema):
    kept_id: int
    merged_id: int


@router.post("/people/merge", response=MergeOut, summary="Merge two records of one person")
def merge_people(request, payload: MergeIn):
    """A senior practitioner merges a duplicate into the record kept; audited."""
    kept = services.merge_people(
        actor=request.auth,
        keep_id=payload.keep_id,
        duplicate_id=payload.duplicate_id,
        reason=payload.reason,
        source=f"API POST {request.path}",
    )
    return MergeOut(kept_id=kept.pk, merged_id=payload.duplicate_id)
