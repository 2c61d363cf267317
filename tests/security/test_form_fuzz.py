"""Every form of the site, posted with random values by a signed-in user: never a 500.

Values are text (any script, NUL, very long), numbers, tricky strings (digits that are not
ASCII, "NaN", markup), repeated keys, missing fields and extra ones, sometimes as an htmx
request. Each example runs in a transaction that is rolled back, so every form meets the same
data. Answers must be one of ALLOWED. Derandomized and bounded (EXAMPLES per form).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

EXAMPLES = 25
ALLOWED = {200, 302, 400, 403, 404, 405, 409, 413, 429}

TRICKY = [
    "",
    " ",
    "\x00",
    "0",
    "-1",
    "1e9",
    "NaN",
    "Infinity",
    "0x10",
    "²",
    "١٢",
    "9" * 40,
    "<script>alert(1)</script>",
    "going",
    "not_going",
    "on",
    "true",
    "DELETE",
    "/admin/",
    "//evil.example/",
    "javascript:alert(1)",
]


def values(ids: list[int]):
    return st.one_of(
        st.sampled_from(TRICKY + [str(i) for i in ids]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
        st.integers(min_value=-(2**63), max_value=2**64).map(str),
        st.just("x" * 70_000),
    )


@st.composite
def form_data(draw, fields: list[str], ids: list[int]) -> dict:
    data = {}
    for name in fields:
        if draw(st.booleans()) or draw(st.booleans()):  # present three times in four
            many = draw(st.lists(values(ids), min_size=1, max_size=3))
            data[name] = many if len(many) > 1 else many[0]
    for _ in range(draw(st.integers(0, 2))):
        data[draw(st.text(min_size=1, max_size=10))] = draw(values(ids))
    return data


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# (URL name, kwargs from the world, who posts, the form's fields, method)
FORMS = [
    ("dashboard:login", None, None, ["email"], "post"),
    ("dashboard:staff_login", None, None, ["username", "password", "next"], "post"),
    (":admin_login", None, None, ["username", "password", "next"], "post"),
    ("dashboard:login_link", "link", None, [], "post"),
    ("dashboard:email_change", None, "attendee", ["email"], "post"),
    ("dashboard:email_confirm", "email", None, [], "post"),
    ("dashboard:rsvp", "open", "attendee", ["status", "next"], "post"),
    (
        "dashboard:profile",
        None,
        "attendee",
        [
            "full_name",
            "organization",
            "show_organization",
            "bio",
            "topics",
            "needs_accessible_seating",
            "opted_out",
            "language",
        ],
        "post",
    ),
    ("dashboard:blocks", None, "attendee", ["person", "next"], "post"),
    ("dashboard:block_delete", "block", "attendee", ["next"], "post"),
    ("dashboard:together", None, "attendee", ["person", "conference", "next"], "post"),
    ("dashboard:together_withdraw", "wish", "attendee", ["next"], "post"),
    ("dashboard:met", "held", "attendee", ["people"], "post"),
    ("dashboard:met_undo", "met", "attendee", [], "post"),
    ("dashboard:delete", None, "attendee", ["confirm"], "post"),
    ("dashboard:calendar", None, "attendee", ["action"], "post"),
    ("dashboard:sign_out_everywhere", None, "attendee", [], "post"),
    ("dashboard:logout", None, "attendee", ["next"], "post"),
    ("dashboard:round", "held", "attendee", ["q"], "get"),
    ("dashboard:met_search", "held", "attendee", ["q"], "get"),
    ("dashboard:blocks", None, "attendee", ["q"], "get"),
    ("dashboard:block_search", None, "attendee", ["q"], "get"),
    ("dashboard:together", None, "attendee", ["q"], "get"),
    ("dashboard:together_search", None, "attendee", ["q"], "get"),
    (
        "organize:round_plan",
        "published",
        "organizer",
        ["move", "q", "warnings", "page", "at", "tq", "review"],
        "get",
    ),
    ("organize:round_plan_status", "open", "organizer", ["watching"], "get"),
    ("organize:round_run", "open", "organizer", ["seed", "time_limit_s", "portfolio"], "post"),
    ("organize:round_seat_move", "matched", "organizer", ["person", "table"], "post"),
    ("organize:round_open", "open", "organizer", [], "post"),
    ("organize:round_draft", "open", "organizer", [], "post"),
    ("organize:round_publish", "matched", "organizer", ["run"], "post"),
    ("organize:round_unpublish", "published", "organizer", [], "post"),
    ("organize:round_held", "published", "organizer", [], "post"),
    ("organize:round_cancel", "open", "organizer", [], "post"),
    ("organize:run_cancel", "run", "organizer", [], "post"),
    ("organize:import_registrations", "slug", "organizer", ["file", "preset"], "upload"),
    ("organize:import_encounters", "slug", "organizer", ["file"], "upload"),
    (
        "organize:import_confirm",
        "batch",
        "organizer",
        ["created", "updated", "unchanged", "mapping"],
        "post",
    ),
    ("organize:import_mapping", "batch", "organizer", ["column-0", "column-1", "role-0"], "post"),
    ("organize:import_preset_save", "batch", "organizer", ["name"], "post"),
    ("organize:import_preset_apply", "batch", "organizer", ["preset"], "post"),
    ("organize:import_preset_delete", "preset", "organizer", [], "post"),
]


def _kwargs(key: str | None, victim) -> dict:
    if key is None:
        return {}
    if key == "link":
        return {"token": "vera-secret-link"}
    if key == "email":
        return {"token": "vera-email-secret"}
    if key == "slug":
        return {"slug": victim.conference.slug}
    if key == "met":
        return {"pk": victim.held.pk, "person": victim.vic.pk}
    if key == "batch":
        return {"slug": victim.conference.slug, "pk": victim.batch.pk}
    if key == "preset":
        return {"slug": victim.conference.slug, "preset_pk": victim.preset_id}
    return {"pk": getattr(victim, key).pk}


@pytest.fixture
def matched(victim):
    """A round in review with a finished plan, for seat moves and publishing."""
    from conferences.enums import RoundStatus
    from tests.api.support import seated_round

    victim.matched = seated_round(
        victim.conference,
        {victim.tables[0]: [victim.vera], victim.tables[1]: [victim.vic]},
        status=RoundStatus.MATCHED,
    )
    return victim


@pytest.mark.parametrize(
    ("name", "key", "who", "fields", "method"), FORMS, ids=[f"{f[0]}-{f[4]}" for f in FORMS]
)
def test_random_form_input_never_fails_the_server(name, key, who, fields, method, matched):
    victim = matched
    url = reverse(name.lstrip(":"), kwargs=_kwargs(key, victim))
    ids = [
        victim.vera.pk,
        victim.vic.pk,
        victim.tables[0].pk,
        victim.conference.pk,
        victim.topic.pk,
    ]
    user = {"attendee": victim.vera.user, "organizer": victim.organizer, None: None}[who]

    @FUZZ
    @given(data=form_data(fields, ids), htmx=st.booleans(), upload=st.binary(max_size=300))
    def fuzz(data, htmx, upload):
        client = Client()
        headers = {"HX-Request": "true"} if htmx else {}
        with transaction.atomic():
            if user is not None:
                client.force_login(user)
            if method == "get":
                response = client.get(url, data, headers=headers)
            else:
                if method == "upload" and data.pop("file", None) is not None:
                    data["file"] = SimpleUploadedFile("fuzz.csv", upload, content_type="text/csv")
                response = client.post(url, data, headers=headers)
            transaction.set_rollback(True)
        assert response.status_code in ALLOWED, (response.status_code, data)

    fuzz()


def test_a_next_that_is_not_a_path_goes_to_the_default_page(client, victim):
    """redirect() took next=0 for the name of a view and failed with a 500."""
    client.force_login(victim.vera.user)
    for target, expected in (("0", "/"), ("home", "/"), ("/network/", "/network/")):
        url = reverse("dashboard:rsvp", args=[victim.open.pk])
        response = client.post(url, {"status": "going", "next": target})
        assert (response.status_code, response["Location"]) == (302, expected)


@pytest.mark.parametrize("digits", ["²", "²²²²", "١٢"])
def test_digits_that_are_not_ascii_are_not_taken_for_numbers(client, victim, digits):
    """str.isdigit() is true for "²", which int() refuses: that was a 500 in four places."""
    from .conftest import api_client

    client.force_login(victim.organizer)
    plan = reverse("organize:round_plan", args=[victim.published.pk])
    status = reverse("organize:round_plan_status", args=[victim.published.pk])
    assert client.get(plan, {"move": digits}).status_code == 200
    assert (
        client.get(status, {"watching": digits}, headers={"HX-Request": "true"}).status_code == 200
    )

    pages = api_client(victim.key).get(reverse("api:my-round-list"), {"page_size": digits})
    assert (pages.status_code, list(pages.json()["errors"])) == (400, ["page_size"])

    organizer = api_client(None)
    organizer.force_authenticate(victim.organizer)
    row = {"email_a": victim.vera.email, "email_b": victim.vic.email, "conference": digits}
    answer = organizer.post(
        reverse("api:encounter-import", args=[victim.conference.slug]),
        {"encounters": [row], "dry_run": True},
        format="json",
    )
    assert (answer.status_code, list(answer.json()["errors"])) == (
        400,
        ["encounters[0].conference"],
    )


# Pages that read no input but their path (the IDOR walk covers those): GET only, no form.
NO_INPUT = {
    "dashboard:home",
    "dashboard:login_sent",
    "dashboard:round_calendar",
    "dashboard:calendar_feed",  # the secret in the path, nothing else read
    "dashboard:network",
    "dashboard:data",
    "dashboard:export",
    "organize:index",
    "organize:registrations_template",
    "organize:encounters_template",
    "organize:round_problem",
    "organize:round_plan_export",
    "organize:plan_csv",
    "organize:table_cards",
    "organize:check_in",
    "organize:check_in_csv",
    "organize:insights",
    "organize:import_preview",
}


def test_every_page_is_fuzzed_or_reads_no_input():
    """A new page of ours must be added to FORMS (or NO_INPUT); the admin and the API are
    covered elsewhere (Django's own forms; schemathesis in tests/api)."""
    from django.urls import URLResolver, get_resolver

    def names(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(p for p in (namespace, entry.namespace) if p)
                yield from names(entry, inner)
            elif entry.name:
                yield f"{namespace}:{entry.name}"

    ours = {n for n in names(get_resolver()) if not n.startswith(("admin:", "api:"))}
    assert ours - NO_INPUT == {name for name, *_ in FORMS}
