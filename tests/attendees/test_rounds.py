"""RSVPs, the calendar file and "who did you meet?" after a round."""

import pytest
from django.urls import reverse

from attendees import services
from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Encounter, RoundRSVP
from conferences.enums import RoundStatus
from config.exceptions import Conflict, ServiceError
from matching.services import encounters
from tests.attendees.helpers import register, sign_in
from tests.factories import MeetupRoundFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(world):
    return MeetupRoundFactory(conference=world.conference, name="Second evening")


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.MATCHED])
def test_an_rsvp_can_change_until_the_plan_is_published(world, open_round, status):
    open_round.status = status
    open_round.save(update_fields=["status"])

    services.rsvp_set(person=world.ann, round=open_round, status=RSVPStatus.GOING)
    services.rsvp_set(person=world.ann, round=open_round, status=RSVPStatus.NOT_GOING)

    assert list(RoundRSVP.objects.filter(round=open_round).values_list("person", "status")) == [
        (world.ann.pk, RSVPStatus.NOT_GOING)
    ]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (RoundStatus.PUBLISHED, "already set"),
        (RoundStatus.HELD, "already set"),
        (RoundStatus.CANCELLED, "cancelled"),
    ],
)
def test_an_rsvp_is_refused_once_the_plan_is_out(world, open_round, status, message):
    open_round.status = status
    if status != RoundStatus.CANCELLED:
        open_round.published_run = world.run
    open_round.save()

    with pytest.raises(Conflict, match=message):
        services.rsvp_set(person=world.ann, round=open_round, status=RSVPStatus.NOT_GOING)
    assert not RoundRSVP.objects.filter(round=open_round).exists()


def test_an_rsvp_needs_a_registration_and_an_announced_round(world, open_round):
    stranger = PersonFactory()
    with pytest.raises(ServiceError, match="registered"):
        services.rsvp_set(person=stranger, round=open_round, status=RSVPStatus.GOING)

    open_round.status = RoundStatus.DRAFT
    open_round.save(update_fields=["status"])
    with pytest.raises(ServiceError, match="not been announced"):
        services.rsvp_set(person=world.ann, round=open_round, status=RSVPStatus.GOING)

    with pytest.raises(ServiceError, match="going or not going"):
        services.rsvp_set(person=world.ann, round=open_round, status="maybe")


def test_the_rsvp_toggle_answers_htmx_with_the_fragment(client, world, open_round):
    sign_in(client, world.ann)
    url = reverse("dashboard:rsvp", args=[open_round.pk])

    response = client.post(url, {"status": "going"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div class="rsvp" id="rsvp-{open_round.pk}">')
    assert 'value="going" class="button toggle" aria-pressed="true"' in html
    assert "Saved. You are going." in html
    assert RoundRSVP.objects.get(round=open_round, person=world.ann).status == "going"


def test_the_rsvp_form_works_without_javascript(client, world, open_round):
    sign_in(client, world.ann)
    url = reverse("dashboard:rsvp", args=[open_round.pk])

    response = client.post(url, {"status": "not_going", "next": "https://evil.example/"})

    assert response["Location"] == reverse("dashboard:home")
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Saved: you are not going to Second evening." in page


def test_a_refused_rsvp_is_explained_in_the_fragment(client, world):
    from conferences.models import MeetupRound

    MeetupRound.objects.filter(pk=world.round.pk).update(status="held")
    sign_in(client, world.ann)
    url = reverse("dashboard:rsvp", args=[world.round.pk])

    response = client.post(url, {"status": "not_going"}, headers={"HX-Request": "true"})

    assert "already set" in response.content.decode()
    assert RoundRSVP.objects.get(round=world.round, person=world.ann).status == "going"


def test_i_cant_come_after_publishing_releases_the_seat_and_reloads_the_page(client, world):
    from matching.models import Seat

    sign_in(client, world.ann)
    url = reverse("dashboard:rsvp", args=[world.round.pk])

    response = client.post(url, {"status": "not_going"}, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("dashboard:round", args=[world.round.pk])
    assert RoundRSVP.objects.get(round=world.round, person=world.ann).status == "not_going"
    assert not Seat.objects.filter(run=world.round.published_run, person=world.ann).exists()
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "Your seat is released" in page


def test_add_to_calendar_gives_my_table_in_an_ics_file(client, world):
    sign_in(client, world.ann)

    response = client.get(reverse("dashboard:round_calendar", args=[world.round.pk]))

    text = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Opening night drinks: table T1" in text
    assert "LOCATION:Bar 1\\, Riverside terrace" in text
    assert f"UID:round-{world.round.pk}-person-{world.ann.pk}@drinktables" in text
    assert "Dana Kim" in text.replace("\r\n ", "")


def test_no_calendar_without_a_table(client, world):
    sign_in(client, world.ben)

    response = client.get(reverse("dashboard:round_calendar", args=[world.round.pk]))

    assert response.status_code == 404


def test_met_records_one_encounter_per_pair_and_round(world):
    world.hold()

    first = encounters.met_record(
        person=world.ann, round=world.round, people=[world.dana, world.nia]
    )
    again = encounters.met_record(person=world.dana, round=world.round, people=[world.ann])

    met = Encounter.objects.filter(kind=EncounterKind.MET)
    assert sorted((e.person_a_id, e.person_b_id) for e in met) == sorted(
        [
            Encounter.ordered(world.ann.pk, world.dana.pk),
            Encounter.ordered(world.ann.pk, world.nia.pk),
        ]
    )
    assert {e.pk for e in again} <= {e.pk for e in first}
    assert all(
        (e.round_id, e.conference_id, e.occurred_on)
        == (world.round.pk, world.conference.pk, e.occurred_on)
        for e in met
    )


def test_met_is_for_held_rounds_and_people_who_were_there(world):
    with pytest.raises(ServiceError, match="once the round has taken place"):
        encounters.met_record(person=world.ann, round=world.round, people=[world.dana])

    world.hold()
    stranger = PersonFactory()
    register(world.conference, stranger)
    with pytest.raises(ServiceError, match="were at this round"):
        encounters.met_record(person=world.ann, round=world.round, people=[stranger])
    with pytest.raises(ServiceError, match="not yourself"):
        encounters.met_record(person=world.ann, round=world.round, people=[world.ann])
    with pytest.raises(ServiceError, match="Only people who were at this round"):
        encounters.met_record(person=world.ben, round=world.round, people=[world.ann])
    assert not Encounter.objects.filter(kind=EncounterKind.MET).exists()


def test_met_can_name_someone_from_another_table(world):
    world.hold()

    [encounter] = encounters.met_record(person=world.ann, round=world.round, people=[world.zoe])

    assert {encounter.person_a_id, encounter.person_b_id} == {world.ann.pk, world.zoe.pk}


def test_the_met_checkboxes_answer_htmx_with_the_confirmed_list(client, world):
    world.hold()
    sign_in(client, world.ann)

    response = client.post(
        reverse("dashboard:met", args=[world.round.pk]),
        {"people": [world.nia.pk]},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="met-panel">')
    assert f'value="{world.nia.pk}" checked disabled' in html
    assert f'value="{world.dana.pk}">' in html
    assert "Saved" in html


def test_met_refuses_people_who_were_not_there(client, world):
    world.hold()
    stranger = PersonFactory()
    register(world.conference, stranger)
    sign_in(client, world.ann)

    response = client.post(
        reverse("dashboard:met", args=[world.round.pk]),
        {"people": [stranger.pk]},
        headers={"HX-Request": "true"},
    )

    assert "Choose people who were at this round." in response.content.decode()
    assert not Encounter.objects.filter(kind=EncounterKind.MET).exists()


def test_the_met_search_finds_people_of_the_round_only(client, world):
    world.hold()
    sign_in(client, world.ann)

    response = client.get(reverse("dashboard:met_search", args=[world.round.pk]), {"q": "o"})
    assert "Zoe" not in response.content.decode()  # two letters at least
    response = client.get(reverse("dashboard:met_search", args=[world.round.pk]), {"q": "Park"})
    assert "Zoe Park" in response.content.decode()
    response = client.get(reverse("dashboard:met_search", args=[world.round.pk]), {"q": "Cohen"})
    assert "Ben Cohen" not in response.content.decode()  # registered, but not at the round
