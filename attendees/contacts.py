"""Stay in touch after the evening: a person's contact card and the offers they make of it.

Who may offer to whom and what is shown when: ``attendees.selectors.contacts``.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from attendees.models import Block, ContactCard, ContactOffer, Person
from attendees.selectors.contacts import card_for, may_offer_to
from config.exceptions import NotFound, ServiceError

LINK_MAX_LENGTH = 500
EMAIL_MAX_LENGTH = 254
NOT_OFFERABLE = gettext_lazy(
    "You can offer your contact to people you sat with at a round that took place, or that "
    "you marked as met."
)
_link_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class ContactOfferResult:
    person_id: int
    name: str
    email: str
    link: str


def _checked_email(value: str) -> str:
    email = (value or "").strip()
    if not email:
        raise ServiceError(
            gettext("Give the e-mail address to share (your sign-in address is the default)."),
            field="email",
        )
    if len(email) > EMAIL_MAX_LENGTH:
        raise ServiceError(
            gettext("That e-mail address is too long (at most %(max)s characters).")
            % {"max": EMAIL_MAX_LENGTH},
            field="email",
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(
            gettext("“%(email)s” is not an e-mail address: write it as name@example.org.")
            % {"email": email},
            field="email",
        ) from None
    return email


def _checked_link(value: str) -> str:
    link = (value or "").strip()
    if not link:
        return ""
    if len(link) > LINK_MAX_LENGTH:
        raise ServiceError(
            gettext("That link is too long (at most %(max)s characters).")
            % {"max": LINK_MAX_LENGTH},
            field="link",
        )
    try:
        _link_validator(link)
    except ValidationError:
        raise ServiceError(
            gettext(
                "The link must be a web address starting with https:// or http://, "
                "such as https://example.org/me."
            ),
            field="link",
        ) from None
    return link


def contact_card_save(*, person: Person, email: str, link: str = "") -> ContactCard:
    """Set the details the person shares with everyone they offer their card to (and will)."""
    email, link = _checked_email(email), _checked_link(link)
    card, _ = ContactCard.objects.update_or_create(
        person=person, defaults={"email": email, "link": link}
    )
    return card


def contact_offer_make(
    *, person: Person, other_id: int, email: str | None = None, link: str | None = None
) -> ContactOfferResult:
    """Offer the person's card to person ``other_id``. ``email`` and ``link``, when given,
    change the card first (for every offer); without a saved card the sign-in address is used.

    Only someone the person sat with at a held round or met can be chosen; anyone else answers
    as if they did not exist (400 naming the field). Offering again changes nothing. A person
    the asker blocked is refused with that reason: they know their own block. A block made
    against the asker is never revealed: the offer is kept as any other, and never becomes
    mutual.
    """
    other = may_offer_to(person=person, other_id=other_id)
    if other is None:
        raise ServiceError(str(NOT_OFFERABLE), field="person")
    if Block.objects.filter(blocker=person, blocked=other).exists():
        raise ServiceError(
            gettext("You blocked %(name)s. Remove the block first to stay in touch.")
            % {"name": other.full_name},
            field="person",
        )
    with transaction.atomic():
        if email is not None or link is not None:
            current = card_for(person=person)
            contact_card_save(
                person=person,
                email=current.email if email is None else email,
                link=current.link if link is None else link,
            )
        elif not ContactCard.objects.filter(person=person).exists():
            contact_card_save(person=person, email=person.email, link="")
        ContactOffer.objects.get_or_create(from_person=person, to_person=other)
    card = card_for(person=person)
    return ContactOfferResult(
        person_id=other.pk, name=other.full_name, email=card.email, link=card.link
    )


def contact_offer_withdraw(*, person: Person, other_id: int) -> None:
    """Withdraw the person's offer to ``other_id``: their card is hidden from them again. Always
    possible; an offer the person never made is not found."""
    deleted, _ = ContactOffer.objects.filter(from_person=person, to_person_id=other_id).delete()
    if not deleted:
        raise NotFound(gettext("You have not offered your contact to this person."))
