"""Export my data, and delete my account while others keep their encounters."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from attendees import services
from attendees.models import (
    ApiToken,
    Attendance,
    Block,
    Encounter,
    LoginLink,
    Person,
    RoundRSVP,
    SitTogether,
)
from attendees.selectors.network import network_for
from matching.models import Seat
from matching.selectors.export import person_export
from matching.selectors.tables import tablemates_for
from tests.attendees.helpers import seat_round, sign_in
from tests.factories import BlockFactory, MeetupRoundFactory

pytestmark = pytest.mark.django_db


def test_the_export_holds_my_data_and_my_blocks_but_never_who_blocked_me(client, world):
    sign_in(client, world.ann)
    ApiToken.objects.create(user=world.ann.user, name="phone", prefix="abc", key_hash="k" * 64)
    services.block_create(person=world.ann, blocked_id=world.zoe.pk)
    BlockFactory(blocker=world.omar, blocked=world.ann)
    services.sit_together_request(
        person=world.ann, other_id=world.nia.pk, conference_id=world.conference.pk
    )
    services.sit_together_request(
        person=world.dana, other_id=world.ann.pk, conference_id=world.conference.pk
    )

    world.ann.language = "de"
    world.ann.save(update_fields=["language"])

    data = person_export(person=world.ann)

    assert data["format"] == "drinktables.export.v1"
    assert data["profile"]["language"] == "de"
    assert data["profile"]["email"] == world.ann.email
    assert data["profile"]["topics"] == ["Open source"]
    assert data["account"]["api_tokens"][0]["name"] == "phone"
    assert [a["conference"] for a in data["attendances"]] == [
        "ISTE Live 2026",
        "ISTE 2011",
        "NECC 2008",
    ]
    assert data["rsvps"][0]["status"] == "going"
    assert data["seats"] == [
        {
            "conference": "ISTE Live 2026",
            "round": "Opening night drinks",
            "table": "T1",
            "location": "Bar 1",
        }
    ]
    assert sorted((e["with"], e["conference"]) for e in data["encounters"]) == [
        ("Dana Kim", "ISTE 2011"),
        ("Dana Kim", "NECC 2008"),
    ]
    assert [b["blocked"] for b in data["blocks"]] == ["Zoe Park"]
    assert [(r["with"], r["mutual"]) for r in data["sit_together_requests"]] == [("Nia Obi", False)]
    text = json.dumps(data)
    assert "Omar" not in text  # Omar blocked Ann: that is Omar's data
    assert "Dana Kim" not in json.dumps(data["sit_together_requests"])  # Dana's unreturned wish


def test_the_export_downloads_as_a_json_file(client, world):
    sign_in(client, world.ann)

    response = client.get(reverse("dashboard:export"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="drinktables-my-data-')
    assert json.loads(response.content)["profile"]["full_name"] == "Ann Lee"


def test_deleting_my_account_erases_me_and_keeps_others_encounters(client, world):
    world.hold()
    sign_in(client, world.ann)
    user_id = world.ann.user_id
    ApiToken.objects.create(user=world.ann.user, name="phone", prefix="abc", key_hash="k" * 64)
    later = MeetupRoundFactory(conference=world.conference, name="Second evening")
    seat_round(later, {world.t1: [world.ann, world.zoe]})
    services.block_create(person=world.ann, blocked_id=world.zoe.pk)
    BlockFactory(blocker=world.omar, blocked=world.ann)
    services.sit_together_request(
        person=world.ann, other_id=world.nia.pk, conference_id=world.conference.pk
    )
    services.sit_together_request(
        person=world.dana, other_id=world.ann.pk, conference_id=world.conference.pk
    )
    LoginLink.objects.create(
        email=world.ann.email, token_hash="h" * 64, expires_at=world.round.starts_at
    )
    world.ann.language = "fr"
    world.ann.save(update_fields=["language"])
    encounters_before = Encounter.objects.count()

    services.account_delete(person=world.ann)

    ann = Person.objects.get(pk=world.ann.pk)
    assert ann.language == ""
    assert (ann.full_name, ann.email, ann.organization, ann.bio, ann.user_id) == (
        "",
        "",
        "",
        "",
        None,
    )
    assert ann.deleted_at is not None and ann.opted_out and not ann.topics.exists()
    assert ann.display_name == "A former attendee"
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert Encounter.objects.count() == encounters_before
    assert not RoundRSVP.objects.filter(person=ann).exists()
    assert not Block.objects.filter(blocker=ann).exists()
    assert not Block.objects.filter(blocked=ann).exists()
    assert not SitTogether.objects.filter(requester=ann).exists()
    assert not SitTogether.objects.filter(requested=ann).exists()
    assert not LoginLink.objects.filter(email=world.ann.email).exists()
    # The held round keeps its seat, the coming one loses it; past registrations stay.
    assert list(Seat.objects.filter(person=ann).values_list("run__round__name", flat=True)) == [
        "Opening night drinks"
    ]
    assert sorted(
        Attendance.objects.filter(person=ann).values_list("conference__name", flat=True)
    ) == ["ISTE 2011", "NECC 2008"]
    assert not ApiToken.objects.exists()
    # Dana still has her history with "a former attendee".
    names = {c.name for c in network_for(person=world.dana).contacts}
    assert "A former attendee" in names
    mates = [m.name for m in tablemates_for(person=world.dana, round=world.round)]
    assert "A former attendee" in mates


def test_deleting_twice_is_harmless(world):
    services.account_delete(person=world.ann)
    services.account_delete(person=Person.objects.get(pk=world.ann.pk))

    assert Person.objects.get(pk=world.ann.pk).deleted_at is not None


def test_an_organizer_account_is_unlinked_not_deleted(world):
    from tests.factories import OrganizerFactory

    organizer = OrganizerFactory(conferences=[world.conference])
    world.ann.user = organizer
    world.ann.save(update_fields=["user"])

    services.account_delete(person=world.ann)

    assert get_user_model().objects.filter(pk=organizer.pk).exists()
    assert Person.objects.get(pk=world.ann.pk).user_id is None


def test_the_delete_page_needs_a_confirmation_then_signs_me_out(client, world):
    sign_in(client, world.ann)

    refused = client.post(reverse("dashboard:delete"), {})
    assert refused.status_code == 400
    assert Person.objects.get(pk=world.ann.pk).deleted_at is None

    response = client.post(reverse("dashboard:delete"), {"confirm": "on"})

    assert response["Location"] == reverse("dashboard:login")
    assert Person.objects.get(pk=world.ann.pk).deleted_at is not None
    assert client.get(reverse("dashboard:home"))["Location"].startswith(reverse("dashboard:login"))
