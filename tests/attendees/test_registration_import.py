"""Registrations in bulk: the upsert service, the CSV file format, and preview then confirm."""

import codecs

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from attendees import registrations
from attendees.imports import (
    ImportIssue,
    import_batch_confirm,
    import_batch_create,
    import_batch_preview,
    parse_csv,
    template_csv,
)
from attendees.models import Attendance, Person
from attendees.registrations import PROFILE_KEPT, RowError, attendances_upsert
from conferences.enums import ImportKind, ImportStatus
from conferences.models import ImportBatch, Topic
from config.exceptions import Conflict
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    OrganizerFactory,
    PersonFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REGISTRATIONS = ImportKind.REGISTRATIONS


@pytest.fixture
def conference():
    return ConferenceFactory(name="ISTE Live 2026", slug="iste-2026")


@pytest.fixture
def organizer(conference):
    return OrganizerFactory(conferences=[conference])


@pytest.fixture
def topics():
    return {
        "open-source": TopicFactory(name="Open source", slug="open-source"),
        "online-learning": TopicFactory(name="Online learning", slug="online-learning"),
        "assessment": TopicFactory(name="Assessment", slug="assessment"),
    }


def snapshot() -> dict:
    """Everything an import may touch, to check that nothing changed."""
    return {
        "people": sorted(
            Person.objects.values_list("pk", "email", "full_name", "organization", "user_id")
        ),
        "topics": sorted(Person.topics.through.objects.values_list("person_id", "topic_id")),
        "attendances": sorted(
            Attendance.objects.values_list(
                "person_id", "conference_id", "role", "newcomer_override"
            )
        ),
    }


def registration(person_email: str, conference) -> tuple:
    attendance = Attendance.objects.select_related("person").get(
        person__email=person_email, conference=conference
    )
    person = attendance.person
    return (
        person.full_name,
        person.organization,
        sorted(person.topics.values_list("slug", flat=True)),
        attendance.role,
        attendance.newcomer_override,
    )


# The service ----------------------------------------------------------------------------------


def test_upsert_creates_people_and_registrations(conference, organizer, topics):
    result = attendances_upsert(
        conference=conference,
        rows=[
            {
                "email": " Ann.Lee@Example.org ",
                "full_name": "Ann  Lee",
                "organization": "Lincoln High",
                "role": "Speaker",
                "topics": ["open-source", "Online Learning"],
                "newcomer": "no",
            },
            {"email": "bo@example.org", "full_name": "Bo Chen", "topics": "assessment|"},
        ],
        by=organizer,
    )

    assert (result.ok, result.applied, result.counts()) == (
        True,
        True,
        {"created": 2, "updated": 0, "unchanged": 0},
    )
    assert result.people_created == 2
    assert registration("ann.lee@example.org", conference) == (
        "Ann Lee",
        "Lincoln High",
        ["online-learning", "open-source"],
        "speaker",
        False,
    )
    assert registration("bo@example.org", conference) == (
        "Bo Chen",
        "",
        ["assessment"],
        "attendee",
        None,
    )


def test_upsert_finds_people_by_email_whatever_the_case(conference, organizer, topics):
    other = ConferenceFactory()
    ann = PersonFactory(email="ann@example.org", full_name="Ann Lee", organization="Lincoln")
    AttendanceFactory(person=ann, conference=other)

    result = attendances_upsert(
        conference=conference,
        rows=[{"email": "ANN@Example.ORG", "full_name": "Ann Lee"}],
        by=organizer,
    )

    assert result.counts() == {"created": 1, "updated": 0, "unchanged": 0}
    # New to this organizer, whoever else knows her: the answer is that of a new person.
    assert result.people_created == 1
    assert Person.objects.count() == 1
    assert list(ann.attendances.values_list("conference_id", flat=True).order_by("pk")) == [
        other.pk,
        conference.pk,
    ]


def test_upsert_updates_what_changed_and_says_what(conference, organizer, topics):
    ann = PersonFactory(email="ann@example.org", full_name="Ann Lee", organization="Lincoln")
    ann.topics.add(topics["assessment"])
    AttendanceFactory(person=ann, conference=conference, role="attendee")

    result = attendances_upsert(
        conference=conference,
        rows=[
            {
                "email": "ann@example.org",
                "full_name": "Ann Lee-Smith",
                "organization": "Jefferson",
                "role": "volunteer",
                "topics": ["open-source"],
                "newcomer": True,
            }
        ],
        by=organizer,
    )

    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 0}
    assert result.outcomes[0].changes == (
        "name: Ann Lee → Ann Lee-Smith",
        "organization: Lincoln → Jefferson",
        "topics: + Open source",
        "role: attendee → volunteer",
        "newcomer: auto → yes",
    )
    # Topics are added, never removed: imports for other conferences do not undo each other.
    assert registration("ann@example.org", conference) == (
        "Ann Lee-Smith",
        "Jefferson",
        ["assessment", "open-source"],
        "volunteer",
        True,
    )


def test_blank_optional_fields_keep_what_is_stored(conference, organizer, topics):
    ann = PersonFactory(email="ann@example.org", full_name="Ann Lee", organization="Lincoln")
    AttendanceFactory(person=ann, conference=conference, role="speaker", newcomer_override=True)

    result = attendances_upsert(
        conference=conference,
        rows=[{"email": "ann@example.org", "full_name": "Ann Lee"}],
        by=organizer,
    )

    assert result.counts() == {"created": 0, "updated": 0, "unchanged": 1}
    assert registration("ann@example.org", conference) == (
        "Ann Lee",
        "Lincoln",
        [],
        "speaker",
        True,
    )


def test_newcomer_auto_clears_the_override(conference, organizer):
    ann = PersonFactory(email="ann@example.org", full_name="Ann Lee")
    AttendanceFactory(person=ann, conference=conference, newcomer_override=False)

    attendances_upsert(
        conference=conference,
        rows=[{"email": "ann@example.org", "full_name": "Ann Lee", "newcomer": "auto"}],
        by=organizer,
    )

    assert Attendance.objects.get(person=ann).newcomer_override is None


def test_someone_known_elsewhere_is_linked_silently_and_kept_as_they_are(
    conference, organizer, topics
):
    PersonFactory(
        email="ann@example.org", full_name="Ann Lee", organization="Lincoln", user=UserFactory()
    )
    new = attendances_upsert(
        conference=conference,
        rows=[{"email": "zed@example.org", "full_name": "Zed New", "role": "speaker"}],
        by=organizer,
        dry_run=True,
    )

    result = attendances_upsert(
        conference=conference,
        rows=[
            {
                "email": "ann@example.org",
                "full_name": "Annie L.",
                "organization": "Elsewhere",
                "topics": ["assessment"],
                "role": "speaker",
            }
        ],
        by=organizer,
    )

    # The same answer as for an address nobody knows: no name, no sign-in status, no note.
    assert result.counts() == new.counts() == {"created": 1, "updated": 0, "unchanged": 0}
    assert result.people_created == new.people_created == 1
    assert (result.outcomes[0].changes, result.outcomes[0].notes) == (
        (new.outcomes[0].changes, new.outcomes[0].notes)
    )
    assert "Ann Lee" not in repr(result) and "Lincoln" not in repr(result)
    assert registration("ann@example.org", conference) == (
        "Ann Lee",
        "Lincoln",
        [],
        "speaker",
        None,
    )


def test_my_attendees_who_signed_in_keep_their_profile_and_the_preview_says_so(
    conference, organizer, topics
):
    ann = PersonFactory(
        email="ann@example.org", full_name="Ann Lee", organization="Lincoln", user=UserFactory()
    )
    AttendanceFactory(person=ann, conference=conference)

    result = attendances_upsert(
        conference=conference,
        rows=[{"email": "ann@example.org", "full_name": "Annie L.", "topics": ["assessment"]}],
        by=organizer,
    )

    assert result.counts() == {"created": 0, "updated": 0, "unchanged": 1}
    assert result.outcomes[0].notes == (PROFILE_KEPT,)
    assert registration("ann@example.org", conference)[:3] == ("Ann Lee", "Lincoln", [])


def test_my_attendees_registered_elsewhere_too_keep_their_profile(conference, organizer, topics):
    ann = PersonFactory(email="ann@example.org", full_name="Ann Lee", organization="Lincoln")
    AttendanceFactory(person=ann, conference=conference)
    AttendanceFactory(person=ann, conference=ConferenceFactory())

    result = attendances_upsert(
        conference=conference,
        rows=[{"email": "ann@example.org", "full_name": "Annie L.", "organization": "X"}],
        by=organizer,
    )

    assert result.outcomes[0].notes == (PROFILE_KEPT,)
    assert registration("ann@example.org", conference)[:2] == ("Ann Lee", "Lincoln")


def test_the_same_rows_twice_change_nothing(conference, organizer, topics):
    rows = [
        {"email": f"p{i}@example.org", "full_name": f"Person {i}", "topics": ["open-source"]}
        for i in range(5)
    ]
    attendances_upsert(conference=conference, rows=rows, by=organizer)
    before = snapshot()

    again = attendances_upsert(conference=conference, rows=rows, by=organizer)

    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 5}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"email": "ann@example", "full_name": "Ann"},
            RowError(0, "email", "'ann@example' is not an e-mail address: correct it."),
        ),
        (
            {"email": "", "full_name": "Ann"},
            RowError(0, "email", "The e-mail address is missing: add it."),
        ),
        (
            {"email": "ann@example.org", "full_name": "  "},
            RowError(0, "full_name", "The full name is missing: add it."),
        ),
        (
            {"email": "ann@example.org", "full_name": "A" * 201},
            RowError(0, "full_name", "The full name is longer than 200 characters: shorten it."),
        ),
        (
            {"email": "ann@example.org", "full_name": "Ann", "topics": ["Opne source"]},
            RowError(
                0,
                "topics",
                'Unknown topic "Opne source": use the name or slug of a topic listed in the '
                'admin, or add the topic there first. Did you mean "Open source"?',
            ),
        ),
        (
            {"email": "ann@example.org", "full_name": "Ann", "role": "keynote"},
            RowError(
                0,
                "role",
                'Unknown role "keynote": use one of attendee, speaker, exhibitor, volunteer, '
                "organizer.",
            ),
        ),
        (
            {"email": "ann@example.org", "full_name": "Ann", "newcomer": "maybe"},
            RowError(
                0,
                "newcomer",
                '"maybe" is not a newcomer setting: use yes, no, or auto (decide from history).',
            ),
        ),
        (
            {"email": "ann@example.org", "full_name": "Ann", "badge": "VIP"},
            RowError(
                0,
                "badge",
                "Unknown field badge: the fields are email, full_name, organization, role, "
                "topics, newcomer.",
            ),
        ),
    ],
    ids=[
        "bad-email",
        "missing-email",
        "missing-name",
        "long-name",
        "unknown-topic",
        "unknown-role",
        "bad-newcomer",
        "unknown-field",
    ],
)
def test_each_kind_of_bad_row_is_rejected_with_what_to_fix(
    conference, organizer, topics, row, expected
):
    before = snapshot()

    result = attendances_upsert(conference=conference, rows=[row], by=organizer)

    assert (result.errors, result.applied) == ([expected], False)
    assert snapshot() == before


def test_duplicate_rows_point_at_the_first_one(conference, organizer):
    result = attendances_upsert(
        conference=conference,
        rows=[
            {"email": "ann@example.org", "full_name": "Ann"},
            {"email": "bo@example.org", "full_name": "Bo"},
            {"email": "ANN@example.org", "full_name": "Ann again"},
        ],
        by=organizer,
    )

    assert result.errors == [
        RowError(
            2,
            "email",
            "Duplicate row: ann@example.org is already in row 1; keep one of the two.",
        )
    ]
    assert Person.objects.count() == 0


def test_one_bad_row_means_nothing_is_written(conference, organizer, topics):
    PersonFactory(email="old@example.org", full_name="Old Timer", organization="Before")
    before = snapshot()
    rows = [{"email": f"p{i}@example.org", "full_name": f"P {i}"} for i in range(20)]
    rows.append({"email": "old@example.org", "full_name": "Old Timer", "organization": "After"})
    rows.append({"email": "broken", "full_name": "Broken"})

    result = attendances_upsert(conference=conference, rows=rows, by=organizer)

    assert [e.row for e in result.errors] == [21]
    assert result.applied is False
    assert snapshot() == before


def test_a_failure_while_writing_leaves_nothing_behind(conference, organizer, monkeypatch, topics):

    before = snapshot()
    insert_rows = registrations.insert_rows

    def fail_on_registrations(model, rows, **kwargs):
        if model is Attendance:
            raise IntegrityError("duplicate key value violates unique constraint")
        insert_rows(model, rows, **kwargs)

    # People and their topics are written first; the registrations then fail, as a
    # concurrent import of the same people would make them.
    monkeypatch.setattr(registrations, "insert_rows", fail_on_registrations)
    with pytest.raises(Conflict, match="at the same time"):
        attendances_upsert(
            conference=conference,
            rows=[{"email": "ann@example.org", "full_name": "Ann", "topics": ["assessment"]}],
            by=organizer,
        )

    assert snapshot() == before


def test_dry_run_and_changed_expectations_write_nothing(conference, organizer):
    rows = [{"email": "ann@example.org", "full_name": "Ann"}]
    before = snapshot()

    preview = attendances_upsert(conference=conference, rows=rows, by=organizer, dry_run=True)
    assert (preview.counts(), preview.applied) == (
        {"created": 1, "updated": 0, "unchanged": 0},
        False,
    )
    with pytest.raises(Conflict, match="changed since the preview"):
        attendances_upsert(
            conference=conference,
            rows=rows,
            by=organizer,
            expected_counts={"created": 0, "updated": 0, "unchanged": 1},
        )
    assert snapshot() == before


def test_only_organizers_of_the_conference_may_upsert(conference):
    stranger = OrganizerFactory(conferences=[ConferenceFactory()])

    with pytest.raises(PermissionDenied):
        attendances_upsert(
            conference=conference,
            rows=[{"email": "ann@example.org", "full_name": "Ann"}],
            by=stranger,
        )
    assert Person.objects.count() == 0


# The file format ------------------------------------------------------------------------------


def test_a_good_file_with_bom_and_semicolons(topics):
    content = codecs.BOM_UTF8 + (
        b"Email;Full name;organization;role;topics;newcomer\r\n"
        b'ann@example.org;Ann Lee;"Lincoln; High";speaker;open-source|assessment;yes\r\n'
        b"\r\n"
        b"bo@example.org;Bo Chen;;;;\r\n"
    )

    parsed = parse_csv(content, kind=REGISTRATIONS)

    assert (parsed.issues, parsed.delimiter, parsed.lines) == ([], ";", [2, 4])
    assert parsed.rows == [
        {
            "email": "ann@example.org",
            "full_name": "Ann Lee",
            "organization": "Lincoln; High",
            "role": "speaker",
            "topics": "open-source|assessment",
            "newcomer": "yes",
        },
        {"email": "bo@example.org", "full_name": "Bo Chen"},
    ]


def test_line_numbers_count_lines_inside_quoted_values():
    content = (
        b'email,full_name,organization\nann@example.org,Ann,"Two\nlines"\nbo@example.org,Bo,\n'
    )

    assert parse_csv(content, kind=REGISTRATIONS).lines == [2, 4]


@pytest.mark.parametrize(
    ("content", "issue"),
    [
        (
            "email,full_name\nzoë@example.org,Zoë\n".encode("latin-1"),
            ImportIssue(
                2,
                "",
                "This line has characters that are not UTF-8 (the file was probably saved as "
                'Windows-1252 or Latin-1): save it as "CSV UTF-8" and upload it again.',
            ),
        ),
        (
            "email,full_name\nann@example.org,Ann\n".encode("utf-16"),
            ImportIssue(
                None,
                "",
                'The file is UTF-16 text, not UTF-8: save it as "CSV UTF-8 (comma delimited)" '
                "and upload it again.",
            ),
        ),
        (
            b"email\tfull_name\nann@example.org\tAnn\n",
            ImportIssue(
                1,
                "",
                "The file is separated by tabs: save it with commas (,) or semicolons (;) between "
                "fields. The header should be: email,full_name,organization,role,topics,newcomer",
            ),
        ),
        (
            b"email,organization\nann@example.org,Lincoln\n",
            ImportIssue(
                1,
                "full_name",
                "No column gives the name: choose the full-name column, or the first-name and "
                "the last-name columns, in the column mapping.",
            ),
        ),
        (
            b"ann@example.org,Ann\n",
            ImportIssue(
                1,
                "",
                "The first line must be the header naming the columns, separated by , or ;: "
                "email,full_name,organization,role,topics,newcomer. It reads: 'ann@example.org,Ann'",
            ),
        ),
        (b"", ImportIssue(None, "", "The file is empty: it needs a header line and rows.")),
        (b"email,full_name\n", ImportIssue(None, "", "The file has a header but no rows.")),
    ],
    ids=["latin-1", "utf-16", "tabs", "missing-column", "no-header", "empty", "header-only"],
)
def test_unreadable_files_say_what_to_do(content, issue):
    parsed = parse_csv(content, kind=REGISTRATIONS)

    assert (parsed.issues, parsed.rows) == ([issue], [])


def test_a_line_with_another_delimiter_is_rejected_with_its_line_number():
    content = b"email,full_name,organization\nann@example.org,Ann,Lincoln\nbo@example.org;Bo;X\n"

    parsed = parse_csv(content, kind=REGISTRATIONS)

    assert parsed.issues == [
        ImportIssue(
            3,
            "",
            'This line has 1 field but the header has 3: put quotes around values that contain ",", '
            "and use the same delimiter as the header.",
        )
    ]
    assert parsed.lines == [2]


def test_extra_columns_are_ignored_and_the_mapping_says_so():
    parsed = parse_csv(
        b"email,full_name,badge,t-shirt\nann@example.org,Ann,VIP,M\n", kind=REGISTRATIONS
    )

    assert parsed.rows == [{"email": "ann@example.org", "full_name": "Ann"}]
    assert parsed.mapping.fields == ("email", "full_name", "ignore", "ignore")
    assert parsed.mapping.source == "drinktables"


def test_the_template_imports_cleanly(conference, organizer, topics):
    content = template_csv(kind=REGISTRATIONS).encode()
    assert content.decode().splitlines()[0] == "email,full_name,organization,role,topics,newcomer"

    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="t.csv",
        content=content,
        by=organizer,
    )
    preview = import_batch_preview(batch_id=batch.pk, by=organizer)

    assert (preview.issues, preview.counts()) == (
        [],
        {"created": 1, "updated": 0, "unchanged": 0},
    )


# Preview and confirm --------------------------------------------------------------------------

GOOD_AND_BAD = (
    b"email,full_name,organization,role,topics\n"
    b"ann@example.org,Ann Lee,Lincoln,,open-source\n"
    b"bo@example,Bo Chen,,,\n"
    b"cy@example.org,Cy Diaz,,,knitting\n"
    b"ANN@example.org,Ann Again,,,\n"
    b"dee@example.org,Dee,,,\n"
)


def test_preview_reports_every_problem_by_line_and_writes_nothing(conference, organizer, topics):
    before = snapshot()
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=GOOD_AND_BAD,
        by=organizer,
    )

    preview = import_batch_preview(batch_id=batch.pk, by=organizer)

    assert [(i.line, i.field) for i in preview.issues] == [
        (3, "email"),
        (4, "topics"),
        (5, "email"),
    ]
    assert preview.issues[2].message == (
        "Duplicate row: ann@example.org is already in line 2; keep one of the two."
    )
    assert (preview.rejected, preview.can_confirm) == (3, False)
    assert [(r.line, r.label) for r in preview.created_rows] == [
        (2, "ann@example.org"),
        (6, "dee@example.org"),
    ]
    assert snapshot() == before


def test_confirm_imports_everything_and_empties_the_stored_file(conference, organizer, topics):
    content = b"email,full_name,topics\nann@example.org,Ann,open-source\nbo@example.org,Bo,\n"
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=content,
        by=organizer,
    )
    expected = import_batch_preview(batch_id=batch.pk, by=organizer).counts()

    done = import_batch_confirm(batch_id=batch.pk, by=organizer, expected=expected)

    assert (done.applied, done.counts()) == (True, {"created": 2, "updated": 0, "unchanged": 0})
    batch.refresh_from_db()
    assert (batch.status, bytes(batch.content), batch.created_count) == (
        ImportStatus.APPLIED,
        b"",
        2,
    )
    assert sorted(conference.attendances.values_list("person__email", flat=True)) == [
        "ann@example.org",
        "bo@example.org",
    ]


def test_reimporting_the_same_file_changes_nothing(conference, organizer, topics):
    content = b"email,full_name,topics\nann@example.org,Ann,open-source\nbo@example.org,Bo,\n"
    first = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=content,
        by=organizer,
    )
    import_batch_confirm(
        batch_id=first.pk, by=organizer, expected={"created": 2, "updated": 0, "unchanged": 0}
    )
    before = snapshot()

    second = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=content,
        by=organizer,
    )
    preview = import_batch_preview(batch_id=second.pk, by=organizer)
    done = import_batch_confirm(batch_id=second.pk, by=organizer, expected=preview.counts())

    assert done.counts() == {"created": 0, "updated": 0, "unchanged": 2}
    assert snapshot() == before


def test_confirm_validates_the_file_again(conference, organizer, topics):
    content = b"email,full_name,topics\nann@example.org,Ann,assessment\n"
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=content,
        by=organizer,
    )
    expected = import_batch_preview(batch_id=batch.pk, by=organizer).counts()
    Topic.objects.filter(slug="assessment").delete()

    result = import_batch_confirm(batch_id=batch.pk, by=organizer, expected=expected)

    assert result.applied is False
    assert [(i.line, i.field) for i in result.issues] == [(2, "topics")]
    assert Person.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_confirm_refuses_when_the_data_changed_since_the_preview(conference, organizer):
    content = b"email,full_name\nann@example.org,Ann\nbo@example.org,Bo\n"
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=content,
        by=organizer,
    )
    expected = import_batch_preview(batch_id=batch.pk, by=organizer).counts()
    AttendanceFactory(
        conference=conference, person=PersonFactory(email="bo@example.org", full_name="Bo")
    )
    before = snapshot()

    with pytest.raises(Conflict, match="changed since the preview"):
        import_batch_confirm(batch_id=batch.pk, by=organizer, expected=expected)

    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_a_batch_is_imported_once(conference, organizer):
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="r.csv",
        content=b"email,full_name\nann@example.org,Ann\n",
        by=organizer,
    )
    counts = {"created": 1, "updated": 0, "unchanged": 0}
    import_batch_confirm(batch_id=batch.pk, by=organizer, expected=counts)

    with pytest.raises(Conflict, match="already been imported"):
        import_batch_confirm(batch_id=batch.pk, by=organizer, expected=counts)
    assert Attendance.objects.count() == 1


def test_previews_nobody_confirmed_are_forgotten_after_a_day(conference, organizer):
    stale = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="old.csv",
        content=b"x",
        by=organizer,
    )
    ImportBatch.objects.filter(pk=stale.pk).update(created_at=stale.created_at.replace(year=2000))

    import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="new.csv",
        content=b"x",
        by=organizer,
    )

    assert list(ImportBatch.objects.values_list("filename", flat=True)) == ["new.csv"]


def _registration_file(count: int, *, topic: str = "open-source", start: int = 0) -> bytes:
    lines = ["email,full_name,organization,role,topics"]
    lines += [
        f"person{i}@example.org,Person {i},School {i % 50},attendee,{topic}"
        for i in range(start, start + count)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_a_large_file_imports_in_a_bounded_number_of_queries(conference, organizer, topics):
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename="big.csv",
        content=_registration_file(3000),
        by=organizer,
    )
    with CaptureQueriesContext(connection) as queries:
        done = import_batch_confirm(
            batch_id=batch.pk,
            by=organizer,
            expected={"created": 3000, "updated": 0, "unchanged": 0},
        )

    assert done.counts() == {"created": 3000, "updated": 0, "unchanged": 0}
    statements = [q["sql"].split(" ", 1)[0] for q in queries.captured_queries]
    inserts = statements.count("INSERT")
    # Reads look people up 2,000 e-mails at a time; inserts carry many rows each (SQLite's
    # about 100 people a statement, PostgreSQL's 1000).
    assert len(statements) - inserts <= 20
    assert inserts <= 3 * 3000 / 90
    people = Person.objects.annotate(n=Count("topics")).filter(email__startswith="person")
    assert (people.count(), people.filter(n=1).count()) == (3000, 3000)
    assert conference.attendances.count() == 3000


def test_preview_queries_do_not_grow_with_the_rows(conference, organizer, topics):
    def preview_queries(count: int) -> int:
        batch = import_batch_create(
            conference_id=conference.pk,
            kind=REGISTRATIONS,
            filename="r.csv",
            content=_registration_file(count),
            by=organizer,
        )
        with CaptureQueriesContext(connection) as queries:
            import_batch_preview(batch_id=batch.pk, by=organizer)
        return len(queries)

    assert preview_queries(1) == preview_queries(500)


@pytest.mark.parametrize(
    "email",
    [
        "ann@example.org",
        "ann.lee+drinks@mail.example.co.uk",
        "o'brien@example.ie",
        "ann..lee@example.org",
        ".ann@example.org",
        "ann@-example.org",
        "ann@example",
        "ann@exa_mple.org",
        "ann@localhost",
        "ann lee@example.org",
        "ann@[192.168.0.1]",
        "zoë@exämple.org",
    ],
)
def test_email_check_agrees_with_djangos_validator(conference, organizer, email):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(email)
        valid = True
    except ValidationError:
        valid = False

    result = attendances_upsert(
        conference=conference, rows=[{"email": email, "full_name": "Ann"}], by=organizer
    )

    assert result.ok is valid


def test_an_email_longer_than_the_column_is_rejected(conference, organizer):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".org"  # valid, but 312 long

    result = attendances_upsert(
        conference=conference, rows=[{"email": email, "full_name": "Ann"}], by=organizer
    )

    assert result.errors == [
        RowError(0, "email", "The e-mail address is longer than 254 characters.")
    ]


def test_rows_inserted_in_bulk_get_every_default(monkeypatch):
    from config.db import insert_rows

    def not_this_way(*args, **kwargs):
        raise AssertionError("insert_rows should not need bulk_create for people")

    monkeypatch.setattr(Person.objects, "bulk_create", not_this_way)
    insert_rows(
        Person,
        [
            {"email": f"p{i}@example.org", "full_name": f"P {i}", "organization": ""}
            for i in range(3)
        ],
    )

    people = Person.objects.order_by("email")
    assert [
        (p.email, p.bio, p.needs_accessible_seating, p.opted_out, p.show_organization, p.user_id)
        for p in people
    ] == [(f"p{i}@example.org", "", False, False, True, None) for i in range(3)]
    assert all(p.created_at is not None for p in people)


def test_bulk_insert_can_ignore_rows_that_exist_and_falls_back_for_callable_defaults(topics):
    from config.db import insert_rows
    from matching.models import MatchingRun
    from tests.factories import MeetupRoundFactory

    ann = PersonFactory()
    ann.topics.add(topics["assessment"])
    insert_rows(
        Person.topics.through,
        [{"person_id": ann.pk, "topic_id": t.pk} for t in topics.values()],
        ignore_conflicts=True,
    )
    assert sorted(ann.topics.values_list("slug", flat=True)) == [
        "assessment",
        "online-learning",
        "open-source",
    ]

    meetup = MeetupRoundFactory()
    insert_rows(MatchingRun, [{"round_id": meetup.pk, "status": "succeeded"}])  # metrics=dict
    assert list(MatchingRun.objects.values_list("round_id", "metrics")) == [(meetup.pk, {})]
