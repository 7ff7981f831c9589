"""The transactional outbox: every outgoing message is stored with the change that
causes it, then sent by a background worker with retries: at least once, and once
unless a worker is killed between the mail server's accepting it and the SENT mark
(see earlyhelp.outbox.services)."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement to the referrer"
    CONSENT_REQUEST = "consent_request", "Request to complete consent"
    LP_CONTACT = "lp_contact", "Request to the CAF lead professional"
    CAF_SUBMISSION = "caf_submission", "CAF/TAF submission to the CAF mailbox"
    REVIEW_SUBMISSION = "review_submission", "Review submission to the CAF mailbox"
    CLOSURE_NOTICE = "closure_notice", "Closure notice to the CAF mailbox"
    REFERRER_FEEDBACK = "referrer_feedback", "Feedback to the referrer"
    TAF_INVITATION = "taf_invitation", "TAF meeting invitation"
    SAFEGUARDING_ALERT = "safeguarding_alert", "Safeguarding alert"
    DSO_NOTICE = "dso_notice", "Notice to the DSO"
    APPROVAL_REQUEST = "approval_request", "Approval request"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will not retry"


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=30, choices=Kind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    request = models.ForeignKey(
        "referrals.RequestForSupport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}"
