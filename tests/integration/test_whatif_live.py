"""The what-if of the insights against real PostgreSQL, Redis and a Celery worker process."""

from matching import tasks
from matching.enums import RunStatus
from matching.models import WhatIfSimulation
from matching.services import whatif
from tests.matching.test_whatif import Series

from .worker import wait_for


def finished(simulation: WhatIfSimulation, worker, timeout_s: float = 120) -> WhatIfSimulation:
    def done():
        simulation.refresh_from_db()
        return simulation if not simulation.is_active else None

    return wait_for(
        done,
        timeout_s=timeout_s,
        message=lambda: (
            f"what-if #{simulation.pk} is still {simulation.status}.\n{worker.log_tail()}"
        ),
    )


def test_a_what_if_runs_in_the_worker_and_stores_every_policy(celery_worker):
    series = Series()

    requested = whatif.whatif_request(conference_id=series.conference.pk, by=series.organizer)
    simulation = finished(requested.simulation, celery_worker)

    assert simulation.status == RunStatus.SUCCEEDED, simulation.error
    assert simulation.progress == 100
    assert sorted(simulation.result["scenarios"]) == ["default", "high", "low"]
    assert simulation.result["start"]["people"] == 12


def test_the_same_what_if_delivered_twice_is_simulated_once(celery_worker):
    series = Series()
    simulation = WhatIfSimulation.objects.create(conference=series.conference)

    for _ in range(2):
        tasks.run_whatif.delay(simulation_id=simulation.pk)
    simulation = finished(simulation, celery_worker)
    first = (simulation.finished_at, simulation.result)

    def both_delivered():
        log = celery_worker.log()
        return log.count(f"what-if {simulation.pk}: ") >= 2

    wait_for(both_delivered, timeout_s=60, message=lambda: celery_worker.log_tail())
    simulation.refresh_from_db()
    assert simulation.status == RunStatus.SUCCEEDED
    assert (simulation.finished_at, simulation.result) == first
    assert f"what-if {simulation.pk}: not queued" in celery_worker.log()
