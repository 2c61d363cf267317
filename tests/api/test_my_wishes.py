"""/me/blocks/ and /me/sit-together/: private wishes, and that a block never shows to the
person blocked."""

import datetime as dt

import pytest

from attendees.models import Block, SitTogether
from tests.factories import BlockFactory, ConferenceFactory, SitTogetherFactory

from .support import assert_error, attendee_of, client_for

pytestmark = pytest.mark.django_db

BLOCKS = "/api/v1/me/blocks/"
TOGETHER = "/api/v1/me/sit-together/"


def test_block_list_create_and_unblock(attendee, other_attendee, attendee_client):
    response = attendee_client.post(BLOCKS, {"person": other_attendee.pk}, format="json")
    assert response.status_code == 201, response.content
    block = Block.objects.get()
    assert (block.blocker, block.blocked) == (attendee, other_attendee)
    assert response.json() == {
        "id": block.pk,
        "person": {
            "id": other_attendee.pk,
            "name": "Bob Other",
            "organization": other_attendee.organization,
        },
        "created_at": response.json()["created_at"],
    }
    again = attendee_client.post(BLOCKS, {"person": other_attendee.pk}, format="json")
    assert again.status_code == 201 and again.json()["id"] == block.pk
    assert attendee_client.get(BLOCKS).json()["results"] == [response.json()]
    assert attendee_client.delete(f"{BLOCKS}{block.pk}/").status_code == 204
    assert not Block.objects.exists()


def test_blocking_is_validated(attendee, attendee_client):
    elsewhere = attendee_of(ConferenceFactory())
    body = assert_error(attendee_client.post(BLOCKS, {"person": elsewhere.pk}), 400, "person")
    assert body["detail"] == "Choose someone registered for one of your conferences."
    unknown = assert_error(attendee_client.post(BLOCKS, {"person": 99999}), 400, "person")
    assert unknown["detail"] == body["detail"]
    body = assert_error(attendee_client.post(BLOCKS, {"person": attendee.pk}), 400)
    assert body["detail"] == "You cannot block yourself."
    assert_error(attendee_client.post(BLOCKS, {}), 400, "person")
    assert_error(attendee_client.post(BLOCKS, {"person": "bob"}), 400, "person")
    assert not Block.objects.exists()


def test_somebody_elses_block_is_not_found(attendee, other_attendee, conference):
    block = BlockFactory(blocker=other_attendee, blocked=attendee_of(conference))
    client = client_for(attendee.user)
    assert client.get(BLOCKS).json()["results"] == []
    assert_error(client.delete(f"{BLOCKS}{block.pk}/"), 404)
    assert Block.objects.filter(pk=block.pk).exists()


def test_the_blocked_person_never_notices_the_block(attendee, other_attendee, conference):
    """Bob blocks Ann: everything Ann asks about Bob answers as it does about Cy."""
    cy = attendee_of(conference, full_name="Cy Bystander")
    BlockFactory(blocker=other_attendee, blocked=attendee)
    ann = client_for(attendee.user)
    assert ann.get(BLOCKS).json()["results"] == []

    def answers_about(person):
        search = ann.get("/api/v1/people/", {"q": person.full_name[:3]})
        request = ann.post(TOGETHER, {"person": person.pk, "conference": "necc-2009"})
        block = ann.post(BLOCKS, {"person": person.pk})
        return (
            search.status_code,
            [r["id"] for r in search.json()],
            request.status_code,
            request.json()["mutual"],
            block.status_code,
        )

    assert answers_about(other_attendee) == (200, [other_attendee.pk], 201, False, 201)
    assert answers_about(cy) == (200, [cy.pk], 201, False, 201)
    export = ann.get("/api/v1/me/export/").json()
    assert [b["blocked"] for b in export["blocks"]] == ["Bob Other", "Cy Bystander"]
    assert [b["person"]["id"] for b in ann.get(BLOCKS).json()["results"]] == [
        other_attendee.pk,
        cy.pk,
    ]


def test_sit_together_request_list_and_withdraw(attendee, other_attendee, conference):
    client = client_for(attendee.user)
    response = client.post(
        TOGETHER, {"person": other_attendee.pk, "conference": "necc-2009"}, format="json"
    )
    assert response.status_code == 201, response.content
    request = SitTogether.objects.get()
    assert response.json() == {
        "id": request.pk,
        "person": {"id": other_attendee.pk, "name": "Bob Other"},
        "conference": {"slug": "necc-2009", "name": "NECC 2009"},
        "mutual": False,
        "created_at": response.json()["created_at"],
    }
    SitTogetherFactory(conference=conference, requester=other_attendee, requested=attendee)
    listed = client.get(TOGETHER).json()["results"]
    assert [(r["id"], r["mutual"]) for r in listed] == [(request.pk, True)]
    assert client.delete(f"{TOGETHER}{request.pk}/").status_code == 204
    assert list(SitTogether.objects.values_list("requester", flat=True)) == [other_attendee.pk]
    # Bob's request to Ann is Bob's: Ann neither sees nor withdraws it.
    assert client.get(TOGETHER).json()["results"] == []
    bobs = SitTogether.objects.get().pk
    assert_error(client.delete(f"{TOGETHER}{bobs}/"), 404)


def test_sit_together_is_validated(attendee, other_attendee, attendee_client, conference):
    past = ConferenceFactory(
        slug="past", starts_on=dt.date(2001, 1, 1), ends_on=dt.date(2001, 1, 3)
    )
    from tests.factories import AttendanceFactory

    AttendanceFactory(person=attendee, conference=past)
    AttendanceFactory(person=other_attendee, conference=past)
    body = assert_error(
        attendee_client.post(TOGETHER, {"person": other_attendee.pk, "conference": "past"}),
        400,
        "conference",
    )
    assert body["detail"] == "Choose one of your conferences that has not ended yet."
    assert_error(
        attendee_client.post(TOGETHER, {"person": other_attendee.pk, "conference": "nope"}),
        400,
        "conference",
    )
    elsewhere = attendee_of(ConferenceFactory())
    body = assert_error(
        attendee_client.post(TOGETHER, {"person": elsewhere.pk, "conference": "necc-2009"}),
        400,
        "person",
    )
    assert body["detail"] == "Choose someone registered for NECC 2009."
    BlockFactory(blocker=attendee, blocked=other_attendee)
    body = assert_error(
        attendee_client.post(TOGETHER, {"person": other_attendee.pk, "conference": "necc-2009"}),
        400,
    )
    assert "Unblock them first" in body["detail"]
    assert_error(
        attendee_client.post(TOGETHER, {"person": attendee.pk, "conference": "necc-2009"}), 400
    )
    assert_error(attendee_client.post(TOGETHER, {}), 400, "person", "conference")
    assert not SitTogether.objects.exists()


@pytest.mark.parametrize("count", [1, 15])
def test_wish_lists_queries_do_not_grow(count, attendee, conference, django_assert_max_num_queries):
    for _ in range(count):
        other = attendee_of(conference)
        BlockFactory(blocker=attendee, blocked=other)
        SitTogetherFactory(
            conference=conference, requester=attendee, requested=attendee_of(conference)
        )
    client = client_for(attendee.user)
    with django_assert_max_num_queries(4):
        assert client.get(BLOCKS).json()["count"] == count
    with django_assert_max_num_queries(5):
        assert client.get(TOGETHER).json()["count"] == count
