"""Shared reads about people: who is a newcomer, who knows whom, what an attendee may see."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from conferences.enums import RSVP_OPEN_STATUSES, RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from matching.models import Seat

from . import caches
from .enums import EncounterKind, RSVPStatus
from .models import (
    ApiToken,
    Attendance,
    Block,
    Encounter,
    LoginLink,
    Person,
    RoundRSVP,
    SitTogether,
    hash_secret,
)
from .ties import tie_weights_from


def attendee_ids(*, conference: Conference) -> QuerySet:
    return Attendance.objects.filter(conference=conference).values("person_id")


def newcomer_ids(*, conference: Conference, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people attending ``conference`` who are newcomers there.

    A newcomer has no attendance at an earlier conference and no encounter before this one
    starts. An organizer's override on the attendance wins over that rule. ``person_ids``
    narrows the question to a few people (a table), in at most three small queries.
    """
    if person_ids is not None:
        return _newcomers_among(conference=conference, person_ids=list(person_ids))
    attendances = Attendance.objects.filter(conference=conference)
    overrides: dict[int, bool | None] = dict(
        attendances.values_list("person_id", "newcomer_override")
    )
    attending = attendances.values("person_id")
    returning = set(
        Attendance.objects.filter(
            person_id__in=attending, conference__starts_on__lt=conference.starts_on
        ).values_list("person_id", flat=True)
    )
    earlier = Encounter.objects.filter(occurred_on__lt=conference.starts_on)
    for first, second in earlier.filter(
        Q(person_a_id__in=attending) | Q(person_b_id__in=attending)
    ).values_list("person_a_id", "person_b_id"):
        returning.add(first)
        returning.add(second)
    return {
        person_id
        for person_id, override in overrides.items()
        if override is True or (override is None and person_id not in returning)
    }


def _newcomers_among(*, conference: Conference, person_ids: list[int]) -> set[int]:
    """``newcomer_ids`` for a handful of people: each step only asks about those still open."""
    earlier = Attendance.objects.filter(
        person_id=OuterRef("person_id"), conference__starts_on__lt=conference.starts_on
    )
    rows = (
        Attendance.objects.filter(conference=conference, person_id__in=person_ids)
        .annotate(came_before=Exists(earlier))
        .values_list("person_id", "newcomer_override", "came_before")
    )
    newcomers, open_ids = set(), set()
    for person_id, override, came_before in rows:
        if override is True:
            newcomers.add(person_id)
        elif override is None and not came_before:
            open_ids.add(person_id)
    if open_ids:
        for first, second in Encounter.objects.filter(
            Q(person_a_id__in=open_ids) | Q(person_b_id__in=open_ids),
            occurred_on__lt=conference.starts_on,
        ).values_list("person_a_id", "person_b_id"):
            open_ids.discard(first)
            open_ids.discard(second)
    return newcomers | open_ids


def is_newcomer(*, person: Person, conference: Conference) -> bool:
    """The newcomer rule of ``newcomer_ids`` for one person, without reading everyone."""
    override = (
        Attendance.objects.filter(person=person, conference=conference)
        .values_list("newcomer_override", flat=True)
        .first()
    )
    if override is not None:
        return override
    if Attendance.objects.filter(
        person=person, conference__starts_on__lt=conference.starts_on
    ).exists():
        return False
    return not Encounter.objects.filter(
        Q(person_a=person) | Q(person_b=person), occurred_on__lt=conference.starts_on
    ).exists()


def tie_weights(*, person_ids: QuerySet | list[int], as_of: date) -> dict[tuple[int, int], float]:
    """Ties between the given people, from their encounters up to ``as_of``."""
    encounters = Encounter.objects.filter(
        person_a_id__in=person_ids, person_b_id__in=person_ids, occurred_on__lte=as_of
    ).values_list("person_a_id", "person_b_id", "kind", "occurred_on")
    return tie_weights_from(encounters.iterator(chunk_size=5000), as_of=as_of)


# What an attendee sees -------------------------------------------------------------------------
#
# Everything below answers for one signed-in person and reads only what that person may see:
# their own rows, and their tablemates' public profile (name, organization if shown, topics,
# bio). Blocks made by others, unanswered sit-together requests to them and private settings
# (accessible seating, opting out) of anyone else are never read here.

PLAN_VISIBLE_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.HELD)


def person_for_user(*, user) -> Person | None:
    """The attendee behind a signed-in user, or None (anonymous, staff without a profile)."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user_id=user.pk, deleted_at__isnull=True).first()


def conferences_for(*, person: Person) -> QuerySet[Attendance]:
    """The person's registrations, newest conference first."""
    return (
        Attendance.objects.filter(person=person)
        .select_related("conference__series")
        .order_by("-conference__starts_on", "conference__name")
    )


def _visible_rounds(*, person: Person) -> QuerySet[MeetupRound]:
    my_rsvp = RoundRSVP.objects.filter(round_id=OuterRef("pk"), person=person).values("status")
    return (
        MeetupRound.objects.filter(
            conference__in=Attendance.objects.filter(person=person).values("conference_id")
        )
        .exclude(status=RoundStatus.DRAFT)
        .select_related("conference__series")
        .annotate(
            my_rsvp=Subquery(my_rsvp[:1]),
            rsvp_open=Case(
                When(status__in=RSVP_OPEN_STATUSES, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


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
        _visible_rounds(person=person)
        .annotate(
            my_table_id=table("table_id"),
            my_table_label=table("table__label"),
            my_table_location=table("table__location"),
        )
        .order_by("starts_at", "pk")
    )


def round_for(*, person: Person, round_id: int) -> MeetupRound | None:
    """One of the person's rounds (as ``rounds_for`` shows it, without the table), or None."""
    return _visible_rounds(person=person).filter(pk=round_id).first()


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
    and the encounters among them; none when the answer is cached (``attendees.caches``:
    any change to what it is read from makes a new one).
    """
    if round.status not in PLAN_VISIBLE_STATUSES or round.published_run_id is None:
        return None
    key = f"my-table:{round.pk}:{round.status}:{round.published_run_id}:{person.pk}"
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
    round_day = timezone.localtime(round.starts_at, conference.tzinfo).date()
    met_at: dict[tuple[int, int], list[tuple[date, str]]] = {}
    for first, second, conference_name, conference_start, occurred_on in (
        Encounter.objects.filter(
            person_a_id__in=ids, person_b_id__in=ids, occurred_on__lte=round_day
        )
        .exclude(round_id=round.pk)
        .values_list(
            "person_a_id", "person_b_id", "conference__name", "conference__starts_on", "occurred_on"
        )
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
    return f"{', '.join(items[:-1])} and {items[-1]}"


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
            editions = [*editions[-MAX_PLACES:], f"{more} earlier edition{'s' if more > 1 else ''}"]
        parts = []
        if editions:
            parts.append("at " + _and_join(editions))
        if years:
            parts.append("in " + _and_join(years))
        reasons.append("you met " + " and ".join(parts))
    topics = _and_join([_topic_phrase(name) for name in shared[:2]])
    if newcomer:
        if shared:
            reasons.append(f"first time here — also into {topics}")
        elif me_newcomer:
            reasons.append("first time here, like you")
        elif their_topics:
            interests = _and_join([_topic_phrase(name) for name in their_topics[:2]])
            reasons.append(f"first time here — into {interests}")
        else:
            reasons.append("first time here")
    if not met and friends:
        verb = "is" if len(friends) == 1 else "are"
        reasons.append(f"friend of {_and_join(friends)}, who {verb} at your table")
    if not newcomer and shared:
        reasons.append(f"also into {topics}")
    if not reasons:
        reasons.append("a returning attendee you have not met yet")
    return tuple(reasons)


def met_confirmed_ids(*, person: Person, round: MeetupRound) -> set[int]:
    """The people the person is recorded as having met at the round (by either of the two)."""
    pairs = Encounter.objects.filter(
        Q(person_a=person) | Q(person_b=person), round=round, kind=EncounterKind.MET
    ).values_list("person_a_id", "person_b_id")
    return {second if first == person.pk else first for first, second in pairs}


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


@dataclass(frozen=True)
class MyEncounter:
    """One of the person's encounters, seen from their side."""

    id: int
    other_id: int
    other_name: str
    other_organization: str
    kind: str
    kind_label: str
    conference_id: int | None
    conference_name: str
    round_name: str
    occurred_on: date


def encounters_for(*, person: Person) -> list[MyEncounter]:
    """The person's encounters, newest first, in one query."""
    encounters = (
        Encounter.objects.filter(Q(person_a=person) | Q(person_b=person))
        .select_related("person_a", "person_b", "conference", "round")
        .order_by("-occurred_on", "-pk")
    )
    result = []
    for encounter in encounters:
        other = encounter.person_b if encounter.person_a_id == person.pk else encounter.person_a
        result.append(
            MyEncounter(
                id=encounter.pk,
                other_id=other.pk,
                other_name=other.display_name,
                other_organization=(
                    other.organization if other.show_organization and not other.deleted_at else ""
                ),
                kind=encounter.kind,
                kind_label=encounter.get_kind_display(),
                conference_id=encounter.conference_id,
                conference_name=encounter.conference.name if encounter.conference else "",
                round_name=encounter.round.name if encounter.round else "",
                occurred_on=encounter.occurred_on,
            )
        )
    return result


@dataclass
class Contact:
    """Someone the person has met, with where and when."""

    person_id: int
    name: str
    organization: str
    first_met_on: date
    places: list[str] = field(default_factory=list)
    encounters: int = 0


@dataclass
class EditionGroup:
    """The people met at one edition (or, for history without a conference, in one year)."""

    key: str
    name: str
    year: int
    contacts: list[Contact] = field(default_factory=list)
    new: int = 0  # of those, met here for the first time


@dataclass(frozen=True)
class GrowthPoint:
    year: int
    new: int
    total: int


@dataclass
class Network:
    contacts: list[Contact]
    editions: list[EditionGroup]  # newest first
    growth: list[GrowthPoint]  # oldest year first, every year from the first to the last

    def graph(self) -> dict:
        """Nodes and edges for the graph view: the person in the middle (ring 0), then a ring
        per year they first met someone, the most recent year closest."""
        years = sorted({c.first_met_on.year for c in self.contacts})
        ring = {year: len(years) - index for index, year in enumerate(years)}
        nodes = [{"id": "me", "label": "You", "year": None, "ring": 0}]
        edges = []
        for contact in self.contacts:
            node_id = f"p{contact.person_id}"
            nodes.append(
                {
                    "id": node_id,
                    "label": contact.name,
                    "year": contact.first_met_on.year,
                    "ring": ring[contact.first_met_on.year],
                }
            )
            edges.append(
                {
                    "id": f"e{contact.person_id}",
                    "source": "me",
                    "target": node_id,
                    "weight": contact.encounters,
                }
            )
        return {"nodes": nodes, "edges": edges, "years": years}


def network_for(*, person: Person) -> Network:
    """The people the person has met, by edition, and how that circle grew over the years.

    Cached like "my table" (``attendees.caches``).
    """
    return caches.cached(caches.TABLES, f"network:{person.pk}", lambda: _network(person))


def _network(person: Person) -> Network:
    contacts: dict[int, Contact] = {}
    groups: dict[str, EditionGroup] = {}
    for encounter in sorted(encounters_for(person=person), key=lambda e: (e.occurred_on, e.id)):
        contact = contacts.get(encounter.other_id)
        first_time = contact is None
        if first_time:
            contact = contacts[encounter.other_id] = Contact(
                person_id=encounter.other_id,
                name=encounter.other_name,
                organization=encounter.other_organization,
                first_met_on=encounter.occurred_on,
            )
        contact.encounters += 1
        if encounter.conference_id:
            key, name = f"c{encounter.conference_id}", encounter.conference_name
        else:
            key, name = (
                f"y{encounter.occurred_on.year}",
                f"Elsewhere in {encounter.occurred_on.year}",
            )
        if name not in contact.places:
            contact.places.append(name)
        group = groups.setdefault(
            key, EditionGroup(key=key, name=name, year=encounter.occurred_on.year)
        )
        if contact not in group.contacts:
            group.contacts.append(contact)
            group.new += int(first_time)
    for group in groups.values():
        group.contacts.sort(key=lambda c: (c.name == "A former attendee", c.name, c.person_id))
    growth = []
    if contacts:
        new_by_year: dict[int, int] = {}
        for contact in contacts.values():
            year = contact.first_met_on.year
            new_by_year[year] = new_by_year.get(year, 0) + 1
        total = 0
        for year in range(min(new_by_year), max(new_by_year) + 1):
            total += new_by_year.get(year, 0)
            growth.append(GrowthPoint(year=year, new=new_by_year.get(year, 0), total=total))
    return Network(
        contacts=sorted(contacts.values(), key=lambda c: (c.name, c.person_id)),
        editions=sorted(groups.values(), key=lambda g: (g.year, g.key), reverse=True),
        growth=growth,
    )


@dataclass(frozen=True)
class SearchResult:
    person_id: int
    name: str
    organization: str
    conferences: tuple[tuple[int, str], ...]  # (id, name) of conferences both attend


SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10


def attendee_search(
    *,
    person: Person,
    query: str,
    conferences: QuerySet[Conference] | None = None,
    exclude_ids: Iterable[int] = (),
    only_ids: Iterable[int] | None = None,
) -> list[SearchResult]:
    """Attendees of the person's conferences (or of ``conferences``) whose name matches.

    Only names are searched and only public fields come back; ``only_ids`` narrows the search
    (to the people at a round). Nobody is left out for having blocked the person: that would
    tell them about the block.
    """
    query = " ".join(query.split())
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    mine = Attendance.objects.filter(person=person)
    if conferences is not None:
        mine = mine.filter(conference__in=conferences)
    shared = Attendance.objects.filter(conference_id__in=mine.values("conference_id"))
    people = list(
        Person.objects.filter(
            pk__in=shared.values("person_id"), deleted_at__isnull=True, full_name__icontains=query
        )
        .exclude(pk=person.pk)
        .exclude(pk__in=list(exclude_ids))
        .filter(**({"pk__in": list(only_ids)} if only_ids is not None else {}))
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=shared.select_related("conference").order_by("-conference__starts_on"),
                to_attr="shared_attendances",
            )
        )
        .order_by("full_name", "pk")[:SEARCH_LIMIT]
    )
    return [
        SearchResult(
            person_id=p.pk,
            name=p.full_name,
            organization=p.organization if p.show_organization else "",
            conferences=tuple((a.conference_id, a.conference.name) for a in p.shared_attendances),
        )
        for p in people
    ]


def attendee_of_my_conferences(
    *, person: Person, person_id: int, conferences: QuerySet[Conference] | None = None
) -> Person | None:
    """Another live attendee of one of the person's conferences, by id, or None."""
    mine = Attendance.objects.filter(person=person)
    if conferences is not None:
        mine = mine.filter(conference__in=conferences)
    return (
        Person.objects.filter(
            pk=person_id,
            deleted_at__isnull=True,
            attendances__conference_id__in=mine.values("conference_id"),
        )
        .exclude(pk=person.pk)
        .distinct()
        .first()
    )


def blocks_for(*, person: Person) -> QuerySet[Block]:
    """The blocks the person made (never the ones made against them)."""
    return (
        Block.objects.filter(blocker=person)
        .select_related("blocked")
        .order_by("blocked__full_name", "pk")
    )


def upcoming_conferences_for(*, person: Person) -> QuerySet[Conference]:
    """The person's conferences that have not ended: where a sit-together wish still counts."""
    return Conference.objects.filter(
        attendances__person=person, ends_on__gte=timezone.localdate()
    ).order_by("starts_on", "name")


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


def login_link_usable(*, token: str) -> bool:
    """Whether a sign-in link would still work (without using it up)."""
    return LoginLink.objects.filter(
        token_hash=hash_secret(token),
        sent_at__isnull=False,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


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
                "starts_at": _iso(r.round.starts_at),
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
    }
