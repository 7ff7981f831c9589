import pytest
from django.utils import timezone

from earlyhelp.approvals.services import decide_approval
from earlyhelp.cases import services
from earlyhelp.cases.models import Status
from tests.casework import assessed_case, star_scores


@pytest.mark.django_db
def test_level_2_journey_reaches_closure(world):
    case = assessed_case(world)
    worker = case.key_worker
    services.record_decision(
        actor=worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Needs met by CAF/TAF",
        lead_professional_id=worker.pk,
    )
    services.add_plan_action(
        actor=worker,
        case_id=case.pk,
        what="Bedtime routine",
        who="Mum",
        by_when=timezone.localdate(),
        success_measure="Asleep by 8pm 5 nights a week",
    )
    services.submit_caf(actor=worker, case_id=case.pk)
    case.refresh_from_db()
    action = case.actions.get()
    services.record_review(
        actor=worker,
        case_id=case.pk,
        held_on=timezone.localdate(),
        progress={action.pk: {"status": "achieved", "note": "Done"}},
        summary="Going well",
        outcome="close",
    )
    services.request_closure(
        actor=worker, case_id=case.pk, reason="needs_met", star_scores=star_scores(7)
    )
    approval = case.approvals.get(status="pending")
    decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
