"""An attendee's table in a published plan: who sits there, and why each of them is there."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)
from django.utils.translation import get_language, gettext, ngettext

from attendees.enums import RSVPStatus
from attendees.models import (
    Encounter,
    Person,
    RoundRSVP,
)
from attendees.selectors.people import encounters_before_round, newcomer_ids
from attendees.selectors.rounds import visible_rounds
from conferences.enums import PLAN_VISIBLE_STATUSES
from conferences.models import DrinkTable, MeetupRound
from config import caches
from matching.models import Seat


def rounds_for(*, person: Person) -> QuerySet[MeetupRound]:
    """The rounds of the person's conferences, soonest first, with their RSVP and table.

    Draft rounds are the organizers' work in progress and stay hidden. Each round carries
    ``my_rsvp`` (a RSVPStatus value or None), ``rsvp_open`` and, once the plan is published,
    ``my_table_id``, ``my_table_label`` and ``my_table_location`` (None when not seated).
    """
    my_seat = Seat.objects.filter(run_id=OuterRef("published_run_id"), person=person)

    def table(field: str) -> Case:
        return Case(
            When(
                status__in=PLAN_VISIBLE_STATUSES,
                then=Subquery(my_seat.values(field)[:1]),
            ),
            default=None,
        )

    return (
        visible_rounds(person=person)
        .annotate(
            my_table_id=table("table_id"),
            my_table_label=table("table__label"),
            my_table_location=table("table__location"),
        )
        .order_by("starts_at", "pk")
    )


def seat_for(*, person: Person, round: MeetupRound) -> Seat | None:
    """The person's seat in the round's published plan, or None (not published, not seated)."""
    if round.status not in PLAN_VISIBLE_STATUSES or round.published_run_id is None:
        return None
    return (
        Seat.objects.filter(run_id=round.published_run_id, person=person)
        .select_related("table")
        .first()
    )


@dataclass(frozen=True)
class Tablemate:
    """A tablemate's public profile and why they are at the table, in plain words."""

    person_id: int
    name: str
    organization: str  # empty when they hide it
    topics: tuple[str, ...]
    bio: str
    newcomer: bool
    former: bool  # the account was deleted: "a former attendee"
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MyTable:
    """The person's table in a round's published plan and who shares it."""

    table: DrinkTable
    tablemates: list[Tablemate]


def my_table_for(*, person: Person, round: MeetupRound) -> MyTable | None:
    """The person's table in the round's published plan with their tablemates, or None.

    Four to six queries however many people sit at the table: the seats (with the table and
    people), everyone's topics, the newcomer rule (two, or one when nobody is left to decide)
    and the encounters among them; none when the answer is cached (``config.caches``:
    any change to what it is read from makes a new one).
    """
    if round.status not in PLAN_VISIBLE_STATUSES or round.published_run_id is None:
        return None
    # The reasons are words in the active language: one entry per language.
    key = (
        f"my-table:{round.pk}:{round.status}:{round.published_run_id}:{person.pk}:{get_language()}"
    )
    return caches.cached(caches.TABLES, key, lambda: _my_table(person, round))


def _my_table(person: Person, round: MeetupRound) -> MyTable | None:
    my_table = Seat.objects.filter(run_id=round.published_run_id, person=person).values("table_id")
    seats = list(
        Seat.objects.filter(run_id=round.published_run_id, table_id__in=my_table).select_related(
            "person", "table"
        )
    )
    if not seats:
        return None
    mates = [s.person for s in seats if s.person_id != person.pk]
    return MyTable(table=seats[0].table, tablemates=_tablemates(person, round, mates))


def tablemates_for(*, person: Person, round: MeetupRound) -> list[Tablemate]:
    """Who shares the person's table in the round's published plan, and why.

    Reasons come from encounters before this round and from topics only, so nothing private
    (blocks, accessibility, opting out) can show through. A fixed number of queries, however
    many people sit at the table.
    """
    mine = my_table_for(person=person, round=round)
    return mine.tablemates if mine else []


def _tablemates(person: Person, round: MeetupRound, mates: list[Person]) -> list[Tablemate]:
    if not mates:
        return []
    ids = [person.pk, *(m.pk for m in mates)]
    topics: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for person_id, topic_id, name in (
        Person.topics.through.objects.filter(person_id__in=ids)
        .order_by("topic__name")
        .values_list("person_id", "topic_id", "topic__name")
    ):
        topics[person_id].append((topic_id, name))
    conference = round.conference
    newcomers = newcomer_ids(conference=conference, person_ids=ids)
    met_at: dict[tuple[int, int], list[tuple[date, str]]] = {}
    for first, second, conference_name, conference_start, occurred_on in encounters_before_round(
        round=round, person_ids=ids
    ).values_list(
        "person_a_id", "person_b_id", "conference__name", "conference__starts_on", "occurred_on"
    ):
        if conference_name:
            place = (conference_start, conference_name)
        else:
            place = (date(occurred_on.year, 1, 1), str(occurred_on.year))
        met_at.setdefault((first, second), []).append(place)

    def places(first: int, second: int) -> list[str]:
        found = sorted(set(met_at.get(Encounter.ordered(first, second), [])))
        return [label for _, label in found]

    my_topics = {topic_id for topic_id, _ in topics[person.pk]}
    me_newcomer = person.pk in newcomers
    result = []
    for mate in sorted(mates, key=lambda m: (m.deleted_at is not None, m.full_name, m.pk)):
        if mate.deleted_at:
            result.append(Tablemate(mate.pk, mate.display_name, "", (), "", False, True, ()))
            continue
        their_topics = [name for _, name in topics[mate.pk]]
        shared = [name for topic_id, name in topics[mate.pk] if topic_id in my_topics]
        friends = [
            other
            for other in mates
            if other.pk != mate.pk and not other.deleted_at and places(mate.pk, other.pk)
        ]
        friends.sort(key=lambda o: (not places(person.pk, o.pk), o.full_name))
        result.append(
            Tablemate(
                person_id=mate.pk,
                name=mate.full_name,
                organization=mate.organization if mate.show_organization else "",
                topics=tuple(their_topics),
                bio=mate.bio,
                newcomer=mate.pk in newcomers,
                former=False,
                reasons=_reasons(
                    met=places(person.pk, mate.pk),
                    newcomer=mate.pk in newcomers,
                    me_newcomer=me_newcomer,
                    shared=shared,
                    their_topics=their_topics,
                    friends=[f.first_name for f in friends[:2]],
                ),
            )
        )
    return result


def _topic_phrase(name: str) -> str:
    """ "Open source" reads "open source" mid-sentence; "STEM" and "AI in education" stay."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _and_join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(items[:-1]), "last": items[-1]}


MAX_PLACES = 3


def _reasons(
    *,
    met: list[str],
    newcomer: bool,
    me_newcomer: bool,
    shared: list[str],
    their_topics: list[str],
    friends: list[str],
) -> tuple[str, ...]:
    reasons = []
    if met:
        editions = [label for label in met if not label.isdigit()]
        years = [label for label in met if label.isdigit()]
        if len(editions) > MAX_PLACES:
            more = len(editions) - MAX_PLACES
            earlier = ngettext("%(count)s earlier edition", "%(count)s earlier editions", more) % {
                "count": more
            }
            editions = [*editions[-MAX_PLACES:], earlier]
        parts = []
        if editions:
            parts.append(gettext("at %(places)s") % {"places": _and_join(editions)})
        if years:
            parts.append(gettext("in %(years)s") % {"years": _and_join(years)})
        reasons.append(gettext("you met %(when)s") % {"when": _and_join(parts)})
    topics = _and_join([_topic_phrase(name) for name in shared[:2]])
    if newcomer:
        if shared:
            reasons.append(gettext("first time here — also into %(topics)s") % {"topics": topics})
        elif me_newcomer:
            reasons.append(gettext("first time here, like you"))
        elif their_topics:
            interests = _and_join([_topic_phrase(name) for name in their_topics[:2]])
            reasons.append(gettext("first time here — into %(topics)s") % {"topics": interests})
        else:
            reasons.append(gettext("first time here"))
    if not met and friends:
        reasons.append(
            ngettext(
                "friend of %(names)s, who is at your table",
                "friend of %(names)s, who are at your table",
                len(friends),
            )
            % {"names": _and_join(friends)}
        )
    if not newcomer and shared:
        reasons.append(gettext("also into %(topics)s") % {"topics": topics})
    if not reasons:
        reasons.append(gettext("a returning attendee you have not met yet"))
    return tuple(reasons)


def round_attendee_ids(*, round: MeetupRound) -> set[int]:
    """Who was at a round: seated in its plan, or going by their RSVP."""
    going = set(
        RoundRSVP.objects.filter(round=round, status=RSVPStatus.GOING).values_list(
            "person_id", flat=True
        )
    )
    if round.published_run_id:
        going |= set(
            Seat.objects.filter(run_id=round.published_run_id).values_list("person_id", flat=True)
        )
    return going
