"""The tenant matrix: the organizer of another conference against every write door.

``test_idor.py`` aims every URL's *path* at the victim's objects. This walks what an organizer
can *send*: every admin model (add, change with its inlines, list filters, actions,
autocomplete), every organizer page and every API write, as the organizer of another conference
(``Stranger``), on their own objects with the victim's ids in the request **body**. Each time
the database must be unchanged and no victim's name, organization, e-mail or conference name may
appear in the answer.

So that a refusal cannot come from a body that is wrong for another reason, each body is built
by one function for an ``Aim``: aimed at the victim it must change nothing, aimed at the
stranger's own objects (the control) the same body must be accepted.

Like the IDOR walk it fails when something new appears without a case here: an admin model,
a form field (add or change, inlines included), an admin action or autocomplete field, an
organizer URL, an API write or one of its body parameters.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from attendees.imports import import_batch_create
from attendees.models import Attendance, Person
from conferences.enums import ImportKind, RoundStatus
from conferences.models import ImportPreset
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    PersonFactory,
    RoundRSVPFactory,
    SeatFactory,
)

from .conftest import Stranger, Victim, api_client
from .test_idor import admin_object

pytestmark = pytest.mark.django_db


# The stranger's own objects, and the two aims -----------------------------------------------


class Own:
    """What the other conference's organizer owns, to send the victim's ids against."""

    def __init__(self, s: Stranger):
        self.conference = s.conference
        self.conference2 = ConferenceFactory(name="Elsewhere Expo II", slug="elsewhere-two")
        self.conference2.organizers.add(s.organizer)
        self.table = DrinkTableFactory(conference=s.conference, label="ST1")
        self.table2 = DrinkTableFactory(conference=s.conference, label="ST2")
        # Nick was brought in by this organizer and never signed in: his profile is theirs to set.
        self.nick = PersonFactory(full_name="Nick Own", email="nick@elsewhere.example")
        AttendanceFactory(person=self.nick, conference=s.conference)
        self.sam = s.attendee
        self.round = s.round
        self.matched = MeetupRoundFactory(conference=s.conference, status=RoundStatus.MATCHED)
        self.run = MatchingRunFactory(round=self.matched)
        SeatFactory(run=self.run, person=self.sam, table=self.table)
        RoundRSVPFactory(person=self.sam, round=self.matched)
        RoundRSVPFactory(person=self.nick, round=self.matched)
        self.attendance = Attendance.objects.get(person=self.sam, conference=s.conference)
        self.batch = import_batch_create(
            by=s.organizer,
            conference_id=s.conference.pk,
            kind=ImportKind.REGISTRATIONS,
            filename="own.csv",
            content=b"Email address,Your name\nnick@elsewhere.example,Nick Own\n",
        )
        self.preset = ImportPreset.objects.create(
            conference=s.conference,
            name="Own form",
            columns={"email address": "email", "your name": "full_name"},
        )


@dataclass
class Aim:
    conference: object  # where a new thing goes
    conference2: object  # where somebody is newly registered
    person: Person
    person2: Person
    table: object
    round: object
    run: object
    preset: object


def aims(v: Victim, own: Own) -> dict[str, Aim]:
    return {
        "victim": Aim(
            v.conference,
            v.conference,
            v.vera,
            v.vic,
            v.tables[0],
            v.open,
            v.run,
            ImportPreset.objects.get(pk=v.preset_id),
        ),
        "own": Aim(
            own.conference,
            own.conference2,
            own.nick,
            own.sam,
            own.table2,
            own.round,
            own.run,
            own.preset,
        ),
    }


def snapshot() -> dict:
    """Every row of every model of the app (and users), as values."""
    volatile = {"last_login", "last_used_at"}
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"conferences", "attendees", "matching", "auth"}:
            rows[model._meta.label] = [
                {k: v for k, v in row.items() if k not in volatile}
                for row in model.objects.order_by("pk").values()
            ]
    return rows


def assert_no_secret(response, v: Victim, where: str, *, typed: tuple[str, ...] = ()) -> None:
    """None of the victim's secrets in the answer, but for what the asker ``typed`` in."""
    body = response.content.decode(errors="replace")
    leaked = [secret for secret in v.secrets() if secret in body and secret not in typed]
    assert leaked == [], f"{where}: {leaked}"


@pytest.fixture
def world(victim, stranger):
    own = Own(stranger)
    organizer = Client()
    organizer.force_login(stranger.organizer)
    return victim, stranger, own, organizer


# Admin ---------------------------------------------------------------------------------------


def inline(prefix: str, rows: list[dict] = ()) -> dict:
    body = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        body.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return body


def when(days: int, name: str) -> dict:
    moment = dt.datetime(2026, 6, 30, 18, 0) + dt.timedelta(days=days)
    return {f"{name}_0": moment.date().isoformat(), f"{name}_1": moment.time().isoformat()}


Body = Callable[[Aim], dict]


@dataclass(frozen=True)
class AdminCase:
    """How to aim one admin model. ``fields`` lists every field of the organizer's add and change
    forms (inline forms as ``prefix.field``): each is aimed by the bodies or holds no id."""

    fields: frozenset[str] = frozenset()
    add: Body | None = None
    change: tuple[Callable[[Own], object], Body] | None = None
    actions: frozenset[str] = frozenset()
    autocomplete: frozenset[str] = frozenset()


def _table(a: Aim, **extra) -> dict:
    return {
        "label": "NEW",
        "location": "",
        "capacity": "8",
        "active": "on",
        "host": a.person.pk,
        **extra,
    }


def _round(a: Aim, **extra) -> dict:
    return {
        "name": "Late drinks",
        **when(0, "starts_at"),
        **when(1, "ends_at"),
        "location": "",
        "tables": [a.table.pk],
        **extra,
    }


PERSON_FIELDS = frozenset(
    {
        "full_name",
        "email",
        "organization",
        "bio",
        "topics",
        "needs_accessible_seating",
        "opted_out",
        "show_organization",
    }
)
ATTENDANCE_ROW = {"role": "attendee", "newcomer_override": "unknown"}

ADMIN: dict[str, AdminCase] = {
    # Shared vocabulary: no field holds an id.
    "conferences.series": AdminCase(fields=frozenset({"name", "slug", "description"})),
    "conferences.topic": AdminCase(fields=frozenset({"name", "slug"})),
    "conferences.conference": AdminCase(
        fields=frozenset(
            {"series", "name", "slug", "city", "starts_on", "ends_on", "time_zone"}
            | {
                f"tables.{f}"
                for f in ("label", "location", "capacity", "accessible", "active", "host")
            }
            | {f"rounds.{f}" for f in ("name", "starts_at", "ends_at", "location")}
        ),
        change=(
            lambda own: own.conference,
            lambda a: {
                "name": "Elsewhere Expo",
                "city": "",
                "starts_on": "2026-06-28",
                "ends_on": "2026-07-01",
                "time_zone": "UTC",
                **inline("tables", [_table(a, label="SX")]),
                **inline("rounds"),
            },
        ),
        actions=frozenset({"delete_selected"}),
        autocomplete=frozenset({"tables.host"}),
    ),
    "conferences.drinktable": AdminCase(
        fields=frozenset(
            {"conference", "label", "location", "capacity", "accessible", "active", "host"}
        ),
        add=lambda a: {"conference": a.conference.pk, **_table(a)},
        change=(lambda own: own.table, lambda a: _table(a, label="ST1")),
        actions=frozenset({"delete_selected"}),
        autocomplete=frozenset({"host"}),
    ),
    "conferences.meetupround": AdminCase(
        fields=frozenset({"conference", "name", "starts_at", "ends_at", "location", "tables"}),
        add=lambda a: {"conference": a.conference.pk, **_round(a)},
        change=(lambda own: own.round, lambda a: _round(a, name="Later drinks")),
        actions=frozenset(
            {
                "delete_selected",
                "open_rounds",
                "run_matching",
                "publish_plan",
                "unpublish_plan",
                "mark_held",
                "cancel_rounds",
                "draft_rounds",
            }
        ),
    ),
    "conferences.importbatch": AdminCase(),
    "attendees.person": AdminCase(
        fields=PERSON_FIELDS
        | {"conference", "role"}
        | {
            f"attendances.{f}" for f in ("conference", "role", "newcomer_override", "checked_in_at")
        },
        add=lambda a: {
            "email": "brand.new@example.org",
            "full_name": "Brand New",
            "organization": "",
            "conference": a.conference.pk,
            "role": "attendee",
        },
        change=(
            lambda own: own.nick,
            lambda a: {
                "full_name": "Nick Own",
                "email": "nick@elsewhere.example",
                "organization": "",
                "bio": "",
                "show_organization": "on",
                **inline("attendances", [{"conference": a.conference2.pk, **ATTENDANCE_ROW}]),
            },
        ),
    ),
    "attendees.attendance": AdminCase(
        fields=frozenset({"person", "conference", "role", "newcomer_override", "checked_in_at"}),
        add=lambda a: {
            "person": a.person.pk,
            "conference": a.conference2.pk,
            **ATTENDANCE_ROW,
            "checked_in_at_0": "",
            "checked_in_at_1": "",
        },
        actions=frozenset({"delete_selected"}),
        autocomplete=frozenset({"person"}),
    ),
    "attendees.roundrsvp": AdminCase(
        fields=frozenset({"person", "round", "status"}),
        add=lambda a: {"person": a.person.pk, "round": a.round.pk, "status": "going"},
        actions=frozenset({"delete_selected"}),
        autocomplete=frozenset({"person"}),
    ),
    "attendees.encounter": AdminCase(
        fields=frozenset({"person_a", "person_b", "kind", "conference", "round", "occurred_on"}),
        add=lambda a: {
            "person_a": a.person.pk,
            "person_b": a.person2.pk,
            "kind": "imported",
            "conference": a.conference.pk,
            "round": "",
            "occurred_on": "2025-06-30",
        },
        actions=frozenset({"delete_selected"}),
        autocomplete=frozenset({"person_a", "person_b"}),
    ),
    "attendees.sittogether": AdminCase(),
    "attendees.block": AdminCase(),  # superusers only (test_idor: 403 for organizers)
    "attendees.loginlink": AdminCase(),
    "attendees.apitoken": AdminCase(),
    "matching.matchingrun": AdminCase(actions=frozenset({"cancel_runs"})),
    "matching.seat": AdminCase(),
    "auth.user": AdminCase(),
    "auth.group": AdminCase(),
}


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _form_fields(model_admin, request, obj) -> set[str]:
    if obj is None and not model_admin.has_add_permission(request):
        return set()
    if obj is not None and not model_admin.has_change_permission(request, obj):
        return set()
    form = model_admin.get_form(request, obj, change=obj is not None)
    names = set(form.base_fields)
    for inline_admin in model_admin.get_inline_instances(request, obj):
        formset = inline_admin.get_formset(request, obj)
        prefix = formset.get_default_prefix()
        names |= {f"{prefix}.{n}" for n in formset.form.base_fields if n not in ("id", "DELETE")}
        names -= {f"{prefix}.{inline_admin.parent_field}"}
    return names


def test_every_admin_model_field_action_and_autocomplete_has_a_case(world):
    v, s, own, _ = world
    request = _request(s.organizer)
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN), "add a case to ADMIN for each admin model"
    for label, case in ADMIN.items():
        model_admin = admin.site._registry[apps.get_model(label)]
        mine = case.change[0](own) if case.change else None
        fields = _form_fields(model_admin, request, None) | (
            _form_fields(model_admin, request, mine) if mine is not None else set()
        )
        assert fields == set(case.fields), f"{label}: aim these fields: {fields ^ set(case.fields)}"
        assert set(model_admin.get_actions(request)) == set(case.actions), label
        autocomplete = set(model_admin.get_autocomplete_fields(request)) | {
            f"{i.get_formset(request, mine).get_default_prefix()}.{name}"
            for i in model_admin.get_inline_instances(request, mine)
            for name in i.get_autocomplete_fields(request)
        }
        assert autocomplete == set(case.autocomplete), label


ADDS = [label for label, case in ADMIN.items() if case.add]
CHANGES = [label for label, case in ADMIN.items() if case.change]


def _admin_url(label: str, view: str, *args) -> str:
    return reverse(f"admin:{label.replace('.', '_')}_{view}", args=args)


@pytest.mark.parametrize("label", ADDS)
def test_admin_add_with_the_victims_ids_changes_nothing(world, label):
    v, s, own, client = world
    body = ADMIN[label].add
    targets = aims(v, own)
    url = _admin_url(label, "add")
    assert_no_secret(client.get(url), v, f"GET {url}")
    before = snapshot()

    refused = client.post(url, body(targets["victim"]))

    assert_no_secret(refused, v, f"POST {url}")
    assert snapshot() == before, f"{label}: the victim's ids were taken"
    accepted = client.post(url, body(targets["own"]))
    assert accepted.status_code == 302, (label, accepted.content.decode()[:3000])
    assert snapshot() != before, f"{label}: the control changed nothing; the case aims at nothing"


@pytest.mark.parametrize("label", CHANGES)
def test_admin_change_of_my_own_object_with_the_victims_ids_changes_nothing(world, label):
    v, s, own, client = world
    mine, body = ADMIN[label].change
    url = _admin_url(label, "change", mine(own).pk)
    assert_no_secret(client.get(url), v, f"GET {url}")
    before = snapshot()

    refused = client.post(url, body(aims(v, own)["victim"]))

    assert_no_secret(refused, v, f"POST {url}")
    assert snapshot() == before, f"{label}: the victim's ids were taken"
    accepted = client.post(url, body(aims(v, own)["own"]))
    assert accepted.status_code == 302, (label, accepted.content.decode()[:3000])
    assert snapshot() != before, f"{label}: the control changed nothing"


def test_admin_actions_on_the_victims_objects_change_nothing(world):
    v, s, own, client = world
    before = snapshot()
    for label, case in ADMIN.items():
        victims = admin_object(label, v)
        for action in sorted(case.actions):
            response = client.post(
                _admin_url(label, "changelist"),
                {"action": action, "_selected_action": [victims.pk], "post": "yes", "index": "0"},
            )
            assert_no_secret(response, v, f"{label} {action}")
            assert snapshot() == before, f"{label}: {action} reached the victim's object"


def test_admin_lists_filters_and_autocomplete_show_only_my_own(world):
    v, s, own, client = world
    request = _request(s.organizer)
    for label in ADMIN:
        model_admin = admin.site._registry[apps.get_model(label)]
        if not model_admin.has_view_permission(request):
            continue
        url = _admin_url(label, "changelist")
        assert_no_secret(client.get(url), v, url)
        for entry in model_admin.get_list_filter(request):
            path = entry[0] if isinstance(entry, tuple) else entry
            if isinstance(path, str):
                response = client.get(url, {f"{path}__id__exact": v.conference.pk})
                assert_no_secret(response, v, f"{url}?{path}")
    for label, case in ADMIN.items():
        model = apps.get_model(label)
        for name in case.autocomplete:
            source, field_name = model, name
            if "." in name:  # an inline's field: the source model is the inline's
                prefix, field_name = name.split(".")
                source = {"tables": apps.get_model("conferences.drinktable")}[prefix]
            for term in ("Vera", "Vic", "victim", ""):
                response = client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": source._meta.app_label,
                        "model_name": source._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    },
                )
                assert response.status_code == 200, (label, name)
                assert_no_secret(response, v, f"autocomplete {label}.{name} {term!r}")
                ids = {int(r["id"]) for r in response.json()["results"]}
                assert v.vera.pk not in ids and v.vic.pk not in ids


# Organizer pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    """A POST to one of my own pages (kwargs for me) with a body aimed at the victim, or None
    for a page that takes no body with ids (its path is walked by test_idor)."""

    kwargs: Callable[[Own], dict] | None = None
    body: Body | None = None
    fields: frozenset[str] = field(default=frozenset())


PAGES: dict[str, PageCase] = {
    "organize:index": PageCase(),
    "organize:round_plan": PageCase(),
    "organize:round_plan_status": PageCase(),
    "organize:round_problem": PageCase(),
    "organize:round_plan_export": PageCase(),
    "organize:round_run": PageCase(fields=frozenset({"time_limit_s", "seed", "portfolio"})),
    "organize:round_seat_move": PageCase(
        kwargs=lambda own: {"pk": own.matched.pk},
        body=lambda a: {"person": a.person.pk, "table": a.table.pk},
        fields=frozenset({"person", "table"}),
    ),
    "organize:round_open": PageCase(),
    "organize:round_draft": PageCase(),
    # The run the organizer reviewed: another round's run is refused, however it is named.
    "organize:round_publish": PageCase(
        kwargs=lambda own: {"pk": own.matched.pk},
        body=lambda a: {"run": a.run.pk},
        fields=frozenset({"run"}),
    ),
    "organize:round_unpublish": PageCase(),
    "organize:round_held": PageCase(),
    "organize:round_cancel": PageCase(),
    "organize:run_cancel": PageCase(),
    "organize:registrations_template": PageCase(),
    "organize:encounters_template": PageCase(),
    "organize:import_registrations": PageCase(
        kwargs=lambda own: {"slug": own.conference.slug},
        body=lambda a: {
            "file": SimpleUploadedFile("r.csv", b"email,full_name\nnew@elsewhere.example,New\n"),
            "preset": a.preset.pk,
        },
        fields=frozenset({"file", "preset"}),
    ),
    "organize:import_encounters": PageCase(fields=frozenset({"file"})),
    "organize:import_preview": PageCase(),
    "organize:import_confirm": PageCase(
        fields=frozenset({"created", "updated", "unchanged", "mapping"})
    ),
    "organize:import_mapping": PageCase(),  # column positions and ticket types, no ids
    "organize:import_preset_save": PageCase(fields=frozenset({"name"})),
    "organize:import_preset_apply": PageCase(
        kwargs=lambda own: {"slug": own.conference.slug, "pk": own.batch.pk},
        body=lambda a: {"preset": a.preset.pk},
        fields=frozenset({"preset"}),
    ),
    "organize:import_preset_delete": PageCase(),
    "organize:insights": PageCase(),
    "organize:plan_csv": PageCase(),
    "organize:table_cards": PageCase(),
    "organize:check_in": PageCase(),
    "organize:check_in_csv": PageCase(),
}
# The forms behind the organizer pages, by the page that posts them.
PAGE_FORMS = {
    "organize:round_run": "organize.forms.runs.RunRequestForm",
    "organize:round_seat_move": "organize.forms.runs.SeatMoveForm",
    "organize:import_registrations": "organize.forms.imports.RegistrationUploadForm",
    "organize:import_encounters": "organize.forms.imports.ImportUploadForm",
    "organize:import_confirm": "organize.forms.imports.ImportConfirmForm",
    "organize:import_mapping": "organize.forms.imports.ImportMappingForm",
    "organize:import_preset_save": "organize.forms.imports.ImportPresetForm",
    "organize:import_preset_apply": "organize.forms.imports.ImportPresetApplyForm",
}


def _organize_names() -> set[str]:
    resolver = get_resolver()
    return {
        f"organize:{entry.name}"
        for outer in resolver.url_patterns
        if getattr(outer, "namespace", None) == "organize"
        for entry in outer.url_patterns
        if entry.name
    }


def test_every_organizer_page_and_its_form_fields_have_a_case():
    from django.utils.module_loading import import_string

    assert _organize_names() == set(PAGES)
    for name, path in PAGE_FORMS.items():
        assert set(import_string(path).base_fields) == set(PAGES[name].fields), name


def test_organizer_pages_refuse_the_victims_ids_in_bodies(world):
    v, s, own, client = world
    for name, case in PAGES.items():
        if case.body is None:
            continue
        url = reverse(name, kwargs=case.kwargs(own))
        before = snapshot()
        response = client.post(url, case.body(aims(v, own)["victim"]), follow=True)
        assert_no_secret(response, v, f"POST {url}")
        assert snapshot() == before, name
        # The control: my own ids are taken (the move is checked by the engine; it may still
        # be refused for a reason of the plan, but not as "no such person or table").
        control = client.post(url, case.body(aims(v, own)["own"]), follow=True)
        assert "is registered for this conference" not in control.content.decode(), name
        assert "has no table with id" not in control.content.decode(), name


def test_an_import_naming_the_victims_address_reads_and_changes_nothing_of_hers(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    v, s, own, client = world
    vera = Person.objects.values().get(pk=v.vera.pk)
    files = {
        "organize:import_registrations": f"email,full_name,organization\n{v.vera.email},Not Vera,Evil\n",
        "organize:import_encounters": f"email_a,email_b,conference\n{v.vera.email},{v.vic.email},{v.conference.slug}\n",
    }
    for name, text in files.items():
        upload = SimpleUploadedFile("x.csv", text.encode(), content_type="text/csv")
        preview = client.post(
            reverse(name, kwargs={"slug": own.conference.slug}), {"file": upload}, follow=True
        )
        assert_no_secret(preview, v, name, typed=(v.vera.email,))
        batch = preview.context["batch"]
        counts = preview.context["preview"].counts()
        confirmed = client.post(
            reverse(
                "organize:import_confirm", kwargs={"slug": own.conference.slug, "pk": batch.pk}
            ),
            counts,
            follow=True,
        )
        assert_no_secret(confirmed, v, f"{name} confirmed", typed=(v.vera.email,))
    assert Person.objects.values().get(pk=v.vera.pk) == vera
    # Registered (linked silently) at the stranger's conference; nothing else of hers moved.
    assert set(
        Attendance.objects.filter(person=v.vera).values_list("conference__slug", flat=True)
    ) == {
        v.conference.slug,
        own.conference.slug,
    }


# API writes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCase:
    """One API write: the path for my own object, and a body aimed at the victim (or None when
    the body holds no id). ``fields`` lists the body's parameters, each considered."""

    fields: frozenset[str] = frozenset()
    path: Callable[[Own, Stranger], str] | None = None
    body: Body | None = None
    who: str = "organizer"


def _mine(own, s, suffix=""):
    return f"/api/v1/conferences/{own.conference.slug}/{suffix}"


API: dict[tuple[str, str], ApiCase] = {
    ("post", "/api/v1/conferences/{conference_slug}/attendances/"): ApiCase(
        frozenset({"attendances", "dry_run"})  # by e-mail: see the import test
    ),
    ("patch", "/api/v1/conferences/{conference_slug}/attendances/{id}/"): ApiCase(
        frozenset({"checked_in", "newcomer_override", "role"})
    ),
    ("post", "/api/v1/conferences/{conference_slug}/encounters/import/"): ApiCase(
        frozenset({"dry_run", "encounters"}),
        path=lambda own, s: _mine(own, s, "encounters/import/"),
        body=lambda a: {
            "encounters": [
                {
                    "email_a": a.person.email,
                    "email_b": a.person2.email,
                    "conference": a.conference.slug,
                }
            ]
        },
    ),
    ("post", "/api/v1/conferences/{conference_slug}/rounds/"): ApiCase(
        frozenset({"ends_at", "location", "name", "starts_at", "status", "tables"}),
        path=lambda own, s: _mine(own, s, "rounds/"),
        body=lambda a: {
            "name": "Late",
            "starts_at": "2026-06-30T18:00:00Z",
            "ends_at": "2026-06-30T20:00:00Z",
            "tables": [a.table.pk],
        },
    ),
    ("patch", "/api/v1/conferences/{conference_slug}/rounds/{id}/"): ApiCase(
        frozenset({"ends_at", "location", "name", "starts_at", "status", "tables"}),
        path=lambda own, s: _mine(own, s, f"rounds/{own.round.pk}/"),
        body=lambda a: {"tables": [a.table.pk]},
    ),
    ("delete", "/api/v1/conferences/{conference_slug}/rounds/{id}/"): ApiCase(),
    ("post", "/api/v1/conferences/{conference_slug}/tables/"): ApiCase(
        frozenset({"accessible", "active", "capacity", "host", "label", "location"}),
        path=lambda own, s: _mine(own, s, "tables/"),
        body=lambda a: {"label": "NEW", "host": a.person.pk},
    ),
    ("patch", "/api/v1/conferences/{conference_slug}/tables/{id}/"): ApiCase(
        frozenset({"accessible", "active", "capacity", "host", "label", "location"}),
        path=lambda own, s: _mine(own, s, f"tables/{own.table2.pk}/"),
        body=lambda a: {"host": a.person.pk},
    ),
    ("delete", "/api/v1/conferences/{conference_slug}/tables/{id}/"): ApiCase(),
    ("patch", "/api/v1/conferences/{slug}/"): ApiCase(
        frozenset({"city", "ends_on", "name", "starts_on", "time_zone"})
    ),
    ("patch", "/api/v1/me/"): ApiCase(
        frozenset(
            {"bio", "full_name", "needs_accessible_seating", "opted_out", "organization"}
            | {"language", "show_organization", "topics"}  # topics are shared vocabulary
        )
    ),
    ("delete", "/api/v1/me/"): ApiCase(),
    ("post", "/api/v1/me/email/"): ApiCase(frozenset({"email"})),  # an address, no id
    ("post", "/api/v1/me/calendar/"): ApiCase(),  # my own subscription: no id, no body
    ("delete", "/api/v1/me/calendar/"): ApiCase(),
    ("post", "/api/v1/me/blocks/"): ApiCase(
        frozenset({"person"}),
        path=lambda own, s: "/api/v1/me/blocks/",
        body=lambda a: {"person": a.person.pk},
        who="attendee",
    ),
    ("delete", "/api/v1/me/blocks/{id}/"): ApiCase(),
    ("delete", "/api/v1/me/encounters/{id}/"): ApiCase(),
    ("post", "/api/v1/me/rounds/{id}/met/"): ApiCase(
        frozenset({"people"}),
        path=lambda own, s: f"/api/v1/me/rounds/{own.round.pk}/met/",
        body=lambda a: {"people": [a.person.pk]},
        who="attendee",
    ),
    ("put", "/api/v1/me/rounds/{id}/rsvp/"): ApiCase(frozenset({"status"})),
    ("post", "/api/v1/me/sit-together/"): ApiCase(
        frozenset({"conference", "person"}),
        path=lambda own, s: "/api/v1/me/sit-together/",
        body=lambda a: {"person": a.person.pk, "conference": a.conference.slug},
        who="attendee",
    ),
    ("delete", "/api/v1/me/sit-together/{id}/"): ApiCase(),
    ("post", "/api/v1/rounds/{id}/cancel/"): ApiCase(),
    ("post", "/api/v1/rounds/{id}/held/"): ApiCase(),
    ("post", "/api/v1/rounds/{id}/plan/move/"): ApiCase(
        frozenset({"person", "run", "table"}),
        path=lambda own, s: f"/api/v1/rounds/{own.matched.pk}/plan/move/",
        body=lambda a: {"person": a.person.pk, "table": a.table.pk, "run": a.run.pk},
    ),
    ("post", "/api/v1/rounds/{id}/publish/"): ApiCase(
        frozenset({"run"}),
        path=lambda own, s: f"/api/v1/rounds/{own.matched.pk}/publish/",
        body=lambda a: {"run": a.run.pk},
    ),
    ("post", "/api/v1/rounds/{id}/runs/"): ApiCase(
        frozenset({"portfolio", "seed", "time_limit_s"})
    ),
    ("post", "/api/v1/rounds/{id}/unpublish/"): ApiCase(),
    ("post", "/api/v1/runs/{id}/cancel/"): ApiCase(),
    ("post", "/api/v1/tokens/"): ApiCase(frozenset({"name"})),
    ("delete", "/api/v1/tokens/{id}/"): ApiCase(),
}


def _api_writes() -> dict[tuple[str, str], set[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    writes = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            ref = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref")
            )
            properties = components[ref.rsplit("/", 1)[1]].get("properties", {}) if ref else {}
            writes[(method, path)] = set(properties)
    return writes


def test_every_api_write_and_body_parameter_has_a_case():
    writes = _api_writes()
    assert set(writes) == set(API), "add a case to API for each write"
    for key, properties in writes.items():
        assert properties == set(API[key].fields), f"{key}: aim {properties ^ set(API[key].fields)}"


def test_api_writes_refuse_the_victims_ids_in_bodies(world):
    v, s, own, _ = world
    clients = {
        "organizer": api_client(s.keys["organizer"]),
        "attendee": api_client(s.keys["attendee"]),
    }
    for (method, template), case in API.items():
        if case.body is None:
            continue
        url = case.path(own, s)
        client = clients[case.who]
        before = snapshot()
        response = getattr(client, method)(url, case.body(aims(v, own)["victim"]), format="json")
        where = f"{method.upper()} {url}: {response.status_code}"
        assert response.status_code in (400, 404, 409), where
        assert_no_secret(response, v, where)
        assert snapshot() == before, where
        control = getattr(client, method)(url, case.body(aims(v, own)["own"]), format="json")
        assert control.status_code != 500, f"{where} (control)"
        if case.who == "organizer":
            # Aimed at my own objects the ids are known: any refusal is about something else.
            text = control.content.decode()
            assert "is registered for this conference" not in text, template
            assert "has no table with id" not in text and "has no run" not in text, template


def test_a_filter_value_typed_in_cannot_tell_where_else_my_people_are_registered(world):
    v, s, own, client = world
    AttendanceFactory(person=own.nick, conference=v.conference)

    response = client.get(
        _admin_url("attendees.person", "changelist"),
        {"attendances__conference__id__exact": v.conference.pk},
    )
    mine = client.get(
        _admin_url("attendees.person", "changelist"),
        {"attendances__conference__id__exact": own.conference.pk},
    )

    assert "Nick Own" not in response.content.decode()
    assert "Nick Own" in mine.content.decode()
