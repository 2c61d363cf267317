"""The bridge between the database and the matching engine, and the round workflow.

Data flows one way: ``build_problem`` reads a round into an ``engine.Problem``; a Celery task
(``matching.tasks.run_matching``) calls ``run_execute``, which solves it, and
``store_solution`` writes every seat and the metrics in one transaction; organizers review the plan, move people by hand
(``seat_move``), publish it (``round_publish``: attendees are told their table by e-mail) and,
after the evening, mark the round held (``round_mark_held``: who sat together becomes an
encounter).

Ids in problems and solutions are ``p<pk>`` for people and ``t<pk>`` for tables
(``selectors.person_key``, ``table_key``), so a file exported here (``problem_export``) can
be solved with ``python -m matching`` and read back.

The durable state of a run lives on ``MatchingRun``: the task claims a queued run with a
conditional UPDATE (and a row lock on PostgreSQL), beats a heartbeat while it works and ends it
``succeeded`` or ``failed``. ``runs_sweep_stale`` notices runs whose worker died and queues
them again, or fails them once ``MATCHING_MAX_ATTEMPTS`` deliveries have been used.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from attendees import caches
from attendees.enums import EncounterKind
from attendees.models import Block, Encounter, Person
from attendees.selectors import (
    mutual_sit_together_pairs,
    newcomer_ids,
    person_for_user,
    tie_weights,
)
from attendees.services import encounters_create
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from config.exceptions import Conflict, ServiceError
from config.queue import Dispatch, task_send_on_commit
from matching import engine

from .enums import ACTIVE_RUN_STATUSES, RunStatus
from .models import MatchingRun, RunCandidate, Seat, SeatNotification
from .selectors import (
    earlier_tables,
    person_key,
    pk_of_key,
    round_people,
    round_tables,
    table_key,
)

logger = logging.getLogger(__name__)

MAX_PORTFOLIO = 16
MAX_SEED = 2**31 - 1
# Rounds that may be (re-)matched: RSVPs are open, or a plan exists that may be redone.
MATCHABLE_STATUSES = (RoundStatus.OPEN, RoundStatus.MATCHED, RoundStatus.PUBLISHED)
# Share of the progress bar for building the problem and for storing the plan.
PROGRESS_SOLVE_START, PROGRESS_SOLVE_END = 5, 95
# How long the claiming task waits, after its own seed, for portfolio seeds that have not
# started (no free worker), and beyond the time limit for seeds still finishing.
PORTFOLIO_START_GRACE_S = 2.0
PORTFOLIO_FINISH_GRACE_S = 15.0


# ---------------------------------------------------------------------------------------------
# Building the problem


def _tie_weight(weight: float) -> float:
    """Four decimals are plenty for the solver and keep problem files small."""
    return round(weight, 4)


def build_problem(
    *,
    round: MeetupRound,
    seed: int = 0,
    time_limit_s: float | None = None,
    people: Iterable[int] | None = None,
    tables: Iterable[int] | None = None,
    ties: Mapping[tuple[int, int], float] | None = None,
    history: Iterable[Iterable[int]] | None = None,
) -> engine.Problem:
    """The round as an engine problem (one round, ids ``p<pk>`` and ``t<pk>``).

    People: going, not opted out, not deleted. Tables: ``round_tables``. Ties: encounters up to
    the round's date (``attendees.ties``). History: who sat together at the conference's other
    published or held rounds. Avoid: blocks either way. Together: mutual sit-together requests
    (``attendees.selectors.mutual_sit_together_pairs``: a block wins over the wish).
    Pins: each table's host, at the first of their tables (by label) in this round.

    The round as it stood at another time (the insights score plans of held rounds) replaces
    some of these: ``people`` and ``tables`` (pks) who and where to seat, ``ties`` the tie
    weights by pair of pks, ``history`` the earlier tables as lists of pks.
    """
    conference = round.conference
    # Lists of ids rather than subqueries: PostgreSQL plans "IN (subquery)" on both sides of an
    # encounter badly before its statistics exist (seconds instead of a tenth, measured on a
    # fresh import of 2,000 people). SQLite takes up to 32,766 parameters: rounds of 16,000.
    if people is None:
        seated = round_people(round=round)
    else:
        seated = Person.objects.filter(pk__in=sorted(set(people)))
    needs_accessible: set[int] = set()
    present: set[int] = set()
    for pk, accessible in seated.values_list("pk", "needs_accessible_seating"):
        present.add(pk)
        if accessible:
            needs_accessible.add(pk)
    person_ids = sorted(present)
    if tables is None:
        round_drink_tables = round_tables(round=round)
    else:
        round_drink_tables = list(
            DrinkTable.objects.filter(pk__in=sorted(set(tables))).order_by("label", "pk")
        )

    topics: dict[int, list[str]] = defaultdict(list)
    for person_id, slug in (
        Person.topics.through.objects.filter(person_id__in=person_ids)
        .order_by("topic__slug")
        .values_list("person_id", "topic__slug")
    ):
        topics[person_id].append(slug)
    newcomers = newcomer_ids(conference=conference)

    engine_people = tuple(
        engine.Person(
            id=person_key(pk),
            newcomer=pk in newcomers,
            topics=tuple(topics.get(pk, ())),
            accessible=pk in needs_accessible,
        )
        for pk in person_ids
    )
    engine_tables = tuple(
        engine.Table(id=table_key(t.pk), capacity=t.capacity, accessible=t.accessible)
        for t in round_drink_tables
    )

    if ties is None:
        ties = tie_weights(person_ids=person_ids, as_of=round.local_date)
    if history is None:
        history = (members for _round_id, members in earlier_tables(round=round))

    return engine.Problem(
        rounds=1,
        people=engine_people,
        tables=engine_tables,
        ties=tuple(
            engine.Tie(a=person_key(a), b=person_key(b), weight=rounded)
            for (a, b), weight in sorted(ties.items())
            if a in present and b in present and (rounded := _tie_weight(weight)) > 0
        ),
        history=tuple(
            tuple(person_key(pk) for pk in kept)
            for members in history
            if len(kept := sorted({pk for pk in members if pk in present})) > 1
        ),
        avoid=_avoid_pairs(present=present),
        together=_together_pairs(conference=conference, present=present),
        pinned=_host_pins(tables=round_drink_tables, present=present),
        seed=seed,
        time_limit_s=time_limit_s,
    )


def _avoid_pairs(*, present: set[int]) -> tuple[tuple[str, str], ...]:
    pairs = {
        tuple(sorted((blocker, blocked)))
        for blocker, blocked in Block.objects.filter(blocker_id__in=present).values_list(
            "blocker_id", "blocked_id"
        )
        if blocked in present
    }
    return tuple((person_key(a), person_key(b)) for a, b in sorted(pairs))


def _together_pairs(*, conference: Conference, present: set[int]) -> tuple[tuple[str, str], ...]:
    pairs = mutual_sit_together_pairs(conference=conference, among=present)
    return tuple((person_key(a), person_key(b)) for a, b in sorted(pairs))


def _host_pins(*, tables: list[DrinkTable], present: set[int]) -> tuple[engine.Pin, ...]:
    pins: dict[int, engine.Pin] = {}
    for table in tables:  # ordered by label: a host of two tables sits at the first one
        if table.host_id in present and table.host_id not in pins:
            pins[table.host_id] = engine.Pin(
                person=person_key(table.host_id), table=table_key(table.pk)
            )
    return tuple(pins[pk] for pk in sorted(pins))


def problem_for_viewer(*, problem: engine.Problem, viewer) -> engine.Problem:
    """``problem`` without the avoid pairs in which ``viewer`` (a user) is the one blocked.

    A block is never revealed to the blocked person, and an organizer may attend the round
    too: what they download or are told must not show that someone blocked them. Pairs from
    their own blocks (also when the other person blocked them back) and everybody else's stay.
    Returns ``problem`` itself when there is nothing to hide.
    """
    person = person_for_user(user=viewer)
    if person is None or not problem.avoid:
        return problem
    own = Block.objects.filter(blocker=person).values("blocked_id")
    hidden = {
        frozenset((person_key(person.pk), person_key(blocker)))
        for blocker in Block.objects.filter(blocked=person)
        .exclude(blocker_id__in=own)
        .values_list("blocker_id", flat=True)
    }
    avoid = tuple(pair for pair in problem.avoid if frozenset(pair) not in hidden)
    if len(avoid) == len(problem.avoid):
        return problem
    return dataclasses.replace(problem, avoid=avoid)


def problem_export(*, round: MeetupRound, viewer) -> dict:
    """The round as a format-v1 problem file, for the command line, support or a bug report.

    ``viewer`` is the user who downloads it: the file leaves out the avoid pairs in which they
    are the one blocked (``problem_for_viewer``). None gives the whole file (support, tests).
    """
    problem = build_problem(round=round, time_limit_s=settings.MATCHING_DEFAULT_TIME_LIMIT_S)
    return engine.problem_to_dict(problem_for_viewer(problem=problem, viewer=viewer))


_KEY_IN_MESSAGE = re.compile(r'"([pt])(\d+)"')


def humanize_engine_message(*, message: str) -> str:
    """Replace ``"p12"``/``"t3"`` in an engine message with names an organizer recognises."""
    person_pks = {int(n) for kind, n in _KEY_IN_MESSAGE.findall(message) if kind == "p"}
    table_pks = {int(n) for kind, n in _KEY_IN_MESSAGE.findall(message) if kind == "t"}
    people = dict(Person.objects.filter(pk__in=person_pks).values_list("pk", "full_name"))
    tables = dict(DrinkTable.objects.filter(pk__in=table_pks).values_list("pk", "label"))

    def name(match: re.Match) -> str:
        kind, pk = match.group(1), int(match.group(2))
        found = people.get(pk) if kind == "p" else tables.get(pk)
        if found is None:
            return match.group(0)
        return found if kind == "p" else f"table {found}"

    return _KEY_IN_MESSAGE.sub(name, message)


# ---------------------------------------------------------------------------------------------
# Requesting and cancelling runs


def _locked(queryset: QuerySet, **kwargs) -> QuerySet:
    """``select_for_update`` where the database has row locks (PostgreSQL), else as is.

    SQLite serialises writers on its own (``transaction_mode=IMMEDIATE``).
    """
    if connection.features.has_select_for_update:
        return queryset.select_for_update(**kwargs)
    return queryset


def _enqueue_run(run_id: int, *, countdown: float | None = None) -> Dispatch:
    """Send the run's task after the commit. If the task queue is down, the run stays queued in
    the database and ``runs_sweep_stale`` sends it again later."""
    from . import tasks

    return task_send_on_commit(tasks.run_matching, kwargs={"run_id": run_id}, countdown=countdown)


def _check_matchable(meetup_round: MeetupRound) -> None:
    if meetup_round.status in MATCHABLE_STATUSES:
        return
    messages = {
        RoundStatus.DRAFT: "This round is still a draft: open it for RSVPs, then run the matching.",
        RoundStatus.HELD: "This round has been held; its seating can no longer change.",
        RoundStatus.CANCELLED: "This round is cancelled; it can no longer be matched.",
    }
    raise Conflict(messages.get(meetup_round.status, "This round cannot be matched now."))


def run_request(
    *,
    round: MeetupRound,
    by,
    seed: int | None = None,
    time_limit_s: float | None = None,
    portfolio: int = 1,
) -> MatchingRun:
    """Queue a matching run for the round; the task is enqueued once the transaction commits.

    One run per round works at a time: while a run is queued or running, asking again returns
    that run instead of starting another (``run.newly_requested`` tells which happened). A seed
    of None picks a random one, stored on the run so the plan can be reproduced.

    When the task queue cannot be reached the run is still saved, queued
    (``run.queue_unreachable`` is True): the sweep sends it once the queue is back.
    """
    if time_limit_s is None:
        time_limit_s = settings.MATCHING_DEFAULT_TIME_LIMIT_S
    if not 0 < time_limit_s <= settings.MATCHING_MAX_TIME_LIMIT_S:
        raise ServiceError(
            f"Choose a time limit between 1 and {settings.MATCHING_MAX_TIME_LIMIT_S:g} seconds.",
            field="time_limit_s",
        )
    if not 1 <= portfolio <= MAX_PORTFOLIO:
        raise ServiceError(f"Try between 1 and {MAX_PORTFOLIO} seeds at once.", field="portfolio")
    if seed is None:
        seed = random.SystemRandom().randrange(MAX_SEED)
    if not 0 <= seed <= MAX_SEED:
        raise ServiceError(f"The seed must be a whole number from 0 to {MAX_SEED}.", field="seed")

    runs_sweep_stale(round=round)
    with transaction.atomic():
        # The round's row lock lines up concurrent triggers on PostgreSQL; the partial unique
        # constraint one_active_run_per_round settles any race that slips past it.
        meetup_round = _locked(MeetupRound.objects.filter(pk=round.pk)).get()
        _check_matchable(meetup_round)
        active = MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES)
        run = active.first()
        newly_requested = False
        if run is None:
            try:
                with transaction.atomic():
                    run = MatchingRun.objects.create(
                        round=meetup_round,
                        requested_by=by if getattr(by, "pk", None) else None,
                        seed=seed,
                        time_limit_s=time_limit_s,
                        portfolio=portfolio,
                    )
                newly_requested = True
            except IntegrityError:
                run = active.get()
        # Asking again for a run that is still queued sends its task again: its message may
        # have been lost (the queue was down). The atomic claim makes a second delivery harmless.
        dispatch = _enqueue_run(run.pk) if run.status == RunStatus.QUEUED else None
    run.newly_requested = newly_requested
    run.queue_unreachable = dispatch is not None and dispatch.failed
    if newly_requested:
        logger.info(
            "run %s queued for round %s by user %s", run.pk, round.pk, getattr(by, "pk", None)
        )
    return run


def queue_unreachable_run_message(*, run: MatchingRun) -> str:
    """What the organizer is told when their run is saved but its task could not be sent."""
    return (
        f"Run #{run.pk} is saved and queued, but the task queue (Redis) is not reachable, so "
        "the matching has not started yet. It starts by itself within a couple of minutes of "
        "the queue coming back; there is no need to ask again."
    )


def run_cancel(*, run: MatchingRun, by) -> MatchingRun:
    """Stop a queued or running run; a working solver notices within a second or two."""
    now = timezone.now()
    updated = MatchingRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.CANCELLED,
        finished_at=now,
        error=f"Cancelled by {_who(by)}.",
    )
    run.refresh_from_db()
    if not updated:
        raise Conflict(f"Run #{run.pk} has already {run.get_status_display().lower()}.")
    RunCandidate.objects.filter(run=run).delete()
    logger.info("run %s cancelled by user %s", run.pk, getattr(by, "pk", None))
    return run


def _who(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return "the system"
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------------------------
# Executing a run (called by the Celery task)


class RunOutcome:
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRYING = "retrying"
    NOT_QUEUED = "not-queued"  # gone, finished, or claimed by another delivery
    ABANDONED = "abandoned"  # cancelled or taken over while solving: nothing stored


class _Reporter:
    """Heartbeat, throttled progress and cancellation checks for the run being solved.

    Every write is a conditional UPDATE on (run, status running, this attempt), so a worker
    whose run was cancelled or handed to another worker writes nothing and stops.
    """

    def __init__(self, run_id: int, attempt: int, *, low: int = 0, high: int = 100):
        self.run_id, self.attempt = run_id, attempt
        self.low, self.high = low, high
        stale = settings.MATCHING_HEARTBEAT_STALE_S
        # One small UPDATE at most this often, carrying the heartbeat and the latest progress.
        self.beat_every = max(0.2, min(1.0, stale / 4))
        self.last_write = 0.0
        self.written_progress: int | None = None
        self.pending_progress: int | None = None
        self.lost = False

    def _mine(self) -> QuerySet[MatchingRun]:
        return MatchingRun.objects.filter(
            pk=self.run_id, status=RunStatus.RUNNING, attempts=self.attempt
        )

    def write(self, progress: int | None = None) -> None:
        if progress is not None:
            self.pending_progress = progress
        fields = {"heartbeat_at": timezone.now()}
        if self.pending_progress is not None and self.pending_progress != self.written_progress:
            fields["progress"] = self.pending_progress
        if not self._mine().update(**fields):
            self.lost = True
        elif "progress" in fields:
            self.written_progress = fields["progress"]
        self.last_write = time.monotonic()

    def progress(self, fraction: float) -> None:
        self.pending_progress = int(
            self.low + (self.high - self.low) * max(0.0, min(1.0, fraction))
        )
        self.beat()

    def beat(self) -> None:
        if time.monotonic() - self.last_write >= self.beat_every:
            self.write()

    def should_stop(self) -> bool:
        self.beat()
        return self.lost


def _claim(run_id: int) -> MatchingRun | None:
    """Move a queued run to running, once however often the task is delivered."""
    with transaction.atomic():
        run = _locked(MatchingRun.objects.filter(pk=run_id)).first()
        if run is None or run.status != RunStatus.QUEUED:
            return None
        if run.attempts >= settings.MATCHING_MAX_ATTEMPTS:
            _fail(run, attempt=run.attempts, error=_attempts_used_message(run.attempts))
            return None
        now = timezone.now()
        claimed = MatchingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0,
        )
        if not claimed:
            return None
    return MatchingRun.objects.select_related("round__conference").get(pk=run_id)


def _attempts_used_message(attempts: int) -> str:
    return (
        f"The matching was interrupted {attempts} time{'s' if attempts != 1 else ''} (a worker "
        "stopped or ran out of time) and was given up; no plan was stored. Check that the "
        "Celery workers are running, then run the matching again, with a shorter time limit "
        "for a very large round."
    )


def _fail(run: MatchingRun, *, attempt: int, error: str) -> bool:
    failed = MatchingRun.objects.filter(
        pk=run.pk, status__in=ACTIVE_RUN_STATUSES, attempts=attempt
    ).update(status=RunStatus.FAILED, error=error, finished_at=timezone.now())
    if failed:
        RunCandidate.objects.filter(run_id=run.pk).delete()
    return bool(failed)


def run_execute(*, run_id: int) -> str:
    """Claim, solve and store one run; returns a ``RunOutcome``. Safe to call twice."""
    runs_sweep_stale(run_ids=[run_id])
    run = _claim(run_id)
    if run is None:
        return RunOutcome.NOT_QUEUED
    attempt = run.attempts
    meetup_round = run.round
    if meetup_round.status not in MATCHABLE_STATUSES:
        _fail(run, attempt=attempt, error="The round was closed before the matching ran.")
        return RunOutcome.FAILED
    reporter = _Reporter(run.pk, attempt, low=PROGRESS_SOLVE_START, high=PROGRESS_SOLVE_END)
    logger.info("run %s: attempt %s started", run.pk, attempt)
    try:
        problem = build_problem(round=meetup_round, seed=run.seed, time_limit_s=run.time_limit_s)
        reporter.write(PROGRESS_SOLVE_START)
        engine.check_feasible(problem)
        if run.portfolio > 1:
            _dispatch_portfolio(run, attempt)
        solution = engine.solve(
            problem,
            seed=run.seed,
            time_limit_s=run.time_limit_s,
            progress=reporter.progress,
            should_stop=reporter.should_stop,
        )
        if reporter.lost:
            return RunOutcome.ABANDONED
        best, chosen_seed = solution, run.seed
        if run.portfolio > 1:
            best, chosen_seed = _best_of_portfolio(run, attempt, problem, solution, reporter)
            if reporter.lost:
                return RunOutcome.ABANDONED
        stored = store_solution(
            run_id=run.pk, attempt=attempt, solution=best, chosen_seed=chosen_seed
        )
    except (engine.ProblemError, engine.InfeasibleError) as exc:
        text = "\n".join(exc.errors) if isinstance(exc, engine.ProblemError) else exc.message
        logger.info("run %s: the engine refused the round (%s)", run.pk, type(exc).__name__)
        _fail(
            run,
            attempt=attempt,
            error="The seating cannot be planned: "
            + humanize_engine_message(message=text)
            + "\nChange the tables, pins or requests named above, then run the matching again.",
        )
        return RunOutcome.FAILED
    except Exception as exc:  # includes Celery's SoftTimeLimitExceeded
        return _retry_or_fail(run, attempt, exc)
    return RunOutcome.SUCCEEDED if stored else RunOutcome.ABANDONED


def _retry_or_fail(run: MatchingRun, attempt: int, exc: BaseException) -> str:
    """An unexpected error: queue the run again while attempts remain, else fail it."""
    logger.exception("run %s: attempt %s crashed", run.pk, attempt)
    if isinstance(exc, SoftTimeLimitExceeded):
        reason = "it ran past the task's time limit"
    else:
        reason = f"{type(exc).__name__}: {exc}"[:300]
    if attempt < settings.MATCHING_MAX_ATTEMPTS:
        with transaction.atomic():
            requeued = MatchingRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, attempts=attempt
            ).update(
                status=RunStatus.QUEUED, error=f"Attempt {attempt} failed ({reason}); retrying."
            )
            if requeued:
                _enqueue_run(run.pk, countdown=min(60, 5 * attempt))
        return RunOutcome.RETRYING if requeued else RunOutcome.ABANDONED
    _fail(
        run,
        attempt=attempt,
        error=(
            f"The matching failed {attempt} times ({reason}); no plan was stored. Export the "
            "round's problem file from the plan page and send it to support."
        ),
    )
    return RunOutcome.FAILED


def store_solution(
    *, run_id: int, attempt: int, solution: engine.Solution, chosen_seed: int
) -> bool:
    """Store a solved plan: every seat and the metrics in one transaction, the run
    ``succeeded`` and an open round ``matched``. Only the attempt holding the run writes:
    False (nothing written) when the run was cancelled or handed to another attempt."""
    with transaction.atomic():
        run = _locked(
            MatchingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, attempts=attempt)
        ).first()
        if run is None:
            return False
        Seat.objects.filter(run_id=run_id).delete()
        Seat.objects.bulk_create(
            [
                Seat(run_id=run_id, person_id=pk_of_key(person), table_id=pk_of_key(table))
                for plan in solution.rounds
                for table, members in sorted(plan.tables.items())
                for person in members
            ],
            batch_size=1000,
        )
        now = timezone.now()
        MatchingRun.objects.filter(pk=run_id).update(
            status=RunStatus.SUCCEEDED,
            progress=100,
            metrics=solution.metrics,
            error="",
            finished_at=now,
            heartbeat_at=now,
            chosen_seed=chosen_seed,
            elapsed_s=solution.elapsed_s,
        )
        MeetupRound.objects.filter(pk=run.round_id, status=RoundStatus.OPEN).update(
            status=RoundStatus.MATCHED
        )
        RunCandidate.objects.filter(run_id=run_id).delete()
        caches.invalidate(caches.TABLES)  # bulk_create and update() send no signal
    return True


# ---------------------------------------------------------------------------------------------
# Portfolio: more seeds over the other workers


def _portfolio_seeds(run: MatchingRun) -> list[int]:
    return [(run.seed + index) % (MAX_SEED + 1) for index in range(1, run.portfolio)]


def _dispatch_portfolio(run: MatchingRun, attempt: int) -> None:
    from celery import group

    from . import tasks

    group(
        tasks.solve_candidate.si(run_id=run.pk, attempt=attempt, seed=seed)
        for seed in _portfolio_seeds(run)
    ).apply_async()


def candidate_solve(*, run_id: int, attempt: int, seed: int) -> bool:
    """Solve one extra seed of a portfolio run and store its plan for the claiming task.

    Does nothing when the run is no longer running this attempt (finished, cancelled, retried)
    or when another delivery already took this seed. The seed gets the time the claiming task
    has left, so every plan is ready when it looks.
    """
    run = (
        MatchingRun.objects.select_related("round__conference")
        .filter(pk=run_id, status=RunStatus.RUNNING, attempts=attempt)
        .first()
    )
    if run is None:
        return False
    try:
        with transaction.atomic():
            candidate = RunCandidate.objects.create(
                run=run, attempt=attempt, seed=seed, started_at=timezone.now()
            )
    except IntegrityError:
        return False
    reporter = _Reporter(run_id, attempt)
    solution = None
    try:
        problem = build_problem(round=run.round, seed=seed, time_limit_s=run.time_limit_s)
        late_s = (timezone.now() - run.started_at).total_seconds()
        solution = engine.solve(
            problem,
            seed=seed,
            time_limit_s=max(1.0, run.time_limit_s - late_s),
            should_stop=reporter.should_stop,
        )
    except (engine.ProblemError, engine.InfeasibleError):
        pass  # the claiming task reports the engine's message itself
    finally:
        # Always mark the seed finished, so the claiming task does not wait for it in vain.
        RunCandidate.objects.filter(pk=candidate.pk).update(
            solution=engine.solution_to_dict(solution) if solution is not None else {},
            finished_at=timezone.now(),
        )
    if reporter.lost:
        RunCandidate.objects.filter(pk=candidate.pk).delete()
    return solution is not None


def _best_of_portfolio(
    run: MatchingRun,
    attempt: int,
    problem: engine.Problem,
    own: engine.Solution,
    reporter: _Reporter,
) -> tuple[engine.Solution, int]:
    """Wait for the other seeds (bounded), then keep the best plan by ``engine.plan_rank``.

    Seeds that started get until the run's time limit (counted from the claim) plus
    ``PORTFOLIO_FINISH_GRACE_S``; seeds no worker picked up get ``PORTFOLIO_START_GRACE_S``.
    Every plan is scored again against this task's problem, so a plan solved from data that
    changed meanwhile cannot win with a broken constraint.
    """
    expected = run.portfolio - 1
    waited_from = timezone.now()
    deadline = max(waited_from, run.started_at + timedelta(seconds=run.time_limit_s)) + timedelta(
        seconds=PORTFOLIO_FINISH_GRACE_S
    )
    candidates = RunCandidate.objects.filter(run_id=run.pk, attempt=attempt)
    while not reporter.lost:
        started = candidates.count()
        done = candidates.filter(finished_at__isnull=False).count()
        now = timezone.now()
        if done >= expected or now >= deadline:
            break
        if done == started and (now - waited_from).total_seconds() >= PORTFOLIO_START_GRACE_S:
            break  # every seed that started is done; the others found no free worker
        reporter.beat()
        time.sleep(0.2)

    best, best_seed = own, run.seed
    best_rank = engine.plan_rank(own.metrics)
    for seed, data in candidates.filter(finished_at__isnull=False).values_list("seed", "solution"):
        if not data:
            continue
        try:
            solution = engine.solution_from_dict(data, problem)
        except engine.ProblemError:
            continue
        metrics = engine.score(problem, solution)
        rank = engine.plan_rank(metrics)
        if rank < best_rank:
            best = engine.Solution(
                rounds=solution.rounds, metrics=metrics, elapsed_s=solution.elapsed_s
            )
            best_rank, best_seed = rank, seed
    return best, best_seed


# ---------------------------------------------------------------------------------------------
# Abandoned runs


def runs_sweep_stale(
    *, round: MeetupRound | None = None, run_ids: Iterable[int] | None = None
) -> int:
    """Queue again (or fail) running runs whose heartbeat went silent; nudge lost queued runs.

    A run is abandoned when its heartbeat is older than ``MATCHING_HEARTBEAT_STALE_S``: its
    worker died or was killed. It goes back to ``queued`` and is enqueued again while attempts
    remain, and fails with a readable error after ``MATCHING_MAX_ATTEMPTS``. A queued run that
    no worker has claimed for that long is enqueued again (its message may have been lost);
    the atomic claim makes the extra delivery harmless. Returns how many runs it touched.
    """
    stale_s = settings.MATCHING_HEARTBEAT_STALE_S
    cutoff = timezone.now() - timedelta(seconds=stale_s)
    candidates = MatchingRun.objects.filter(
        Q(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
        | Q(status=RunStatus.RUNNING, heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(status=RunStatus.QUEUED, created_at__lt=cutoff)
        & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    )
    if round is not None:
        candidates = candidates.filter(round=round)
    if run_ids is not None:
        candidates = candidates.filter(pk__in=list(run_ids))
    touched = 0
    for run_id in candidates.values_list("pk", flat=True):
        touched += _sweep_one(run_id, cutoff)
    return touched


def _sweep_one(run_id: int, cutoff) -> int:
    with transaction.atomic():
        lock = (
            {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}
        )
        run = _locked(MatchingRun.objects.filter(pk=run_id), **lock).first()
        if run is None or run.status not in ACTIVE_RUN_STATUSES:
            return 0
        beat = run.heartbeat_at or (run.started_at if run.status == RunStatus.RUNNING else None)
        if beat is not None and beat >= cutoff:
            return 0
        now = timezone.now()
        if run.status == RunStatus.QUEUED:
            MatchingRun.objects.filter(pk=run_id).update(heartbeat_at=now)
            _enqueue_run(run_id)
            logger.warning("run %s: still queued, enqueued again", run_id)
            return 1
        if run.attempts >= settings.MATCHING_MAX_ATTEMPTS:
            _fail(run, attempt=run.attempts, error=_attempts_used_message(run.attempts))
            logger.warning("run %s: abandoned by its worker, attempts used up", run_id)
            return 1
        MatchingRun.objects.filter(pk=run_id).update(
            status=RunStatus.QUEUED,
            heartbeat_at=now,
            error=f"Attempt {run.attempts} stopped responding (its worker may have died); retrying.",
        )
        _enqueue_run(run_id)
        logger.warning("run %s: abandoned by its worker, queued again", run_id)
        return 1


# ---------------------------------------------------------------------------------------------
# Moving a person by hand


_VIOLATION_MESSAGES = {
    "one_table": "{name} would sit at two tables.",
    "attendance": "{name} is not going to this round.",
    "capacity": "Table {table} is full ({capacity} seats).",
    "avoid": (
        "{name} cannot sit at table {table}: someone there must not share a table with them "
        "(a private request). Choose another table."
    ),
    "together": (
        "{name} asked to sit with someone who would be left at another table; move them together."
    ),
    "pinned": "{name} hosts a table and stays there.",
    "accessible": "{name} needs an accessible table, and table {table} is not one.",
    "unseated_with_room": "Someone going would be left without a seat while there is room.",
}
# A refusal for a reason the organizer may not learn (someone blocked them).
_REFUSED_MESSAGE = "{name} cannot sit at table {table} in this plan. Choose another table."


def seat_move(*, run: MatchingRun, person: Person, table: DrinkTable, by) -> dict:
    """Move ``person`` to ``table`` in the run's plan (or seat them, if they had no seat).

    Refused with a ``ServiceError`` naming the hard constraint the move would break; the plan
    is scored by the engine against the round as it is now, and a move is refused only for a
    violation it adds. Returns the plan's new metrics.
    """
    with transaction.atomic():
        run = (
            _locked(MatchingRun.objects.filter(pk=run.pk)).select_related("round__conference").get()
        )
        meetup_round = run.round
        if run.status != RunStatus.SUCCEEDED:
            raise Conflict("Only the plan of a finished run can be changed.")
        if meetup_round.status in (RoundStatus.HELD, RoundStatus.CANCELLED):
            raise Conflict(
                f"This round is {meetup_round.get_status_display().lower()}; "
                "its plan can no longer change."
            )
        if meetup_round.published_run_id == run.pk and meetup_round.status == RoundStatus.PUBLISHED:
            raise Conflict(
                "This plan is published. Unpublish it before moving people, then publish it "
                "again: only the people whose table changed are told."
            )
        if table.conference_id != meetup_round.conference_id or table.pk not in {
            t.pk for t in round_tables(round=meetup_round)
        }:
            raise ServiceError("Choose one of this round's tables.", field="table")

        problem = build_problem(round=meetup_round)
        key = person_key(person.pk)
        if key not in {p.id for p in problem.people}:
            raise ServiceError(
                f"{person.display_name} is not going to this round (or opted out of matching).",
                field="person",
            )
        seats = dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
        if seats.get(person.pk) == table.pk:
            raise ServiceError(
                f"{person.display_name} already sits at table {table.label}.", field="table"
            )
        before = solution_from_seats(problem=problem, seats=seats)
        seats[person.pk] = table.pk
        moved = solution_from_seats(problem=problem, seats=seats)
        broken, after = _violations_added(problem, before, moved)
        if broken:
            # Say only what the organizer may know: a block against them is not named.
            visible = problem_for_viewer(problem=problem, viewer=by)
            if visible is not problem:
                broken, _ = _violations_added(visible, before, moved)
            raise ServiceError(
                " ".join(
                    _VIOLATION_MESSAGES[name].format(
                        name=person.display_name, table=table.label, capacity=table.capacity
                    )
                    for name in broken
                )
                or _REFUSED_MESSAGE.format(name=person.display_name, table=table.label),
                field="table",
            )
        Seat.objects.update_or_create(run=run, person=person, defaults={"table": table})
        MatchingRun.objects.filter(pk=run.pk).update(metrics=after, edited=True)
    logger.info("run %s: a seat was moved by user %s", run.pk, getattr(by, "pk", None))
    return after


def _violations_added(
    problem: engine.Problem, before: engine.Solution, after: engine.Solution
) -> tuple[list[str], dict]:
    """The hard constraints ``after`` breaks more often than ``before``, and its metrics."""
    old, new = engine.score(problem, before), engine.score(problem, after)
    added = [
        name
        for name in engine.HARD_CONSTRAINTS
        if new["violations"][name] > old["violations"][name]
    ]
    return added, new


def solution_from_seats(*, problem: engine.Problem, seats: Mapping[int, int]) -> engine.Solution:
    """Seats (person pk -> table pk) as a one-round solution of ``problem``; people or tables
    the problem does not know are left out, people of the problem without a seat are unseated."""
    tables: dict[str, list[str]] = {t.id: [] for t in problem.tables}
    attending = {p.id for p in problem.people}
    for person_id, table_id in sorted(seats.items()):
        key = person_key(person_id)
        if key in attending and table_key(table_id) in tables:
            tables[table_key(table_id)].append(key)
    seated = {key for members in tables.values() for key in members}
    plan = engine.RoundPlan(
        round=1,
        tables={table: tuple(members) for table, members in tables.items()},
        unseated=tuple(p.id for p in problem.people if p.id not in seated),
    )
    return engine.Solution(rounds=(plan,))


# ---------------------------------------------------------------------------------------------
# The round workflow: publish, unpublish, held, cancel


def latest_succeeded_run(*, round: MeetupRound) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(round=round, status=RunStatus.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )


def _enqueue_notices(round_id: int) -> Dispatch:
    """Send the notices task after the commit; if the task queue is down, the notices stay
    pending in the database and ``notices_sweep_pending`` sends the task again later."""
    from . import tasks

    return task_send_on_commit(tasks.send_round_notices, kwargs={"round_id": round_id})


def round_publish(
    *, round: MeetupRound, by, run: MatchingRun | None = None, notify: bool = True
) -> MeetupRound:
    """Make a run (by default the latest finished one) the round's plan and tell attendees.

    Each seated attendee gets one e-mail with their table and an .ics; on a re-publish only
    those whose table changed (or who lost their seat) hear again. Publishing the plan that is
    already published changes nothing, but sends the notices still owed, if any.
    ``notify=False`` (the demo) sends nothing. When the task queue cannot be reached the round
    is published all the same (``round.queue_unreachable`` is True) and the notices go out once
    it is back (``notices_sweep_pending``).
    """
    with transaction.atomic():
        meetup_round = _locked(MeetupRound.objects.filter(pk=round.pk)).get()
        no_plan = "There is no finished plan to publish yet: run the matching first."
        if meetup_round.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise Conflict(no_plan)
        if not meetup_round.can_become(RoundStatus.PUBLISHED):
            raise Conflict(
                f"This round is {meetup_round.get_status_display().lower()}; "
                "its plan can no longer be published."
            )
        run = run or latest_succeeded_run(round=meetup_round)
        if run is None or run.round_id != meetup_round.pk or run.status != RunStatus.SUCCEEDED:
            raise Conflict(no_plan)
        if run.metrics and engine.hard_violations(run.metrics):
            raise Conflict("This plan breaks a hard constraint; run the matching again.")
        dispatch = None
        if meetup_round.status == RoundStatus.PUBLISHED and meetup_round.published_run_id == run.pk:
            # Nothing changes; notices still owed (the task queue was down) are sent again.
            if notify and _pending_notices(meetup_round):
                dispatch = _enqueue_notices(meetup_round.pk)
        else:
            meetup_round.published_run = run
            meetup_round.published_at = timezone.now()
            meetup_round.status = RoundStatus.PUBLISHED
            meetup_round.save(update_fields=["published_run", "published_at", "status"])
            logger.info(
                "round %s: run %s published by user %s", round.pk, run.pk, getattr(by, "pk", None)
            )
            if notify:
                dispatch = _enqueue_notices(meetup_round.pk)
    meetup_round.queue_unreachable = dispatch is not None and dispatch.failed
    return meetup_round


def round_unpublish(*, round: MeetupRound, by) -> MeetupRound:
    """Take the plan back to review; attendees keep what they were told until it is published."""
    with transaction.atomic():
        meetup_round = _locked(MeetupRound.objects.filter(pk=round.pk)).get()
        if meetup_round.status != RoundStatus.PUBLISHED:
            raise Conflict("Only a published round can be unpublished.")
        meetup_round.status = RoundStatus.MATCHED
        meetup_round.published_run = None
        meetup_round.published_at = None
        meetup_round.save(update_fields=["status", "published_run", "published_at"])
    logger.info("round %s unpublished by user %s", round.pk, getattr(by, "pk", None))
    return meetup_round


def round_mark_held(*, round: MeetupRound, by) -> int:
    """Mark a published round held and record a ``seated`` encounter for every pair who shared
    a table. Returns how many encounters were created; doing it again creates none."""
    with transaction.atomic():
        meetup_round = (
            _locked(MeetupRound.objects.filter(pk=round.pk)).select_related("conference").get()
        )
        if meetup_round.status not in (RoundStatus.PUBLISHED, RoundStatus.HELD):
            raise Conflict("Publish the plan before marking the round held.")
        if meetup_round.status == RoundStatus.PUBLISHED:
            if meetup_round.starts_at > timezone.now():
                raise Conflict(
                    "This round has not started yet; mark it held once the evening took place."
                )
            meetup_round.status = RoundStatus.HELD
            meetup_round.held_at = timezone.now()
            meetup_round.save(update_fields=["status", "held_at"])
        created = encounters_record_round(round=meetup_round)
    logger.info(
        "round %s held: %s encounters by user %s", round.pk, created, getattr(by, "pk", None)
    )
    return created


def encounters_record_round(*, round: MeetupRound) -> int:
    """Create the ``seated`` encounters of a round's published plan that do not exist yet."""
    tables: dict[int, list[int]] = defaultdict(list)
    for table_id, person_id in (
        Seat.objects.filter(run_id=round.published_run_id)
        .order_by("table_id", "person_id")
        .values_list("table_id", "person_id")
    ):
        tables[table_id].append(person_id)
    pairs = {
        (a, b)
        for members in tables.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }
    existing = set(
        Encounter.objects.filter(round=round, kind=EncounterKind.SEATED).values_list(
            "person_a_id", "person_b_id"
        )
    )
    new = sorted(pairs - existing)
    encounters_create(round=round, pairs=new, kind=EncounterKind.SEATED)
    return len(new)


def round_cancel(*, round: MeetupRound, by) -> MeetupRound:
    """Cancel the round: active runs stop, and anyone told a table hears it is cancelled."""
    with transaction.atomic():
        meetup_round = _locked(MeetupRound.objects.filter(pk=round.pk)).get()
        if meetup_round.status == RoundStatus.HELD:
            raise Conflict("This round has been held; it can no longer be cancelled.")
        if meetup_round.status == RoundStatus.CANCELLED:
            raise Conflict("This round is already cancelled.")
        meetup_round.status = RoundStatus.CANCELLED
        meetup_round.save(update_fields=["status"])
        MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES).update(
            status=RunStatus.CANCELLED,
            finished_at=timezone.now(),
            error="The round was cancelled.",
        )
        RunCandidate.objects.filter(run__round=meetup_round).delete()
        dispatch = None
        if SeatNotification.objects.filter(round=meetup_round, table__isnull=False).exists():
            dispatch = _enqueue_notices(meetup_round.pk)
    meetup_round.queue_unreachable = dispatch is not None and dispatch.failed
    logger.info("round %s cancelled by user %s", round.pk, getattr(by, "pk", None))
    return meetup_round


# ---------------------------------------------------------------------------------------------
# Notices: tell each attendee their table, once, and again only when it changes


NOTICE_BATCH_SIZE = 50


@dataclass(frozen=True)
class NoticeBatch:
    sent: int
    remaining: int


def notices_send_batch(*, round_id: int, batch_size: int | None = None) -> NoticeBatch:
    """Send the next batch of table notices for a round and record what each person was told.

    What a person should know: their table in the published plan, or no table (they lost their
    seat, or the round was cancelled). Whoever was told something else, or nothing while they
    have a table, gets an e-mail. Runs under the round's row lock so two deliveries never send
    the same batch; a crash before the commit may send a batch twice (at-least-once).
    """
    from .notices import build_notice

    with transaction.atomic():
        meetup_round = (
            _locked(MeetupRound.objects.filter(pk=round_id)).select_related("conference").first()
        )
        if meetup_round is None:
            return NoticeBatch(sent=0, remaining=0)
        pending = _pending_notices(meetup_round)
        batch = pending[: batch_size or NOTICE_BATCH_SIZE]
        if not batch:
            return NoticeBatch(sent=0, remaining=0)
        messages, told = build_notice(round=meetup_round, changes=batch)
        if messages:
            from django.core.mail import get_connection

            with get_connection() as mail:
                mail.send_messages(messages)
        now = timezone.now()
        SeatNotification.objects.bulk_create(
            [
                SeatNotification(
                    round=meetup_round, person_id=person_id, table_id=table_id, sent_at=now
                )
                for person_id, table_id in told
            ],
            update_conflicts=True,
            unique_fields=["round", "person"],
            update_fields=["table", "sent_at"],
        )
    return NoticeBatch(sent=len(messages), remaining=len(pending) - len(batch))


@dataclass(frozen=True)
class NoticeChange:
    person_id: int
    table_id: int | None  # the table they should know about; None: no table any more
    previous_table_id: int | None  # what they were told; None: nothing, or "no table"
    told_before: bool


def _pending_notices(meetup_round: MeetupRound) -> list[NoticeChange]:
    told = dict(
        SeatNotification.objects.filter(round=meetup_round).values_list("person_id", "table_id")
    )
    if meetup_round.status == RoundStatus.PUBLISHED:
        should_know = dict(
            Seat.objects.filter(run_id=meetup_round.published_run_id).values_list(
                "person_id", "table_id"
            )
        )
    elif meetup_round.status == RoundStatus.CANCELLED:
        should_know = {}
    else:
        return []  # unpublished: people keep what they know until the next publish
    changes = []
    for person_id in sorted(set(told) | set(should_know)):
        table_id = should_know.get(person_id)
        previous = told.get(person_id)
        if table_id != previous:
            changes.append(
                NoticeChange(
                    person_id=person_id,
                    table_id=table_id,
                    previous_table_id=previous,
                    told_before=person_id in told,
                )
            )
    return changes


def pending_notice_count(*, round: MeetupRound) -> int:
    return len(_pending_notices(round))


def queue_unreachable_notices_message(*, pending: int, cancelled: bool = False) -> str:
    """What the organizer is told when the e-mails to attendees could not be queued."""
    what = (
        "the e-mails telling attendees the round is cancelled"
        if cancelled
        else f"the e-mails telling attendees their table ({pending} to send)"
    )
    return (
        f"Done, but the task queue (Redis) is not reachable, so {what} have not gone out yet. "
        "They go out by themselves once the queue is back."
    )


# Notices about a round that ended this long ago are no use any more.
NOTICE_SWEEP_AFTER_START = timedelta(hours=6)


def notices_sweep_pending() -> int:
    """Send the notices task again for every round that still owes notices.

    Publishing sends the task once; if the task queue was down then, or the task gave up (the
    mail server was down too long), this catches up (Celery beat calls it). A round counts while
    its evening has not long passed. A second delivery is harmless: batches are sent under the
    round's row lock and each person is told once. Returns how many rounds it sent again.
    """
    rounds = MeetupRound.objects.filter(
        status__in=(RoundStatus.PUBLISHED, RoundStatus.CANCELLED),
        starts_at__gt=timezone.now() - NOTICE_SWEEP_AFTER_START,
    )
    sent = 0
    for meetup_round in rounds:
        if _pending_notices(meetup_round):
            dispatch = _enqueue_notices(meetup_round.pk)
            sent += not dispatch.failed
            logger.info("round %s: notices still owed, sent again", meetup_round.pk)
    return sent


# ---------------------------------------------------------------------------------------------
# The demo


DEMO_TIME_LIMIT_S = 3.0
DEMO_SEED = 2009


@dataclass(frozen=True)
class DemoRound:
    round: MeetupRound
    seated: int
    metrics: dict
    encounters: int  # created now (0 when the demo was loaded before)


@dataclass(frozen=True)
class DemoMatch:
    current: DemoRound | None
    history: list[DemoRound]


def demo_match(*, conference: Conference) -> DemoMatch:
    """Seat the demo with the matcher, without e-mailing anyone (safe to run again).

    The two most recent past editions get a held evening round seated by the engine, with its
    ``seated`` encounters and some ``met`` ones; then the first open round of ``conference`` is
    seated and published, so the dashboard shows tables at once. Solved in-process (no worker
    needed), a few seconds each.
    """
    from conferences.demo import demo_met_pairs, demo_past_round

    past = Conference.objects.filter(
        series_id=conference.series_id, starts_on__lt=conference.starts_on
    ).order_by("-starts_on")[:2]
    history = []
    for edition in reversed(list(past)):
        meetup_round = demo_past_round(conference=edition)
        held = _demo_seat(meetup_round)
        created = 0
        if held.status != RoundStatus.HELD:
            held = round_publish(round=held, by=None, notify=False)
            created = round_mark_held(round=held, by=None)
            seated_pairs = list(
                Encounter.objects.filter(round=held, kind=EncounterKind.SEATED).values_list(
                    "person_a_id", "person_b_id"
                )
            )
            met = demo_met_pairs(pairs=seated_pairs, conference=edition)
            encounters_create(round=held, pairs=met, kind=EncounterKind.MET)
            created += len(met)
        history.append(_demo_summary(held, created))

    first_open = (
        MeetupRound.objects.filter(conference=conference)
        .exclude(status__in=[RoundStatus.DRAFT, RoundStatus.CANCELLED])
        .order_by("starts_at", "pk")
        .first()
    )
    current = None
    if first_open is not None:
        seated = _demo_seat(first_open)
        if seated.status == RoundStatus.MATCHED:
            seated = round_publish(round=seated, by=None, notify=False)
        current = _demo_summary(seated, 0)
    return DemoMatch(current=current, history=history)


def _demo_seat(meetup_round: MeetupRound) -> MeetupRound:
    """Solve the round in-process unless it already has a plan."""
    if latest_succeeded_run(round=meetup_round) is None:
        MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now(), error="Replaced by the demo."
        )
        run = MatchingRun.objects.create(
            round=meetup_round, seed=DEMO_SEED, time_limit_s=DEMO_TIME_LIMIT_S
        )
        outcome = run_execute(run_id=run.pk)
        if outcome != RunOutcome.SUCCEEDED:
            run.refresh_from_db()
            raise RuntimeError(f"The demo round {meetup_round} could not be seated: {run.error}")
    return MeetupRound.objects.select_related("conference").get(pk=meetup_round.pk)


def _demo_summary(meetup_round: MeetupRound, created: int) -> DemoRound:
    run = meetup_round.published_run or latest_succeeded_run(round=meetup_round)
    return DemoRound(
        round=meetup_round,
        seated=run.seats.count() if run else 0,
        metrics=run.metrics if run else {},
        encounters=created,
    )
