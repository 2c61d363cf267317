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


class ImportSource(models.TextChoices):
    """The tool a registration file comes from, told by its header (attendees.import_mapping)."""

    PRETIX = "pretix", "pretix (order data export)"
    EVENTBRITE = "eventbrite", "Eventbrite (attendee report)"
    INDICO = "indico", "Indico (registrant list)"
    DRINKTABLES = "drinktables", "Drink Tables template"
    UNKNOWN = "unknown", "another tool"


class ImportField(models.TextChoices):
    """What a column of a registration file gives, in the import's column mapping."""

    EMAIL = "email", "E-mail"
    EMAIL_FALLBACK = "email_fallback", "E-mail, if the other is blank"
    FULL_NAME = "full_name", "Full name"
    FIRST_NAME = "first_name", "First name"
    LAST_NAME = "last_name", "Last name"
    ORGANIZATION = "organization", "Organization"
    ROLE = "role", "Role (from ticket type)"
    TOPICS = "topics", "Topics"
    NEWCOMER = "newcomer", "Newcomer (yes/no/auto)"
    IGNORE = "ignore", "Ignore this column"


# In the ticket-type table of the mapping, besides a role: rows of this type are not imported
# (add-on products such as a T-shirt, cancelled tickets).
SKIP_ROWS = "skip"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    APPLIED = "applied", "Imported"
