"""Attendee A reaches none of B's data through any page, and a block stays invisible."""

import json
import re

import pytest
from django.urls import reverse

from attendees import services
from attendees.models import Block, RoundRSVP, SitTogether
from conferences.enums import RoundStatus
from matching.services import encounters
from tests.attendees.helpers import register, seat_round, sign_in
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(world):
    """Bea attends another conference only, with her own round, block and request."""
    conference = ConferenceFactory(name="Other Summit 2026")
    bea, bob = PersonFactory(full_name="Bea Secret"), PersonFactory(full_name="Bob Other")
    register(conference, bea, bob)
    meetup_round = MeetupRoundFactory(conference=conference, name="Bea's evening")
    seat_round(
        meetup_round,
        {DrinkTableFactory(conference=conference, label="B1"): [bea, bob]},
        status=RoundStatus.HELD,
    )
    block = services.block_create(person=bea, blocked_id=bob.pk)
    request = services.sit_together_request(
        person=bob, other_id=bea.pk, conference_id=conference.pk
    )
    return {"round": meetup_round, "bea": bea, "bob": bob, "block": block, "request": request}


def test_someone_elses_round_is_not_found_by_any_url(client, world, elsewhere):
    sign_in(client, world.ann)
    pk = elsewhere["round"].pk

    for name in ("round", "round_calendar", "met_search"):
        assert client.get(reverse(f"dashboard:{name}", args=[pk])).status_code == 404, name
    for name, data in (("rsvp", {"status": "going"}), ("met", {"people": [elsewhere["bob"].pk]})):
        response = client.post(reverse(f"dashboard:{name}", args=[pk]), data)
        assert response.status_code == 404, name
    assert not RoundRSVP.objects.filter(person=world.ann).exclude(round=world.round).exists()


def test_a_draft_round_of_my_own_conference_is_not_found(client, world):
    draft = MeetupRoundFactory(conference=world.conference, status=RoundStatus.DRAFT)
    sign_in(client, world.ann)

    assert client.get(reverse("dashboard:round", args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("dashboard:rsvp", args=[draft.pk]), {"status": "going"}).status_code
        == 404
    )


def test_someone_elses_block_and_request_cannot_be_touched(client, world, elsewhere):
    sign_in(client, world.ann)

    block = client.post(reverse("dashboard:block_delete", args=[elsewhere["block"].block_id]))
    request = client.post(
        reverse("dashboard:together_withdraw", args=[elsewhere["request"].request_id])
    )

    assert (block.status_code, request.status_code) == (404, 404)
    assert Block.objects.filter(pk=elsewhere["block"].block_id).exists()
    assert SitTogether.objects.filter(pk=elsewhere["request"].request_id).exists()


def test_people_of_other_conferences_cannot_be_found_blocked_or_asked(client, world, elsewhere):
    sign_in(client, world.ann)
    bea = elsewhere["bea"]

    search = client.get(reverse("dashboard:block_search"), {"q": "Bea"}).content.decode()
    together = client.get(reverse("dashboard:together_search"), {"q": "Bea"}).content.decode()
    block = client.post(reverse("dashboard:blocks"), {"person": bea.pk})
    ask = client.post(
        reverse("dashboard:together"),
        {"person": bea.pk, "conference": elsewhere["round"].conference_id},
    )

    assert "Bea Secret" not in search and "Bea Secret" not in together
    # The API's answer to the same ids: 400, naming what to choose, as for an id nobody has.
    assert (block.status_code, ask.status_code) == (400, 400)
    assert "Bea Secret" not in block.content.decode() + ask.content.decode()
    assert "Choose someone registered for one of your conferences." in block.content.decode()
    assert not Block.objects.filter(blocker=world.ann).exists()


def test_my_pages_never_show_anyone_elses_email_or_private_settings(client, world):
    world.hold()
    world.nia.needs_accessible_seating = True
    world.nia.bio = "Loves maps."
    world.nia.save()
    sign_in(client, world.ann)

    pages = [
        reverse("dashboard:home"),
        reverse("dashboard:round", args=[world.round.pk]),
        reverse("dashboard:network"),
        reverse("dashboard:blocks") + "?q=ni",
        reverse("dashboard:together") + "?q=ni",
        reverse("dashboard:export"),
    ]
    text = "".join(client.get(url).content.decode() for url in pages)

    assert "Loves maps." in text  # the public bio is shown to her tablemate
    for person in (world.dana, world.nia, world.omar, world.zoe, world.ben):
        assert person.email not in text
    assert world.omar.organization not in text  # Omar hides his organization
    assert "accessible table" not in text.replace("I need an accessible table", "")


def _pages_of(client, world) -> str:
    """Every page and fragment Zoe can open, with what changes per request taken out."""
    world_round = world.round.pk
    urls = [
        reverse("dashboard:home"),
        reverse("dashboard:round", args=[world_round]),
        reverse("dashboard:round", args=[world_round]) + "?q=ann",
        reverse("dashboard:met_search", args=[world_round]) + "?q=ann",
        reverse("dashboard:network"),
        reverse("dashboard:profile"),
        reverse("dashboard:blocks"),
        reverse("dashboard:blocks") + "?q=ann",
        reverse("dashboard:block_search") + "?q=ann",
        reverse("dashboard:together"),
        reverse("dashboard:together_search") + "?q=ann",
        reverse("dashboard:data"),
    ]
    html = "\n".join(client.get(url).content.decode() for url in urls)
    html = re.sub(r'value="[\w-]{32,}"', 'value="csrf"', html)
    html = re.sub(r'"X-CSRFToken": "[\w-]+"', '"X-CSRFToken": "csrf"', html)
    export = json.loads(client.get(reverse("dashboard:export")).content)
    del export["exported_at"]
    return html + json.dumps(export, sort_keys=True)


def test_a_blocked_person_and_an_unreturned_request_leave_no_trace_on_the_other_side(client, world):
    world.hold()
    encounters.met_record(person=world.zoe, round=world.round, people=[world.ann])
    sign_in(client, world.zoe)
    before = _pages_of(client, world)
    assert "Ann Lee" in before  # Zoe can see Ann: the block must not change that

    services.block_create(person=world.ann, blocked_id=world.zoe.pk)
    services.sit_together_request(
        person=world.dana, other_id=world.zoe.pk, conference_id=world.conference.pk
    )

    assert _pages_of(client, world) == before


def test_a_deleted_person_is_a_former_attendee_by_full_and_first_name():
    from django.utils import timezone

    from attendees.models import FORMER_ATTENDEE
    from tests.factories import PersonFactory

    person = PersonFactory(full_name="Ann Lee", deleted_at=timezone.now())

    # The first name used to be "A", cut from the label.
    assert (person.display_name, person.first_name) == (FORMER_ATTENDEE, FORMER_ATTENDEE)
