"""Everything stored about a person, as JSON-ready data (their data export)."""

from datetime import date, datetime

from django.db.models import (
    F,
)
from django.utils import timezone

from attendees.models import (
    ApiToken,
    CalendarFeed,
    LoginLink,
    Person,
    RoundRSVP,
)
from attendees.selectors.contacts import contacts_for
from attendees.selectors.encounters import encounters_for
from attendees.selectors.people import conferences_for
from attendees.selectors.wishes import blocks_for, sit_together_for
from conferences.enums import PLAN_VISIBLE_STATUSES
from matching.models import Seat


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def person_export(*, person: Person) -> dict:
    """Everything stored about the person, as JSON-ready data.

    Their own blocks and requests are in; who blocked them, and requests to them they have
    not returned, are not: those belong to the other person.
    """
    seats = (
        Seat.objects.filter(
            person=person,
            run__round__published_run_id=F("run_id"),
            run__round__status__in=PLAN_VISIBLE_STATUSES,
        )
        .select_related("run__round__conference", "table")
        .order_by("run__round__starts_at")
    )
    user = person.user
    return {
        "format": "drinktables.export.v1",
        "exported_at": _iso(timezone.now()),
        "profile": {
            "id": person.pk,
            "full_name": person.full_name,
            "email": person.email,
            "organization": person.organization,
            "show_organization": person.show_organization,
            "bio": person.bio,
            "topics": sorted(t.name for t in person.topics.all()),
            "needs_accessible_seating": person.needs_accessible_seating,
            "opted_out": person.opted_out,
            "language": person.language,
            "created_at": _iso(person.created_at),
        },
        "account": {
            "username": user.username if user else None,
            "date_joined": _iso(user.date_joined) if user else None,
            "last_login": _iso(user.last_login) if user else None,
            "api_tokens": [
                {
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": _iso(t.created_at),
                    "last_used_at": _iso(t.last_used_at),
                }
                for t in (ApiToken.objects.filter(user=user) if user else [])
            ],
            "calendar_subscriptions": [
                {
                    "prefix": feed.prefix,
                    "created_at": _iso(feed.created_at),
                    "last_used_at": _iso(feed.last_used_at),
                }
                for feed in CalendarFeed.objects.filter(person=person)
            ],
        },
        "sign_in_links": [
            {
                "created_at": _iso(link.created_at),
                "expires_at": _iso(link.expires_at),
                "used_at": _iso(link.used_at),
                "requested_ip": link.requested_ip,
            }
            for link in LoginLink.objects.filter(email=person.email).order_by("created_at")
        ],
        "attendances": [
            {
                "conference": a.conference.name,
                "series": a.conference.series.name,
                "starts_on": _iso(a.conference.starts_on),
                "role": a.role,
                "registered_at": _iso(a.registered_at),
                "checked_in_at": _iso(a.checked_in_at),
            }
            for a in conferences_for(person=person)
        ],
        "rsvps": [
            {
                "conference": r.round.conference.name,
                "round": r.round.name,
                "starts_at": _iso(timezone.localtime(r.round.starts_at, r.round.conference.tzinfo)),
                "status": r.status,
                "updated_at": _iso(r.updated_at),
            }
            for r in RoundRSVP.objects.filter(person=person)
            .select_related("round__conference")
            .order_by("round__starts_at")
        ],
        "seats": [
            {
                "conference": s.run.round.conference.name,
                "round": s.run.round.name,
                "table": s.table.label,
                "location": s.table.location,
            }
            for s in seats
        ],
        "encounters": [
            {
                "with": e.other_name,
                "kind": e.kind,
                "conference": e.conference_name or None,
                "round": e.round_name or None,
                "occurred_on": _iso(e.occurred_on),
            }
            for e in encounters_for(person=person)
        ],
        "blocks": [
            {"blocked": b.blocked.display_name, "created_at": _iso(b.created_at)}
            for b in blocks_for(person=person)
        ],
        "sit_together_requests": [
            {
                "with": r.other_name,
                "conference": r.conference_name,
                "mutual": r.mutual,
                "created_at": _iso(r.created_at),
            }
            for r in sit_together_for(person=person)
        ],
        **_contacts_export(person),
    }


def _contacts_export(person: Person) -> dict:
    """The person's contact card and to whom they offered it (mutual: they offered theirs back
    and neither blocked the other). Others' cards are theirs, not in this export."""
    contacts = contacts_for(person=person)
    card = contacts.card
    return {
        "contact_card": {"email": card.email, "link": card.link} if card.saved else None,
        "contact_offers": [{"to": c.name, "mutual": True} for c in contacts.mutual]
        + [{"to": name, "mutual": False} for _pk, name in contacts.offered],
    }
