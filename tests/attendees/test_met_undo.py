"""Taking back a "we met" for 14 days after the round; read-only after that (issue 14.7)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.models import Encounter
from config.exceptions import Conflict
from matching.services import encounters
from tests.api.support import client_for
from tests.attendees.helpers import sign_in
from tests.factories import EncounterFactory

pytestmark = pytest.mark.django_db


def met_ids(world, person) -> set[int]:
    pairs = Encounter.objects.filter(round=world.round, kind=EncounterKind.MET).values_list(
        "person_a_id", "person_b_id"
    )
    return {b if a == person.pk else a for a, b in pairs if person.pk in (a, b)}


def age_round(world, days: float) -> None:
    """Move the held round ``days`` into the past."""
    length = world.round.ends_at - world.round.starts_at
    world.round.ends_at = timezone.now() - dt.timedelta(days=days)
    world.round.starts_at = world.round.ends_at - length
    world.round.save(update_fields=["starts_at", "ends_at"])


def test_a_tick_can_be_taken_back_within_14_days(world):
    world.hold()
    encounters.met_record(person=world.ann, round=world.round, people=[world.nia, world.dana])
    age_round(world, 13.9)

    assert encounters.met_undo(person=world.ann, round=world.round, other_id=world.nia.pk)
    assert met_ids(world, world.ann) == {world.dana.pk}
    assert not encounters.met_undo(person=world.ann, round=world.round, other_id=world.nia.pk)


def test_after_14_days_who_i_met_is_read_only_and_says_why(world):
    world.hold()
    encounters.met_record(person=world.ann, round=world.round, people=[world.nia])
    age_round(world, 14.1)

    with pytest.raises(Conflict, match="can be changed for 14 days after the round"):
        encounters.met_undo(person=world.ann, round=world.round, other_id=world.nia.pk)
    with pytest.raises(Conflict, match="no longer change"):
        encounters.met_record(person=world.ann, round=world.round, people=[world.dana])
    assert met_ids(world, world.ann) == {world.nia.pk}


def test_the_round_page_offers_undo_and_the_button_takes_it_back(client, world):
    world.hold()
    encounters.met_record(person=world.ann, round=world.round, people=[world.nia, world.zoe])
    sign_in(client, world.ann)
    html = client.get(reverse("dashboard:round", args=[world.round.pk])).content.decode()
    nia_undo = reverse("dashboard:met_undo", args=[world.round.pk, world.nia.pk])
    zoe_undo = reverse("dashboard:met_undo", args=[world.round.pk, world.zoe.pk])
    assert nia_undo in html
    assert zoe_undo in html
    assert "You can undo it until" in html

    answer = client.post(nia_undo, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body.lstrip().startswith('<div id="met-panel">')
    assert "Taken back." in body
    assert f'value="{world.nia.pk}">' in body  # a plain checkbox again
    assert met_ids(world, world.ann) == {world.zoe.pk}

    plain = client.post(zoe_undo)
    assert plain.status_code == 302
    assert met_ids(world, world.ann) == set()


def test_the_round_page_is_read_only_after_14_days(client, world):
    world.hold()
    encounters.met_record(person=world.ann, round=world.round, people=[world.nia])
    age_round(world, 20)
    sign_in(client, world.ann)
    html = client.get(reverse("dashboard:round", args=[world.round.pk])).content.decode()
    assert "can no longer change" in html
    assert "Undo" not in html
    assert 'type="checkbox"' not in html
    assert "Nia Obi" in html

    refused = client.post(
        reverse("dashboard:met_undo", args=[world.round.pk, world.nia.pk]),
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 409
    assert "can no longer change" in refused.content.decode()
    assert met_ids(world, world.ann) == {world.nia.pk}


def test_the_api_takes_back_a_met_encounter_by_id(world):
    world.hold()
    [encounter] = encounters.met_record(person=world.ann, round=world.round, people=[world.nia])
    user = world.ann.user or sign_in_user(world.ann)
    api = client_for(user)
    listed = api.get("/api/v1/me/encounters/?kind=met").json()["results"]
    assert [item["id"] for item in listed] == [encounter.pk]
    assert listed[0]["undo_until"] is not None

    assert api.delete(f"/api/v1/me/encounters/{encounter.pk}/").status_code == 204
    assert not Encounter.objects.filter(pk=encounter.pk).exists()
    assert api.delete(f"/api/v1/me/encounters/{encounter.pk}/").status_code == 404


def test_the_api_refuses_history_and_old_answers_with_the_reason(world):
    world.hold()
    [met] = encounters.met_record(person=world.ann, round=world.round, people=[world.nia])
    imported = EncounterFactory(person_a=world.ann, person_b=world.dana, conference=None)
    api = client_for(world.ann.user or sign_in_user(world.ann))

    history = api.delete(f"/api/v1/me/encounters/{imported.pk}/")
    assert history.status_code == 409
    assert "Only a “we met” answer can be taken back" in history.json()["detail"]

    age_round(world, 15)
    late = api.delete(f"/api/v1/me/encounters/{met.pk}/")
    assert late.status_code == 409
    assert "14 days" in late.json()["detail"]
    assert Encounter.objects.filter(pk__in=[met.pk, imported.pk]).count() == 2


def test_someone_elses_encounter_is_not_found(world):
    world.hold()
    [theirs] = encounters.met_record(person=world.nia, round=world.round, people=[world.dana])
    api = client_for(world.ann.user or sign_in_user(world.ann))
    assert api.delete(f"/api/v1/me/encounters/{theirs.pk}/").status_code == 404
    assert Encounter.objects.filter(pk=theirs.pk).exists()


def sign_in_user(person):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=person.email, email=person.email)
    person.user = user
    person.save(update_fields=["user"])
    return user


def test_a_closed_round_without_answers_says_so(client, world):
    world.hold()
    age_round(world, 30)
    sign_in(client, world.ann)
    html = client.get(reverse("dashboard:round", args=[world.round.pk])).content.decode()
    assert "You did not note anyone you met at this round." in html
    assert "can no longer change" in html
