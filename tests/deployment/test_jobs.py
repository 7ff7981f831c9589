"""Background work on Redis workers (JOBS_BACKEND=rq): a message is queued for a
worker when its transaction commits, carries only its id, and is sent once however many
times its job runs; a refused message is retried on the schedule; a message whose job
Redis never took is sent by the sweep."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from rq import SimpleWorker

from earlyhelp.core import jobs
from earlyhelp.outbox.jobs import send_due_messages_job
from earlyhelp.outbox.models import Kind, OutboxMessage, Status
from earlyhelp.outbox.services import SEND_JOB, queue_message

pytestmark = pytest.mark.django_db(transaction=True)


def _queue_acknowledgement() -> OutboxMessage:
    return queue_message(
        kind=Kind.ACKNOWLEDGEMENT,
        to="referrer@example.org",
        subject="Request for Support received",
        body="We have received your Request for Support.",
    )


def _work(queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_message_is_queued_for_a_worker_only_when_its_transaction_commits(rq_queue):
    with transaction.atomic():
        message = _queue_acknowledgement()
        assert rq_queue.count == 0

    assert rq_queue.count == 1
    job = rq_queue.jobs[0]
    assert job.func_name == jobs.RUN
    assert job.args == (jobs.installation(), SEND_JOB, message.pk)  # the id, no content


def _queue_and_fail() -> None:
    with transaction.atomic():
        _queue_acknowledgement()
        raise RuntimeError("the change that caused it failed")


def test_rolled_back_message_queues_no_job(rq_queue):
    with pytest.raises(RuntimeError):
        _queue_and_fail()

    assert rq_queue.count == 0
    assert not OutboxMessage.objects.exists()


def test_worker_sends_a_message_queued_twice_exactly_once(rq_queue):
    with transaction.atomic():
        message = _queue_acknowledgement()
    jobs.enqueue(SEND_JOB, message.pk)  # the same job again, as after a retried enqueue
    assert rq_queue.count == 2

    _work(rq_queue)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["referrer@example.org"]
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert rq_queue.count == 0
    assert rq_queue.failed_job_registry.count == 0


def test_job_for_a_message_already_sent_by_the_loop_sends_nothing(rq_queue):
    with transaction.atomic():
        message = _queue_acknowledgement()
    assert send_due_messages_job() == 1  # the sweep (or process_outbox) got there first

    _work(rq_queue)

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_refused_message_is_scheduled_for_its_retry_not_sent_again_at_once(rq_queue, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with transaction.atomic():
        message = _queue_acknowledgement()
    jobs.enqueue(SEND_JOB, message.pk)  # a duplicate, run straight after the failure

    _work(rq_queue)

    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.attempts == 1  # the duplicate found it not yet due again
    scheduled = rq_queue.scheduled_job_registry
    assert scheduled.count == 1
    (job_id,) = scheduled.get_job_ids()
    assert scheduled.get_scheduled_time(job_id) == message.next_attempt_at.replace(microsecond=0)


def test_message_whose_job_redis_did_not_take_is_sent_by_the_sweep(rq_queue, monkeypatch):
    import django_rq.settings

    monkeypatch.setitem(
        django_rq.settings.QUEUES, "default", {"URL": "redis://127.0.0.1:1/0"}
    )  # nothing listens on port 1
    with transaction.atomic():
        message = _queue_acknowledgement()  # the commit succeeds without Redis
    message.refresh_from_db()
    assert message.status == Status.QUEUED

    assert send_due_messages_job() == 1

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


def test_default_backend_queues_nothing_in_redis(rq_queue, settings):
    settings.JOBS_BACKEND = "database"

    with transaction.atomic():
        _queue_acknowledgement()

    assert rq_queue.count == 0


def test_job_queued_by_another_installation_fails_without_sending(rq_queue):
    with transaction.atomic():
        message = _queue_acknowledgement()
    rq_queue.empty()
    # Another council's worker queue, by a shared Redis database: its message of this id.
    rq_queue.enqueue(jobs.RUN, "0123456789abcdef", SEND_JOB, message.pk)

    _work(rq_queue)

    assert rq_queue.failed_job_registry.count == 1
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert not mail.outbox


def test_timetable_sweeps_the_outbox_and_makes_the_scheduled_reports(rq_queue):
    from rq.cron import CronScheduler

    from earlyhelp.core.cron import OUTBOX_SWEEP_JOB, OUTBOX_SWEEP_SECONDS, register_timetable

    scheduler = CronScheduler(connection=rq_queue.connection)
    register_timetable(scheduler)
    timetable = {job.args[1]: (job.interval, job.cron) for job in scheduler.get_jobs()}
    assert timetable == {
        OUTBOX_SWEEP_JOB: (OUTBOX_SWEEP_SECONDS, None),
        jobs.SCHEDULED_REPORTS_JOB: (None, "30 6 * * *"),
    }
    with transaction.atomic():
        message = _queue_acknowledgement()
    rq_queue.empty()  # as if Redis had lost the message's own job

    scheduler.enqueue_jobs()  # the sweep is due at once, the reports at 06:30
    _work(rq_queue)

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.usefixtures("_media")
def test_scheduled_reports_command_queues_the_run_for_a_worker(rq_queue, world):
    from io import StringIO

    from django.core.management import call_command

    from earlyhelp.reporting.models import GeneratedReport

    out = StringIO()
    call_command("run_scheduled_reports", "--today", "2026-10-05", stdout=out)

    assert "Queued" in out.getvalue()
    assert not GeneratedReport.objects.exists()  # nothing made in the command's process
    assert rq_queue.jobs[0].args == (jobs.installation(), jobs.SCHEDULED_REPORTS_JOB, "2026-10-05")

    _work(rq_queue)

    made = GeneratedReport.objects.filter(scheduled=True, quarter="2026Q3")
    assert made.count() == 6  # the county and two localities, PDF and XLSX
    assert rq_queue.failed_job_registry.count == 0
