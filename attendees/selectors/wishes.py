"""Private wishes: blocks, and requests to sit together (only mutual ones are seated)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)

from attendees.models import (
    Block,
    Encounter,
    Person,
    SitTogether,
)
from conferences.models import Conference


def blocks_for(*, person: Person) -> QuerySet[Block]:
    """The blocks the person made (never the ones made against them)."""
    return (
        Block.objects.filter(blocker=person)
        .select_related("blocked")
        .order_by("blocked__full_name", "pk")
    )


@dataclass(frozen=True)
class MyRequest:
    id: int
    other_id: int
    other_name: str
    conference_id: int
    conference_name: str
    mutual: bool
    created_at: datetime


def sit_together_for(*, person: Person) -> list[MyRequest]:
    """The person's own sit-together requests, and whether the other person asked too.

    An unanswered request *to* the person is not listed: the other side learns of a request
    only by making the same one, so asking is never awkward.
    """
    mutual = SitTogether.objects.filter(
        conference_id=OuterRef("conference_id"),
        requester_id=OuterRef("requested_id"),
        requested_id=person.pk,
    )
    requests = (
        SitTogether.objects.filter(requester=person)
        .select_related("requested", "conference")
        .annotate(mutual=Exists(mutual))
        .order_by("-conference__starts_on", "requested__full_name", "pk")
    )
    return [
        MyRequest(
            id=r.pk,
            other_id=r.requested_id,
            other_name=r.requested.display_name,
            conference_id=r.conference_id,
            conference_name=r.conference.name,
            mutual=r.mutual,
            created_at=r.created_at,
        )
        for r in requests
    ]


def mutual_sit_together_pairs(
    *, conference: Conference, among: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """Pairs (a < b) at the conference who both asked to sit together and neither blocked.

    A block always wins over a sit-together wish: such a pair is never a ``together`` group
    for the matcher, nor shown as "you both asked". ``among`` keeps only pairs of those people
    (who is going to a round, who is seated at a plan).
    """
    wishes = set(
        SitTogether.objects.filter(conference=conference).values_list(
            "requester_id", "requested_id"
        )
    )
    if among is not None:
        among = set(among)
        wishes = {(a, b) for a, b in wishes if a in among and b in among}
    pairs = {Encounter.ordered(a, b) for a, b in wishes if (b, a) in wishes}
    if not pairs:
        return set()
    people = {p for pair in pairs for p in pair}
    blocked = {
        Encounter.ordered(a, b)
        for a, b in Block.objects.filter(blocker_id__in=people, blocked_id__in=people).values_list(
            "blocker_id", "blocked_id"
        )
    }
    return pairs - blocked
