"""Past encounters: a conference that starts using Drink Tables brings its history."""

import datetime as dt

import pytest

from attendees.enums import EncounterKind
from attendees.imports import import_batch_confirm, import_batch_create, import_batch_preview
from attendees.models import Encounter
from attendees.registrations import RowError, encounters_import
from attendees.selectors.people import newcomer_ids
from conferences.enums import ImportKind
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    EncounterFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    SeriesFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    """Two earlier editions and the current one of a series, and four registered people."""
    series = SeriesFactory(name="NECC")
    editions = {
        year: ConferenceFactory(
            series=series,
            name=f"NECC {year}",
            slug=f"necc-{year}",
            starts_on=dt.date(year, 6, 28),
            ends_on=dt.date(year, 7, 1),
        )
        for year in (2023, 2024, 2025)
    }
    current = editions[2025]
    organizer = OrganizerFactory(conferences=list(editions.values()))
    people = {}
    for name in ("ann", "bo", "cy", "dee"):
        people[name] = PersonFactory(email=f"{name}@example.org")
        AttendanceFactory(person=people[name], conference=current)
    return {"editions": editions, "current": current, "organizer": organizer, "people": people}


def stored() -> list[tuple]:
    return sorted(
        Encounter.objects.values_list(
            "person_a__email", "person_b__email", "kind", "conference__slug", "round", "occurred_on"
        )
    )


def run(history, rows, **kwargs):
    return encounters_import(
        conference=history["current"], rows=rows, by=history["organizer"], **kwargs
    )


def test_pairs_become_imported_encounters_at_the_edition_named(history):
    result = run(
        history,
        [
            {"email_a": "Bo@example.org", "email_b": "ann@example.org", "conference": "2023"},
            {"email_a": "cy@example.org", "email_b": "dee@example.org", "conference": "necc-2024"},
        ],
    )

    assert (result.errors, result.counts(), result.applied) == (
        [],
        {"created": 2, "updated": 0, "unchanged": 0},
        True,
    )
    assert stored() == [
        ("ann@example.org", "bo@example.org", "imported", "necc-2023", None, dt.date(2023, 6, 28)),
        ("cy@example.org", "dee@example.org", "imported", "necc-2024", None, dt.date(2024, 6, 28)),
    ]
    # The history now counts: they are returning people at the current edition.
    assert newcomer_ids(conference=history["current"]) == set()


def test_the_same_history_twice_changes_nothing(history):
    rows = [{"email_a": "ann@example.org", "email_b": "bo@example.org", "conference": "2023"}]
    run(history, rows)
    before = stored()

    again = run(history, rows)

    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 1}
    assert stored() == before


def test_a_pair_the_app_already_recorded_at_that_edition_is_not_counted_twice(history):
    people, edition = history["people"], history["editions"][2024]
    meetup = MeetupRoundFactory(
        conference=edition, starts_at=dt.datetime(2024, 6, 28, 18, tzinfo=dt.UTC)
    )
    EncounterFactory(
        person_a=people["ann"],
        person_b=people["bo"],
        kind=EncounterKind.SEATED,
        conference=None,
        round=meetup,
        occurred_on=dt.date(2024, 6, 28),
    )

    result = run(
        history, [{"email_a": "ann@example.org", "email_b": "bo@example.org", "conference": "2024"}]
    )

    assert result.counts() == {"created": 0, "updated": 0, "unchanged": 1}
    assert Encounter.objects.count() == 1


def test_each_kind_of_bad_row_is_rejected_and_nothing_is_written(history):
    stranger_conference = ConferenceFactory(slug="someone-elses", series=SeriesFactory())
    outsider = PersonFactory(email="out@example.org")
    AttendanceFactory(person=outsider, conference=stranger_conference)
    online = ConferenceFactory(
        series=history["current"].series,
        slug="necc-2024-online",
        starts_on=dt.date(2024, 11, 2),
        ends_on=dt.date(2024, 11, 2),
    )
    online.organizers.add(history["organizer"])

    result = run(
        history,
        [
            {"email_a": "ann@example.org", "email_b": "bo@example.org", "conference": "2023"},
            {"email_a": "ann@example", "email_b": "bo@example.org", "conference": "2023"},
            {"email_a": "ann@example.org", "email_b": "ANN@example.org", "conference": "2023"},
            {"email_a": "ann@example.org", "email_b": "zed@example.org", "conference": "2023"},
            {"email_a": "ann@example.org", "email_b": "out@example.org", "conference": "2023"},
            {"email_a": "ann@example.org", "email_b": "cy@example.org", "conference": "2019"},
            {"email_a": "ann@example.org", "email_b": "cy@example.org", "conference": "2024"},
            {
                "email_a": "ann@example.org",
                "email_b": "cy@example.org",
                "conference": "someone-elses",
            },
            {"email_a": "ann@example.org", "email_b": "cy@example.org", "conference": ""},
            {"email_a": "bo@example.org", "email_b": "ann@example.org", "conference": "necc-2023"},
        ],
    )

    assert result.errors == [
        RowError(1, "email_a", "'ann@example' is not an e-mail address: correct it."),
        RowError(2, "email_b", "Both e-mails are the same: an encounter needs two people."),
        RowError(
            3,
            "email_b",
            "Nobody registered at your conferences has the e-mail zed@example.org: import their "
            "registration first, or remove the row.",
        ),
        RowError(
            4,
            "email_b",
            "Nobody registered at your conferences has the e-mail out@example.org: import their "
            "registration first, or remove the row.",
        ),
        RowError(
            5,
            "conference",
            "No edition of NECC that you organize started in 2019: add that edition in the admin "
            "first, or give a conference slug.",
        ),
        RowError(
            6,
            "conference",
            "2 editions started in 2024: give the slug instead (necc-2024, necc-2024-online).",
        ),
        RowError(
            7,
            "conference",
            'No conference you organize has the slug "someone-elses": check the spelling, or give '
            "the year of an edition of this series.",
        ),
        RowError(8, "conference", "The conference is missing: give its slug or year."),
        RowError(
            9,
            "",
            "Duplicate row: the same pair at the same edition is already in row 1; keep one of "
            "the two.",
        ),
    ]
    assert result.applied is False
    assert stored() == []


def test_the_csv_import_previews_then_imports_history(history):
    content = (
        b"email_a;email_b;conference\n"
        b"ann@example.org;bo@example.org;2023\n"
        b"cy@example.org;nobody@example.org;2024\n"
    )
    organizer = history["organizer"]
    batch = import_batch_create(
        conference_id=history["current"].pk,
        kind=ImportKind.ENCOUNTERS,
        filename="history.csv",
        content=content,
        by=organizer,
    )

    preview = import_batch_preview(batch_id=batch.pk, by=organizer)
    assert [(i.line, i.field) for i in preview.issues] == [(3, "email_b")]
    assert preview.can_confirm is False

    fixed = import_batch_create(
        conference_id=history["current"].pk,
        kind=ImportKind.ENCOUNTERS,
        filename="history.csv",
        content=content.replace(b"nobody", b"dee"),
        by=organizer,
    )
    preview = import_batch_preview(batch_id=fixed.pk, by=organizer)
    done = import_batch_confirm(batch_id=fixed.pk, by=organizer, expected=preview.counts())

    assert done.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    assert [(a, b, slug) for a, b, _, slug, _, _ in stored()] == [
        ("ann@example.org", "bo@example.org", "necc-2023"),
        ("cy@example.org", "dee@example.org", "necc-2024"),
    ]
