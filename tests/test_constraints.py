"""Every database constraint refuses a bad row, on SQLite and on PostgreSQL.

Rows are written with queryset/bulk operations where a model's save() would tidy the input
first, so the database itself is what says no.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

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
from conferences.models import ImportBatch, ImportPreset, MeetupRound, Series, Topic
from matching.models import MatchingRun, MetPrompt, RunCandidate, Seat, SeatNotification

from .factories import (
    AttendanceFactory,
    BlockFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    PersonFactory,
    RoundRSVPFactory,
    SeatFactory,
    SeriesFactory,
    SitTogetherFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refuses(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def two_people() -> tuple[Person, Person]:
    first, second = PersonFactory(), PersonFactory()
    return (first, second) if first.pk < second.pk else (second, first)


def test_series_slug_is_unique():
    SeriesFactory(slug="necc")
    refuses(lambda: Series.objects.create(name="Other", slug="necc"))


def test_conference_slug_is_unique():
    ConferenceFactory(slug="necc-2008")
    refuses(lambda: ConferenceFactory(slug="necc-2008"))


def test_conference_cannot_end_before_it_starts():
    refuses(lambda: ConferenceFactory(starts_on=dt.date(2024, 6, 3), ends_on=dt.date(2024, 6, 2)))


def test_topic_names_are_unique_ignoring_case():
    TopicFactory(name="Open source", slug="open-source")
    refuses(lambda: Topic.objects.create(name="OPEN SOURCE", slug="open-source-2"))


def test_table_label_is_unique_within_a_conference():
    table = DrinkTableFactory(label="T1")
    refuses(lambda: DrinkTableFactory(conference=table.conference, label="T1"))
    DrinkTableFactory(label="T1")  # another conference may reuse it


@pytest.mark.parametrize("capacity", [0, 101])
def test_table_capacity_stays_in_range(capacity):
    refuses(lambda: DrinkTableFactory(capacity=capacity))


def test_round_cannot_end_before_it_starts():
    start = timezone.now()
    refuses(lambda: MeetupRoundFactory(starts_at=start, ends_at=start))


def test_round_status_must_be_known():
    meetup_round = MeetupRoundFactory()
    refuses(lambda: MeetupRound.objects.filter(pk=meetup_round.pk).update(status="partying"))


@pytest.mark.parametrize("status", ["published", "held"])
def test_published_or_held_round_needs_its_plan(status):
    meetup_round = MeetupRoundFactory()
    refuses(lambda: MeetupRound.objects.filter(pk=meetup_round.pk).update(status=status))


def test_person_email_is_unique_ignoring_case():
    PersonFactory(email="ann@example.org")
    refuses(lambda: Person.objects.bulk_create([Person(full_name="Ann", email="ANN@example.org")]))


def test_person_save_stores_email_lower_case():
    person = PersonFactory(email="  Ann.Lee@Example.ORG ")
    person.refresh_from_db()
    assert person.email == "ann.lee@example.org"


def test_person_needs_email_and_name_unless_deleted():
    refuses(lambda: Person.objects.bulk_create([Person(full_name="Ann", email="")]))
    refuses(lambda: Person.objects.bulk_create([Person(full_name="", email="a@example.org")]))
    Person.objects.bulk_create(
        [Person(full_name="", email="", deleted_at=timezone.now()) for _ in range(2)]
    )
    assert Person.objects.filter(deleted_at__isnull=False).count() == 2


def test_attendance_is_unique_per_person_and_conference():
    attendance = AttendanceFactory()
    refuses(
        lambda: Attendance.objects.create(
            person=attendance.person, conference=attendance.conference
        )
    )


def test_attendance_role_must_be_known():
    refuses(lambda: AttendanceFactory(role="vip"))


def test_rsvp_is_unique_per_person_and_round():
    rsvp = RoundRSVPFactory()
    refuses(lambda: RoundRSVP.objects.create(person=rsvp.person, round=rsvp.round, status="going"))


def test_rsvp_status_must_be_known():
    refuses(lambda: RoundRSVPFactory(status="maybe"))


def test_encounter_pair_is_stored_in_id_order_and_never_with_oneself():
    low, high = two_people()
    conference = ConferenceFactory()
    refuses(
        lambda: Encounter.objects.create(
            person_a=high,
            person_b=low,
            kind="imported",
            conference=conference,
            occurred_on=conference.starts_on,
        )
    )
    refuses(
        lambda: Encounter.objects.create(
            person_a=low,
            person_b=low,
            kind="imported",
            conference=conference,
            occurred_on=conference.starts_on,
        )
    )


def test_encounter_kind_must_be_known():
    low, high = two_people()
    refuses(lambda: EncounterFactory(person_a=low, person_b=high, kind="hugged"))


@pytest.mark.parametrize("kind", ["seated", "met"])
def test_seated_and_met_encounters_name_their_round(kind):
    low, high = two_people()
    refuses(lambda: EncounterFactory(person_a=low, person_b=high, kind=kind, round=None))


def test_encounter_is_unique_per_round_and_kind():
    low, high = two_people()
    meetup_round = MeetupRoundFactory()
    values = {
        "person_a": low,
        "person_b": high,
        "kind": "seated",
        "round": meetup_round,
        "conference": meetup_round.conference,
        "occurred_on": meetup_round.starts_at.date(),
    }
    Encounter.objects.create(**values)
    refuses(lambda: Encounter.objects.create(**values))
    Encounter.objects.create(**{**values, "kind": "met"})  # a confirmed meeting is its own row


def test_imported_encounter_is_unique_per_conference():
    low, high = two_people()
    conference = ConferenceFactory()
    EncounterFactory(person_a=low, person_b=high, conference=conference)
    refuses(
        lambda: EncounterFactory(
            person_a=low,
            person_b=high,
            conference=conference,
            occurred_on=conference.starts_on + dt.timedelta(days=1),
        )
    )


def test_imported_encounter_without_conference_is_unique_per_day():
    low, high = two_people()
    day = dt.date(2019, 5, 1)
    EncounterFactory(person_a=low, person_b=high, conference=None, occurred_on=day)
    refuses(lambda: EncounterFactory(person_a=low, person_b=high, conference=None, occurred_on=day))


def test_block_is_unique_and_never_of_oneself():
    block = BlockFactory()
    refuses(lambda: Block.objects.create(blocker=block.blocker, blocked=block.blocked))
    refuses(lambda: Block.objects.create(blocker=block.blocker, blocked=block.blocker))


def test_sit_together_request_is_unique_and_never_with_oneself():
    wish = SitTogetherFactory()
    refuses(
        lambda: SitTogether.objects.create(
            conference=wish.conference, requester=wish.requester, requested=wish.requested
        )
    )
    refuses(
        lambda: SitTogether.objects.create(
            conference=wish.conference, requester=wish.requester, requested=wish.requester
        )
    )


def test_login_link_and_api_token_hashes_are_unique():
    expires = timezone.now() + dt.timedelta(minutes=15)
    LoginLink.objects.create(email="a@example.org", token_hash="x" * 64, expires_at=expires)
    refuses(
        lambda: LoginLink.objects.create(
            email="b@example.org", token_hash="x" * 64, expires_at=expires
        )
    )
    user = UserFactory()
    ApiToken.objects.create(user=user, name="one", prefix="abc", key_hash="y" * 64)
    refuses(lambda: ApiToken.objects.create(user=user, name="two", prefix="abc", key_hash="y" * 64))


@pytest.mark.parametrize(
    "values",
    [{"progress": 101}, {"status": "exploded"}, {"time_limit_s": 0}, {"portfolio": 0}],
    ids=["progress", "status", "time_limit", "portfolio"],
)
def test_run_fields_stay_in_range(values):
    run = MatchingRunFactory()
    refuses(lambda: MatchingRun.objects.filter(pk=run.pk).update(**values))


@pytest.mark.parametrize("status", ["queued", "running"])
def test_one_active_run_per_round(status):
    run = MatchingRunFactory(status=status)
    refuses(lambda: MatchingRunFactory(round=run.round, status="queued"))
    refuses(lambda: MatchingRunFactory(round=run.round, status="running"))
    MatchingRunFactory(round=run.round, status="succeeded")
    MatchingRunFactory(round=run.round, status="failed")


def test_seat_is_unique_per_run_and_person():
    seat = SeatFactory()
    other_table = DrinkTableFactory(conference=seat.table.conference)
    refuses(lambda: Seat.objects.create(run=seat.run, person=seat.person, table=other_table))


def test_seat_notification_is_unique_per_round_and_person():
    seat = SeatFactory()
    values = {
        "round": seat.run.round,
        "person": seat.person,
        "table": seat.table,
        "sent_at": timezone.now(),
    }
    SeatNotification.objects.create(**values)
    refuses(lambda: SeatNotification.objects.create(**values))


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "spreadsheet"},
        {"status": "half-done", "applied_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        {"status": "applied", "applied_at": None},
    ],
    ids=["kind", "status", "applied-without-time"],
)
def test_import_batch_fields_stay_valid(values):
    batch = ImportBatch.objects.create(conference=ConferenceFactory(), kind="registrations")
    refuses(lambda: ImportBatch.objects.filter(pk=batch.pk).update(**values))


def test_import_preset_names_are_unique_per_conference_ignoring_case():
    conference = ConferenceFactory()
    ImportPreset.objects.create(conference=conference, name="pretix", columns={})
    refuses(lambda: ImportPreset.objects.create(conference=conference, name="PRETIX", columns={}))
    ImportPreset.objects.create(conference=ConferenceFactory(), name="pretix", columns={})


def test_import_preset_source_must_be_known():
    preset = ImportPreset.objects.create(conference=ConferenceFactory(), name="x", columns={})
    refuses(lambda: ImportPreset.objects.filter(pk=preset.pk).update(source="ticketmaster"))


def test_portfolio_candidate_is_unique_per_run_attempt_and_seed():
    run = MatchingRunFactory(status="running", attempts=1)
    values = {"run": run, "attempt": 1, "seed": 7, "started_at": timezone.now()}
    RunCandidate.objects.create(**values)
    refuses(lambda: RunCandidate.objects.create(**values))
    RunCandidate.objects.create(**{**values, "attempt": 2})


def test_met_prompt_is_unique_per_round_and_person():
    seat = SeatFactory()
    values = {"round": seat.run.round, "person": seat.person, "sent_at": timezone.now()}
    MetPrompt.objects.create(**values)
    refuses(lambda: MetPrompt.objects.create(**values))
    MetPrompt.objects.create(**{**values, "person": PersonFactory()})


def test_every_model_constraint_has_a_test():
    """A new constraint without a test above fails here, so none goes untested."""
    from pathlib import Path

    from django.apps import apps

    source = Path(__file__).read_text(encoding="utf-8")
    tested = {
        constraint.name
        for app in ("conferences", "attendees", "matching")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
    }
    covered = {
        "conference_ends_after_start": "test_conference_cannot_end_before_it_starts",
        "topic_name_unique_ci": "test_topic_names_are_unique_ignoring_case",
        "table_label_unique": "test_table_label_is_unique_within_a_conference",
        "table_capacity_range": "test_table_capacity_stays_in_range",
        "round_ends_after_start": "test_round_cannot_end_before_it_starts",
        "round_status_valid": "test_round_status_must_be_known",
        "round_published_has_run": "test_published_or_held_round_needs_its_plan",
        "person_email_unique_ci": "test_person_email_is_unique_ignoring_case",
        "person_email_required": "test_person_needs_email_and_name_unless_deleted",
        "person_name_required": "test_person_needs_email_and_name_unless_deleted",
        "attendance_unique": "test_attendance_is_unique_per_person_and_conference",
        "attendance_role_valid": "test_attendance_role_must_be_known",
        "rsvp_unique": "test_rsvp_is_unique_per_person_and_round",
        "rsvp_status_valid": "test_rsvp_status_must_be_known",
        "encounter_pair_ordered": "test_encounter_pair_is_stored_in_id_order_and_never_with_oneself",
        "encounter_kind_valid": "test_encounter_kind_must_be_known",
        "encounter_round_required": "test_seated_and_met_encounters_name_their_round",
        "encounter_unique_per_round": "test_encounter_is_unique_per_round_and_kind",
        "encounter_unique_per_conference": "test_imported_encounter_is_unique_per_conference",
        "encounter_unique_per_day": "test_imported_encounter_without_conference_is_unique_per_day",
        "block_unique": "test_block_is_unique_and_never_of_oneself",
        "block_not_self": "test_block_is_unique_and_never_of_oneself",
        "sit_together_unique": "test_sit_together_request_is_unique_and_never_with_oneself",
        "sit_together_not_self": "test_sit_together_request_is_unique_and_never_with_oneself",
        "run_progress_range": "test_run_fields_stay_in_range",
        "run_status_valid": "test_run_fields_stay_in_range",
        "run_time_limit_positive": "test_run_fields_stay_in_range",
        "run_portfolio_positive": "test_run_fields_stay_in_range",
        "one_active_run_per_round": "test_one_active_run_per_round",
        "seat_unique_per_run": "test_seat_is_unique_per_run_and_person",
        "notification_unique": "test_seat_notification_is_unique_per_round_and_person",
        "import_kind_valid": "test_import_batch_fields_stay_valid",
        "import_status_valid": "test_import_batch_fields_stay_valid",
        "import_applied_has_time": "test_import_batch_fields_stay_valid",
        "import_preset_name_unique_ci": (
            "test_import_preset_names_are_unique_per_conference_ignoring_case"
        ),
        "import_preset_source_valid": "test_import_preset_source_must_be_known",
        "met_prompt_unique": "test_met_prompt_is_unique_per_round_and_person",
        "candidate_unique_per_attempt": (
            "test_portfolio_candidate_is_unique_per_run_attempt_and_seed"
        ),
    }
    assert tested - set(covered) == set()
    for test_name in covered.values():
        assert f"def {test_name}(" in source
