"""Stay in touch (issue 15.4): offers of a contact card, shown only when mutual, never across a
block, withdrawn at any time, as a vCard."""

import datetime as dt

import pytest
from django.utils import timezone

from attendees import contacts
from attendees.enums import EncounterKind
from attendees.models import ContactOffer
from attendees.selectors.contacts import (
    contacts_for,
    mutual_offer_pairs,
    shared_contact_for,
)
from attendees.services import account_delete
from attendees.vcard import vcard_for
from conferences.enums import RoundStatus
from config.exceptions import NotFound, ServiceError
from matching.services.encounters import encounters_record_round, met_record
from tests.attendees.helpers import seat_round
from tests.factories import (
    BlockFactory,
    DrinkTableFactory,
    EncounterFactory,
    MeetupRoundFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


class Held:
    """A held round: Ann, Bob and Cy shared table A; Dee sat at table B. Eve was not there."""

    def __init__(self):
        self.round = MeetupRoundFactory(
            starts_at=timezone.now() - dt.timedelta(hours=3),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        )
        conference = self.round.conference
        self.ann, self.bob, self.cy, self.dee, self.eve = (
            PersonFactory(
                full_name=name, email=f"{name.split()[0].lower()}@example.org", organization=""
            )
            for name in ("Ann Lee", "Bob Ray", "Cy Young", "Dee Diaz", "Eve Moss")
        )
        table_a = DrinkTableFactory(conference=conference, label="A")
        table_b = DrinkTableFactory(conference=conference, label="B")
        seat_round(
            self.round,
            {table_a: [self.ann, self.bob, self.cy], table_b: [self.dee]},
            status=RoundStatus.HELD,
        )
        encounters_record_round(round=self.round)


@pytest.fixture
def held():
    return Held()


def offer(person, other, **details):
    return contacts.contact_offer_make(person=person, other_id=other.pk, **details)


def test_details_show_only_once_both_offered(held):
    offer(held.ann, held.bob)

    assert contacts_for(person=held.bob).mutual == []
    assert contacts_for(person=held.ann).mutual == []
    assert contacts_for(person=held.ann).offered == [(held.bob.pk, "Bob Ray")]
    # An offer nobody answered is not shown to its recipient.
    assert contacts_for(person=held.bob).offered == []

    offer(held.bob, held.ann, link="https://bob.example.org/")

    (bob_seen_by_ann,) = contacts_for(person=held.ann).mutual
    assert (bob_seen_by_ann.name, bob_seen_by_ann.email, bob_seen_by_ann.link) == (
        "Bob Ray",
        "bob@example.org",
        "https://bob.example.org/",
    )
    (ann_seen_by_bob,) = contacts_for(person=held.bob).mutual
    assert (ann_seen_by_bob.email, ann_seen_by_bob.link) == ("ann@example.org", "")
    assert mutual_offer_pairs() == {tuple(sorted((held.ann.pk, held.bob.pk)))}


def test_the_card_is_the_sign_in_address_unless_changed_and_one_card_serves_every_offer(held):
    offer(held.ann, held.bob, email="ann.work@example.org", link="http://ann.example.org")
    offer(held.ann, held.cy)  # keeps the card
    offer(held.bob, held.ann)
    offer(held.cy, held.ann)

    assert {c.email for c in contacts_for(person=held.bob).mutual} == {"ann.work@example.org"}
    assert {c.link for c in contacts_for(person=held.cy).mutual} == {"http://ann.example.org"}


def test_offers_go_only_to_tablemates_of_a_held_round_or_people_marked_as_met(held):
    for stranger in (held.dee, held.eve, held.ann):
        with pytest.raises(ServiceError) as refused:
            offer(held.ann, stranger)
        assert refused.value.field == "person"
    # Dee was at the round: once Ann marks her as met, Ann may offer.
    met_record(person=held.ann, round=held.round, people=[held.dee])
    assert offer(held.ann, held.dee).name == "Dee Diaz"
    # An imported encounter (history from elsewhere) is not a meeting at a round.
    EncounterFactory(person_a=held.ann, person_b=held.eve, kind=EncounterKind.IMPORTED)
    with pytest.raises(ServiceError):
        offer(held.ann, held.eve)


@pytest.mark.parametrize(
    ("email", "link", "field"),
    [
        ("not an address", "", "email"),
        ("", "", "email"),
        ("ann@example.org", "javascript:alert(1)", "link"),
        ("ann@example.org", "ftp://example.org/", "link"),
        ("ann@example.org", "example.org", "link"),
        ("ann@example.org", "https://" + "a" * 500 + ".org", "link"),
    ],
)
def test_bad_details_are_refused_naming_the_field(held, email, link, field):
    with pytest.raises(ServiceError) as refused:
        offer(held.ann, held.bob, email=email, link=link)
    assert refused.value.field == field
    assert not ContactOffer.objects.exists()


def test_withdrawing_hides_the_details_again_and_is_always_possible(held):
    offer(held.ann, held.bob)
    offer(held.bob, held.ann)

    contacts.contact_offer_withdraw(person=held.ann, other_id=held.bob.pk)

    assert contacts_for(person=held.bob).mutual == []
    assert contacts_for(person=held.ann).mutual == []
    assert shared_contact_for(person=held.bob, other_id=held.ann.pk) is None
    with pytest.raises(NotFound):
        contacts.contact_offer_withdraw(person=held.ann, other_id=held.bob.pk)
    # Someone else's offer cannot be withdrawn by naming it.
    with pytest.raises(NotFound):
        contacts.contact_offer_withdraw(person=held.cy, other_id=held.ann.pk)
    assert ContactOffer.objects.filter(from_person=held.bob).count() == 1


@pytest.mark.parametrize("blocker", ["ann", "bob"])
def test_a_block_either_way_keeps_both_sides_from_seeing_anything(held, blocker):
    offer(held.ann, held.bob)
    offer(held.bob, held.ann)
    blocked = "bob" if blocker == "ann" else "ann"
    BlockFactory(blocker=getattr(held, blocker), blocked=getattr(held, blocked))

    assert contacts_for(person=held.ann).mutual == []
    assert contacts_for(person=held.bob).mutual == []
    assert shared_contact_for(person=held.ann, other_id=held.bob.pk) is None
    assert mutual_offer_pairs() == set()
    # The blocked person sees what they would see had the other never answered: their own
    # offer, waiting. No hint of the block.
    assert contacts_for(person=getattr(held, blocked)).offered == [
        (getattr(held, blocker).pk, getattr(held, blocker).full_name)
    ]


def test_the_blocked_person_can_still_offer_and_it_never_counts(held):
    BlockFactory(blocker=held.ann, blocked=held.bob)

    result = offer(held.bob, held.ann)  # no error that would reveal the block
    assert result.name == "Ann Lee"
    with pytest.raises(ServiceError) as refused:
        offer(held.ann, held.bob)
    assert "You blocked Bob Ray" in refused.value.message
    assert contacts_for(person=held.ann).offered == []
    assert mutual_offer_pairs() == set()


def test_a_deleted_account_takes_its_card_and_offers_with_it(held):
    offer(held.ann, held.bob)
    offer(held.bob, held.ann)

    account_delete(person=held.ann)

    assert contacts_for(person=held.bob).mutual == []
    assert contacts_for(person=held.bob).offered == []
    assert not ContactOffer.objects.exists()


def test_the_vcard_is_rfc_6350(held):
    offer(held.ann, held.bob, link="https://ann.example.org/a,b")
    offer(held.bob, held.ann)
    held.ann.full_name = "Ann; Lee, Jr"
    held.ann.organization = "Schools, Inc"
    held.ann.save()

    card = vcard_for(shared_contact_for(person=held.bob, other_id=held.ann.pk))

    assert card.split("\r\n") == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "FN:Ann\\; Lee\\, Jr",
        "N:Jr;Ann\\; Lee\\,;;;",
        "ORG:Schools\\, Inc",
        "EMAIL;TYPE=home:ann@example.org",
        "URL:https://ann.example.org/a,b",
        "END:VCARD",
        "",
    ]


def test_long_vcard_lines_fold_at_75_octets_without_splitting_a_character(held):
    offer(held.ann, held.bob)
    offer(held.bob, held.ann)
    held.ann.full_name = "Ånne " + "é" * 60
    held.ann.save()

    card = vcard_for(shared_contact_for(person=held.bob, other_id=held.ann.pk))

    lines = card.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = card.replace("\r\n ", "")
    assert "FN:Ånne " + "é" * 60 + "\r\n" in unfolded
