"""Profile, blocks and sit-together requests."""

import datetime as dt

import pytest
from django.urls import reverse

from attendees import services
from attendees.models import Block, SitTogether
from attendees.selectors.wishes import mutual_sit_together_pairs, sit_together_for
from config.exceptions import NotFound, ServiceError
from tests.attendees.helpers import register, sign_in
from tests.factories import ConferenceFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_person_update_changes_only_the_given_fields(world):
    privacy = TopicFactory(name="Student data privacy")

    person = services.person_update(
        person=world.ann,
        data={
            "full_name": "  Ann   Lee-Park ",
            "topics": [privacy, world.stem.pk],
            "needs_accessible_seating": True,
            "show_organization": False,
        },
    )

    person.refresh_from_db()
    assert person.full_name == "Ann Lee-Park"
    assert sorted(t.name for t in person.topics.all()) == ["STEM", "Student data privacy"]
    assert (person.needs_accessible_seating, person.show_organization, person.opted_out) == (
        True,
        False,
        False,
    )
    assert person.organization == world.ann.organization


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "   "}, "Enter the name"),
        ({"email": "x@example.org"}, "cannot be changed here: email"),
        ({"opted_out": "yes"}, "yes or no"),
        ({"topics": [999999]}, "from the list"),
        ({"bio": "x" * 1001}, "under 1000"),
    ],
)
def test_person_update_refuses_what_it_cannot_take(world, data, message):
    with pytest.raises(ServiceError, match=message):
        services.person_update(person=world.ann, data=data)


def test_the_profile_page_saves_the_form(client, world):
    sign_in(client, world.ann)

    response = client.post(
        reverse("dashboard:profile"),
        {
            "full_name": "Ann Lee",
            "organization": "Open Classroom",
            "bio": "Teaches maths.",
            "topics": [world.stem.pk],
            "opted_out": "on",
        },
    )

    assert response["Location"] == reverse("dashboard:profile")
    world.ann.refresh_from_db()
    assert (world.ann.organization, world.ann.opted_out, world.ann.show_organization) == (
        "Open Classroom",
        True,
        False,
    )
    assert [t.name for t in world.ann.topics.all()] == ["STEM"]


def test_the_profile_page_shows_what_to_fix(client, world):
    sign_in(client, world.ann)

    response = client.post(reverse("dashboard:profile"), {"full_name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_block_someone_of_my_conference_and_unblock(world):
    block = services.block_create(person=world.ann, blocked_id=world.zoe.pk)
    assert services.block_create(person=world.ann, blocked_id=world.zoe.pk) == block

    services.block_delete(person=world.ann, block_id=block.block_id)

    assert not Block.objects.exists()


def test_blocks_are_only_for_people_of_my_conferences(world):
    stranger = PersonFactory()
    register(ConferenceFactory(), stranger)

    with pytest.raises(ServiceError, match="registered for one of your conferences"):
        services.block_create(person=world.ann, blocked_id=stranger.pk)
    with pytest.raises(ServiceError, match="yourself"):
        services.block_create(person=world.ann, blocked_id=world.ann.pk)


def test_nobody_else_can_remove_my_block(world):
    block = services.block_create(person=world.ann, blocked_id=world.zoe.pk)

    with pytest.raises(NotFound):
        services.block_delete(person=world.zoe, block_id=block.block_id)
    assert Block.objects.filter(pk=block.block_id).exists()


def test_blocking_withdraws_my_wish_to_sit_with_them(world):
    services.sit_together_request(
        person=world.ann, other_id=world.zoe.pk, conference_id=world.conference.pk
    )
    services.sit_together_request(
        person=world.zoe, other_id=world.ann.pk, conference_id=world.conference.pk
    )
    assert mutual_sit_together_pairs(conference=world.conference) == {
        tuple(sorted((world.ann.pk, world.zoe.pk)))
    }

    services.block_create(person=world.ann, blocked_id=world.zoe.pk)

    assert mutual_sit_together_pairs(conference=world.conference) == set()
    with pytest.raises(ServiceError, match="Unblock them first"):
        services.sit_together_request(
            person=world.ann, other_id=world.zoe.pk, conference_id=world.conference.pk
        )


def test_a_block_beats_a_mutual_wish_however_it_came_about(world):
    SitTogether.objects.create(
        conference=world.conference, requester=world.ann, requested=world.zoe
    )
    SitTogether.objects.create(
        conference=world.conference, requester=world.zoe, requested=world.ann
    )
    Block.objects.create(blocker=world.zoe, blocked=world.ann)

    assert mutual_sit_together_pairs(conference=world.conference) == set()


def test_sit_together_counts_once_both_ask_and_the_other_side_is_not_told(world):
    mine = services.sit_together_request(
        person=world.ann, other_id=world.zoe.pk, conference_id=world.conference.pk
    )

    assert [(r.other_name, r.mutual) for r in sit_together_for(person=world.ann)] == [
        ("Zoe Park", False)
    ]
    assert sit_together_for(person=world.zoe) == []

    services.sit_together_request(
        person=world.zoe, other_id=world.ann.pk, conference_id=world.conference.pk
    )

    assert [(r.other_name, r.mutual) for r in sit_together_for(person=world.ann)] == [
        ("Zoe Park", True)
    ]
    assert (
        services.sit_together_request(
            person=world.ann, other_id=world.zoe.pk, conference_id=world.conference.pk
        )
        == mine
    )


def test_sit_together_needs_a_conference_still_to_come_that_both_attend(world):
    with pytest.raises(ServiceError, match="not ended"):
        services.sit_together_request(
            person=world.ann, other_id=world.dana.pk, conference_id=world.necc.pk
        )
    stranger = PersonFactory()
    with pytest.raises(ServiceError, match="registered for ISTE Live 2026"):
        services.sit_together_request(
            person=world.ann, other_id=stranger.pk, conference_id=world.conference.pk
        )
    with pytest.raises(ServiceError, match="other than yourself"):
        services.sit_together_request(
            person=world.ann, other_id=world.ann.pk, conference_id=world.conference.pk
        )


def test_withdraw_only_my_own_request(world):
    theirs = services.sit_together_request(
        person=world.zoe, other_id=world.ann.pk, conference_id=world.conference.pk
    )

    with pytest.raises(NotFound):
        services.sit_together_withdraw(person=world.ann, request_id=theirs.request_id)
    services.sit_together_withdraw(person=world.zoe, request_id=theirs.request_id)
    assert not SitTogether.objects.exists()


def test_block_search_and_block_through_the_page(client, world):
    sign_in(client, world.ann)

    results = client.get(reverse("dashboard:block_search"), {"q": "zoe"}).content.decode()
    assert "Zoe Park" in results and "ISTE Live 2026" in results
    response = client.post(
        reverse("dashboard:blocks"), {"person": world.zoe.pk}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="blocks-panel">')
    assert "You blocked Zoe Park" in html
    assert Block.objects.filter(blocker=world.ann, blocked=world.zoe).exists()
    again = client.get(reverse("dashboard:block_search"), {"q": "zoe"}).content.decode()
    assert "Zoe Park" not in again  # already blocked


def test_the_block_page_works_without_javascript(client, world):
    sign_in(client, world.ann)

    page = client.get(reverse("dashboard:blocks"), {"q": "Park"}).content.decode()
    assert "Zoe Park" in page
    response = client.post(reverse("dashboard:blocks"), {"person": world.zoe.pk})
    assert response["Location"] == reverse("dashboard:blocks")
    block = Block.objects.get()

    response = client.post(reverse("dashboard:block_delete", args=[block.pk]))
    assert response["Location"] == reverse("dashboard:blocks")
    assert "You unblocked Zoe Park." in client.get(reverse("dashboard:blocks")).content.decode()
    assert not Block.objects.exists()


def test_sit_together_through_the_page(client, world):
    sign_in(client, world.ann)

    results = client.get(reverse("dashboard:together_search"), {"q": "zoe"}).content.decode()
    assert "Sit with Zoe Park" in results
    response = client.post(
        reverse("dashboard:together"),
        {"person": world.zoe.pk, "conference": world.conference.pk},
        headers={"HX-Request": "true"},
    )

    assert "Waiting for them to ask too" in response.content.decode()
    request = SitTogether.objects.get()
    response = client.post(
        reverse("dashboard:together_withdraw", args=[request.pk]), headers={"HX-Request": "true"}
    )
    assert "Your request is withdrawn." in response.content.decode()
    assert not SitTogether.objects.exists()


def test_sit_together_search_offers_only_conferences_still_to_come(client, world):
    world.conference.starts_on = world.conference.ends_on = dt.date(2020, 1, 1)
    world.conference.save()
    sign_in(client, world.ann)

    page = client.get(reverse("dashboard:together")).content.decode()

    assert "not registered for a conference that is still to come" in page
