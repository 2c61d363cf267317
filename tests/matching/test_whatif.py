"""The what-if of the insights (issue 15.5): the series simulation started from a conference's
real history, as a Celery task with progress, scoped to the conference's organizers."""

import datetime as dt

import pytest

from attendees.enums import EncounterKind
from conferences.enums import RoundStatus
from config.exceptions import NotFound, ServiceError
from matching.enums import RunStatus
from matching.models import WhatIfSimulation
from matching.services import whatif
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


class Series:
    """Last year's edition (8 people who met there) and this year's: those 8 back with 4
    newcomers, two tables of 6 and one round."""

    def __init__(self):
        self.organizer = OrganizerFactory()
        last = ConferenceFactory(name="Summit 2025", starts_on=dt.date(2025, 6, 1))
        self.conference = ConferenceFactory(
            name="Summit 2026", series=last.series, starts_on=dt.date(2026, 6, 1)
        )
        for conference in (last, self.conference):
            conference.organizers.add(self.organizer)
        self.returning = [PersonFactory(full_name=f"Old {n}") for n in range(8)]
        self.newcomers = [PersonFactory(full_name=f"New {n}") for n in range(4)]
        for person in self.returning:
            AttendanceFactory(person=person, conference=last)
        for person in self.returning + self.newcomers:
            AttendanceFactory(person=person, conference=self.conference)
        for a, b in zip(self.returning, self.returning[1:], strict=False):
            EncounterFactory(person_a=a, person_b=b, conference=last, kind=EncounterKind.IMPORTED)
        for label in ("A", "B"):
            DrinkTableFactory(conference=self.conference, label=label, capacity=6)
        MeetupRoundFactory(conference=self.conference, status=RoundStatus.OPEN)


@pytest.fixture
def series():
    return Series()


def test_the_start_is_the_conference_before_it_began(series):
    problem = whatif.whatif_problem(conference=series.conference)

    assert len(problem.people) == 12
    assert {p.id for p in problem.people if p.newcomer} == {f"p{p.pk}" for p in series.newcomers}
    assert len(problem.ties) == 7  # a chain of eight returning people, met a year before
    assert all(0.7 < tie.weight < 0.8 for tie in problem.ties)  # 1 × 0.5^(1/3)
    assert [t.capacity for t in problem.tables] == [6, 6]
    assert problem.rounds == 1
    assert problem.options.friend_threshold == 0.6


def test_the_task_stores_every_policy_and_scenario_with_progress(
    series, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        requested = whatif.whatif_request(conference_id=series.conference.pk, by=series.organizer)

    simulation = WhatIfSimulation.objects.get(pk=requested.simulation.pk)
    assert requested.newly_requested is True
    assert simulation.status == RunStatus.SUCCEEDED, simulation.error
    assert simulation.progress == 100
    assert simulation.started_at is not None and simulation.finished_at is not None
    result = simulation.result
    assert result["format"] == "drinktables.whatif.v1"
    assert result["start"] == {
        "people": 12,
        "newcomers": 4,
        "ties": 7,
        "lasting_ties": 7,
        "tables": 2,
        "evenings": 1,
    }
    assert result["policies"] == ["drinktables", "friends-first", "mingle"]
    assert sorted(result["scenarios"]) == ["default", "high", "low"]
    for scenario in result["scenarios"].values():
        assert sorted(scenario) == sorted(result["policies"])
        for editions in scenario.values():
            assert [row["edition"] for row in editions] == [1, 2, 3, 4]
            assert set(editions[0]) == set(whatif.FIGURES)
            assert editions[0]["attendees"] == 12 and editions[0]["newcomers"] == 4
            assert editions[-1]["newcomer_return_rate"] is None
            assert all(row["newcomer_ties_to_returning"] >= 0 for row in editions)


def test_progress_is_written_while_it_runs(series, monkeypatch):
    simulation = WhatIfSimulation.objects.create(conference=series.conference)
    seen: list[int] = []
    original = whatif.whatif_simulate

    def watching(problem, *, progress=None):
        def spy(fraction):
            progress(fraction)
            seen.append(WhatIfSimulation.objects.get(pk=simulation.pk).progress)

        return original(problem, progress=spy)

    monkeypatch.setattr(whatif, "whatif_simulate", watching)
    assert whatif.whatif_execute(simulation_id=simulation.pk) == "succeeded"

    assert seen[0] >= 1 and seen[-1] == 95
    assert seen == sorted(seen)
    # A second delivery of the same task changes nothing.
    assert whatif.whatif_execute(simulation_id=simulation.pk) == "not queued"


def test_an_organizer_of_another_series_can_neither_start_nor_see_it(series):
    stranger = OrganizerFactory()
    ConferenceFactory().organizers.add(stranger)
    WhatIfSimulation.objects.create(conference=series.conference)

    with pytest.raises(NotFound):
        whatif.whatif_request(conference_id=series.conference.pk, by=stranger)
    with pytest.raises(NotFound):
        whatif.whatif_latest(conference_id=series.conference.pk, by=stranger)
    assert WhatIfSimulation.objects.count() == 1


def test_asking_again_while_one_works_returns_it(series, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = whatif.whatif_request(conference_id=series.conference.pk, by=series.organizer)
        second = whatif.whatif_request(conference_id=series.conference.pk, by=series.organizer)

    assert second.simulation.pk == first.simulation.pk
    assert second.newly_requested is False


def test_a_conference_without_tables_is_refused_with_what_to_do(series):
    series.conference.tables.update(active=False)

    with pytest.raises(ServiceError) as refused:
        whatif.whatif_request(conference_id=series.conference.pk, by=series.organizer)

    assert "no active tables" in refused.value.message
    assert not WhatIfSimulation.objects.exists()


def test_a_what_if_whose_worker_went_silent_is_failed_when_looked_at(series, settings):
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    simulation = WhatIfSimulation.objects.create(
        conference=series.conference, status=RunStatus.RUNNING, heartbeat_at=stale
    )

    latest = whatif.whatif_latest(conference_id=series.conference.pk, by=series.organizer)

    assert latest.pk == simulation.pk
    assert latest.status == RunStatus.FAILED
    assert "stopped" in latest.error
