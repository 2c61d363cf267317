"""Names, bios, organizations, topics, table and round names holding HTML or script show as
text on every page that shows them, and the CSV, iCalendar and JSON exports keep their format.

Every HTML page must contain the hostile text (``alert(1)``), so it really shows the data, and
never the raw tags. The browser side (no dialog fires) is tests/e2e/test_hostile_text.py.
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendees.imports import import_batch_create
from attendees.tokens import api_token_create
from conferences.enums import ImportKind, RoundStatus
from tests.api.support import attendee_of, seated_round
from tests.attendees.helpers import sign_in
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    OrganizerFactory,
    SeriesFactory,
    TopicFactory,
    UserFactory,
)

from .conftest import api_client

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = [SCRIPT, IMG, "<script>", "<img src=x"]


def hostile(label: str) -> str:
    return f"{SCRIPT}{label}{IMG}"


class Hostile:
    def __init__(self):
        import datetime as dt

        self.conference = ConferenceFactory(
            name=hostile("Summit"),
            city=hostile("City"),
            slug="hostile-summit",
            series=SeriesFactory(name=hostile("Series")),
        )
        self.organizer = OrganizerFactory(conferences=[self.conference])
        self.topic = TopicFactory(name=hostile("Topic"), slug="hostile-topic")
        self.ann = attendee_of(self.conference, full_name="Ann Plain")
        self.ann.topics.set([self.topic])
        self.hal = attendee_of(
            self.conference,
            full_name=hostile("Hal"),
            bio="</textarea>" + hostile("Bio"),
            organization='=HYPERLINK("http://x")' + hostile("Org"),
        )
        self.hal.topics.set([self.topic])
        self.ida = attendee_of(self.conference, full_name="Ida " + IMG)
        table = DrinkTableFactory(
            conference=self.conference, label=IMG + "T1", location=hostile("Terrace\r\nX:Y")
        )
        self.published = seated_round(
            self.conference, {table: [self.ann, self.hal, self.ida]}, name=hostile("Evening")
        )
        self.held = seated_round(
            self.conference,
            {table: [self.ann, self.hal]},
            status=RoundStatus.HELD,
            name=hostile("Yesterday"),
            starts_at=timezone.now() - dt.timedelta(days=1),
        )
        EncounterFactory(person_a=self.ann, person_b=self.hal, conference=self.conference)
        self.batch = import_batch_create(
            conference_id=self.conference.pk,
            kind=ImportKind.REGISTRATIONS,
            filename=hostile("file") + ".csv",
            content=(
                f'email,full_name,organization\nnew@example.org,"{hostile("New")}",x\n'
            ).encode(),
            by=self.organizer,
        )


@pytest.fixture
def world(db):
    return Hostile()


def assert_shown_as_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert "alert(1)" in html, f"{url} does not show the hostile data at all"
    assert [raw for raw in RAW if raw in html] == [], url
    return html


def test_attendee_pages_show_hostile_text_as_text(client, world):
    sign_in(client, world.ann)
    for url in [
        reverse("dashboard:home"),
        reverse("dashboard:round", args=[world.published.pk]),
        reverse("dashboard:round", args=[world.held.pk]),
        reverse("dashboard:round", args=[world.held.pk]) + "?q=Hal",
        reverse("dashboard:met_search", args=[world.held.pk]) + "?q=Hal",
        reverse("dashboard:network"),
        reverse("dashboard:profile"),
        reverse("dashboard:blocks") + "?q=Hal",
        reverse("dashboard:block_search") + "?q=Hal",
        reverse("dashboard:together") + "?q=Hal",
        reverse("dashboard:together_search") + "?q=Hal",
    ]:
        assert_shown_as_text(client, url)


def test_hostile_text_in_my_own_profile_is_shown_as_text(client, world):
    sign_in(client, world.hal)
    html = assert_shown_as_text(client, reverse("dashboard:profile"))
    assert "&lt;/textarea&gt;" in html


def test_organizer_pages_show_hostile_text_as_text(client, world):
    client.force_login(world.organizer)
    slug = world.conference.slug
    for url in [
        reverse("organize:index"),
        reverse("organize:round_plan", args=[world.published.pk]),
        reverse("organize:round_plan", args=[world.published.pk]) + f"?move={world.hal.pk}",
        reverse("organize:table_cards", args=[world.published.pk]),
        reverse("organize:check_in", args=[world.published.pk]),
        reverse("organize:insights", args=[slug]),
        reverse("organize:import_registrations", args=[slug]),
        reverse("organize:import_preview", args=[slug, world.batch.pk]),
    ]:
        assert_shown_as_text(client, url)


def test_admin_lists_show_hostile_text_as_text(world):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in [
        "attendees/person",
        "attendees/attendance",
        "attendees/encounter",
        "attendees/roundrsvp",
        "conferences/conference",
        "conferences/series",
        "conferences/topic",
        "conferences/drinktable",
        "conferences/meetupround",
        "conferences/importbatch",
        "matching/matchingrun",
        "matching/seat",
    ]:
        assert_shown_as_text(client, f"/admin/{model}/")
    assert_shown_as_text(client, f"/admin/attendees/person/{world.hal.pk}/change/")


def test_csv_exports_keep_their_columns_and_defuse_formulas(client, world):
    client.force_login(world.organizer)
    for name, header in (("plan_csv", "name"), ("check_in_csv", "name")):
        text = client.get(reverse(f"organize:{name}", args=[world.published.pk])).content
        rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
        assert sorted(row[header] for row in rows) == sorted(
            ["Ann Plain", hostile("Hal"), "Ida " + IMG]
        )
        hal = next(row for row in rows if row[header] == hostile("Hal"))
        assert hal["organization"] == '\'=HYPERLINK("http://x")' + hostile("Org")
        # The table's place, then the round's (seat_location), as the e-mail says it.
        assert {row["location"] for row in rows} == {hostile("Terrace\r\nX:Y") + ", Terrace"}


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_the_calendar_file_keeps_hostile_text_inside_its_fields(client, world):
    sign_in(client, world.ann)
    ics = client.get(reverse("dashboard:round_calendar", args=[world.published.pk])).content
    lines = unfold(ics.decode())
    names = [line.split(":", 1)[0] for line in lines if line]
    start, end = names.index("BEGIN"), len(names) - 1
    assert (names[:5], names[end]) == (["BEGIN", "VERSION", "PRODID", "CALSCALE", "METHOD"], "END")
    event = names[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")]
    zone = world.conference.time_zone
    assert event == [
        "SUMMARY",
        f"DTSTART;TZID={zone}",
        f"DTEND;TZID={zone}",
        "DTSTAMP",
        "UID",
        "SEQUENCE",
        "DESCRIPTION",
        "LOCATION",
        "URL",
    ]
    # Every other line belongs to the calendar or its time zone: none was made by the text.
    timezone_names = {"TZID", "COMMENT", "DTSTART", "RDATE", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO"}
    outside = [name for name in names if name not in event]
    assert set(outside) <= {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD"} | (
        timezone_names
    ), outside
    assert start == 0
    assert "\r" not in ics.decode().replace("\r\n", "")  # no bare line break inside a field
    location = next(line for line in lines if line.startswith("LOCATION:"))
    assert location.startswith("LOCATION:" + hostile("Terrace\\nX:Y").replace(",", "\\,"))


def strings(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def test_json_answers_carry_hostile_text_intact(client, world):
    sign_in(client, world.ann)
    export = client.get(reverse("dashboard:export"))
    assert export["Content-Type"] == "application/json"
    assert {hostile("Summit"), hostile("Yesterday")} <= strings(export.json())

    key = api_token_create(user=world.ann.user, name="t")[1]
    table = api_client(key).get(reverse("api:my-round-table", args=[world.published.pk]))
    assert table["Content-Type"] == "application/json"
    assert hostile("Hal") in strings(table.json())

    client.force_login(world.organizer)
    for name in ("round_problem", "round_plan_export"):  # ids only, no names: still JSON
        response = client.get(reverse(f"organize:{name}", args=[world.published.pk]))
        assert response["Content-Type"] == "application/json"
        assert not any("alert" in text for text in strings(response.json())), name
