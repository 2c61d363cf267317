from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RoundAction(models.TextChoices):
    """The moves of a round's lifecycle (``matching.services.lifecycle``)."""

    OPEN = "open", "Open for RSVPs"
    DRAFT = "draft", "Back to draft"
    MATCH = "match", "Matched"
    REOPEN = "reopen", "Re-open for RSVPs"
    PUBLISH = "publish", "Publish"
    UNPUBLISH = "unpublish", "Unpublish"
    HELD = "held", "Mark held"
    CANCEL = "cancel", "Cancel"
    RESTORE = "restore", "Restore as a draft"
