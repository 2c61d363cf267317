"""Stay in touch: whom a person may offer their contact card to, and the cards they may see.

The rule (docs/design.md §2, "Contact offer"): a person may offer their card to someone they
sat with at a held round or met (an encounter of kind ``seated`` or ``met``). The cards are
shown only when both offered to each other and neither blocked the other. An offer that is not
answered is never shown to the other side, so a block (in either direction) changes nothing
anyone can see except that the pair never becomes mutual.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from attendees.enums import EncounterKind
from attendees.models import Block, ContactCard, ContactOffer, Encounter, Person

Pair = tuple[int, int]

# Encounters that let two people offer each other their cards: a table shared at a held round
# (``seated`` encounters are written when a round is marked held) and a confirmed meeting.
OFFERABLE_KINDS = (EncounterKind.SEATED, EncounterKind.MET)


@dataclass(frozen=True)
class MyCard:
    email: str
    link: str
    saved: bool  # False: not saved yet, these are the defaults (the sign-in address)


@dataclass(frozen=True)
class SharedContact:
    """Someone who offered their card to the person and to whom the person offered theirs."""

    person_id: int
    name: str
    organization: str
    email: str
    link: str


@dataclass(frozen=True)
class Contacts:
    card: MyCard
    mutual: list[SharedContact]
    offered: list[tuple[int, str]]  # (person id, name) of my offers not (or not yet) answered


def card_for(*, person: Person) -> MyCard:
    """The card the person offers: the saved one, else their sign-in address and no link."""
    card = ContactCard.objects.filter(person=person).first()
    if card is None:
        return MyCard(email=person.email, link="", saved=False)
    return MyCard(email=card.email, link=card.link, saved=True)


def may_offer_to(*, person: Person, other_id: int) -> Person | None:
    """The person ``other_id`` if ``person`` may offer their card to them (they sat together at
    a held round or met, and the other has not deleted their account), else None."""
    if other_id == person.pk:
        return None
    first, second = Encounter.ordered(person.pk, other_id)
    met = Encounter.objects.filter(
        person_a_id=first, person_b_id=second, kind__in=OFFERABLE_KINDS, round__isnull=False
    )
    return Person.objects.filter(pk=other_id, deleted_at__isnull=True).filter(Exists(met)).first()


def offered_to_ids(*, person: Person, among: Iterable[int] | None = None) -> set[int]:
    """The people the person offered their card to (among ``among`` when given)."""
    offers = ContactOffer.objects.filter(from_person=person)
    if among is not None:
        offers = offers.filter(to_person_id__in=list(among))
    return set(offers.values_list("to_person_id", flat=True))


def _blocked_either_way(first: OuterRef, second: OuterRef):
    return Exists(
        Block.objects.filter(
            Q(blocker_id=first, blocked_id=second) | Q(blocker_id=second, blocked_id=first)
        )
    )


def contacts_for(*, person: Person) -> Contacts:
    """The person's card, the cards shared with them (mutual offers without a block either
    way) and their own offers still waiting, in a fixed number of queries."""
    answered = ContactOffer.objects.filter(
        from_person_id=OuterRef("to_person_id"), to_person_id=person.pk
    )
    offers = (
        ContactOffer.objects.filter(from_person=person, to_person__deleted_at__isnull=True)
        .annotate(
            answered=Exists(answered),
            blocked=_blocked_either_way(OuterRef("from_person_id"), OuterRef("to_person_id")),
        )
        .select_related("to_person", "to_person__contact_card")
        .order_by("to_person__full_name", "to_person_id")
    )
    mutual, offered = [], []
    for offer in offers:
        other = offer.to_person
        card = getattr(other, "contact_card", None)
        if offer.answered and not offer.blocked:
            mutual.append(
                SharedContact(
                    person_id=other.pk,
                    name=other.full_name,
                    organization=other.organization if other.show_organization else "",
                    email=card.email if card is not None else other.email,
                    link=card.link if card is not None else "",
                )
            )
        else:
            offered.append((other.pk, other.full_name))
    return Contacts(card=card_for(person=person), mutual=mutual, offered=offered)


def shared_contact_for(*, person: Person, other_id: int) -> SharedContact | None:
    """The card ``other_id`` shares with the person, when the offers are mutual (else None)."""
    return next((c for c in contacts_for(person=person).mutual if c.person_id == other_id), None)


def mutual_offer_pairs(*, among: Iterable[int] | None = None) -> set[Pair]:
    """Pairs (a < b) who offered each other their cards and neither blocked the other: lasting
    ties for the insights. ``among`` limits both sides to those people."""
    offers = ContactOffer.objects.all()
    if among is not None:
        ids = list(among)
        offers = offers.filter(from_person_id__in=ids, to_person_id__in=ids)
    made = set(offers.values_list("from_person_id", "to_person_id"))
    pairs = {(a, b) for a, b in made if a < b and (b, a) in made}
    if not pairs:
        return pairs
    people = {p for pair in pairs for p in pair}
    blocked = {
        Encounter.ordered(a, b)
        for a, b in Block.objects.filter(blocker_id__in=people, blocked_id__in=people).values_list(
            "blocker_id", "blocked_id"
        )
    }
    return pairs - blocked


@dataclass(frozen=True)
class OfferRow:
    """Someone the person may offer their card to, and where that stands."""

    person_id: int
    name: str
    offered: bool  # the person offered their card
    mutual: bool  # and the other offered theirs, with no block either way


def offer_rows(*, person: Person, among: Iterable[int] | None = None) -> list[OfferRow]:
    """The people the person sat with at a held round or met (among ``among`` when given),
    by name, with the state of the person's offer; people the person blocked are left out.
    Five queries, however many people."""
    encounters = Encounter.objects.filter(
        Q(person_a=person) | Q(person_b=person), kind__in=OFFERABLE_KINDS, round__isnull=False
    )
    if among is not None:
        ids = list(among)
        encounters = encounters.filter(Q(person_a_id__in=ids) | Q(person_b_id__in=ids))
    others = {
        b if a == person.pk else a for a, b in encounters.values_list("person_a_id", "person_b_id")
    } - {person.pk}
    if not others:
        return []
    mine = offered_to_ids(person=person, among=others)
    theirs = set(
        ContactOffer.objects.filter(from_person_id__in=mine, to_person=person).values_list(
            "from_person_id", flat=True
        )
    )
    blocks = list(
        Block.objects.filter(
            Q(blocker=person, blocked_id__in=others) | Q(blocker_id__in=others, blocked=person)
        ).values_list("blocker_id", "blocked_id")
    )
    i_blocked = {blocked_id for blocker, blocked_id in blocks if blocker == person.pk}
    blocked = i_blocked | {blocker for blocker, _blocked_id in blocks if blocker != person.pk}
    people = (
        Person.objects.filter(pk__in=others - i_blocked, deleted_at__isnull=True)
        .order_by("full_name", "pk")
        .values_list("pk", "full_name")
    )
    return [
        OfferRow(
            person_id=pk,
            name=name,
            offered=pk in mine,
            mutual=pk in mine and pk in theirs and pk not in blocked,
        )
        for pk, name in people
    ]
