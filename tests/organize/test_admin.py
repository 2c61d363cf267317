"""The admin serves organizers their own conferences and nothing else."""

import pytest
from django.urls import reverse

from conferences.models import Conference
from matching.models import MatchingRun
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    RoundRSVPFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "conferences_series",
    "conferences_conference",
    "conferences_topic",
    "conferences_drinktable",
    "conferences_meetupround",
    "attendees_person",
    "attendees_attendance",
    "attendees_roundrsvp",
    "attendees_encounter",
    "attendees_sittogether",
    "matching_matchingrun",
    "matching_seat",
]


@pytest.fixture
def mine_and_theirs():
    mine, theirs = ConferenceFactory(name="Mine 2026"), ConferenceFactory(name="Theirs 2026")
    organizer = OrganizerFactory(conferences=[mine])
    for conference, label in ((mine, "MINE-T"), (theirs, "THEIRS-T")):
        table = DrinkTableFactory(conference=conference, label=label)
        meetup_round = MeetupRoundFactory(conference=conference, name=f"{label} round")
        attendance = AttendanceFactory(
            conference=conference, person=PersonFactory(full_name=f"{label} person")
        )
        RoundRSVPFactory(person=attendance.person, round=meetup_round)
        run = MatchingRunFactory(round=meetup_round)
        SeatFactory(run=run, person=attendance.person, table=table)
        EncounterFactory(conference=conference)
    return organizer, mine, theirs


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_superuser_sees_every_changelist(client, changelist):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ConferenceFactory()
    response = client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_organizer_changelists_render(client, mine_and_theirs, changelist):
    organizer, _, _ = mine_and_theirs
    client.force_login(organizer)
    assert client.get(reverse(f"admin:{changelist}_changelist")).status_code == 200


def test_organizer_sees_only_their_conference(client, mine_and_theirs):
    organizer, mine, theirs = mine_and_theirs
    client.force_login(organizer)
    response = client.get(reverse("admin:conferences_conference_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]
    assert client.get(
        reverse("admin:conferences_conference_change", args=[theirs.pk])
    ).status_code in (302, 403, 404)


@pytest.mark.parametrize(
    ("changelist", "hidden"),
    [
        ("conferences_drinktable", "THEIRS-T"),
        ("conferences_meetupround", "THEIRS-T round"),
        ("attendees_person", "THEIRS-T person"),
        ("attendees_attendance", "THEIRS-T person"),
        ("matching_seat", "THEIRS-T person"),
    ],
)
def test_organizer_never_sees_other_conferences_rows(client, mine_and_theirs, changelist, hidden):
    organizer, _, _ = mine_and_theirs
    client.force_login(organizer)
    page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
    assert hidden not in page
    assert hidden.replace("THEIRS", "MINE") in page


def test_organizer_cannot_pick_another_conference_in_forms(client, mine_and_theirs):
    organizer, mine, theirs = mine_and_theirs
    client.force_login(organizer)
    response = client.get(reverse("admin:conferences_drinktable_add"))
    choices = list(response.context["adminform"].form.fields["conference"].queryset)
    assert choices == [mine]


def test_private_records_are_for_superusers_only(client, mine_and_theirs):
    organizer, _, _ = mine_and_theirs
    client.force_login(organizer)
    assert client.get(reverse("admin:attendees_block_changelist")).status_code == 403
    assert client.get(reverse("admin:attendees_loginlink_changelist")).status_code == 403


def test_staff_without_conferences_sees_nothing(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:conferences_conference_changelist")).status_code == 403


def test_conference_changelist_query_count_is_flat(client, django_assert_max_num_queries):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    ConferenceFactory()
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("admin:conferences_conference_changelist"))
    for _ in range(20):
        ConferenceFactory()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("admin:conferences_conference_changelist"))


def test_organizer_who_adds_a_conference_organizes_it(client, mine_and_theirs):
    organizer, mine, _ = mine_and_theirs
    client.force_login(organizer)
    response = client.post(
        reverse("admin:conferences_conference_add"),
        {
            "series": mine.series_id,
            "name": "New One",
            "slug": "new-one",
            "city": "Lyon",
            "starts_on": "2027-06-01",
            "ends_on": "2027-06-03",
            "time_zone": "Europe/Paris",
            "tables-TOTAL_FORMS": "0",
            "tables-INITIAL_FORMS": "0",
            "rounds-TOTAL_FORMS": "0",
            "rounds-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(
        organizer.organized_conferences.order_by("name").values_list("name", flat=True)
    ) == [
        "Mine 2026",
        "New One",
    ]


def test_deleting_a_conference_takes_its_published_plan_along(client):
    seat = SeatFactory()
    meetup_round = seat.run.round
    meetup_round.published_run = seat.run
    meetup_round.status = "published"
    meetup_round.save(update_fields=["published_run", "status"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:conferences_conference_delete", args=[meetup_round.conference_id]),
        {"post": "yes"},
    )

    assert response.status_code == 302
    assert not Conference.objects.filter(pk=meetup_round.conference_id).exists()
    assert not MatchingRun.objects.exists()


def test_runs_cannot_be_deleted_on_their_own(client, mine_and_theirs):
    organizer, _, _ = mine_and_theirs
    client.force_login(organizer)
    run = MatchingRun.objects.filter(round__conference__organizers=organizer).get()
    assert (
        client.get(reverse("admin:matching_matchingrun_delete", args=[run.pk])).status_code == 403
    )
