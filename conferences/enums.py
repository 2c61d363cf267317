from django.db import models


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for RSVPs"
    MATCHED = "matched", "Matched"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


# The status flow of a round: where each status may go next.
ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.DRAFT: frozenset({RoundStatus.OPEN, RoundStatus.CANCELLED}),
    RoundStatus.OPEN: frozenset({RoundStatus.MATCHED, RoundStatus.DRAFT, RoundStatus.CANCELLED}),
    RoundStatus.MATCHED: frozenset(
        {RoundStatus.PUBLISHED, RoundStatus.OPEN, RoundStatus.MATCHED, RoundStatus.CANCELLED}
    ),
    RoundStatus.PUBLISHED: frozenset(
        {RoundStatus.HELD, RoundStatus.MATCHED, RoundStatus.PUBLISHED, RoundStatus.CANCELLED}
    ),
    RoundStatus.HELD: frozenset(),
    RoundStatus.CANCELLED: frozenset({RoundStatus.DRAFT}),
}

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
