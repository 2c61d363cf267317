"""The column mapping on the organizer's import pages (with and without htmx) and in the admin."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendees.models import Attendance
from conferences.enums import ImportStatus
from conferences.models import ImportBatch, ImportPreset
from tests.factories import ConferenceFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "attendees" / "samples"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def conference():
    return ConferenceFactory(name="EdTech Summit 2026", slug="edtech-2026")


@pytest.fixture
def signed_in(client, conference):
    client.force_login(OrganizerFactory(conferences=[conference]))
    return client


def uploaded(client, name: str, *, preset=None) -> ImportBatch:
    data = {"file": SimpleUploadedFile(name, (SAMPLES / name).read_bytes())}
    if preset is not None:
        data["preset"] = preset
    response = client.post(reverse("organize:import_registrations", args=["edtech-2026"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def url(name: str, batch: ImportBatch) -> str:
    return reverse(f"organize:{name}", args=["edtech-2026", batch.pk])


def selected(html: str, name: str) -> str:
    """The value of the selected option of the select ``name``."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def column_of(batch: ImportBatch, client, header: str) -> str:
    html = client.get(url("import_preview", batch)).content.decode()
    return re.search(rf'<label for="id_(column-\d+)">{re.escape(header)}</label>', html).group(1)


def test_the_preview_shows_the_tool_each_column_and_the_ticket_types(signed_in):
    batch = uploaded(signed_in, "pretix_order_positions.csv")

    html = signed_in.get(url("import_preview", batch)).content.decode()

    assert "This file is pretix (order data export)" in html
    assert selected(html, "column-17") == "email"  # Attendee email
    assert selected(html, "column-4") == "email_fallback"  # Email, the buyer's
    assert selected(html, "column-14") == "ignore"  # Attendee name: the parts are used
    assert "Ignored columns (42)" in html
    assert "Roles from “Product”" in html
    assert '<label for="id_role-0">Exhibitor pass (1 line)</label>' in html
    assert selected(html, "role-2") == "speaker"
    assert re.search(r'name="mapping" value="[0-9a-f]{16}"', html)


def test_an_htmx_change_returns_the_refreshed_workspace(signed_in):
    batch = uploaded(signed_in, "pretix_order_positions.csv")

    response = signed_in.post(
        url("import_mapping", batch), {"role-3": "skip", "column-8": "role"}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("{# ") is False and "<html" not in html
    assert '<div id="import-workspace"' in html
    assert '<p class="message" role="status">Column mapping applied.</p>' in html
    assert "<dt>Lines not imported</dt><dd>1</dd>" in html
    assert selected(html, "role-3") == "skip"
    assert "Read as you chose; the file is pretix (order data export)." in html


def test_without_javascript_the_mapping_form_posts_and_returns_to_the_preview(signed_in):
    batch = uploaded(signed_in, "survey_form.csv")
    name = column_of(batch, signed_in, "Your name")
    before = signed_in.get(url("import_preview", batch)).content.decode()
    assert "No column gives the name" in before and "/confirm/" not in before

    response = signed_in.post(url("import_mapping", batch), {name: "full_name"}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(url("import_preview", batch), 302)]
    assert "Column mapping applied." in html
    assert "No column gives the name" not in html
    assert "Import 2 changes" in html


def test_a_mapping_posted_with_a_field_that_does_not_exist_is_refused(signed_in):
    batch = uploaded(signed_in, "eventbrite_attendee_summary.csv")
    before = ImportBatch.objects.get().mapping

    response = signed_in.post(url("import_mapping", batch), {"column-0": "password"}, headers=HTMX)

    assert response.status_code == 400
    assert "Choose a field for each column" in response.content.decode()
    assert ImportBatch.objects.get().mapping == before


def test_confirm_imports_with_the_mapping_of_the_preview(signed_in, conference):
    batch = uploaded(signed_in, "indico_registrants.csv")
    html = signed_in.get(url("import_preview", batch)).content.decode()
    token = re.search(r'name="mapping" value="([0-9a-f]{16})"', html).group(1)

    done = signed_in.post(
        url("import_confirm", batch),
        {"created": 5, "updated": 0, "unchanged": 0, "mapping": token},
        follow=True,
    )

    assert "Imported: 5 created, 0 updated, 0 unchanged." in done.content.decode()
    assert sorted(
        Attendance.objects.filter(conference=conference).values_list("person__email", "role")
    ) == [
        ("ann.lee@example.org", "attendee"),
        ("bo.chen@example.org", "volunteer"),
        ("chloe.martin@example.fr", "exhibitor"),
        ("dee@example.org", "organizer"),
        ("soren.odegard@example.no", "speaker"),
    ]


def test_a_confirmation_from_a_preview_with_another_mapping_writes_nothing(signed_in):
    batch = uploaded(signed_in, "eventbrite_attendee_summary.csv")
    html = signed_in.get(url("import_preview", batch)).content.decode()
    token = re.search(r'name="mapping" value="([0-9a-f]{16})"', html).group(1)
    signed_in.post(url("import_mapping", batch), {"role-3": "attendee"}, headers=HTMX)

    response = signed_in.post(
        url("import_confirm", batch),
        {"created": 5, "updated": 0, "unchanged": 0, "mapping": token},
        follow=True,
    )

    assert "The column mapping changed since this preview" in response.content.decode()
    assert Attendance.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportStatus.PREVIEWED


def test_a_mapping_saved_is_offered_at_the_next_upload_and_can_be_deleted(signed_in):
    batch = uploaded(signed_in, "survey_form.csv")
    signed_in.post(
        url("import_mapping", batch), {column_of(batch, signed_in, "Your name"): "full_name"}
    )

    saved = signed_in.post(
        url("import_preset_save", batch), {"name": "Spring survey"}, headers=HTMX
    )

    assert saved.status_code == 200
    assert "Saved the mapping “Spring survey”" in saved.content.decode()
    preset = ImportPreset.objects.get()
    upload_page = signed_in.get(reverse("organize:import_registrations", args=["edtech-2026"]))
    html = upload_page.content.decode()
    assert f'<option value="{preset.pk}">Saved mapping “Spring survey”</option>' in html
    assert "<strong>Spring survey</strong>" in html

    again = uploaded(signed_in, "survey_form.csv")
    assert (
        "Read with the saved mapping “Spring survey”."
        in signed_in.get(url("import_preview", again)).content.decode()
    )

    deleted = signed_in.post(
        reverse("organize:import_preset_delete", args=["edtech-2026", preset.pk]), follow=True
    )
    assert "Deleted the saved mapping “Spring survey”" in deleted.content.decode()
    assert ImportPreset.objects.count() == 0


def test_a_mapping_without_a_name_is_not_saved(signed_in):
    batch = uploaded(signed_in, "eventbrite_attendee_summary.csv")

    response = signed_in.post(url("import_preset_save", batch), {"name": "   "}, headers=HTMX)

    assert response.status_code == 400
    assert "Give the mapping a name" in response.content.decode()
    assert ImportPreset.objects.count() == 0


def test_a_saved_mapping_can_be_chosen_at_upload_or_on_the_preview(signed_in):
    first = uploaded(signed_in, "survey_form.csv")
    signed_in.post(
        url("import_mapping", first), {column_of(first, signed_in, "Your name"): "full_name"}
    )
    signed_in.post(url("import_preset_save", first), {"name": "Survey"})
    preset = ImportPreset.objects.get()

    at_upload = uploaded(signed_in, "eventbrite_attendee_summary.csv", preset=preset.pk)
    later = uploaded(signed_in, "eventbrite_attendee_summary.csv")
    used = signed_in.post(url("import_preset_apply", later), {"preset": preset.pk}, headers=HTMX)

    assert "The file is read with the saved mapping “Survey”." in used.content.decode()
    for batch in (at_upload, later):
        assert ImportBatch.objects.get(pk=batch.pk).mapping["preset"] == "Survey"


def test_the_admin_preview_shows_the_mapping_and_links_to_the_page_that_changes_it(
    signed_in, conference
):
    response = signed_in.post(
        reverse("admin:attendees_attendance_import"),
        {
            "conference": conference.pk,
            "file": SimpleUploadedFile(
                "eb.csv", (SAMPLES / "eventbrite_attendee_summary.csv").read_bytes()
            ),
        },
    )
    batch = ImportBatch.objects.get()
    preview = signed_in.get(response["Location"])
    html = preview.content.decode()

    assert "This file is Eventbrite (attendee report)" in html
    assert "<li>Ticket Type → Role (from ticket type)</li>" in html
    assert "<li>Organizing Committee → Organizer</li>" in html
    assert f'href="{url("import_preview", batch)}">Change the mapping</a>' in html
    token = preview.context["preview"].mapping_token
    done = signed_in.post(
        response["Location"], {"created": 5, "updated": 0, "unchanged": 0, "mapping": token}
    )
    assert done.status_code == 302
    assert Attendance.objects.filter(conference=conference).count() == 5


def test_import_pages_read_a_fixed_number_of_queries_whatever_the_saved_mappings(
    signed_in, conference
):
    batch = uploaded(signed_in, "eventbrite_attendee_summary.csv")
    pages = [
        url("import_preview", batch),
        reverse("organize:import_registrations", args=["edtech-2026"]),
    ]

    def queries(page: str) -> int:
        signed_in.get(page)
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(page).status_code == 200
        return len(captured)

    ImportPreset.objects.create(conference=conference, name="one", columns={"email": "email"})
    with_one = [queries(page) for page in pages]
    for n in range(6):
        ImportPreset.objects.create(conference=conference, name=f"more {n}", columns={})
    assert [queries(page) for page in pages] == with_one
