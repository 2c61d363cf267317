"""A round's times are typed and shown in its conference's time zone, named, everywhere:
the admin, the API (with and without an offset), the attendee's page, the e-mail and its .ics.
Across a daylight-saving change (Chicago's November night, Berlin's end of March) and in
half-hour zones (Kolkata, Adelaide)."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from attendees.models import RoundRSVP
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from conferences.times import local_time_range, local_to_aware
from config.exceptions import ServiceError
from matching.services.notices import notices_send_batch
from tests.api.support import client_for
from tests.attendees.helpers import seat_round, sign_in
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    RoundRSVPFactory,
)

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC


# The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local", "utc"),
    [
        # The Sunday the clocks go back in Chicago: the evening is on standard time (UTC-6).
        ("America/Chicago", dt.datetime(2026, 11, 1, 18, 30), dt.datetime(2026, 11, 2, 0, 30)),
        # The Saturday before: still daylight time (UTC-5).
        ("America/Chicago", dt.datetime(2026, 10, 31, 18, 30), dt.datetime(2026, 10, 31, 23, 30)),
        # Berlin's last Sunday of March: summer time from 03:00 (UTC+2).
        ("Europe/Berlin", dt.datetime(2026, 3, 29, 19, 0), dt.datetime(2026, 3, 29, 17, 0)),
        ("Asia/Kolkata", dt.datetime(2026, 6, 28, 18, 30), dt.datetime(2026, 6, 28, 13, 0)),
        # Adelaide in April: the day daylight time ends (UTC+10:30 before 03:00, +9:30 after).
        ("Australia/Adelaide", dt.datetime(2026, 4, 5, 18, 0), dt.datetime(2026, 4, 5, 8, 30)),
    ],
)
def test_a_local_time_names_the_moment_in_the_conference_zone(zone, local, utc):
    assert local_to_aware(local, zone=zoneinfo.ZoneInfo(zone)) == utc.replace(tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_with_the_reason():
    with pytest.raises(ServiceError) as refused:
        local_to_aware(dt.datetime(2026, 3, 29, 2, 30), zone=BERLIN)
    assert refused.value.message == (
        "02:30 on 29 March 2026 does not exist in Europe/Berlin: the clocks skip that hour when "
        "daylight saving time starts. Choose a time outside that hour."
    )


def test_a_time_the_clocks_pass_twice_is_refused_with_both_offsets():
    with pytest.raises(ServiceError) as refused:
        local_to_aware(dt.datetime(2026, 11, 1, 1, 30), zone=CHICAGO)
    assert refused.value.message == (
        "01:30 on 1 November 2026 happens twice in America/Chicago: the clocks go back that "
        "night. Choose a time outside that hour, or give the offset (-05:00 for the first, "
        "-06:00 for the second) where you can."
    )


def test_an_evening_is_written_with_its_zone_abbreviation():
    starts = dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    assert (
        local_time_range(starts, starts + dt.timedelta(hours=2), zone=CHICAGO)
        == "Sunday 1 November, 18:30–20:30 CST"
    )
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    starts = dt.datetime(2026, 6, 28, 13, 0, tzinfo=UTC)
    assert (
        local_time_range(starts, starts + dt.timedelta(hours=2), zone=kolkata)
        == "Sunday 28 June, 18:30–20:30 IST"
    )


# The admin ---------------------------------------------------------------------------------


def admin_round(zone: str):
    conference = ConferenceFactory(time_zone=zone)
    organizer = OrganizerFactory(conferences=[conference])
    return organizer, conference


def round_body(conference, day: str, starts: str, ends: str, **extra) -> dict:
    return {
        "conference": conference.pk,
        "name": "Closing drinks",
        "starts_at_0": day,
        "starts_at_1": starts,
        "ends_at_0": day,
        "ends_at_1": ends,
        "location": "Lobby",
        **extra,
    }


def test_the_admin_reads_a_new_round_in_the_chosen_conference_zone(client):
    organizer, conference = admin_round("America/Chicago")
    client.force_login(organizer)

    response = client.post(
        reverse("admin:conferences_meetupround_add"),
        round_body(conference, "2026-11-01", "18:30", "20:30"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = MeetupRound.objects.get(name="Closing drinks")
    assert (saved.starts_at, saved.ends_at) == (
        dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
    )


def test_the_admin_change_form_names_the_zone_shows_local_time_and_no_server_offset(client):
    organizer, conference = admin_round("Europe/Berlin")
    meetup_round = MeetupRoundFactory(
        conference=conference,
        starts_at=dt.datetime(2026, 3, 29, 17, 0, tzinfo=UTC),
        ends_at=dt.datetime(2026, 3, 29, 19, 0, tzinfo=UTC),
    )
    client.force_login(organizer)
    url = reverse("admin:conferences_meetupround_change", args=[meetup_round.pk])

    page = client.get(url).content.decode()

    assert "Starts at (Europe/Berlin)" in page
    assert "Ends at (Europe/Berlin)" in page
    assert re.search(r'name="starts_at_0" value="2026-03-29"', page)
    assert re.search(r'name="starts_at_1" value="19:00"', page)
    # The admin's date shortcuts (which warn "You are N hours behind server time") are off.
    assert "vDateField" not in page and "vTimeField" not in page

    response = client.post(
        url, round_body(conference, "2026-03-29", "20:00", "22:00", name=meetup_round.name)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meetup_round.refresh_from_db()
    assert meetup_round.starts_at == dt.datetime(2026, 3, 29, 18, 0, tzinfo=UTC)


def test_the_admin_refuses_a_time_the_clocks_skip(client):
    organizer, conference = admin_round("Europe/Berlin")
    client.force_login(organizer)

    response = client.post(
        reverse("admin:conferences_meetupround_add"),
        round_body(conference, "2026-03-29", "02:30", "04:00"),
    )

    assert response.status_code == 200
    assert "does not exist in Europe/Berlin" in response.content.decode()
    assert not MeetupRound.objects.filter(name="Closing drinks").exists()


def test_the_conference_inline_reads_rounds_in_the_conference_zone(client):
    organizer, conference = admin_round("Asia/Kolkata")
    MeetupRoundFactory(
        conference=conference,
        starts_at=dt.datetime(2026, 6, 28, 13, 0, tzinfo=UTC),
        ends_at=dt.datetime(2026, 6, 28, 15, 0, tzinfo=UTC),
    )
    client.force_login(organizer)
    url = reverse("admin:conferences_conference_change", args=[conference.pk])

    page = client.get(url).content.decode()

    assert 'name="rounds-0-starts_at_1" value="18:30"' in page
    # The column is headed for every row, new ones too: the zone is the one on this page.
    assert "Starts at (the conference&#x27;s local time)" in page


def test_the_admin_round_list_shows_local_times_with_the_zone(client):
    organizer, conference = admin_round("America/Chicago")
    MeetupRoundFactory(
        conference=conference,
        starts_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC),
        ends_at=dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
    )
    client.force_login(organizer)

    page = client.get(reverse("admin:conferences_meetupround_changelist")).content.decode()

    assert "Sunday 1 November, 18:30–20:30 CST" in page


def test_the_admin_round_list_drills_down_by_the_conference_s_days(client):
    organizer, conference = admin_round("America/Chicago")
    meetup_round = MeetupRoundFactory(
        conference=conference,
        name="Sunday evening drinks",
        starts_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC),  # Sunday 1 November in Chicago
        ends_at=dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
    )
    client.force_login(organizer)
    changelist = reverse("admin:conferences_meetupround_changelist")

    def listed(day: int) -> bool:
        query = f"?starts_at__year=2026&starts_at__month=11&starts_at__day={day}"
        return meetup_round.name in client.get(changelist + query).content.decode()

    assert listed(1) and not listed(2)
    month = client.get(changelist + "?starts_at__year=2026&starts_at__month=11").content.decode()
    assert "starts_at__day=1" in month and "starts_at__day=2" not in month


def test_rounds_of_several_zones_filtered_to_one_conference_drill_down_by_its_days(client):
    organizer, conference = admin_round("America/Chicago")
    tokyo = ConferenceFactory(time_zone="Asia/Tokyo")
    tokyo.organizers.add(organizer)
    MeetupRoundFactory(
        conference=conference,
        name="Chicago Sunday",
        starts_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC),  # 1 November, 18:30 CST
        ends_at=dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
    )
    MeetupRoundFactory(
        conference=tokyo,
        name="Tokyo Monday",
        starts_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC),  # 2 November, 09:30 JST
        ends_at=dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
    )
    client.force_login(organizer)
    changelist = reverse("admin:conferences_meetupround_changelist")

    page = client.get(
        changelist + f"?conference__id__exact={conference.pk}"
        "&starts_at__year=2026&starts_at__month=11&starts_at__day=1"
    ).content.decode()

    assert "Chicago Sunday" in page and "Tokyo Monday" not in page


def test_the_admin_registration_list_drills_down_and_shows_check_ins_in_the_conference_s_days(
    client,
):
    from attendees.models import Attendance

    organizer, conference = admin_round("America/Chicago")
    late_sunday = dt.datetime(2026, 11, 2, 3, 15, tzinfo=UTC)  # Sunday 1 November, 21:15 CST
    attendance = AttendanceFactory(
        conference=conference, person=PersonFactory(full_name="Late Registrant")
    )
    Attendance.objects.filter(pk=attendance.pk).update(  # registered_at is set on insert
        registered_at=late_sunday, checked_in_at=late_sunday
    )
    client.force_login(organizer)
    changelist = reverse("admin:attendees_attendance_changelist")

    def listed(day: int) -> str:
        query = f"?registered_at__year=2026&registered_at__month=11&registered_at__day={day}"
        return client.get(changelist + query).content.decode()

    assert "Late Registrant" in listed(1) and "Late Registrant" not in listed(2)
    assert "9:15 p.m." in listed(1)  # checked in, in Chicago's time


def test_an_admin_rsvp_page_shows_its_check_in_in_the_conference_s_time(client):
    organizer, conference = admin_round("America/Chicago")
    rsvp = RoundRSVPFactory(round=MeetupRoundFactory(conference=conference))
    RoundRSVP.objects.filter(pk=rsvp.pk).update(
        checked_in_at=dt.datetime(2026, 11, 2, 3, 15, tzinfo=UTC)  # 21:15 CST on 1 November
    )
    client.force_login(organizer)

    page = client.get(reverse("admin:attendees_roundrsvp_change", args=[rsvp.pk])).content.decode()

    assert "Nov. 1, 2026, 9:15 p.m." in page


def test_the_admin_rsvp_list_filtered_to_a_conference_shows_its_local_times(client):
    organizer, conference = admin_round("Asia/Tokyo")
    other = ConferenceFactory(time_zone="America/Chicago")
    other.organizers.add(organizer)
    rsvp = RoundRSVPFactory(round=MeetupRoundFactory(conference=conference))
    RoundRSVP.objects.filter(pk=rsvp.pk).update(
        updated_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    )
    RoundRSVPFactory(round=MeetupRoundFactory(conference=other))
    client.force_login(organizer)
    changelist = reverse("admin:attendees_roundrsvp_changelist")

    mixed = client.get(changelist).content.decode()
    filtered = client.get(
        changelist + f"?round__conference__id__exact={conference.pk}"
    ).content.decode()

    assert "12:30 a.m." in mixed  # two zones listed: UTC
    assert "9:30 a.m." in filtered


# The API -----------------------------------------------------------------------------------


@pytest.fixture
def chicago():
    conference = ConferenceFactory(time_zone="America/Chicago", slug="chi-2026")
    organizer = OrganizerFactory(conferences=[conference])
    return conference, client_for(organizer)


def post_round(api, starts_at: str, ends_at: str):
    return api.post(
        "/api/v1/conferences/chi-2026/rounds/",
        {"name": "Sunday drinks", "starts_at": starts_at, "ends_at": ends_at},
        format="json",
    )


def test_the_api_reads_a_time_without_offset_as_local_and_answers_with_the_offset(chicago):
    conference, api = chicago

    response = post_round(api, "2026-11-01T18:30", "2026-11-01T20:30:00")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["starts_at"], body["ends_at"], body["time_zone"]) == (
        "2026-11-01T18:30:00-06:00",
        "2026-11-01T20:30:00-06:00",
        "America/Chicago",
    )
    assert MeetupRound.objects.get(pk=body["id"]).starts_at == dt.datetime(
        2026, 11, 2, 0, 30, tzinfo=UTC
    )


def test_the_api_honours_an_offset_and_answers_in_the_conference_zone(chicago):
    conference, api = chicago

    response = post_round(api, "2026-10-31T23:30:00Z", "2026-11-01T01:30:00+00:00")

    assert response.status_code == 201, response.json()
    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2026-10-31T18:30:00-05:00",
        "2026-10-31T20:30:00-05:00",
    )


def test_the_api_refuses_a_local_time_the_clocks_pass_twice(chicago):
    conference, api = chicago

    response = post_round(api, "2026-11-01T01:30", "2026-11-01T03:00")

    assert response.status_code == 400
    assert "happens twice in America/Chicago" in str(response.json())
    # With the offset it is clear which one is meant.
    assert post_round(api, "2026-11-01T01:30-05:00", "2026-11-01T03:00").status_code == 201


def test_the_api_round_filters_read_a_time_without_offset_as_local(chicago):
    conference, api = chicago
    evening = MeetupRoundFactory(
        conference=conference, starts_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    )
    MeetupRoundFactory(conference=conference, starts_at=dt.datetime(2026, 11, 1, 23, 0, tzinfo=UTC))

    found = api.get(
        "/api/v1/conferences/chi-2026/rounds/", {"starts_after": "2026-11-01T18:00"}
    ).json()["results"]

    # 18:00 in Chicago is midnight UTC: the 17:00 round (23:00 UTC) is before it.
    assert [r["id"] for r in found] == [evening.pk]


def test_the_api_patch_reads_local_time_in_a_half_hour_zone():
    conference = ConferenceFactory(time_zone="Australia/Adelaide", slug="adl-2026")
    api = client_for(OrganizerFactory(conferences=[conference]))
    meetup_round = MeetupRoundFactory(conference=conference)

    response = api.patch(
        f"/api/v1/conferences/adl-2026/rounds/{meetup_round.pk}/",
        {"starts_at": "2026-04-05T18:00", "ends_at": "2026-04-05T20:00"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["starts_at"] == "2026-04-05T18:00:00+09:30"
    meetup_round.refresh_from_db()
    assert meetup_round.starts_at == dt.datetime(2026, 4, 5, 8, 30, tzinfo=UTC)


# What attendees read -----------------------------------------------------------------------


def chicago_evening():
    conference = ConferenceFactory(time_zone="America/Chicago")
    meetup_round = MeetupRoundFactory(
        conference=conference,
        name="Sunday drinks",
        starts_at=dt.datetime(2026, 11, 2, 0, 30, tzinfo=UTC),
        ends_at=dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
        location="Hotel bar",
        status=RoundStatus.MATCHED,
    )
    table = DrinkTableFactory(conference=conference, label="T1", location="By the window")
    person = PersonFactory(full_name="Ann Lee")
    seat_round(meetup_round, {table: [person]})
    return meetup_round, person


def test_the_round_page_shows_local_time_and_names_the_zone(client):
    meetup_round, person = chicago_evening()
    sign_in(client, person)

    page = client.get(reverse("dashboard:round", args=[meetup_round.pk])).content.decode()

    assert "Sunday 1 November, 18:30–20:30 CST" in page
    assert 'datetime="2026-11-01T18:30:00-06:00"' in page


def test_the_table_email_and_its_calendar_file_are_in_local_time(settings):
    meetup_round, person = chicago_evening()

    notices_send_batch(round_id=meetup_round.pk)

    (message,) = mail.outbox
    assert "When: Sunday 1 November, 18:30–20:30 CST (America/Chicago)" in message.body
    ((_, ics, _),) = message.attachments
    lines = ics.split("\r\n")
    assert "DTSTART;TZID=America/Chicago:20261101T183000" in lines
    assert "DTEND;TZID=America/Chicago:20261101T203000" in lines
    assert "TZID:America/Chicago" in lines


def test_organizer_pages_show_local_time_with_the_zone(client):
    meetup_round, _ = chicago_evening()
    organizer = OrganizerFactory(conferences=[meetup_round.conference])
    client.force_login(organizer)

    for name in ("organize:round_plan", "organize:table_cards", "organize:check_in"):
        page = client.get(reverse(name, args=[meetup_round.pk])).content.decode()
        assert "18:30" in page and "CST" in page, name
    index = client.get(reverse("organize:index")).content.decode()
    assert "Sun 1 Nov, 18:30 CST" in index
