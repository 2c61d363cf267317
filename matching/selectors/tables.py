"""An attendee's table in a published plan: who sits there, and why each of them is there."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)
from django.utils.translation import gettext, ngettext

from attendees.enums import RSVPStatus
from attendees.models import (
    Encounter,
    Person,
    RoundRSVP,
    display_name_of,
    first_name_of,
)
from attendees.selectors.people import encounters_before_round, newcomer_ids
from attendees.selectors.rounds import visible_rounds
from conferences.enums import PLAN_VISIBLE_STATUSES
from conferences.models import DrinkTable, MeetupRound
from config import caches
from matching.models import Seat, WaitingEntry


def rounds_for(*, person: Person) -> QuerySet[MeetupRound]:
    """The rounds of the person's conferences, soonest first, with their RSVP and table.

    Draft rounds are the organizers' work in progress and stay hidden. Each round carries
    ``my_rsvp`` (a RSVPStatus value or None), ``rsvp_open`` and, once the plan is published,
    ``my_table_id``, ``my_table_label`` and ``my_table_location`` (None when not seated), and
    ``my_waiting`` (on the waiting list of a published round).
    """
    my_seat = _my_seat_in_published_run(person)

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
            my_waiting=Exists(WaitingEntry.objects.filter(round_id=OuterRef("pk"), person=person)),
        )
        .order_by("starts_at", "pk")
    )


def round_with_seat_for(*, person: Person, round_id: int) -> MeetupRound | None:
    """One of the person's rounds (as ``round_for`` reads it) with ``my_table_id``: the table
    of their seat in its published run, None when there is none. One query, for the pages that
    show the round and the person's table together (``my_table_for(..., table_id=...)``)."""
    my_seat = _my_seat_in_published_run(person)
    return (
        visible_rounds(person=person)
        .filter(pk=round_id)
        .annotate(my_table_id=Subquery(my_seat.values("table_id")[:1]))
        .first()
    )


def _my_seat_in_published_run(person: Person) -> QuerySet[Seat]:
    """The person's seat in the published run of the round of the outer query."""
    return Seat.objects.filter(run_id=OuterRef("published_run_id"), person=person)


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


_UNREAD = object()


def my_table_for(
    *, person: Person, round: MeetupRound, table_id: int | None | object = _UNREAD
) -> MyTable | None:
    """The person's table in the round's published plan with their tablemates, or None.

    One query for the person's seat, none when the caller read it with the round
    (``round_with_seat_for``: pass its ``my_table_id`` as ``table_id``); the table as seated
    (who sits there, their public profiles, topics, the newcomer rule, the encounters among
    them: four to six queries however many sit there) is read once for everyone at the table
    and kept in the shared cache (``config.caches``: any change to what it is read from makes a
    new one). Each viewer's reasons are worded from it in their own language.
    """
    if round.status not in PLAN_VISIBLE_STATUSES or round.published_run_id is None:
        return None
    if table_id is _UNREAD:
        table_id = (
            Seat.objects.filter(run_id=round.published_run_id, person=person)
            .values_list("table_id", flat=True)
            .first()
        )
    if table_id is None:
        return None
    key = f"table:{round.pk}:{round.status}:{round.published_run_id}:{table_id}"
    seated = caches.cached(caches.TABLES, key, lambda: _table_as_seated(round, table_id))
    if seated is None or person.pk not in seated.people:  # moved since the seat was read
        return None
    return MyTable(table=seated.table, tablemates=_tablemates(person.pk, seated))


@dataclass(frozen=True)
class _Seated:
    """What a table shows of someone seated there: their public profile, nothing private."""

    full_name: str
    organization: str  # empty when they hide it
    bio: str
    former: bool  # the account was deleted

    @property
    def first_name(self) -> str:
        return first_name_of(full_name=self.full_name, deleted_at=self.former or None)


@dataclass(frozen=True)
class _TableAsSeated:
    """A table of a published plan as everyone at it sees it, before anyone's reasons."""

    table: DrinkTable
    people: dict[int, _Seated]
    topics: dict[int, tuple[tuple[int, str], ...]]  # person -> (topic id, name), by name
    newcomers: frozenset[int]
    met_at: dict[tuple[int, int], tuple[tuple[date, str], ...]]  # ordered pair -> places


def _table_as_seated(round: MeetupRound, table_id: int) -> _TableAsSeated | None:
    seats = list(
        Seat.objects.filter(run_id=round.published_run_id, table_id=table_id).select_related(
            "person", "table"
        )
    )
    if not seats:
        return None
    people = {
        seat.person_id: _Seated(
            full_name=seat.person.full_name,
            organization=seat.person.organization if seat.person.show_organization else "",
            bio=seat.person.bio,
            former=seat.person.deleted_at is not None,
        )
        for seat in seats
    }
    ids = list(people)
    topics: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for person_id, topic_id, name in (
        Person.topics.through.objects.filter(person_id__in=ids)
        .order_by("topic__name")
        .values_list("person_id", "topic_id", "topic__name")
    ):
        topics[person_id].append((topic_id, name))
    newcomers: set[int] = set()
    met_at: dict[tuple[int, int], set[tuple[date, str]]] = {}
    if len(ids) > 1:  # alone at the table: no tablemates, nothing to explain
        newcomers = newcomer_ids(conference=round.conference, person_ids=ids)
        encounters = encounters_before_round(round=round, person_ids=ids).values_list(
            "person_a_id", "person_b_id", "conference__name", "conference__starts_on", "occurred_on"
        )
        for first, second, conference_name, conference_start, occurred_on in encounters:
            if conference_name:
                place = (conference_start, conference_name)
            else:
                place = (date(occurred_on.year, 1, 1), str(occurred_on.year))
            met_at.setdefault((first, second), set()).add(place)
    return _TableAsSeated(
        table=seats[0].table,
        people=people,
        topics={pk: tuple(found) for pk, found in topics.items()},
        newcomers=frozenset(newcomers),
        met_at={pair: tuple(sorted(places)) for pair, places in met_at.items()},
    )


def tablemates_for(*, person: Person, round: MeetupRound) -> list[Tablemate]:
    """Who shares the person's table in the round's published plan, and why.

    Reasons come from encounters before this round and from topics only, so nothing private
    (blocks, accessibility, opting out) can show through. A fixed number of queries, however
    many people sit at the table.
    """
    mine = my_table_for(person=person, round=round)
    return mine.tablemates if mine else []


def _tablemates(me: int, seated: _TableAsSeated) -> list[Tablemate]:
    """The others at the table, each with the reasons they sit there, as ``me`` reads them."""
    mates = [pk for pk in seated.people if pk != me]

    def places(first: int, second: int) -> list[str]:
        return [label for _, label in seated.met_at.get(Encounter.ordered(first, second), ())]

    people = seated.people
    my_topics = {topic_id for topic_id, _ in seated.topics[me]}
    me_newcomer = me in seated.newcomers
    result = []
    for mate in sorted(mates, key=lambda pk: (people[pk].former, people[pk].full_name, pk)):
        profile = people[mate]
        if profile.former:
            name = display_name_of(full_name=profile.full_name, deleted_at=True)
            result.append(Tablemate(mate, name, "", (), "", False, True, ()))
            continue
        their_topics = [name for _, name in seated.topics[mate]]
        shared = [name for topic_id, name in seated.topics[mate] if topic_id in my_topics]
        friends = [
            other
            for other in mates
            if other != mate and not people[other].former and places(mate, other)
        ]
        friends.sort(key=lambda other: (not places(me, other), people[other].full_name))
        result.append(
            Tablemate(
                person_id=mate,
                name=profile.full_name,
                organization=profile.organization,
                topics=tuple(their_topics),
                bio=profile.bio,
                newcomer=mate in seated.newcomers,
                former=False,
                reasons=_reasons(
                    met=places(me, mate),
                    newcomer=mate in seated.newcomers,
                    me_newcomer=me_newcomer,
                    shared=shared,
                    their_topics=their_topics,
                    friends=[people[other].first_name for other in friends[:2]],
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
