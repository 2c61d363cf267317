"""A block stays invisible to the person blocked, also when that person organizes the
conference: their plan page, exports and API answers read the same before and after it.
(The attendee side is tests/attendees/test_privacy.py; seat moves tests/matching.)"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from attendees import services
from conferences.enums import RoundStatus
from tests.api.support import attendee_of, seated_round

from .conftest import api_client

pytestmark = pytest.mark.django_db


def test_an_organizer_who_is_blocked_sees_no_trace_of_it(victim):
    olga = attendee_of(victim.conference, full_name="Olga Organizer")
    olga.user = victim.organizer
    olga.save(update_fields=["user"])
    matched = seated_round(
        victim.conference,
        {victim.tables[0]: [victim.vera, olga], victim.tables[1]: [victim.vic]},
        status=RoundStatus.MATCHED,
    )
    client = Client()
    client.force_login(victim.organizer)
    api = api_client(None)
    api.force_authenticate(victim.organizer)

    def everything() -> str:
        pages = [
            reverse("organize:round_plan", args=[matched.pk]),
            reverse("organize:round_plan", args=[matched.pk]) + f"?move={olga.pk}",
            reverse("organize:table_cards", args=[matched.pk]),
            reverse("organize:check_in", args=[matched.pk]),
            reverse("organize:plan_csv", args=[matched.pk]),
            reverse("organize:round_problem", args=[matched.pk]),
            reverse("organize:round_plan_export", args=[matched.pk]),
            reverse("organize:insights", args=[victim.conference.slug]),
            reverse("dashboard:round", args=[victim.published.pk]),
            reverse("dashboard:export"),
        ]
        text = "\n".join(client.get(url).content.decode() for url in pages)
        for name in ("api:round-plan", "api:round-problem", "api:round-detail"):
            text += api.get(reverse(name, args=[matched.pk])).content.decode()
        text += api.get(reverse("api:my-export")).content.decode()
        text = re.sub(r'value="[\w-]{32,}"', 'value="csrf"', text)
        text = re.sub(r'"X-CSRFToken": "[\w-]+"', '"X-CSRFToken": "csrf"', text)
        return re.sub(r'"exported_at": ?"[^"]+"', "", text)

    before = everything()
    services.block_create(person=victim.vera, blocked_id=olga.pk)
    assert everything() == before
