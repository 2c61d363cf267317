"""Every URL with an object in it, aimed at somebody else's object, by three kinds of stranger.

The walk goes through ``get_resolver()``: every pattern with a path parameter must have an
entry in ``PAGES``, ``API`` or the admin's model map saying how to point it at the victim's
objects, so a new URL with an id fails here until it is covered. Each URL is requested with
GET and POST (and PUT, PATCH, DELETE for the API) as an anonymous visitor, an attendee of
another conference and an organizer of another conference. The answer must refuse (a redirect
to sign in, 401, 403, 404 or 405), never show the victim's data, never fail with a 500, and the
victim's objects must be as they were.

The owner opens each GET page first, so a map entry that aims at nothing (and would pass with a
404 for everyone) is caught.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attendees.models import ApiToken, Block, SitTogether
from conferences.models import ImportBatch, ImportPreset, MeetupRound
from matching.models import MatchingRun

from .conftest import Stranger, Victim, api_client

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Target:
    """How to aim a URL pattern at the victim: whose it is, and the kwargs (one set or more)."""

    owner: str | None  # "attendee", "organizer" or None (nobody may open it)
    kwargs: Callable[[Victim, Stranger], list[dict]]
    refusals: frozenset[int] = frozenset({401, 403, 404, 405})


def _round(name: str, owner: str = "attendee") -> Target:
    return Target(owner, lambda v, s: [{"pk": getattr(v, name).pk}])


PAGES: dict[str, Target] = {
    # The token is the secret itself; the stored hash of the victim's token must not work.
    "dashboard:login_link": Target(
        None, lambda v, s: [{"token": v.link.token_hash}], frozenset({400, 405})
    ),
    "dashboard:email_confirm": Target(
        None, lambda v, s: [{"token": v.email_change.token_hash}], frozenset({400, 405})
    ),
    # The feed's secret is in the path: the stored hash of the victim's must open nothing.
    "dashboard:calendar_feed": Target(
        None, lambda v, s: [{"token": v.feed.token_hash}], frozenset({404, 405})
    ),
    "dashboard:round": Target("attendee", lambda v, s: [{"pk": v.published.pk}, {"pk": v.held.pk}]),
    "dashboard:rsvp": _round("open"),
    "dashboard:round_calendar": _round("published"),
    "dashboard:met": _round("held"),
    "dashboard:met_search": _round("held"),
    "dashboard:met_undo": Target("attendee", lambda v, s: [{"pk": v.held.pk, "person": v.vic.pk}]),
    "dashboard:block_delete": Target("attendee", lambda v, s: [{"pk": v.block.pk}]),
    "dashboard:together_withdraw": Target("attendee", lambda v, s: [{"pk": v.wish.pk}]),
    "organize:round_plan": _round("published", "organizer"),
    "organize:round_plan_status": _round("open", "organizer"),
    "organize:round_problem": _round("open", "organizer"),
    "organize:round_plan_export": _round("published", "organizer"),
    "organize:round_run": _round("open", "organizer"),
    "organize:round_seat_move": _round("published", "organizer"),
    "organize:round_open": _round("open", "organizer"),
    "organize:round_draft": _round("open", "organizer"),
    "organize:round_publish": _round("published", "organizer"),
    "organize:round_unpublish": _round("published", "organizer"),
    "organize:round_held": _round("published", "organizer"),
    "organize:round_cancel": _round("open", "organizer"),
    "organize:run_cancel": Target("organizer", lambda v, s: [{"pk": v.run.pk}]),
    "organize:import_registrations": Target(
        "organizer", lambda v, s: [{"slug": v.conference.slug}]
    ),
    "organize:import_encounters": Target("organizer", lambda v, s: [{"slug": v.conference.slug}]),
    "organize:import_preview": Target(
        "organizer",
        lambda v, s: [
            {"slug": v.conference.slug, "pk": v.batch.pk},
            # my own conference in the path, somebody else's import as the id
            {"slug": s.conference.slug, "pk": v.batch.pk},
        ],
    ),
    "organize:import_confirm": Target(
        "organizer",
        lambda v, s: [
            {"slug": v.conference.slug, "pk": v.batch.pk},
            {"slug": s.conference.slug, "pk": v.batch.pk},
        ],
    ),
    "organize:import_mapping": Target(
        "organizer",
        lambda v, s: [
            {"slug": v.conference.slug, "pk": v.batch.pk},
            {"slug": s.conference.slug, "pk": v.batch.pk},
        ],
    ),
    "organize:import_preset_save": Target(
        "organizer",
        lambda v, s: [
            {"slug": v.conference.slug, "pk": v.batch.pk},
            {"slug": s.conference.slug, "pk": v.batch.pk},
        ],
    ),
    "organize:import_preset_apply": Target(
        "organizer",
        lambda v, s: [
            {"slug": v.conference.slug, "pk": v.batch.pk},
            {"slug": s.conference.slug, "pk": v.batch.pk},
        ],
    ),
    "organize:import_preset_delete": Target(
        "organizer",
        lambda v, s: [
            {"slug": v.conference.slug, "preset_pk": v.preset_id},
            # my own conference in the path, somebody else's saved mapping as the id
            {"slug": s.conference.slug, "preset_pk": v.preset_id},
        ],
    ),
    "organize:insights": Target("organizer", lambda v, s: [{"slug": v.conference.slug}]),
    "organize:plan_csv": _round("published", "organizer"),
    "organize:table_cards": _round("published", "organizer"),
    "organize:check_in": _round("published", "organizer"),
    "organize:check_in_csv": _round("published", "organizer"),
}


def _in_conference(pk_of: Callable[[Victim], int]) -> Target:
    return Target(
        "organizer",
        lambda v, s: [
            {"conference_slug": v.conference.slug, "pk": pk_of(v)},
            {"conference_slug": s.conference.slug, "pk": pk_of(v)},
        ],
    )


API: dict[str, Target] = {
    "api:encounter-import": Target(
        "organizer", lambda v, s: [{"conference_slug": v.conference.slug}]
    ),
    "api:my-round-detail": _round("published"),
    "api:my-round-met": _round("held"),
    "api:my-round-rsvp": _round("open"),
    "api:my-round-table": _round("published"),
    "api:my-encounter-detail": Target("attendee", lambda v, s: [{"pk": v.met.pk}]),
    "api:my-block-detail": Target("attendee", lambda v, s: [{"pk": v.block.pk}]),
    "api:my-sit-together-detail": Target("attendee", lambda v, s: [{"pk": v.wish.pk}]),
    "api:token-detail": Target("attendee", lambda v, s: [{"pk": v.token.pk}]),
    "api:conference-detail": Target("organizer", lambda v, s: [{"slug": v.conference.slug}]),
    "api:table-list": Target("organizer", lambda v, s: [{"conference_slug": v.conference.slug}]),
    "api:table-detail": _in_conference(lambda v: v.tables[0].pk),
    "api:conference-round-list": Target(
        "organizer", lambda v, s: [{"conference_slug": v.conference.slug}]
    ),
    "api:conference-round-detail": _in_conference(lambda v: v.open.pk),
    "api:attendance-list": Target(
        "organizer", lambda v, s: [{"conference_slug": v.conference.slug}]
    ),
    "api:attendance-detail": _in_conference(lambda v: v.attendance.pk),
    "api:round-detail": _round("open", "organizer"),
    "api:round-cancel": _round("open", "organizer"),
    "api:round-held": _round("published", "organizer"),
    "api:round-plan-move": _round("published", "organizer"),
    "api:round-plan": _round("published", "organizer"),
    "api:round-problem": _round("open", "organizer"),
    "api:round-publish": _round("published", "organizer"),
    "api:round-runs": _round("open", "organizer"),
    "api:round-unpublish": _round("published", "organizer"),
    "api:run-detail": Target("organizer", lambda v, s: [{"pk": v.run.pk}]),
    "api:run-cancel": Target("organizer", lambda v, s: [{"pk": v.run.pk}]),
}

# Admin pages name their model: <app>_<model>_<view>. Series and topics are a shared vocabulary
# every organizer may read (organize.admin.conferences.ReadableByOrganizersAdmin).
ADMIN_VIEWS = ("change", "delete", "history")
ADMIN_SHARED = {"conferences.series", "conferences.topic"}
ADMIN_IMPORT_PREVIEWS = {
    "admin:attendees_attendance_import_preview": "batch",
    "admin:attendees_encounter_import_preview": "encounter_batch",
}


def admin_object(model_label: str, v: Victim):
    """The victim's object of each model registered in the admin."""
    from attendees.models import Attendance, Encounter, LoginLink, Person, RoundRSVP
    from conferences.models import Conference, DrinkTable, Series, Topic
    from matching.models import Seat

    model = apps.get_model(model_label)
    return {
        Series: v.conference.series,
        Topic: v.topic,
        Conference: v.conference,
        DrinkTable: v.tables[0],
        MeetupRound: v.open,
        ImportBatch: v.batch,
        Person: v.vera,
        Attendance: v.attendance,
        RoundRSVP: v.vera.rsvps.first() if hasattr(v.vera, "rsvps") else None,
        Encounter: Encounter.objects.filter(person_a=v.vera).first()
        or Encounter.objects.filter(person_b=v.vera).first(),
        SitTogether: v.wish,
        Block: v.block,
        LoginLink: v.link,
        ApiToken: v.token,
        MatchingRun: v.run,
        Seat: Seat.objects.filter(person=v.vera).first(),
        apps.get_model("auth.user"): v.vera.user,
        apps.get_model("auth.group"): None,
    }[model]


def patterns_with_parameters(resolver=None, namespace: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            found.update(patterns_with_parameters(entry, inner))
        elif entry.pattern.converters and entry.name:
            found[f"{namespace}:{entry.name}"] = entry
    return found


def _admin_kwargs(name: str, v: Victim, s: Stranger) -> list[dict]:
    if name in ADMIN_IMPORT_PREVIEWS:
        return [{"batch_id": getattr(v, ADMIN_IMPORT_PREVIEWS[name]).pk}]
    if name == "admin:view_on_site":
        return [
            {"content_type_id": ContentType.objects.get_for_model(o).pk, "object_id": o.pk}
            for o in (v.conference, v.open, v.vera)
        ]
    if name == "admin:auth_user_password_change":
        return [{"id": v.vera.user.pk}]
    app_model, _, view = name.removeprefix("admin:").rpartition("_")
    assert view in ADMIN_VIEWS, f"{name}: add it to the admin map of this test"
    app, _, model = app_model.partition("_")
    obj = admin_object(f"{app}.{model}", v)
    return [] if obj is None else [{"object_id": obj.pk}]


def test_every_url_with_a_parameter_is_in_a_map():
    names = set(patterns_with_parameters())
    admin = {name for name in names if name.startswith("admin:")}
    assert names - admin == set(PAGES) | set(API)
    for name in admin:  # raises for a kind of admin page the map does not know
        assert (
            name in ADMIN_IMPORT_PREVIEWS
            or name
            in {
                "admin:view_on_site",
                "admin:auth_user_password_change",
            }
            or name.rpartition("_")[2] in ADMIN_VIEWS
        ), name


def _refused(response, *, refusals: frozenset[int], login_url: str) -> bool:
    if response.status_code in refusals:
        return True
    if response.status_code == 302:
        return response["Location"].startswith(login_url)
    return False


def _snapshot(v: Victim) -> dict:
    return {
        "rounds": sorted(MeetupRound.objects.values_list("pk", "status", "published_run_id")),
        "runs": sorted(MatchingRun.objects.values_list("pk", "status")),
        "blocks": Block.objects.filter(pk=v.block.pk).count(),
        "wishes": SitTogether.objects.filter(pk=v.wish.pk).count(),
        "batches": [
            (b.pk, b.status, b.mapping) for b in ImportBatch.objects.order_by("pk").defer("content")
        ],
        "presets": sorted(ImportPreset.objects.values_list("pk", "name", "updated_at")),
        "tokens": ApiToken.objects.filter(pk=v.token.pk, revoked_at__isnull=True).count()
        if hasattr(ApiToken, "revoked_at")
        else ApiToken.objects.filter(pk=v.token.pk).count(),
        "vera": (v.vera.full_name, v.vera.bio, v.vera.email),
        "attendance": v.vera.attendances.count(),
        "tables": v.conference.tables.count() if hasattr(v.conference, "tables") else None,
    }


def _page_clients(v: Victim, s: Stranger) -> dict[str, Client]:
    clients = {"anonymous": Client(), "attendee": Client(), "organizer": Client()}
    clients["attendee"].force_login(s.attendee.user)
    clients["organizer"].force_login(s.organizer)
    return clients


def _assert_owner_reaches(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 302, 405), (url, response.status_code)


def _walk(targets: dict[str, Target], v, s, clients, *, login_url, methods, owners) -> None:
    secrets = v.secrets()
    before = _snapshot(v)
    for name, target in targets.items():
        for index, kwargs in enumerate(target.kwargs(v, s)):
            url = reverse(name, kwargs=kwargs)
            if target.owner and index == 0:  # the others mix in the stranger's own ids
                _assert_owner_reaches(owners[target.owner], url)
            for who, client in clients.items():
                for method in methods:
                    response = getattr(client, method)(url)
                    where = f"{method.upper()} {url} as {who}: {response.status_code}"
                    assert _refused(response, refusals=target.refusals, login_url=login_url(url)), (
                        where
                    )
                    body = response.content.decode(errors="replace")
                    leaked = [secret for secret in secrets if secret in body]
                    assert leaked == [], where
    assert _snapshot(v) == before


def test_pages_refuse_strangers(victim, stranger):
    owners = {"attendee": Client(), "organizer": Client()}
    owners["attendee"].force_login(victim.vera.user)
    owners["organizer"].force_login(victim.organizer)
    login = reverse("dashboard:login")
    _walk(
        PAGES,
        victim,
        stranger,
        _page_clients(victim, stranger),
        login_url=lambda url: f"{login}?next=",
        methods=("get", "post"),
        owners=owners,
    )


def test_api_refuses_strangers(victim, stranger):
    owners = {
        "attendee": api_client(victim.key),
        "organizer": api_client(None),
    }
    owners["organizer"].force_authenticate(victim.organizer)
    clients = {
        "anonymous": api_client(None),
        "attendee": api_client(stranger.keys["attendee"]),
        "organizer": api_client(stranger.keys["organizer"]),
    }
    _walk(
        API,
        victim,
        stranger,
        clients,
        login_url=lambda url: "never a redirect",
        methods=("get", "post", "put", "patch", "delete"),
        owners=owners,
    )


def test_admin_refuses_strangers(victim, stranger):
    admin_login = reverse("admin:login")
    admin_index = reverse("admin:index")
    clients = _page_clients(victim, stranger)
    secrets = [victim.vera.email, "Victim Summit 2026", "victims.csv"]
    before = _snapshot(victim)
    for name in sorted(patterns_with_parameters()):
        if not name.startswith("admin:"):
            continue
        for kwargs in _admin_kwargs(name, victim, stranger):
            url = reverse(name, kwargs=kwargs)
            shared = any(f"/{label.replace('.', '/')}/" in url for label in ADMIN_SHARED)
            for who, client in clients.items():
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    where = f"{method.upper()} {url} as {who}: {response.status_code}"
                    if shared and who == "organizer":
                        assert response.status_code in (200, 302, 403), where
                        continue
                    location = response.get("Location", "")
                    assert response.status_code in (403, 404) or (
                        response.status_code == 302
                        and (location.startswith(admin_login) or location == admin_index)
                    ), where
                    body = response.content.decode(errors="replace")
                    assert [s for s in secrets if s in body] == [], where
    assert _snapshot(victim) == before
