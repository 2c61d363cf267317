"""In a real browser, on a phone: an organizer imports a pretix export, fixes the mapping with
htmx, saves it as a preset that the next file gets by itself, and confirms. Every page passes
axe-core, fits 390 px and keeps to the Content-Security-Policy (the ``page`` fixture)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from attendees.models import Attendance
from conferences.models import ImportPreset
from tests.factories import ConferenceFactory, OrganizerFactory

from .browser import check_page, sign_in

SAMPLES = Path(__file__).resolve().parents[1] / "attendees" / "samples"


@pytest.fixture
def organizer(transactional_db):
    conference = ConferenceFactory(name="EdTech Summit 2026", slug="edtech-2026")
    return OrganizerFactory(conferences=[conference])


def _upload(page, name: str) -> None:
    page.goto("/organize/conferences/edtech-2026/import/registrations/")
    page.get_by_label("CSV file").set_input_files(str(SAMPLES / name))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="How the columns are read")).to_be_visible()


def test_an_export_is_mapped_saved_as_a_preset_and_imported_on_a_phone(
    page, live_server, organizer
):
    sign_in(page, live_server, organizer)
    _upload(page, "pretix_order_positions.csv")
    expect(page.locator("main")).to_contain_text("This file is pretix (order data export)")
    expect(page.locator(".import-count").first).to_contain_text("5")
    check_page(page, "import-mapping-pretix")

    # The volunteers' lines are left out: htmx posts the change and swaps the workspace.
    page.get_by_label("Volunteer (1 line)").select_option("skip")
    expect(page.locator("#import-workspace .message")).to_have_text("Column mapping applied.")
    expect(page.locator(".import-count").first).to_contain_text("4")
    expect(page.get_by_label("Volunteer (1 line)")).to_have_value("skip")

    page.get_by_label("Save this mapping as").fill("pretix orders")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#import-workspace .message")).to_contain_text(
        "Saved the mapping “pretix orders”"
    )
    check_page(page, "import-mapping-saved")

    page.get_by_role("button", name="Import 4 changes").click()
    expect(page.locator(".messages")).to_contain_text(
        "Imported: 4 created, 0 updated, 0 unchanged, 1 not imported."
    )
    assert sorted(Attendance.objects.values_list("person__email", "role")) == [
        ("ann.lee@example.org", "attendee"),
        ("dee@example.org", "attendee"),
        ("jose.nunez@example.es", "exhibitor"),
        ("zoe.mueller@example.de", "speaker"),
    ]

    # The next export with the same columns is read with the saved mapping, and changes nothing.
    _upload(page, "pretix_order_positions.csv")
    expect(page.locator("main")).to_contain_text("Read with the saved mapping “pretix orders”")
    expect(page.locator("main")).to_contain_text("Lines not imported")
    page.get_by_role("button", name="Import 0 changes").click()
    expect(page.locator(".messages")).to_contain_text(
        "Imported: 0 created, 0 updated, 4 unchanged, 1 not imported."
    )
    page.goto("/organize/conferences/edtech-2026/import/registrations/")
    expect(page.locator(".preset-item")).to_contain_text("pretix orders")
    check_page(page, "import-upload-presets")
    assert ImportPreset.objects.count() == 1


def test_a_file_of_another_tool_gets_its_name_column_chosen_by_hand(page, live_server, organizer):
    sign_in(page, live_server, organizer)
    _upload(page, "survey_form.csv")
    expect(page.locator(".import-problems")).to_contain_text("No column gives the name")
    check_page(page, "import-mapping-unknown")

    page.locator("details.mapping-ignored summary").click()
    page.get_by_label("Your name", exact=True).select_option("full_name")

    expect(page.locator(".import-problems")).to_have_count(0)
    page.get_by_role("button", name="Import 2 changes").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 2 created")
    assert Attendance.objects.count() == 2
