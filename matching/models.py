from django.conf import settings
from django.db import models
from django.db.models import Q

from attendees.models import Person
from conferences.models import DrinkTable, MeetupRound
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus


class MatchingRun(models.Model):
    """One attempt to seat a round. The durable state of the Celery task that runs it."""

    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seed = models.PositiveIntegerField(default=0)
    time_limit_s = models.FloatField(default=10)
    portfolio = models.PositiveSmallIntegerField(
        default=1, help_text="Solver seeds tried in parallel; the best plan is kept."
    )
    progress = models.PositiveSmallIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    edited = models.BooleanField(
        default=False, help_text="An organizer moved people by hand after the solver ran."
    )
    chosen_seed = models.PositiveIntegerField(
        null=True, blank=True, help_text="The solver seed whose plan was kept."
    )
    elapsed_s = models.FloatField(null=True, blank=True, help_text="Solver time of the kept plan.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="run_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="run_status_valid"
            ),
            models.CheckConstraint(condition=Q(time_limit_s__gt=0), name="run_time_limit_positive"),
            models.CheckConstraint(condition=Q(portfolio__gte=1), name="run_portfolio_positive"),
            # However often a run is triggered, one per round is queued or working at a time.
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="one_active_run_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"Run #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class Seat(models.Model):
    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="seats")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="seats")
    # RESTRICT: a table with seats cannot be deleted on its own (a plan, and a held round's
    # history, would lose them); deleting its conference or round still takes the seats along.
    table = models.ForeignKey(DrinkTable, on_delete=models.RESTRICT, related_name="seats")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="seat_unique_per_run"),
        ]
        indexes = [models.Index(fields=["run", "table"], name="seat_run_table")]

    def __str__(self) -> str:
        return f"{self.person} at {self.table}"


class SeatNotification(models.Model):
    """The table a person was last told about for a round, so a re-match only tells movers."""

    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="notifications")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(DrinkTable, on_delete=models.CASCADE, related_name="+", null=True)
    sent_at = models.DateTimeField()
    # The round's calendar_sequence when they were told: lower than the round's means a change
    # of time or place they have not heard of yet.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="notification_unique"),
        ]

    def __str__(self) -> str:
        return f"notified {self.person} about {self.round}"


class RunCandidate(models.Model):
    """One plan of a portfolio run, solved by a worker with its own seed.

    The task that claimed the run waits for these rows (not for Celery results), keeps the best
    plan and deletes them. ``solution`` stays empty while the seed is being solved.
    """

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="candidates")
    attempt = models.PositiveSmallIntegerField()
    seed = models.PositiveIntegerField()
    solution = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "attempt", "seed"], name="candidate_unique_per_attempt"
            ),
        ]

    def __str__(self) -> str:
        return f"seed {self.seed} of run #{self.run_id}"


class WaitingEntry(models.Model):
    """Someone going to a published round who has no seat yet: no table had room for them (or
    the organizers seat late RSVPs by hand). Seated first come, first served."""

    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="waiting")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Why they wait, for the organizer: the tables were full, or automatic seating is off.
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="waiting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} waiting for {self.round}"


class SeatRelease(models.Model):
    """A seat of a published plan given up after publishing ("I can't come", or an organizer
    took the RSVP back): the plan page shows it until the round is held."""

    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="releases")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(DrinkTable, on_delete=models.CASCADE, related_name="+")
    released_at = models.DateTimeField(auto_now_add=True)
    # Who took the seat from the waiting list, if anyone.
    taken_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-released_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} released a seat at {self.table}"


class TableAlert(models.Model):
    """Two people at one table of a published plan, one of whom blocked the other after
    publishing. Private: the pair is kept to know when the alert is resolved, and never shown;
    the organizers see only the table, and a suggested move."""

    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="alerts")
    table = models.ForeignKey(DrinkTable, on_delete=models.CASCADE, related_name="+")
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person_a", "person_b"],
                condition=Q(resolved_at__isnull=True),
                name="alert_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"table {self.table} of {self.round} needs a change"


class WhatIfSimulation(models.Model):
    """A "what if" for an organizer's series: the simulation of docs/outcomes.md started from
    a conference's real people, ties and tables, for several seating policies and a low and a
    high setting of the assumed parameters (``matching.services.whatif``). The durable state
    of its Celery task, like ``MatchingRun``."""

    conference = models.ForeignKey(
        "conferences.Conference", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="whatif_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="whatif_status_valid"
            ),
            models.UniqueConstraint(
                fields=["conference"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="one_active_whatif_per_conference",
            ),
        ]

    def __str__(self) -> str:
        return f"What-if #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class MetPrompt(models.Model):
    """The e-mail asking a seated attendee who they met, after their round was held: sent once."""

    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="met_prompts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "“who did you meet” e-mail"
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="met_prompt_unique"),
        ]

    def __str__(self) -> str:
        return f"asked {self.person} who they met at {self.round}"
