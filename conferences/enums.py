from django.db import models


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for RSVPs"
    MATCHED = "matched", "Matched"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


# Where a round may move from each status, and why not: matching.services.lifecycle.

# A round in one of these statuses has a published plan: attendees see their table, and its
# seating counts as "already sat together" for the conference's other rounds.
PLAN_VISIBLE_STATUSES = frozenset({RoundStatus.PUBLISHED, RoundStatus.HELD})

# Attendees may change their RSVP while the round is in one of these statuses.
RSVP_OPEN_STATUSES = frozenset({RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.MATCHED})


class ImportKind(models.TextChoices):
    REGISTRATIONS = "registrations", "Registrations"
    ENCOUNTERS = "encounters", "Past encounters"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    APPLIED = "applied", "Imported"
