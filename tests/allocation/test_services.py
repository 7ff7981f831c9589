"""Bulk allocation services: proposals within headroom, decisions through
allocate_request, stale proposals refused line by line, permissions audited; and the
reason a single allocation needs off the top recommendation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.allocation import selectors
from earlyhelp.allocation.models import AllocationProposal, LineStatus, ProposalLine
from earlyhelp.allocation.services import (
    LineDecision,
    decide_proposal_lines,
    propose_bulk_allocation,
)
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Case
from earlyhelp.configuration.models import Specialism
from earlyhelp.referrals import services as rfs
from earlyhelp.referrals.models import Status
from tests.allocation.helpers import load, waiting
from tests.workforce.helpers import held_case

pytestmark = pytest.mark.django_db


def lines_of(proposal) -> list[ProposalLine]:
    return list(proposal.lines.order_by("position"))


def accept_all(world, proposal, actor=None):
    return decide_proposal_lines(
        actor=actor or world.manager,
        proposal_id=proposal.pk,
        decisions=[
            LineDecision(line_id=line.pk, action="accept")
            for line in lines_of(proposal)
            if line.proposed_worker_id
        ],
    )


def test_a_proposal_respects_headroom_and_says_why_a_request_is_unplaced(world):
    load(world.key_worker, 17)  # one place left of 18
    load(world.second_worker, 18)  # full
    first = waiting(world, name="Ash")
    second = waiting(world, name="Birch")

    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)

    placed = [line for line in lines_of(proposal) if line.proposed_worker_id]
    unplaced = [line for line in lines_of(proposal) if line.status == LineStatus.UNPLACED]
    assert [line.proposed_worker_id for line in placed] == [world.key_worker.pk]
    assert {line.request_id for line in lines_of(proposal)} == {first.pk, second.pk}
    assert unplaced[0].unplaced_reason == (
        "Every worker in Preston district with headroom is taken by requests due as soon or sooner"
    )
    assert "Headroom: 1 case" in [r["text"] for r in placed[0].reasons]
    event = AuditEvent.objects.get(code="allocation.proposed")
    assert event.details["placed"] == 1
    assert event.details["unplaced"] == 1


def test_accepting_allocates_through_allocate_request_so_a_case_opens(world):
    request = waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)

    outcome = accept_all(world, proposal)

    [line] = outcome.allocated
    case = Case.objects.get(request=request)
    assert case.key_worker_id == line.proposed_worker_id
    assert case.allocation_reason.startswith(f"Accepted from allocation proposal {proposal.pk}")
    request.refresh_from_db()
    assert request.status == Status.ALLOCATED
    line.refresh_from_db()
    assert line.status == LineStatus.ACCEPTED
    assert line.case == case
    assert AuditEvent.objects.filter(code="request.allocated", object_id=str(request.pk)).exists()
    assert AuditEvent.objects.filter(code="allocation.decided").exists()


def test_a_stale_proposal_is_refused_line_by_line_and_never_over_allocates(world):
    load(world.key_worker, 16)  # two places
    load(world.second_worker, 18)
    requests = [waiting(world, name=n) for n in ("Ash", "Birch")]
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    assert all(line.proposed_worker_id == world.key_worker.pk for line in lines_of(proposal))
    held_case(world.key_worker, case_type="L2B")  # overnight, one of the two places went

    outcome = accept_all(world, proposal)

    assert len(outcome.allocated) == 1
    [(line, message)] = outcome.refused
    assert message == (
        f"{world.key_worker.get_full_name()} no longer has headroom for the "
        f"{line.request.family.name} family: choose someone else"
    )
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING
    assert line.problem == message
    assert Case.objects.filter(key_worker=world.key_worker).exclude(status="closed").count() == 18
    assert Case.objects.filter(request__in=requests).count() == 1


def test_a_request_allocated_meanwhile_is_reported_not_allocated_twice(world):
    request = waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    rfs.allocate_request(
        actor=world.manager, request_id=request.pk, key_worker_id=world.second_worker.pk
    )

    outcome = accept_all(world, proposal)

    [(_, message)] = outcome.refused
    assert "already allocated" in message
    assert Case.objects.filter(request=request).count() == 1


def test_a_line_can_be_changed_to_another_worker_or_rejected(world):
    first = waiting(world, name="Ash")
    second = waiting(world, name="Birch")
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    line_one, line_two = lines_of(proposal)
    other = (
        world.second_worker
        if line_one.proposed_worker_id == world.key_worker.pk
        else world.key_worker
    )

    outcome = decide_proposal_lines(
        actor=world.manager,
        proposal_id=proposal.pk,
        decisions=[
            LineDecision(line_one.pk, "change", worker_id=other.pk, reason="Knows the school"),
            LineDecision(line_two.pk, "reject"),
        ],
    )

    assert [line.status for line in outcome.allocated] == [LineStatus.CHANGED]
    assert [line.status for line in outcome.rejected] == [LineStatus.REJECTED]
    case = Case.objects.get(request=line_one.request)
    assert case.key_worker == other
    assert case.allocation_reason.endswith(": Knows the school")
    second.refresh_from_db()
    assert second.status == Status.AWAITING_ALLOCATION
    assert {first.pk, second.pk} == {line_one.request_id, line_two.request_id}


def test_decided_lines_cannot_be_decided_again(world):
    waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    accept_all(world, proposal)

    outcome = accept_all(world, proposal)

    assert "already decided" in outcome.refused[0][1]
    assert Case.objects.count() == 1


def test_bad_decisions_are_refused_by_field_and_nothing_changes(world):
    waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    [line] = lines_of(proposal)

    with pytest.raises(ValidationError) as refused:
        decide_proposal_lines(
            actor=world.manager,
            proposal_id=proposal.pk,
            decisions=[LineDecision(line.pk, "change"), LineDecision(999999, "accept")],
        )

    assert set(refused.value.message_dict) == {"decisions[0].worker_id", "decisions[1].line_id"}
    assert not Case.objects.exists()


def test_only_the_teams_managers_may_propose_and_refusals_are_audited(world):
    waiting(world)

    for outsider in (world.key_worker, world.other_manager):
        with pytest.raises(PermissionDenied):
            propose_bulk_allocation(actor=outsider, team_id=world.team.pk)

    assert not AllocationProposal.objects.exists()
    denied = AuditEvent.objects.filter(kind=Kind.DENIED, object_type="workforce.team")
    assert {e.actor_id for e in denied} == {world.key_worker.pk, world.other_manager.pk}
    assert propose_bulk_allocation(actor=world.locality_manager, team_id=world.team.pk)


def test_deciding_someone_elses_proposal_is_refused_and_audited(world):
    waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)

    with pytest.raises(PermissionDenied):
        accept_all(world, proposal, actor=world.other_manager)

    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, object_type="allocation.allocationproposal", actor=world.other_manager
    ).exists()


def test_a_district_proposal_is_for_its_locality_manager(world):
    waiting(world)

    proposal = propose_bulk_allocation(actor=world.locality_manager, district_id=world.district.pk)

    assert proposal.team is None
    assert proposal.lines.count() == 1
    with pytest.raises(PermissionDenied):
        propose_bulk_allocation(actor=world.manager, district_id=world.district.pk)


def test_recommendations_put_the_familys_worker_first_with_the_reason(world):
    known = waiting(world, name="Smith")
    held = held_case(world.second_worker)
    held.family = known.family
    held.save()
    load(world.key_worker, 0)
    again = waiting(world, family=known.family)

    ranked = selectors.recommendations_for(
        selectors.request_for_recommendations(request_id=again.pk)
    )

    assert ranked[0].worker.id == world.second_worker.pk
    assert ranked[0].reasons[0].text == (
        "Already key worker for the Smith family: one family, one worker, one plan"
    )


def test_recommendations_match_configured_specialisms_and_languages(world):
    under_fives = Specialism.objects.create(code="0-5", name="0-5", min_age=0, max_age=5)
    world.key_worker.staff.specialisms.add(under_fives)
    world.second_worker.staff.languages = ["urdu"]
    world.second_worker.staff.save()
    request = waiting(world, language="Urdu")

    ranked = selectors.recommendations_for(
        selectors.request_for_recommendations(request_id=request.pk)
    )

    texts = {r.worker.id: [reason.text for reason in r.reasons] for r in ranked}
    assert "Specialisms: 0-5" in texts[world.key_worker.pk]
    assert "Speaks Urdu" in texts[world.second_worker.pk]


def test_choosing_a_worker_without_headroom_needs_a_reason(world):
    load(world.key_worker, 18)
    request = waiting(world)

    with pytest.raises(ValidationError) as refused:
        rfs.allocate_request(
            actor=world.manager,
            request_id=request.pk,
            key_worker_id=world.key_worker.pk,
            check_recommendation=True,
        )

    assert "has no headroom" in refused.value.message_dict["reason"][0]
    case = rfs.allocate_request(
        actor=world.manager,
        request_id=request.pk,
        key_worker_id=world.key_worker.pk,
        reason="Knows the family from school",
        check_recommendation=True,
    )
    assert case.allocation_reason == "Knows the family from school"


def test_choosing_off_the_top_recommendation_needs_a_reason(world):
    load(world.key_worker, 10)
    request = waiting(world)

    with pytest.raises(ValidationError) as refused:
        rfs.allocate_request(
            actor=world.manager,
            request_id=request.pk,
            key_worker_id=world.key_worker.pk,
            check_recommendation=True,
        )

    assert "is not the top recommendation" in refused.value.message_dict["reason"][0]
    assert rfs.allocate_request(
        actor=world.manager,
        request_id=request.pk,
        key_worker_id=world.second_worker.pk,
        check_recommendation=True,
    )
