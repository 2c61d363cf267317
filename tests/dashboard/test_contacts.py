"""Stay in touch on the dashboard: toggles on a held round's page, contacts and vCards on the
network page; blocks never show."""

import pytest
from django.urls import reverse

from attendees.models import ContactCard, ContactOffer
from tests.attendees.helpers import sign_in
from tests.attendees.test_contacts import Held
from tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    return Held()


def test_the_held_rounds_page_offers_a_toggle_per_tablemate(held, client):
    sign_in(client, held.ann)

    html = client.get(reverse("dashboard:round", args=[held.round.pk])).content.decode()

    assert 'id="touch-heading"' in html
    assert 'aria-label="Offer my contact to Bob Ray"' in html
    assert 'aria-label="Offer my contact to Cy Young"' in html
    assert "Dee Diaz" not in html  # at another table, not marked as met


def test_offering_and_withdrawing_by_htmx_swaps_the_row(held, client):
    sign_in(client, held.ann)
    htmx = {"HTTP_HX_REQUEST": "true"}

    offered = client.post(reverse("dashboard:contact_offer"), {"person": held.bob.pk}, **htmx)
    assert offered.status_code == 200
    assert 'aria-pressed="true"' in offered.content.decode()
    assert ContactOffer.objects.filter(from_person=held.ann, to_person=held.bob).exists()
    # The first offer saves the card with the sign-in address.
    assert ContactCard.objects.get(person=held.ann).email == "ann@example.org"

    withdrawn = client.post(reverse("dashboard:contact_withdraw", args=[held.bob.pk]), **htmx)
    assert withdrawn.status_code == 200
    assert 'aria-pressed="false"' in withdrawn.content.decode()
    assert not ContactOffer.objects.exists()


def test_a_stranger_cannot_be_offered_and_the_answer_says_why(held, client):
    sign_in(client, held.ann)

    refused = client.post(
        reverse("dashboard:contact_offer"), {"person": held.eve.pk}, HTTP_HX_REQUEST="true"
    )

    assert refused.status_code == 400
    assert not ContactOffer.objects.exists()


def test_mutual_offers_show_the_details_and_a_vcard_on_the_network_page(held, client):
    sign_in(client, held.bob)
    client.post(
        reverse("dashboard:contact_card"),
        {"email": "bob.work@example.org", "link": "https://bob.example.org/"},
    )
    client.post(reverse("dashboard:contact_offer"), {"person": held.ann.pk})
    sign_in(client, held.ann)
    client.post(reverse("dashboard:contact_offer"), {"person": held.bob.pk})

    html = client.get(reverse("dashboard:network")).content.decode()
    card = client.get(reverse("dashboard:contact_vcard", args=[held.bob.pk]))

    assert "bob.work@example.org" in html and "https://bob.example.org/" in html
    assert card.status_code == 200
    assert card["Content-Type"] == "text/vcard; charset=utf-8"
    assert card.content.decode().startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob Ray\r\n")
    assert "EMAIL;TYPE=home:bob.work@example.org" in card.content.decode()


def test_without_a_mutual_offer_there_is_no_vcard_and_no_details(held, client):
    sign_in(client, held.bob)
    client.post(reverse("dashboard:contact_offer"), {"person": held.ann.pk})
    sign_in(client, held.ann)

    html = client.get(reverse("dashboard:network")).content.decode()

    assert client.get(reverse("dashboard:contact_vcard", args=[held.bob.pk])).status_code == 404
    assert "bob@example.org" not in html


def test_a_block_hides_the_contact_from_both_and_shows_nothing_to_the_blocked(held, client):
    sign_in(client, held.bob)
    client.post(reverse("dashboard:contact_offer"), {"person": held.ann.pk})
    sign_in(client, held.ann)
    client.post(reverse("dashboard:contact_offer"), {"person": held.bob.pk})
    BlockFactory(blocker=held.ann, blocked=held.bob)

    ann_page = client.get(reverse("dashboard:network")).content.decode()
    sign_in(client, held.bob)
    bob_page = client.get(reverse("dashboard:network")).content.decode()
    bob_round = client.get(reverse("dashboard:round", args=[held.round.pk])).content.decode()

    assert "bob@example.org" not in ann_page
    assert "Offer my contact to Bob Ray" not in ann_page  # Ann's own block: left out of her list
    assert "ann@example.org" not in bob_page
    assert client.get(reverse("dashboard:contact_vcard", args=[held.ann.pk])).status_code == 404
    # Bob sees his offer to Ann waiting, exactly as if she had never answered.
    assert "Offered: they see your details once they offer theirs" in bob_round
    assert "block" not in bob_round.lower().replace("blocks", "")


def test_bad_card_details_are_refused_with_the_reason(held, client):
    sign_in(client, held.ann)

    response = client.post(
        reverse("dashboard:contact_card"),
        {"email": "ann@example.org", "link": "javascript:alert(1)"},
        follow=True,
    )

    assert "The link must be a web address starting with https://" in response.content.decode()
    assert not ContactCard.objects.exists()
