"""The OpenAPI schema is valid and complete; the docs page is served locally under the CSP."""

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import UserFactory

from .support import assert_error, client_for

pytestmark = pytest.mark.django_db


def test_schema_is_valid_without_warnings(tmp_path):
    # Raises SchemaGenerationError on any warning or an invalid OpenAPI document.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3.0.3")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def test_every_operation_has_a_summary_and_documented_bodies(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary"
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{where} documents no success answer"
            for code in success:
                if code != "204":
                    assert "content" in operation["responses"][code], f"{where} {code} no body"
            if method in ("post", "put", "patch"):
                assert "requestBody" in operation or method == "post", f"{where} no request"
            for code in ("401", "404"):
                error = operation["responses"][code]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}, where


def test_schema_is_served_to_anybody(schema):
    assert schema["openapi"] == "3.0.3"
    assert schema["info"]["title"] == "Drink Tables API"
    assert "/api/v1/tokens/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"cookieAuth", "tokenAuth"}


def test_docs_page_loads_only_local_files_and_no_inline_code():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith("/") for source in sources), sources
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    script_url = next(s for s in sources if "script" in s and "docs" in s).replace("&amp;", "&")
    script = APIClient().get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
    for source in sources:
        if source.startswith("/static/"):
            assert APIClient().get(source).status_code == 200, source


def test_unknown_api_paths_answer_in_the_error_shape():
    body = assert_error(client_for(UserFactory()).get("/api/v1/nothing-here/"), 404)
    assert "/api/v1/docs/" in body["detail"]
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(UserFactory())
    assert_error(session.post("/api/v1/conferences/not a slug/tables/", {}), 404)
    assert_error(session.get("/api/v1/conferences/new%0Aline/tables/"), 404)


def test_anonymous_requests_are_refused_with_a_token_challenge():
    response = APIClient().get("/api/v1/tokens/")
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_requests_must_be_json():
    client = client_for(UserFactory())
    response = client.post(
        "/api/v1/tokens/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    body = assert_error(response, 415)
    assert "application/x-www-form-urlencoded" in body["detail"]
    assert_error(client.post("/api/v1/tokens/", "{", content_type="application/json"), 400)


def test_writes_are_throttled_per_user(monkeypatch):
    from api.throttling import WriteRateThrottle

    monkeypatch.setitem(WriteRateThrottle.THROTTLE_RATES, "writes", "3/min")
    user = UserFactory()
    client = client_for(user)
    statuses = [client.delete("/api/v1/tokens/999/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert client.get("/api/v1/tokens/").status_code == 200  # reads are not counted
    assert client_for(UserFactory()).delete("/api/v1/tokens/999/").status_code == 404


def test_page_size_must_be_a_whole_number_in_range():
    client = client_for(UserFactory())
    for bad in ("true", "0", "501", "-1", "2.5"):
        body = assert_error(client.get("/api/v1/tokens/", {"page_size": bad}), 400, "page_size")
        assert body["errors"]["page_size"] == ["Use a whole number from 1 to 500."]
    assert client.get("/api/v1/tokens/", {"page_size": "500"}).status_code == 200
    assert_error(client.get("/api/v1/tokens/", {"page": "99"}), 404)
