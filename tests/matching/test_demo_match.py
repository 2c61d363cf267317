"""load_demo --match: a Drink Tables history at the past editions and a published round now."""

import pytest
from django.core import mail
from django.core.management import call_command

from attendees.enums import EncounterKind
from attendees.models import Encounter
from conferences.enums import RoundStatus
from conferences.models import Conference, MeetupRound
from matching.demo import match as demo_match
from matching.models import MatchingRun, Seat

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "runs": MatchingRun.objects.count(),
        "seats": Seat.objects.count(),
        "encounters": Encounter.objects.count(),
        "rounds": MeetupRound.objects.count(),
    }


def test_load_demo_match_seats_history_and_the_first_round_once(capsys, monkeypatch):
    monkeypatch.setattr(demo_match, "DEMO_TIME_LIMIT_S", 1.0)

    call_command("load_demo", "--match")

    out = capsys.readouterr().out
    editions = list(Conference.objects.order_by("starts_on"))
    current, past = editions[-1], editions[-3:-1]
    for edition in past:
        held = MeetupRound.objects.get(conference=edition)
        assert held.status == RoundStatus.HELD
        seats = Seat.objects.filter(run=held.published_run).count()
        assert seats > 100
        assert Encounter.objects.filter(round=held, kind=EncounterKind.SEATED).count() > seats
        assert Encounter.objects.filter(round=held, kind=EncounterKind.MET).exists()
        assert f"{edition.name}, Evening drinks: held, {seats} seated" in out
    assert not MeetupRound.objects.filter(conference__in=editions[:-3]).exists()
    first, second = MeetupRound.objects.filter(conference=current).order_by("starts_at")
    assert first.status == RoundStatus.PUBLISHED
    assert sum(first.published_run.metrics["violations"].values()) == 0
    assert second.status == RoundStatus.OPEN
    assert f"/organize/rounds/{first.pk}/plan/" in out
    assert mail.outbox == []  # the demo tells nobody

    before = counts()
    call_command("load_demo", "--match")
    assert counts() == before
