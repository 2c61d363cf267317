"""Heartbeat, progress and cancellation checks of a run while the engine solves it."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from matching.enums import RunStatus
from matching.models import MatchingRun

logger = logging.getLogger(__name__)


class RunReporter:
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
