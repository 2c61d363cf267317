"""Personal API tokens: create (key shown once), use, list, revoke."""

import hashlib

import pytest
from rest_framework.test import APIClient

from attendees.models import ApiToken
from attendees.tokens import MAX_TOKENS_PER_USER, api_token_create
from tests.factories import UserFactory

from .support import assert_error, client_for

pytestmark = pytest.mark.django_db


def create_token(client, name="my script"):
    response = client.post("/api/v1/tokens/", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_token_round_trip_create_use_revoke_then_refused():
    user = UserFactory()
    created = create_token(client_for(user), name="registration sync")
    key = created["key"]

    with_token = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    listed = with_token.get("/api/v1/tokens/")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["results"]] == [created["id"]]
    assert ApiToken.objects.get(pk=created["id"]).last_used_at is not None

    assert with_token.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204

    refused = with_token.get("/api/v1/tokens/")
    assert_error(refused, 401)
    assert refused.json()["detail"] == "Invalid or revoked token."
    assert refused["WWW-Authenticate"] == "Token"
    assert not ApiToken.objects.filter(pk=created["id"]).exists()


def test_the_key_is_shown_once_and_only_its_hash_is_stored():
    user = UserFactory()
    client = client_for(user)
    created = create_token(client)

    assert created["key"].startswith("dt_")
    assert created["prefix"] == created["key"][:10]
    token = ApiToken.objects.get(pk=created["id"])
    assert token.key_hash == hashlib.sha256(created["key"].encode()).hexdigest()
    assert created["key"] not in {token.name, token.prefix, token.key_hash}
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert listed == [
        {
            "id": token.pk,
            "name": "my script",
            "prefix": created["prefix"],
            "created_at": created["created_at"],
            "last_used_at": None,
        }
    ]
    assert client.get(f"/api/v1/tokens/{token.pk}/").json() == listed[0]


def test_creating_a_token_needs_a_name():
    client = client_for(UserFactory())
    body = assert_error(client.post("/api/v1/tokens/", {}, format="json"), 400, "name")
    assert body["errors"]["name"] == ["This field is required."]
    assert_error(client.post("/api/v1/tokens/", {"name": "   "}, format="json"), 400, "name")
    assert_error(client.post("/api/v1/tokens/", {"name": "x" * 101}, format="json"), 400, "name")
    assert not ApiToken.objects.exists()


def test_a_user_has_at_most_twenty_tokens():
    user = UserFactory()
    client = client_for(user)
    for number in range(MAX_TOKENS_PER_USER):
        api_token_create(user=user, name=f"token {number}")
    body = assert_error(client.post("/api/v1/tokens/", {"name": "one more"}, format="json"), 400)
    assert "revoke one" in body["detail"]


def test_tokens_need_a_signed_in_user():
    assert_error(APIClient().get("/api/v1/tokens/"), 401)
    assert_error(APIClient().post("/api/v1/tokens/", {"name": "x"}, format="json"), 401)
    assert_error(APIClient(HTTP_AUTHORIZATION="Token not-a-key").get("/api/v1/tokens/"), 401)
    assert_error(APIClient(HTTP_AUTHORIZATION="Token a b").get("/api/v1/tokens/"), 401)


def test_a_token_of_a_deactivated_user_is_refused():
    user = UserFactory()
    key = create_token(client_for(user))["key"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_error(APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/tokens/"), 401)


def test_somebody_elses_token_is_not_found():
    owner, other = UserFactory(), UserFactory()
    token_id = create_token(client_for(owner))["id"]
    other_client = client_for(other)
    assert other_client.get("/api/v1/tokens/").json()["results"] == []
    assert_error(other_client.get(f"/api/v1/tokens/{token_id}/"), 404)
    assert_error(other_client.delete(f"/api/v1/tokens/{token_id}/"), 404)
    assert ApiToken.objects.filter(pk=token_id).exists()


@pytest.mark.parametrize("count", [1, MAX_TOKENS_PER_USER])
def test_token_list_queries_do_not_grow_with_tokens(count, django_assert_max_num_queries):
    user = UserFactory()
    client = client_for(user)
    for number in range(count):
        api_token_create(user=user, name=f"token {number}")
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/tokens/")
    assert response.json()["count"] == count


def test_session_writes_need_the_csrf_token():
    user = UserFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/tokens/").status_code == 200
    refused = client.post("/api/v1/tokens/", {"name": "x"}, format="json")
    body = assert_error(refused, 403)
    assert "CSRF" in body["detail"]
    csrf = "a" * 32  # any well-formed secret: the cookie and the header must agree
    client.cookies["csrftoken"] = csrf
    accepted = client.post("/api/v1/tokens/", {"name": "x"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201


def test_token_creation_is_throttled_like_a_login():
    client = client_for(UserFactory())
    for number in range(10):  # API_LOGIN_RATE: 10/min
        create_token(client, name=f"token {number}")
    refused = client.post("/api/v1/tokens/", {"name": "eleventh"}, format="json")
    assert_error(refused, 429)
    assert int(refused["Retry-After"]) > 0
    assert client.get("/api/v1/tokens/").status_code == 200
