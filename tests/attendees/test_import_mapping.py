"""Registration files from the tools organizers use: the column mapping, roles from ticket
types, presets, and the confirmation with the same mapping.

The sample files in ``samples/`` are written for these tests after each tool's documented
export columns (docs/organizers.md says which documentation each follows).
"""

from pathlib import Path

import pytest

from attendees.import_mapping import column_keys, role_guess
from attendees.imports import (
    ImportIssue,
    import_batch_confirm,
    import_batch_create,
    import_batch_map,
    import_batch_mapping,
    import_batch_preview,
    import_preset_apply,
    import_preset_delete,
    import_preset_save,
    parse_csv,
)
from attendees.models import Attendance, Person
from conferences.enums import ImportKind, ImportStatus
from conferences.models import ImportBatch, ImportPreset
from config.exceptions import Conflict, NotFound, ServiceError
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    OrganizerFactory,
    PersonFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
REGISTRATIONS = ImportKind.REGISTRATIONS


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def conference():
    return ConferenceFactory(name="EdTech Summit 2026", slug="edtech-2026")


@pytest.fixture
def organizer(conference):
    return OrganizerFactory(conferences=[conference])


def upload(conference, organizer, content: bytes, *, name="export.csv", preset_id=None):
    return import_batch_create(
        by=organizer,
        conference_id=conference.pk,
        kind=REGISTRATIONS,
        filename=name,
        content=content,
        preset_id=preset_id,
    )


def confirm(batch, organizer, preview=None):
    preview = preview or import_batch_preview(by=organizer, batch_id=batch.pk)
    return import_batch_confirm(
        by=organizer,
        batch_id=batch.pk,
        expected=preview.counts(),
        mapping_token=preview.mapping_token,
    )


def registrations(conference) -> list[tuple]:
    return sorted(
        Attendance.objects.filter(conference=conference).values_list(
            "person__email", "person__full_name", "person__organization", "role"
        )
    )


def columns(preview) -> list[tuple[str, str]]:
    """The file's columns that give a field, as (header, field)."""
    return [(c.header, c.field) for c in preview.mapping.used_columns]


# Each tool's export, as it comes ------------------------------------------------------------

EXPORTS = {
    "pretix": (
        "pretix_order_positions.csv",
        "pretix",
        [
            ("Email", "email_fallback"),
            ("Product", "role"),
            ("Attendee name: Given name", "first_name"),
            ("Attendee name: Family name", "last_name"),
            ("Attendee email", "email"),
            ("Company", "organization"),
        ],
        [
            ("ann.lee@example.org", "Ann Lee", "Lincoln High School", "attendee"),
            ("bo.chen@example.org", "Bo Chen", "", "volunteer"),
            ("dee@example.org", "Dee Okafor", "Ikeja Grammar School", "attendee"),
            ("jose.nunez@example.es", "José Núñez", "Acme; Learning GmbH", "exhibitor"),
            ("zoe.mueller@example.de", "Zoë Müller", "Acme; Learning GmbH", "speaker"),
        ],
    ),
    "eventbrite": (
        "eventbrite_attendee_summary.csv",
        "eventbrite",
        [
            ("First Name", "first_name"),
            ("Last Name", "last_name"),
            ("Email", "email"),
            ("Ticket Type", "role"),
            ("Company", "organization"),
        ],
        [
            ("ann.lee@example.org", "Ann Lee", "Lincoln High School", "attendee"),
            ("bo.chen@example.org", "Bo Chen", "", "volunteer"),
            ("chloe.dubois@example.fr", "Chloé Dubois", "Booth & Co.", "exhibitor"),
            ("dee@example.org", "Dee Okafor", "Ikeja Grammar School", "organizer"),
            ("lukasz@example.pl", "Łukasz Żółkiewski", "Acme, Inc.", "speaker"),
        ],
    ),
    "indico": (
        "indico_registrants.csv",
        "indico",
        [
            ("First Name", "first_name"),
            ("Last Name", "last_name"),
            ("Email Address", "email"),
            ("Affiliation", "organization"),
            ("Participant type", "role"),
        ],
        [
            ("ann.lee@example.org", "Ann Lee", "Lincoln High School", "attendee"),
            ("bo.chen@example.org", "Bo Chen", "", "volunteer"),
            ("chloe.martin@example.fr", "Chloé Martin", "Booth & Co.", "exhibitor"),
            ("dee@example.org", "Dee Okafor", "Ikeja Grammar School", "organizer"),
            (
                "soren.odegard@example.no",
                "Søren Ødegård",
                "University of Oslo, Department of Education",
                "speaker",
            ),
        ],
    ),
}


@pytest.mark.parametrize("tool", list(EXPORTS))
def test_each_tools_export_imports_without_hand_editing(conference, organizer, tool):
    filename, source, mapped, expected = EXPORTS[tool]
    batch = upload(conference, organizer, sample(filename), name=filename)

    preview = import_batch_preview(by=organizer, batch_id=batch.pk)

    assert (preview.mapping.source, preview.mapping.origin) == (source, "guessed")
    assert columns(preview) == mapped
    assert (preview.issues, preview.counts()) == (
        [],
        {"created": 5, "updated": 0, "unchanged": 0},
    )
    done = confirm(batch, organizer, preview)
    assert done.applied
    assert registrations(conference) == expected


@pytest.mark.parametrize("tool", list(EXPORTS))
def test_the_same_export_twice_changes_nothing(conference, organizer, tool):
    filename, *_ = EXPORTS[tool]
    confirm(upload(conference, organizer, sample(filename)), organizer)
    before = (registrations(conference), sorted(Person.objects.values_list("pk", "full_name")))

    again = upload(conference, organizer, sample(filename))
    done = confirm(again, organizer)

    assert done.counts() == {"created": 0, "updated": 0, "unchanged": 5}
    assert (
        registrations(conference),
        sorted(Person.objects.values_list("pk", "full_name")),
    ) == before


def test_pretix_reads_its_own_quirks(conference, organizer):
    """Semicolons with one inside quotes, the company written twice, the buyer's e-mail where
    the attendee's is blank, and ticket types to roles."""
    preview = import_batch_preview(
        by=organizer,
        batch_id=upload(conference, organizer, sample("pretix_order_positions.csv")).pk,
    )
    mapping = preview.mapping

    companies = [c for c in mapping.columns if c.header == "Company"]
    assert [(c.key, c.field) for c in companies] == [
        ("company", "organization"),
        ("company (2)", "ignore"),
    ]
    assert len(mapping.ignored_columns) == 42
    assert mapping.role_header == "Product"
    assert [(t.value, t.lines, t.role) for t in mapping.ticket_types] == [
        ("Exhibitor pass", 1, "exhibitor"),
        ("Regular ticket", 2, "attendee"),
        ("Speaker ticket", 1, "speaker"),
        ("Volunteer", 1, "volunteer"),
    ]
    email = next(c for c in mapping.columns if c.header == "Email")
    assert email.samples == ("ann.lee@example.org", "orders@acme.example")
    # Ann's ticket has no attendee e-mail: the order's is hers.
    assert [r.label for r in preview.created_rows][0] == "ann.lee@example.org"


def test_the_drinktables_template_is_read_as_ours(conference, organizer):
    content = b"email;full_name;role\nann@example.org;Ann Lee;Speaker\n"

    parsed = parse_csv(content, kind=REGISTRATIONS)

    assert (parsed.mapping.source, parsed.delimiter) == ("drinktables", ";")
    assert parsed.rows == [{"email": "ann@example.org", "full_name": "Ann Lee", "role": "speaker"}]


# Changing the mapping ------------------------------------------------------------------------


def test_a_file_of_another_tool_is_mapped_by_hand(conference, organizer):
    batch = upload(conference, organizer, sample("survey_form.csv"))
    preview = import_batch_preview(by=organizer, batch_id=batch.pk)
    assert preview.mapping.source == "unknown"
    assert preview.issues == [
        ImportIssue(
            1,
            "full_name",
            "No column gives the name: choose the full-name column, or the first-name and the "
            "last-name columns, in the column mapping.",
        )
    ]
    assert preview.can_confirm is False
    name = next(c.index for c in preview.mapping.columns if c.header == "Your name")

    mapped = import_batch_map(by=organizer, batch_id=batch.pk, fields={name: "full_name"}, roles={})

    assert (mapped.issues, mapped.mapping.origin) == ([], "chosen")
    assert columns(mapped) == [
        ("Email address", "email"),
        ("Your name", "full_name"),
        ("School", "organization"),
    ]
    confirm(batch, organizer, mapped)
    assert registrations(conference) == [
        ("ann.lee@example.org", "Ann Lee", "Lincoln High School", "attendee"),
        ("kai@example.org", "Kai Müller-Lüdenscheidt", "", "attendee"),
    ]


def test_topics_come_from_the_column_chosen_for_them(conference, organizer):
    """pretix joins the answers of a multiple-choice question with commas."""
    TopicFactory(name="Open source", slug="open-source")
    TopicFactory(name="Online learning", slug="online-learning")
    TopicFactory(name="Assessment", slug="assessment")
    batch = upload(conference, organizer, sample("pretix_order_positions.csv"))
    topics = next(
        c.index
        for c in import_batch_mapping(by=organizer, batch_id=batch.pk).columns
        if c.header == "Which topics interest you?"
    )

    preview = import_batch_map(by=organizer, batch_id=batch.pk, fields={topics: "topics"}, roles={})
    assert preview.issues == []
    confirm(batch, organizer, preview)

    ann = Person.objects.get(email="ann.lee@example.org")
    assert sorted(ann.topics.values_list("slug", flat=True)) == ["online-learning", "open-source"]
    dee = Person.objects.get(email="dee@example.org")
    assert list(dee.topics.values_list("slug", flat=True)) == ["assessment"]


def test_a_ticket_type_set_not_to_be_imported_leaves_its_lines_out(conference, organizer):
    batch = upload(conference, organizer, sample("pretix_order_positions.csv"))

    preview = import_batch_map(
        by=organizer, batch_id=batch.pk, fields={}, roles={"volunteer": "skip"}
    )

    assert (preview.counts(), preview.skipped) == (
        {"created": 4, "updated": 0, "unchanged": 0},
        1,
    )
    confirm(batch, organizer, preview)
    assert "bo.chen@example.org" not in [r[0] for r in registrations(conference)]


def test_roles_can_be_changed_per_ticket_type(conference, organizer):
    batch = upload(conference, organizer, sample("eventbrite_attendee_summary.csv"))

    preview = import_batch_map(
        by=organizer,
        batch_id=batch.pk,
        fields={},
        roles={"general admission": "speaker", "volunteer": "organizer"},
    )
    confirm(batch, organizer, preview)

    roles = {email: role for email, _, _, role in registrations(conference)}
    assert (roles["ann.lee@example.org"], roles["bo.chen@example.org"]) == ("speaker", "organizer")


def test_a_mapping_that_cannot_give_rows_says_what_to_fix(conference, organizer):
    batch = upload(conference, organizer, sample("eventbrite_attendee_summary.csv"))
    found = import_batch_mapping(by=organizer, batch_id=batch.pk)
    at = {c.header: c.index for c in found.columns}

    preview = import_batch_map(
        by=organizer,
        batch_id=batch.pk,
        fields={at["Email"]: "ignore", at["Job Title"]: "organization", at["Last Name"]: "ignore"},
        roles={},
    )

    assert [(i.line, i.field, i.message) for i in preview.issues] == [
        (
            1,
            "organization",
            "Several columns give organization (“Job Title”, “Company”): keep one and ignore "
            "the others in the column mapping.",
        ),
        (1, "email", "No column gives the e-mail address: choose it in the column mapping."),
        (
            1,
            "full_name",
            "Only part of the name has a column: choose the last-name column too, or one "
            "full-name column, in the column mapping.",
        ),
    ]
    assert preview.result is None
    with pytest.raises(ServiceError, match="Fix the column mapping before saving it"):
        import_preset_save(by=organizer, batch_id=batch.pk, name="Broken")


def test_the_service_refuses_fields_and_roles_it_does_not_know(conference, organizer):
    batch = upload(conference, organizer, sample("eventbrite_attendee_summary.csv"))

    with pytest.raises(ServiceError, match="Unknown field 'password'"):
        import_batch_map(by=organizer, batch_id=batch.pk, fields={0: "password"}, roles={})
    with pytest.raises(ServiceError, match="Unknown role 'king'"):
        import_batch_map(by=organizer, batch_id=batch.pk, fields={}, roles={"speaker": "king"})


# Row errors, all or nothing ------------------------------------------------------------------


def test_row_errors_name_the_files_own_columns(conference, organizer):
    content = (
        b"Order #,First Name,Last Name,Email,Ticket Type,Attendee #\r\n"
        b"1,Ann,Lee,ann@example,General Admission,11\r\n"
        b"2,,,bo@example.org,Speaker,12\r\n"
        b"3,Cy,Diaz,cy@example.org,Speaker,13\r\n"
    )
    before = registrations(conference)

    preview = import_batch_preview(by=organizer, batch_id=upload(conference, organizer, content).pk)

    assert [(i.line, i.field) for i in preview.issues] == [
        (2, "Email"),
        (3, "First Name + Last Name"),
    ]
    assert preview.issues[1].message == "The full name is missing: add it."
    done = import_batch_confirm(
        by=organizer,
        batch_id=preview.batch.pk,
        expected={"created": 1, "updated": 0, "unchanged": 0},
        mapping_token=preview.mapping_token,
    )
    assert (done.applied, done.issues) == (False, preview.issues)
    assert registrations(conference) == before


def test_one_bad_line_of_an_export_means_nothing_is_written(conference, organizer):
    content = sample("indico_registrants.csv").replace(b"dee@example.org", b"dee(at)example.org")
    batch = upload(conference, organizer, content)

    preview = import_batch_preview(by=organizer, batch_id=batch.pk)
    done = import_batch_confirm(
        by=organizer, batch_id=batch.pk, expected=None, mapping_token=preview.mapping_token
    )

    assert [(i.line, i.field) for i in done.issues] == [(6, "Email Address")]
    assert (done.applied, registrations(conference)) == (False, [])


def test_the_identity_rule_holds_for_mapped_files(conference, organizer):
    """An attendee who signed in keeps their own name, whatever the export says."""
    ann = PersonFactory(email="ann.lee@example.org", full_name="Ann Lee-Chang", user=UserFactory())
    AttendanceFactory(person=ann, conference=conference)

    preview = import_batch_preview(
        by=organizer,
        batch_id=upload(conference, organizer, sample("eventbrite_attendee_summary.csv")).pk,
    )

    row = next(r for r in preview.noted_rows if r.label == "ann.lee@example.org")
    assert "Profile kept as it is" in row.notes[0]
    confirm(preview.batch, organizer, preview)
    ann.refresh_from_db()
    assert ann.full_name == "Ann Lee-Chang"


# The confirmation reads the file with the mapping of its preview -----------------------------


def test_confirm_refuses_when_the_mapping_changed_since_the_preview(conference, organizer):
    batch = upload(conference, organizer, sample("eventbrite_attendee_summary.csv"))
    seen = import_batch_preview(by=organizer, batch_id=batch.pk)
    # In another tab: the speakers become attendees; the counts stay the same.
    import_batch_map(by=organizer, batch_id=batch.pk, fields={}, roles={"speaker": "attendee"})

    with pytest.raises(Conflict, match="column mapping changed"):
        confirm(batch, organizer, seen)

    assert registrations(conference) == []
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_a_preset_saved_after_the_preview_does_not_change_what_is_confirmed(conference, organizer):
    first = upload(conference, organizer, sample("survey_form.csv"))
    name = next(
        c.index
        for c in import_batch_mapping(by=organizer, batch_id=first.pk).columns
        if c.header == "Your name"
    )
    import_batch_map(by=organizer, batch_id=first.pk, fields={name: "full_name"}, roles={})
    second = upload(conference, organizer, sample("survey_form.csv"))
    seen = import_batch_preview(by=organizer, batch_id=second.pk)
    assert seen.issues != []  # no name column yet: nothing to confirm

    import_preset_save(by=organizer, batch_id=first.pk, name="Spring survey")

    with pytest.raises(Conflict, match="column mapping changed"):
        import_batch_confirm(
            by=organizer, batch_id=second.pk, expected=None, mapping_token=seen.mapping_token
        )


def test_an_imported_batch_keeps_the_mapping_it_was_imported_with(conference, organizer):
    batch = upload(conference, organizer, sample("pretix_order_positions.csv"))
    preview = import_batch_map(
        by=organizer, batch_id=batch.pk, fields={}, roles={"volunteer": "skip"}
    )

    confirm(batch, organizer, preview)

    batch.refresh_from_db()
    assert (batch.status, batch.content) == (ImportStatus.APPLIED, b"")
    assert batch.mapping["columns"]["attendee email"] == "email"
    assert batch.mapping["roles"]["volunteer"] == "skip"
    with pytest.raises(Conflict, match="already been imported"):
        import_batch_map(by=organizer, batch_id=batch.pk, fields={}, roles={})


# Presets -------------------------------------------------------------------------------------


def _map_survey(conference, organizer, content=None):
    batch = upload(conference, organizer, content or sample("survey_form.csv"))
    name = next(
        c.index
        for c in import_batch_mapping(by=organizer, batch_id=batch.pk).columns
        if c.header == "Your name"
    )
    import_batch_map(by=organizer, batch_id=batch.pk, fields={name: "full_name"}, roles={})
    return batch


def test_a_saved_mapping_reads_the_next_file_with_the_same_columns(conference, organizer):
    batch = _map_survey(conference, organizer)
    saved = import_preset_save(by=organizer, batch_id=batch.pk, name="  Spring   survey ")
    assert (saved.name, saved.created) == ("Spring survey", True)

    # The next export of the same form, its columns in another order.
    reordered = (
        b"Your name,Email address,Timestamp,Anything else?,School\n"
        b"Lee Park,lee@example.org,2026/03/02 09:00:00,,Jefferson\n"
    )
    preview = import_batch_preview(
        by=organizer, batch_id=upload(conference, organizer, reordered).pk
    )

    assert (preview.mapping.origin, preview.mapping.preset) == ("preset", "Spring survey")
    assert [(p.name, p.fits) for p in preview.mapping.presets] == [("Spring survey", True)]
    assert preview.issues == []
    assert [r.label for r in preview.created_rows] == ["lee@example.org"]


def test_a_saved_mapping_can_be_chosen_for_a_file_with_other_columns(conference, organizer):
    import_preset_save(
        by=organizer, batch_id=_map_survey(conference, organizer).pk, name="Spring survey"
    )
    preset = ImportPreset.objects.get()
    other = b"Email address,Your name,Dietary needs\nmo@example.org,Mo Diallo,none\n"

    at_upload = upload(conference, organizer, other, preset_id=preset.pk)
    later = upload(conference, organizer, other)
    guessed = import_batch_preview(by=organizer, batch_id=later.pk)
    applied = import_preset_apply(by=organizer, batch_id=later.pk, preset_id=preset.pk)

    assert guessed.mapping.origin == "guessed"
    assert [p.fits for p in guessed.mapping.presets] == [False]
    for preview in (import_batch_preview(by=organizer, batch_id=at_upload.pk), applied):
        assert (preview.mapping.origin, preview.mapping.preset) == ("preset", "Spring survey")
        assert columns(preview) == [("Email address", "email"), ("Your name", "full_name")]
        assert preview.issues == []


def test_saving_a_mapping_under_an_existing_name_updates_it(conference, organizer):
    import_preset_save(by=organizer, batch_id=_map_survey(conference, organizer).pk, name="Survey")
    batch = upload(conference, organizer, sample("eventbrite_attendee_summary.csv"))

    saved = import_preset_save(by=organizer, batch_id=batch.pk, name="SURVEY")

    preset = ImportPreset.objects.get()
    assert (saved.created, preset.name, preset.source) == (False, "SURVEY", "eventbrite")
    assert preset.columns["ticket type"] == "role"


@pytest.mark.parametrize(
    ("name", "message"),
    [("  ", "Give the mapping a name"), ("x" * 81, "longer than 80 characters")],
)
def test_a_mapping_needs_a_short_name(conference, organizer, name, message):
    batch = upload(conference, organizer, sample("eventbrite_attendee_summary.csv"))

    with pytest.raises(ServiceError, match=message) as refused:
        import_preset_save(by=organizer, batch_id=batch.pk, name=name)

    assert refused.value.field == "name"
    assert ImportPreset.objects.count() == 0


def test_saved_mappings_belong_to_their_conference(conference, organizer):
    import_preset_save(by=organizer, batch_id=_map_survey(conference, organizer).pk, name="Survey")
    preset = ImportPreset.objects.get()
    other_conference = ConferenceFactory(slug="other-2026")
    organizer.organized_conferences.add(other_conference)
    elsewhere = upload(other_conference, organizer, sample("survey_form.csv"))
    stranger = OrganizerFactory(conferences=[ConferenceFactory()])

    preview = import_batch_preview(by=organizer, batch_id=elsewhere.pk)

    assert (preview.mapping.origin, preview.mapping.presets) == ("guessed", ())
    with pytest.raises(NotFound):
        import_preset_apply(by=organizer, batch_id=elsewhere.pk, preset_id=preset.pk)
    with pytest.raises(NotFound):
        upload(other_conference, organizer, sample("survey_form.csv"), preset_id=preset.pk)
    with pytest.raises(NotFound):
        import_preset_delete(by=stranger, preset_id=preset.pk, conference_id=conference.pk)
    with pytest.raises(NotFound):
        import_preset_delete(by=organizer, preset_id=preset.pk, conference_id=other_conference.pk)
    with pytest.raises(NotFound):
        import_batch_map(by=stranger, batch_id=elsewhere.pk, fields={}, roles={})
    assert ImportPreset.objects.count() == 1


def test_deleting_a_mapping_leaves_files_read_with_it_as_they_are(conference, organizer):
    batch = _map_survey(conference, organizer)
    import_preset_save(by=organizer, batch_id=batch.pk, name="Survey")

    deleted = import_preset_delete(
        by=organizer, preset_id=ImportPreset.objects.get().pk, conference_id=conference.pk
    )

    preview = import_batch_preview(by=organizer, batch_id=batch.pk)
    assert (deleted.name, ImportPreset.objects.count()) == ("Survey", 0)
    assert (preview.mapping.preset, preview.issues) == ("Survey", [])


def test_past_encounters_have_no_column_mapping(conference, organizer):
    batch = import_batch_create(
        by=organizer,
        conference_id=conference.pk,
        kind=ImportKind.ENCOUNTERS,
        filename="met.csv",
        content=b"email_a,email_b,conference\n",
    )

    assert import_batch_preview(by=organizer, batch_id=batch.pk).mapping is None
    with pytest.raises(ServiceError, match="Only registration files"):
        import_batch_map(by=organizer, batch_id=batch.pk, fields={}, roles={})
    with pytest.raises(NotFound):
        import_batch_preview(by=organizer, batch_id=batch.pk, kind=REGISTRATIONS)
    assert ImportBatch.objects.count() == 1


# The guesses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("Speaker", "speaker"),
        ("Invited speaker", "speaker"),
        ("Keynote", "speaker"),
        ("Exhibitor pass", "exhibitor"),
        ("Gold sponsors", "exhibitor"),
        ("Volunteer", "volunteer"),
        ("Event staff", "volunteer"),
        ("Local Organising Committee", "organizer"),
        ("Organizer", "organizer"),
        ("General Admission", "attendee"),
        ("Early bird – 2 days", "attendee"),
        ("Speakeasy night", "attendee"),
    ],
)
def test_ticket_types_are_guessed_to_roles(value, role):
    assert role_guess(value) == role


def test_a_header_seen_twice_gets_a_key_of_its_own():
    assert column_keys(["Company", "E-Mail", "company", "Full_Name"]) == (
        "company",
        "e mail",
        "company (2)",
        "full name",
    )


def test_a_file_whose_first_line_is_data_asks_for_a_header():
    parsed = parse_csv(b"ann@example.org;Ann Lee\nbo@example.org;Bo\n", kind=REGISTRATIONS)

    assert parsed.mapping is None
    assert parsed.issues[0].message.startswith("The first line must be the header")
