"""Error answers say what went wrong and what to do, never show a traceback, and oversized
requests are refused with 413 naming the limit: an HTML page for pages, the JSON error shape
under /api/. DEBUG is off here, as in production (tests/test_settings.py)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from attendees.imports import MAX_FILE_BYTES
from conferences.models import ImportBatch
from tests.attendees.helpers import sign_in

from .conftest import api_client

pytestmark = pytest.mark.django_db

TOO_LARGE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def assert_page(response, status: int, *texts: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="site-header"' in html  # built on base.html
    assert "Traceback" not in html and "s3cr3t" not in html
    for text in texts:
        assert text in html
    return html


def assert_json(response, status: int, *texts: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"}
    for text in texts:
        assert text in body["detail"]
    return body


def test_an_oversized_form_post_is_refused_with_413_naming_the_limit(client):
    response = client.post(
        reverse("dashboard:login"),
        "email=" + "a" * TOO_LARGE,
        content_type="application/x-www-form-urlencoded",
    )
    assert_page(response, 413, "too large", "at most 5 MB", "Send less")


def test_a_signed_in_oversized_post_gets_the_same_page(client, victim):
    sign_in(client, victim.vera)
    response = client.post(
        reverse("dashboard:profile"),
        "bio=" + "a" * TOO_LARGE,
        content_type="application/x-www-form-urlencoded",
    )
    assert_page(response, 413, "at most 5 MB")
    victim.vera.refresh_from_db()
    assert victim.vera.bio != "a"


def test_too_many_form_fields_are_refused_with_413(client):
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    body = "&".join(f"f{n}=x" for n in range(limit + 1))
    response = client.post(
        reverse("dashboard:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert_page(response, 413, f"at most {limit}")


def test_an_oversized_api_body_answers_413_in_the_error_shape(victim):
    response = api_client(victim.key).post(
        reverse("api:my-block-list"),
        '{"person": 1, "pad": "' + "a" * TOO_LARGE + '"}',
        content_type="application/json",
    )
    assert_json(response, 413, "at most 5 MB")


def test_an_oversized_csv_import_gets_a_form_error(client, victim):
    client.force_login(victim.organizer)
    upload = SimpleUploadedFile(
        "big.csv", b"email,full_name\n" + b"a" * MAX_FILE_BYTES, content_type="text/csv"
    )
    url = reverse("organize:import_registrations", args=[victim.conference.slug])
    before = ImportBatch.objects.count()

    response = client.post(url, {"file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "The file is larger than 15 MB: split it into several files" in html
    assert ImportBatch.objects.count() == before


def test_an_unknown_page_is_a_404_page(client):
    assert_page(client.get("/no/such/page/"), 404, "Page not found")


def test_an_organizer_page_for_an_attendee_is_a_403_page(client, victim):
    sign_in(client, victim.vera)
    assert_page(client.get(reverse("organize:index")), 403, "You may not open this page")


def test_a_stale_form_is_a_403_page_that_says_to_reload():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("dashboard:login"), {"email": "ann@example.org"})
    assert_page(response, 403, "This form has expired", "Reload the page")


def test_a_bad_host_is_a_400_page(client):
    assert_page(client.get("/login/", HTTP_HOST="evil.example"), 400, "could not be understood")


def test_api_errors_outside_views_keep_the_json_shape(client):
    response = client.get("/api/v1/me/", HTTP_HOST="evil.example")
    assert_json(response, 400, "could not be understood")


@pytest.mark.urls("tests.security.boom_urls")
def test_a_bug_is_a_500_page_without_a_traceback():
    client = Client(raise_request_exception=False)
    assert_page(client.get("/boom/"), 500, "Something went wrong on our side")
    body = assert_json(client.get("/api/v1/boom/"), 500, "Something went wrong")
    assert "s3cr3t" not in str(body)


def test_a_body_declared_over_the_request_limit_is_refused_before_it_is_read(client, victim):
    client.force_login(victim.organizer)
    url = reverse("organize:import_registrations", args=[victim.conference.slug])
    before = ImportBatch.objects.count()

    response = client.post(
        url, {"file": "x"}, CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_BYTES + 1)
    )

    assert_page(response, 413, "at most 16 MB", "split it")
    assert ImportBatch.objects.count() == before


def test_the_api_refuses_a_body_over_the_request_limit_in_the_error_shape(victim):
    response = api_client(victim.key).post(
        reverse("api:my-block-list"),
        "{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_BYTES + 1),
    )
    assert_json(response, 413, "at most 16 MB")


def test_the_request_limit_leaves_room_for_the_largest_import_file():
    assert settings.REQUEST_MAX_BODY_BYTES > MAX_FILE_BYTES + 64 * 1024
