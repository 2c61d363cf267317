"""The "stay in touch" panels, included by the round page and the network page so those views
need not know about them."""

from django import template

from attendees.models import Person
from attendees.selectors.contacts import card_for, contacts_for, offer_rows
from attendees.selectors.encounters import met_confirmed_ids
from conferences.enums import RoundStatus

register = template.Library()


@register.inclusion_tag("dashboard/_stay_in_touch.html", takes_context=True)
def stay_in_touch(context, person: Person, meetup_round, tablemates) -> dict:
    """Offer toggles for the tablemates of a held round and the people marked as met there."""
    rows = []
    if meetup_round.status == RoundStatus.HELD:
        among = {mate.person_id for mate in tablemates if not mate.former}
        among |= met_confirmed_ids(person=person, round=meetup_round)
        if among:
            rows = offer_rows(person=person, among=among)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "rows": rows,
        "card": card_for(person=person) if rows else None,
    }


@register.inclusion_tag("dashboard/_contacts.html", takes_context=True)
def contacts_panel(context, person: Person) -> dict:
    """The shared cards, the person's own card and everyone they may offer it to."""
    from dashboard.contacts import ContactCardForm

    mine = contacts_for(person=person)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "contacts": mine,
        "card_form": ContactCardForm(initial={"email": mine.card.email, "link": mine.card.link}),
        "rows": offer_rows(person=person),
    }
