"""The home page: past conferences link to their rounds (issue 14.7)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from tests.attendees.helpers import seat_round, sign_in
from tests.factories import DrinkTableFactory

pytestmark = pytest.mark.django_db


def past_round(conference, name: str, hour: int) -> MeetupRound:
    starts = dt.datetime(2011, 6, 27, hour, tzinfo=dt.UTC)
    return MeetupRound.objects.create(
        conference=conference,
        name=name,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=RoundStatus.OPEN,
    )


def test_past_conferences_list_their_rounds_with_my_table(client, world):
    held = past_round(world.iste, "ISTE social", 17)
    seat_round(
        held,
        {DrinkTableFactory(conference=world.iste, label="P4"): [world.ann]},
        status=RoundStatus.HELD,
    )
    cancelled = past_round(world.iste, "Rained off", 20)
    cancelled.status = RoundStatus.CANCELLED
    cancelled.save(update_fields=["status"])
    sign_in(client, world.ann)

    html = client.get(reverse("dashboard:home")).content.decode()

    past = html[html.index('id="past-heading"') :]
    assert f'href="{reverse("dashboard:round", args=[held.pk])}">ISTE social</a>' in past
    assert "table P4" in past
    assert f'href="{reverse("dashboard:round", args=[cancelled.pk])}">Rained off</a>' in past
    assert "cancelled" in past
    assert "NECC 2008" in past  # a past edition without rounds is still listed
    assert "No evening rounds." in past


def test_a_past_round_page_opens_with_who_i_met(client, world):
    held = past_round(world.iste, "ISTE social", 17)
    seat_round(
        held,
        {DrinkTableFactory(conference=world.iste, label="P4"): [world.ann, world.dana]},
        status=RoundStatus.HELD,
    )
    sign_in(client, world.ann)
    response = client.get(reverse("dashboard:round", args=[held.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Who did you actually meet?" in html
    assert "can no longer change" in html  # years ago: read-only, with the reason
    assert timezone.now() > held.ends_at
