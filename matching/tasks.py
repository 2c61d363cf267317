"""Celery tasks of matching runs and table notices: thin, idempotent, ids only.

The state of a run lives on ``MatchingRun``, never in the result backend. Deliveries are
at-least-once (``acks_late``, a prefetch of 1, redelivered when a worker dies), so every task
may run twice: the services make the second delivery change nothing.

Time limits sit below the broker's visibility timeout (settings refuse a configuration where
they would not), so a long run is never handed to a second worker while the first still works.
"""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from config.queue import task_send
from matching.enums import ACTIVE_RUN_STATUSES
from matching.models import MatchingRun
from matching.services import met_prompts, notices, portfolio, runs, seating, whatif

logger = logging.getLogger(__name__)

# Solving is bounded by the run's own limit (at most MATCHING_MAX_TIME_LIMIT_S, portfolio seeds
# included); these leave a minute for building the problem and storing the plan. Settings
# refuse a visibility timeout below MATCHING_MAX_TIME_LIMIT_S + 120, so both stay under it.
RUN_SOFT_TIME_LIMIT_S = settings.MATCHING_MAX_TIME_LIMIT_S + 60
RUN_HARD_TIME_LIMIT_S = settings.MATCHING_MAX_TIME_LIMIT_S + 90


@shared_task(
    name="matching.run_matching",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RUN_SOFT_TIME_LIMIT_S,
    time_limit=RUN_HARD_TIME_LIMIT_S,
    ignore_result=True,
)
def run_matching(self, *, run_id: int) -> str:
    """Solve a queued run and store its plan; a duplicate delivery changes nothing."""
    outcome = runs.run_execute(run_id=run_id)
    logger.info("run %s: %s", run_id, outcome)
    if outcome == runs.RunOutcome.NOT_QUEUED and not self.request.is_eager:
        # Another delivery holds the run. If its worker died (this may be the redelivery of
        # its message), the heartbeat goes stale: look again then, and recover the run.
        _watch_later(run_id)
    return outcome


@shared_task(name="matching.watch_run", bind=True, ignore_result=True)
def watch_run(self, *, run_id: int) -> None:
    """Recover the run if its worker went silent; keep watching while it is active."""
    runs.runs_sweep_stale(run_ids=[run_id])
    active = MatchingRun.objects.filter(pk=run_id, status__in=ACTIVE_RUN_STATUSES).exists()
    if active and not self.request.is_eager:
        _watch_later(run_id)


def _watch_later(run_id: int) -> None:
    watch_run.apply_async(
        kwargs={"run_id": run_id}, countdown=settings.MATCHING_HEARTBEAT_STALE_S + 1
    )


@shared_task(
    name="matching.solve_candidate",
    acks_late=True,
    soft_time_limit=RUN_SOFT_TIME_LIMIT_S,
    time_limit=RUN_HARD_TIME_LIMIT_S,
    ignore_result=True,
)
def solve_candidate(*, run_id: int, attempt: int, seed: int) -> bool:
    """One more seed of a portfolio run; the claiming task keeps the best plan."""
    return portfolio.candidate_solve(run_id=run_id, attempt=attempt, seed=seed)


@shared_task(name="matching.sweep_stale_runs", ignore_result=True)
def sweep_stale_runs() -> int:
    """Periodic (Celery beat): recover runs whose worker died."""
    return runs.runs_sweep_stale()


@shared_task(name="matching.sweep_pending_notices", ignore_result=True)
def sweep_pending_notices() -> int:
    """Periodic (Celery beat): send notices still owed (the queue or mail server was down)."""
    return notices.notices_sweep_pending()


# Mail tasks: retried while the mail server is away; each delivery sends batches until none
# remain (eagerly) or hands the rest to a new delivery (on a worker), so one delivery stays short.
MAIL_TASK = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 8,
    "ignore_result": True,
}


def _send_in_batches(task, send_batch, *, round_id: int) -> int:
    sent = 0
    while True:
        batch = send_batch(round_id=round_id)
        sent += batch.sent
        if not batch.remaining:
            return sent
        if not task.request.is_eager:
            # If the queue is down now, the rest waits for the sweep (Celery beat).
            task_send(task, kwargs={"round_id": round_id})
            return sent


@shared_task(name="matching.send_round_notices", **MAIL_TASK)
def send_round_notices(self, *, round_id: int) -> int:
    """Tell attendees their table (or that it changed), one batch per delivery."""
    sent = _send_in_batches(self, notices.notices_send_batch, round_id=round_id)
    logger.info("round %s: %s notices sent", round_id, sent)
    return sent


@shared_task(name="matching.rescore_plan", ignore_result=True)
def rescore_plan(*, run_id: int) -> None:
    """Score a published plan again after live changes (``seating.plan_rescore``)."""
    seating.plan_rescore(run_id=run_id)


@shared_task(
    name="matching.run_whatif",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RUN_SOFT_TIME_LIMIT_S,
    time_limit=RUN_HARD_TIME_LIMIT_S,
    ignore_result=True,
)
def run_whatif(*, simulation_id: int) -> str:
    """Simulate a queued what-if and store its result; a duplicate delivery changes nothing."""
    outcome = whatif.whatif_execute(simulation_id=simulation_id)
    logger.info("what-if %s: %s", simulation_id, outcome)
    return outcome


@shared_task(name="matching.sweep_pending_met_prompts", ignore_result=True)
def sweep_pending_met_prompts() -> int:
    """Periodic (Celery beat): send "who did you meet" e-mails still owed."""
    return met_prompts.met_prompts_sweep_pending()


@shared_task(name="matching.send_met_prompts", **MAIL_TASK)
def send_met_prompts(self, *, round_id: int) -> int:
    """Ask each seated attendee of a held round who they met, one batch per delivery."""
    sent = _send_in_batches(self, met_prompts.met_prompts_send_batch, round_id=round_id)
    logger.info("round %s: %s 'who did you meet' e-mails sent", round_id, sent)
    return sent
