"""The cached table, network and organizer link never show anything stale or private.

Each test reads a page (filling the cache), changes something through the way it really
changes (a service, the admin's save, a bulk import) and reads the page again.
"""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendees import services
from attendees.enums import EncounterKind
from conferences.enums import RoundStatus
from config import caches
from config.db import update_rows
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat
from matching.services import lifecycle, seating
from tests.attendees.helpers import sign_in
from tests.factories import MeetupRoundFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


def page(client, world) -> str:
    response = client.get(reverse("dashboard:round", args=[world.round.pk]))
    assert response.status_code == 200
    return response.content.decode()


def network(client) -> str:
    response = client.get(reverse("dashboard:network"))
    assert response.status_code == 200
    return response.content.decode()


def unmasked(content: str) -> str:
    """The page without its CSRF token, which is masked afresh for every response."""
    return re.sub(r"[A-Za-z0-9]{64}", "", content)


def reasons_for(name: str, content: str) -> list[str]:
    listed = content.split(f'aria-label="Why {name} is at your table">')[1].split("</ul>")[0]
    return re.findall(r"<li>(.*?)</li>", listed)


def encounter_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "attendees_encounter" in q["sql"]]


def test_the_second_visit_reads_the_table_from_the_cache(client, world):
    sign_in(client, world.ann)
    with CaptureQueriesContext(connection) as first:
        first_page = page(client, world)
    with CaptureQueriesContext(connection) as second:
        second_page = page(client, world)

    assert unmasked(second_page) == unmasked(first_page)
    assert encounter_queries(first) != []
    assert encounter_queries(second) == []
    assert len(second) < len(first)


def test_hiding_the_organization_hides_it_from_tablemates_at_once(client, world):
    sign_in(client, world.ann)
    assert world.dana.organization in page(client, world)

    services.person_update(person=world.dana, data={"show_organization": False})

    assert world.dana.organization not in page(client, world)


def test_a_name_changed_in_the_admin_shows_at_once(client, world):
    sign_in(client, world.ann)
    assert "Dana Kim" in page(client, world)

    world.dana.full_name = "Dana Kim-Lee"
    world.dana.save()  # what the admin's change form does

    assert "Dana Kim-Lee" in page(client, world)


def test_a_name_changed_by_a_registration_import_shows_at_once(client, world):
    sign_in(client, world.ann)
    page(client, world)
    network(client)

    update_rows(
        type(world.dana), ["full_name", "organization"], [(world.dana.pk, "Dana Import", "")]
    )

    assert "Dana Import" in page(client, world)
    assert "Dana Import" in network(client)


def test_a_changed_topic_list_shows_at_once(client, world):
    sign_in(client, world.ann)
    assert "also into open source" in page(client, world)

    services.person_update(person=world.nia, data={"topics": [world.stem]})

    assert "also into open source" not in page(client, world)


def test_a_tablemate_who_deletes_their_account_is_gone_at_once(client, world):
    sign_in(client, world.ann)
    assert "Nia Obi" in page(client, world)

    services.account_delete(person=world.nia)

    assert "Nia Obi" not in page(client, world)


def test_a_block_reads_the_table_again_and_never_shows(client, world):
    sign_in(client, world.dana)
    page(client, world)
    services.block_create(person=world.ann, blocked_id=world.dana.pk)

    with CaptureQueriesContext(connection) as queries:
        content = page(client, world)

    assert encounter_queries(queries) != []  # not the entry cached before the block
    assert "block" not in content.lower()
    assert "Ann Lee" in content  # the published plan stands until the organizers change it


def test_unpublishing_hides_the_table_at_once(client, world):
    sign_in(client, world.ann)
    assert "Your table: T1" in page(client, world)

    lifecycle.round_unpublish(round_id=world.round.pk, by=None)

    content = page(client, world)
    assert "Your table" not in content
    assert "Dana Kim" not in content


def test_a_seat_moved_before_publishing_again_shows_the_new_table(client, world):
    organizer = OrganizerFactory(conferences=[world.conference])
    sign_in(client, world.ann)
    assert "Your table: T1" in page(client, world)

    lifecycle.round_unpublish(round_id=world.round.pk, by=organizer)
    world.run.refresh_from_db()
    seating.seat_move_in_run(run=world.run, person=world.ann, table=world.t2, by=organizer)
    world.round.refresh_from_db()
    lifecycle.round_publish(
        round_id=world.round.pk, by=organizer, run_id=world.run.pk, notify=False
    )

    content = page(client, world)
    assert "Your table: T2" in content
    assert "Zoe Park" in content
    assert "Dana Kim" not in content


def test_publishing_another_run_shows_its_table(client, world):
    sign_in(client, world.ann)
    assert "Your table: T1" in page(client, world)
    other = MatchingRun.objects.create(round=world.round, status=RunStatus.SUCCEEDED, progress=100)
    Seat.objects.bulk_create(
        [
            Seat(run=other, person=world.ann, table=world.t2),
            Seat(run=other, person=world.zoe, table=world.t2),
        ]
    )
    world.round.status = RoundStatus.MATCHED
    world.round.save(update_fields=["status"])

    lifecycle.round_publish(round_id=world.round.pk, by=None, run_id=other.pk, notify=False)

    content = page(client, world)
    assert "Your table: T2" in content
    assert "Zoe Park" in content


def test_an_encounter_recorded_in_bulk_shows_as_a_reason_and_in_the_network(client, world):
    earlier = MeetupRoundFactory(
        conference=world.conference,
        name="Breakfast",
        starts_at=world.round.starts_at - dt.timedelta(hours=12),
        ends_at=world.round.starts_at - dt.timedelta(hours=11),
        status=RoundStatus.OPEN,
    )
    sign_in(client, world.ann)
    assert reasons_for("Omar Haddad", page(client, world)) == [
        "Friend of Dana, who is at your table"
    ]
    assert "Omar Haddad" not in network(client)

    services.encounters_create(
        round=earlier,
        pairs=[(min(world.ann.pk, world.omar.pk), max(world.ann.pk, world.omar.pk))],
        kind=EncounterKind.MET,
    )

    assert reasons_for("Omar Haddad", page(client, world)) == ["You met at ISTE Live 2026"]
    assert "Omar Haddad" in network(client)


def test_the_organizer_link_follows_the_organizers_list(client, world):
    sign_in(client, world.ann)
    link = f'href="{reverse("organize:index")}"'
    assert link not in page(client, world)

    world.conference.organizers.add(world.ann.user)
    assert link in page(client, world)

    world.conference.organizers.remove(world.ann.user)
    assert link not in page(client, world)


def test_the_organizer_link_follows_the_superuser_flag(client, world):
    sign_in(client, world.ann)
    world.ann.user.is_superuser = True
    world.ann.user.save()
    link = f'href="{reverse("organize:index")}"'
    assert link in page(client, world)

    world.ann.user.is_superuser = False
    world.ann.user.save(update_fields=["is_superuser"])

    assert link not in page(client, world)


def test_a_change_inside_a_transaction_is_forgotten_again_after_the_commit(
    db, django_capture_on_commit_callbacks
):
    before = caches.generation(caches.TABLES)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        caches.invalidate(caches.TABLES)
        during = caches.generation(caches.TABLES)
    after = caches.generation(caches.TABLES)

    assert before < during < after


def test_a_lost_generation_starts_again_from_a_value_never_used(db):
    from django.core.cache import cache

    caches.cached(caches.TABLES, "probe", lambda: "old")
    cache.delete("dashboard:generation:tables")

    assert caches.cached(caches.TABLES, "probe", lambda: "new") == "new"


def test_with_sessions_in_the_cache_signing_out_everywhere_ends_every_session(
    settings, client, world
):
    from django.test import Client

    settings.SESSION_ENGINE = "config.sessions.cached_db"
    phone = Client()
    sign_in(client, world.ann)
    sign_in(phone, world.ann)
    assert phone.get(reverse("dashboard:home")).status_code == 200

    client.post(reverse("dashboard:sign_out_everywhere"))

    response = phone.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


def test_with_the_shared_cache_down_pages_and_sessions_still_work(client, world, settings):
    """Redis unreachable: sessions come from the database, tables are computed afresh."""
    from tests.celery_broker import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "config.sessions.cached_db"
    sign_in(client, world.ann)

    first = page(client, world)
    services.person_update(person=world.dana, data={"show_organization": False})

    assert world.dana.organization in first
    assert world.dana.organization not in page(client, world)
    assert network(client)
