import datetime as dt

import pytest
from django.core.management import call_command

from attendees.models import Attendance, Encounter, Person, RoundRSVP
from attendees.selectors.people import newcomer_ids
from conferences.models import Conference, DrinkTable, MeetupRound
from matching.demo.data import demo_load

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Conference, Person, Attendance, Encounter, DrinkTable, MeetupRound, RoundRSVP)
    }


def test_demo_is_a_series_with_history_newcomers_and_an_upcoming_round():
    summary = demo_load(today=TODAY)

    editions = list(
        Conference.objects.filter(series=summary.conference.series).order_by("starts_on")
    )
    assert len(editions) == 6
    assert editions[-1] == summary.conference
    assert summary.people >= 400
    assert Encounter.objects.count() > 2000
    newcomers = newcomer_ids(conference=summary.conference)
    attending = summary.conference.attendances.count()
    assert 0.15 < len(newcomers) / attending < 0.4
    upcoming = MeetupRound.objects.filter(conference=summary.conference, status="open")
    assert upcoming.count() == 2
    assert upcoming.first().starts_at.date() > TODAY
    assert RoundRSVP.objects.filter(round=upcoming.first(), status="going").count() > 250
    assert Person.objects.filter(organization="").count() == 0


def test_loading_the_demo_twice_duplicates_nothing():
    demo_load(today=TODAY)
    first = counts()
    demo_load(today=TODAY)
    assert counts() == first


def test_load_demo_command_prints_the_url_and_logins(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out
    assert "organizer" in out and "drinktables-demo" in out
    assert "@example.org" in out
