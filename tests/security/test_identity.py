"""A person's identity belongs to the person (docs/security.md, "Identity").

The e-mail that signs them in, their account and their profile are changed by them. An
organizer may set them only for people registered solely at conferences that organizer
organizes who have never signed in; superusers correct anything. Checked through every door an
organizer has: the admin (person, registrations, RSVPs, tables), the API (bulk registration)
and the CSV import, and end to end for the takeover the issue describes.
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attendees import services
from attendees.imports import import_batch_create
from attendees.models import Attendance, Person, RoundRSVP
from conferences.enums import ImportKind
from conferences.models import DrinkTable
from tests.api.support import attendee_of
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class Two:
    """Vera signed in at conference A; Bert runs conference B; Nia is B's own, never signed in."""

    def __init__(self):
        self.a = ConferenceFactory(name="Alpha Summit", slug="alpha")
        self.b = ConferenceFactory(name="Beta Forum", slug="beta")
        self.alice = OrganizerFactory(username="alice", conferences=[self.a])
        self.bert = OrganizerFactory(username="bert", conferences=[self.b])
        self.vera = attendee_of(self.a, full_name="Vera Victimova", organization="Hive Co")
        self.nia = PersonFactory(full_name="Nia New", email="nia@example.org")
        AttendanceFactory(person=self.nia, conference=self.b)
        self.round_b = MeetupRoundFactory(conference=self.b, status="open")

    def vera_now(self):
        return Person.objects.values("email", "full_name", "organization", "user_id").get(
            pk=self.vera.pk
        )


@pytest.fixture
def two(db):
    return Two()


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_rule(two):
    both = PersonFactory(email="both@example.org")
    AttendanceFactory(person=both, conference=two.a)
    AttendanceFactory(person=both, conference=two.b)
    nobody = PersonFactory(email="nobody@example.org")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    editable = services.person_identity_editable_by

    assert editable(person=two.nia, user=two.bert)
    assert not editable(person=two.nia, user=two.alice)  # not hers
    assert not editable(person=two.vera, user=two.alice)  # signed in
    assert not editable(person=both, user=two.bert)  # registered elsewhere too
    assert not editable(person=both, user=two.alice)
    assert not editable(person=nobody, user=two.bert)  # registered nowhere: nobody's
    assert editable(person=two.vera, user=superuser)
    assert editable(person=two.vera, user=None)  # the system


def test_the_takeover_of_the_issue_is_closed(two, django_capture_on_commit_callbacks):
    """Bert registers Vera's id to B, changes her e-mail, asks for a sign-in link: refused at
    each step, and no link ever signs him in as Vera."""
    before = two.vera_now()
    bert = admin_client(two.bert)

    # 1. Vera's id in the body of a registration: not a choice Bert has.
    registered = bert.post(
        reverse("admin:attendees_attendance_add"),
        {"person": two.vera.pk, "conference": two.b.pk, "role": "attendee"},
    )
    assert registered.status_code == 200
    assert "Select a valid choice" in registered.content.decode()
    assert not Attendance.objects.filter(person=two.vera, conference=two.b).exists()

    # 2. Her page is not his to open, let alone change.
    change = reverse("admin:attendees_person_change", args=[two.vera.pk])
    assert bert.get(change).status_code in (302, 403, 404)
    bert.post(change, {"email": "bert@evil.example", "full_name": "Vera"})
    assert two.vera_now() == before

    # 3. Registering her address links her, silently, and changes nothing of hers.
    added = bert.post(
        reverse("admin:attendees_person_add"),
        {
            "email": two.vera.email.upper(),
            "full_name": "Someone Else",
            "organization": "Evil Corp",
            "conference": two.b.pk,
            "role": "attendee",
        },
    )
    assert added.status_code == 302
    assert two.vera_now() == before
    assert Attendance.objects.filter(person=two.vera, conference=two.b).exists()

    # 4. Now she attends B; her identity stays read-only to Bert whatever he posts.
    page = bert.get(change).content.decode()
    assert 'name="email"' not in page and 'name="full_name"' not in page
    bert.post(
        change,
        {
            "email": "bert@evil.example",
            "full_name": "Vera",
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    with pytest.raises(PermissionDenied):
        services.person_edit(by=two.bert, person_id=two.vera.pk, data={"email": "b@evil.example"})
    assert two.vera_now() == before

    # 5. A sign-in link for Bert's address signs nobody in.
    with django_capture_on_commit_callbacks(execute=True):
        services.login_link_request(email="bert@evil.example", ip=None, base_url="http://t")
    assert mail.outbox == []


def test_an_organizer_edits_the_people_only_they_brought_in(two):
    bert = admin_client(two.bert)

    response = bert.post(
        reverse("admin:attendees_person_change", args=[two.nia.pk]),
        {
            "full_name": "Nia Newton",
            "email": "Nia.Newton@Example.org",
            "organization": "School",
            "bio": "",
            "show_organization": "on",
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    two.nia.refresh_from_db()
    assert (two.nia.full_name, two.nia.email) == ("Nia Newton", "nia.newton@example.org")


def test_someone_who_signed_in_or_is_registered_elsewhere_is_read_only_in_every_door(two):
    both = PersonFactory(email="both@example.org", full_name="Bo Both")
    AttendanceFactory(person=both, conference=two.a)
    AttendanceFactory(person=both, conference=two.b)
    AttendanceFactory(person=two.vera, conference=two.b)
    people = {p.pk: (p.email, p.full_name, p.organization, p.user_id) for p in (both, two.vera)}
    bert = admin_client(two.bert)

    for person in (both, two.vera):
        bert.post(
            reverse("admin:attendees_person_change", args=[person.pk]),
            {"full_name": "Changed", "email": "changed@evil.example", "organization": "X"},
        )
        with pytest.raises(PermissionDenied):
            services.person_edit(by=two.bert, person_id=person.pk, data={"full_name": "Changed"})
    api = APIClient()
    api.force_authenticate(two.bert)
    rows = [
        {"email": "both@example.org", "full_name": "Changed", "organization": "X"},
        {"email": two.vera.email, "full_name": "Changed", "organization": "X"},
    ]
    api_answer = api.post(
        "/api/v1/conferences/beta/attendances/", {"attendances": rows}, format="json"
    )
    batch = import_batch_create(
        conference_id=two.b.pk,
        kind=ImportKind.REGISTRATIONS,
        filename="r.csv",
        content=(
            f"email,full_name,organization\nboth@example.org,Changed,X\n{two.vera.email},Changed,X\n"
        ).encode(),
        by=two.bert,
    )
    preview = bert.get(reverse("organize:import_preview", args=["beta", batch.pk]))
    bert.post(
        reverse("organize:import_confirm", args=["beta", batch.pk]),
        {"created": 0, "updated": 0, "unchanged": 2},
    )

    assert api_answer.status_code == 200
    assert "manages their own" in preview.content.decode()
    assert {
        p.pk: (p.email, p.full_name, p.organization, p.user_id)
        for p in Person.objects.filter(pk__in=people)
    } == people


def test_registration_data_stays_the_organizers_to_keep(two):
    AttendanceFactory(person=two.vera, conference=two.b)
    attendance = Attendance.objects.get(person=two.vera, conference=two.b)

    services.attendance_update(
        by=two.bert, attendance_id=attendance.pk, data={"role": "speaker", "checked_in": True}
    )

    attendance.refresh_from_db()
    assert attendance.role == "speaker" and attendance.checked_in_at is not None


def test_a_superuser_corrects_anything(two):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    other_user = UserFactory()

    services.person_edit(
        by=superuser,
        person_id=two.vera.pk,
        data={"email": "vera@new.example", "full_name": "Vera V.", "user": other_user.pk},
    )

    assert two.vera_now() == {
        "email": "vera@new.example",
        "full_name": "Vera V.",
        "organization": "Hive Co",
        "user_id": other_user.pk,
    }


def test_foreign_people_are_no_choice_in_any_admin_form(two):
    """RSVPs, tables, encounters: another conference's person id in the body is refused the
    same as an id nobody has, and nothing is written."""
    bert = admin_client(two.bert)
    bodies = {
        "admin:attendees_roundrsvp_add": {
            "person": two.vera.pk,
            "round": two.round_b.pk,
            "status": "going",
        },
        "admin:conferences_drinktable_add": {
            "conference": two.b.pk,
            "label": "B1",
            "capacity": 8,
            "host": two.vera.pk,
        },
        "admin:attendees_encounter_add": {
            "person_a": two.vera.pk,
            "person_b": two.nia.pk,
            "kind": "imported",
            "conference": two.b.pk,
            "occurred_on": "2026-01-01",
        },
    }
    for name, body in bodies.items():
        response = bert.post(reverse(name), body)
        assert response.status_code == 200, name
        assert "Select a valid choice" in response.content.decode(), name
        assert "Vera" not in response.content.decode(), name
    assert not RoundRSVP.objects.exists() and not DrinkTable.objects.exists()
