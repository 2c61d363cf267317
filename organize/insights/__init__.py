"""Insights for organizers: how well each round wove newcomers in, and how the network grows.

Per conference: for every round with a plan, the welcome and anchor rates, repeats, topic
sharing and the composition of each table, beside what friends-first seating would have given
on the same round. Across the series (the editions the organizer organizes, up to this one):
how many of the previous edition's newcomers came back, how connected they were when they did,
and how many new ties each edition created per attendee.

Definitions:
- a round's figures are ``matching.engine.score`` of its plan (docs/design.md §3), on one
  engine problem per round built by ``matching.services.build_problem`` as the round stood
  before it happened: who was seated at a held round (else who is going, and whoever the plan
  seats), its tables and those of the plan, the ties before the round, and as history the
  tables of the conference's earlier rounds with a plan. The friends-first baseline is seated
  and scored on that same problem;
- ties before a round are the pairs with an encounter before it
  (``attendees.selectors.people.counts_before_round``: on or before the round's day, leaving
  out encounters of that round and of rounds that start later);
- a round's repeats are the engine's: pairs seated together who already shared a table at an
  earlier round (not counting mutual sit-together pairs); summed over the rounds this is
  the design's ``repeat_pairs`` for the conference;
- a new tie of an edition is a pair whose first encounter happened at that edition.

The series figures are read in a fixed number of queries, whatever the number of editions or
people; the rounds' figures in a fixed number of queries per round (its engine problem).
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.db.models.functions import Coalesce

from attendees.models import Attendance, Encounter
from attendees.selectors.people import counts_before_round, newcomers_by_edition
from attendees.ties import tie_weights_from
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from conferences.scoping import organized_conferences
from matching import engine
from matching.models import MatchingRun, Seat
from matching.selectors.problem import round_people, round_tables, table_key
from matching.selectors.runs import plan_runs_for
from matching.services.problem import build_problem
from matching.services.seating import solution_from_seats
from organize.insights import baseline
from organize.insights.metrics import SeatingFigures, rate, score_seating

Pair = tuple[int, int]

__all__ = [
    "ConferenceInsights",
    "EditionFigures",
    "RoundInsight",
    "conference_insights",
    "series_insights",
]


@dataclass
class RoundInsight:
    round: MeetupRound
    run_id: int
    plan: SeatingFigures
    friends_first: SeatingFigures | None
    table_labels: dict[str, str]  # engine table id (t<pk>) -> label

    def composition(self) -> list[tuple[str, int, int]]:
        """(table label, returning, newcomers) per occupied table, by label."""
        rows = [
            (self.table_labels[c.table_id], c.returning, c.newcomers) for c in self.plan.composition
        ]
        return sorted(rows)


@dataclass
class ConferenceInsights:
    conference: Conference
    rounds: list[RoundInsight] = field(default_factory=list)

    @property
    def pooled(self) -> SeatingFigures | None:
        return _pooled([r.plan for r in self.rounds])

    @property
    def pooled_friends_first(self) -> SeatingFigures | None:
        return _pooled([r.friends_first for r in self.rounds])

    @property
    def has_baseline(self) -> bool:
        return any(r.friends_first is not None for r in self.rounds)


def _pooled(figures: list[SeatingFigures | None]) -> SeatingFigures | None:
    """The rounds' figures pooled; None without rounds or when one round has none."""
    if not figures or any(f is None for f in figures):
        return None
    return sum(figures, SeatingFigures())


def _plan_runs(rounds: list[MeetupRound]) -> dict[int, MatchingRun]:
    """Each round's plan (``matching.selectors.runs.plan_runs_for``: its published run, else
    its latest succeeded run), for the rounds that have one."""
    return {pk: plan.run for pk, plan in plan_runs_for(rounds=rounds).items()}


def _ties_by_round(
    *, conference: Conference, rounds: list[MeetupRound]
) -> dict[int, dict[Pair, float]]:
    """For each round, the tie weights between its conference's people before the round
    (``attendees.selectors.people.counts_before_round``: a held round's own tables must not
    make its people look like old friends)."""
    attendees = Attendance.objects.filter(conference=conference).values("person_id")
    seated = Seat.objects.filter(run__round__conference=conference).values("person_id")
    rows = list(
        Encounter.objects.filter(
            Q(person_a_id__in=attendees) | Q(person_a_id__in=seated),
            Q(person_b_id__in=attendees) | Q(person_b_id__in=seated),
        ).values_list(
            "person_a_id", "person_b_id", "kind", "occurred_on", "round_id", "round__starts_at"
        )
    )
    ties: dict[int, dict[Pair, float]] = {}
    for meetup_round in rounds:
        ties[meetup_round.pk] = tie_weights_from(
            (
                (a, b, kind, when)
                for a, b, kind, when, round_id, starts_at in rows
                if counts_before_round(
                    occurred_on=when,
                    at=(starts_at, round_id) if round_id is not None else None,
                    round=meetup_round,
                )
            ),
            as_of=meetup_round.local_date,
        )
    return ties


def conference_insights(
    *,
    conference: Conference,
    friends_first: Callable[..., engine.Solution | None] | None = None,
) -> ConferenceInsights:
    """Per-round figures of the conference's plans, beside friends-first seating.

    ``friends_first(problem=, seed=)`` seats a round's engine problem as people would seat
    themselves (an ``engine.Solution``) or gives None; it defaults to the engine's baseline
    (``insights.baseline``).
    """
    friends_first = friends_first or baseline.friends_first_seating
    rounds = list(
        MeetupRound.objects.filter(conference=conference)
        .exclude(status=RoundStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )
    runs = _plan_runs(rounds)
    rounds = [r for r in rounds if r.pk in runs]
    insights = ConferenceInsights(conference=conference)
    if not rounds:
        return insights

    plans: dict[int, dict[int, int]] = defaultdict(dict)  # round -> person -> table
    round_of_run = {run.pk: round_pk for round_pk, run in runs.items()}
    for run_id, person_id, table_id in Seat.objects.filter(
        run_id__in=list(round_of_run)
    ).values_list("run_id", "person_id", "table_id"):
        plans[round_of_run[run_id]][person_id] = table_id
    for meetup_round in rounds:
        meetup_round.conference = conference
    ties = _ties_by_round(conference=conference, rounds=rounds)
    labels = {
        table_key(pk): label
        for pk, label in DrinkTable.objects.filter(conference=conference).values_list("pk", "label")
    }

    earlier: list[list[int]] = []
    for meetup_round in rounds:
        seats = plans.get(meetup_round.pk, {})
        seed = runs[meetup_round.pk].seed
        problem = build_problem(
            round=meetup_round,
            seed=seed,
            people=_people_to_score(round=meetup_round, seats=seats),
            tables={t.pk for t in round_tables(round=meetup_round)} | set(seats.values()),
            ties=ties[meetup_round.pk],
            history=earlier,
        )
        plan = score_seating(
            problem=problem, solution=solution_from_seats(problem=problem, seats=seats)
        )
        other = friends_first(problem=problem, seed=seed)
        compared = score_seating(problem=problem, solution=other) if other is not None else None
        insights.rounds.append(
            RoundInsight(meetup_round, runs[meetup_round.pk].pk, plan, compared, labels)
        )
        tables: dict[int, list[int]] = defaultdict(list)
        for person_id, table_id in seats.items():
            tables[table_id].append(person_id)
        earlier.extend(tables.values())
    return insights


def _people_to_score(*, round: MeetupRound, seats: dict[int, int]) -> set[int]:
    """Who a round's problem seats: who sat at a held round; else who is going now and
    whoever the plan seats (they may have changed their answer since the run)."""
    if round.status == RoundStatus.HELD:
        return set(seats)
    return set(round_people(round=round).values_list("pk", flat=True)) | set(seats)


# Across the series -------------------------------------------------------------------------


@dataclass
class EditionFigures:
    conference: Conference
    attendees: int
    newcomers: int
    previous: Conference | None = None
    previous_newcomers: int = 0
    came_back: int = 0
    came_back_mean_ties: float = 0.0
    came_back_with_friend: int = 0
    new_ties: int = 0
    mean_ties: float = 0.0

    @property
    def came_back_rate(self) -> float | None:
        return self.came_back / self.previous_newcomers if self.previous_newcomers else None

    @property
    def new_ties_per_attendee(self) -> float:
        return self.new_ties / self.attendees if self.attendees else 0.0

    @property
    def newcomer_share(self) -> float:
        return rate(self.newcomers, self.attendees) if self.attendees else 0.0


def series_insights(*, conference: Conference, user) -> list[EditionFigures]:
    """The editions of ``conference``'s series that ``user`` organizes, up to this one."""
    editions = list(
        organized_conferences(user=user)
        .filter(series_id=conference.series_id, starts_on__lte=conference.starts_on)
        .order_by("starts_on", "pk")
    )
    attending, newcomers_at = newcomers_by_edition(editions)
    people = Attendance.objects.filter(conference__in=editions).values("person_id")
    encounters = list(
        Encounter.objects.filter(Q(person_a_id__in=people) | Q(person_b_id__in=people))
        .annotate(edition=Coalesce("conference_id", "round__conference_id"))
        .values_list("person_a_id", "person_b_id", "occurred_on", "edition")
        .order_by("occurred_on", "pk")
    )
    first_edition_of_pair: dict[Pair, int | None] = {}
    meetings: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for a, b, day, edition in encounters:
        first_edition_of_pair.setdefault((a, b), edition)
        meetings[a].append((day, b))
        meetings[b].append((day, a))
    new_ties = Counter(first_edition_of_pair.values())

    def partners(person: int, *, before: date | None = None, until: date | None = None) -> set[int]:
        return {
            other
            for day, other in meetings.get(person, ())
            if (before is None or day < before) and (until is None or day <= until)
        }

    figures: list[EditionFigures] = []
    previous_newcomers: set[int] = set()
    for index, edition in enumerate(editions):
        present = attending[edition.pk]
        newcomers = newcomers_at[edition.pk]
        row = EditionFigures(edition, attendees=len(present), newcomers=len(newcomers))
        row.new_ties = new_ties.get(edition.pk, 0)
        if present:
            row.mean_ties = sum(len(partners(p, until=edition.ends_on)) for p in present) / len(
                present
            )
        if index:
            row.previous = editions[index - 1]
            row.previous_newcomers = len(previous_newcomers)
            returned = previous_newcomers & present
            row.came_back = len(returned)
            if returned:
                known = {p: partners(p, before=edition.starts_on) for p in returned}
                row.came_back_mean_ties = sum(len(k) for k in known.values()) / len(returned)
                row.came_back_with_friend = sum(1 for p, k in known.items() if k & (present - {p}))
        figures.append(row)
        previous_newcomers = newcomers
    return figures
