"""What became of each edition's newcomers: the measured outcome of the organizer's own series.

For every edition the organizer organizes (of this conference's series, up to this one), its
newcomers (``attendees.selectors.people.newcomer_ids``) and:

- how many came to the next edition the organizer organizes;
- when they came back, the mean number of **lasting ties** they held to that edition's
  returning attendees (people there who were not newcomers): a tie weight of at least the
  friend threshold (``MATCHING_FRIEND_THRESHOLD``, docs/design.md §3) from encounters before
  the edition's first day, or a mutual "stay in touch" offer (``mutual_offer_pairs``) made
  before it, the same lasting tie the simulation counts (docs/outcomes.md);
- how many of them later hosted a table at one of the organizer's editions, or sat in a
  circle there: at a table of a round's plan (``plan_runs_for``) with a returning attendee
  they held a lasting tie to.

Read in a fixed number of queries, whatever the number of editions or people.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q

from attendees.models import ContactOffer, Encounter
from attendees.selectors.contacts import mutual_offer_pairs
from attendees.selectors.people import newcomers_by_edition
from attendees.ties import tie_weights_from
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from conferences.scoping import organized_conferences
from matching.models import Seat
from matching.selectors.runs import plan_runs_for

Pair = tuple[int, int]


@dataclass(frozen=True)
class CohortOutcome:
    conference: Conference
    newcomers: int
    next_edition: Conference | None
    came_back: int
    ties_when_back: float | None  # mean lasting ties to returning attendees; None: nobody back
    woven_in_when_back: int  # of those who came back, with two or more such ties
    hosts_or_circle: int  # later hosted a table or sat in a circle at a later edition

    @property
    def came_back_rate(self) -> float | None:
        if self.next_edition is None or not self.newcomers:
            return None
        return self.came_back / self.newcomers


def newcomer_outcomes(*, conference: Conference, user) -> list[CohortOutcome]:
    """The cohorts of newcomers of the editions ``user`` organizes in ``conference``'s series,
    up to ``conference``, oldest first."""
    editions = list(
        organized_conferences(user=user)
        .filter(series_id=conference.series_id, starts_on__lte=conference.starts_on)
        .order_by("starts_on", "pk")
    )
    if not editions:
        return []
    attending, newcomers = newcomers_by_edition(editions)
    everyone = sorted(set().union(*attending.values()))
    encounters = list(
        Encounter.objects.filter(person_a_id__in=everyone, person_b_id__in=everyone)
        .order_by()
        .values_list("person_a_id", "person_b_id", "kind", "occurred_on")
    )
    offers = _mutual_offer_days(everyone)
    threshold = settings.MATCHING_FRIEND_THRESHOLD

    def lasting_before(day: date) -> dict[int, set[int]]:
        weights = tie_weights_from((row for row in encounters if row[3] < day), as_of=day)
        ties: dict[int, set[int]] = defaultdict(set)
        for (a, b), weight in weights.items():
            if weight >= threshold:
                ties[a].add(b)
                ties[b].add(a)
        for (a, b), made_on in offers.items():
            if made_on < day:
                ties[a].add(b)
                ties[b].add(a)
        return ties

    lasting = {e.pk: lasting_before(e.starts_on) for e in editions}
    hosts = _hosts_by_edition(editions)
    circles = _circle_members_by_edition(editions, newcomers, lasting)

    outcomes = []
    for index, edition in enumerate(editions):
        cohort = newcomers[edition.pk]
        following = editions[index + 1] if index + 1 < len(editions) else None
        came_back: set[int] = set()
        ties_when_back = None
        woven = 0
        if following is not None:
            came_back = cohort & attending[following.pk]
            returning = attending[following.pk] - newcomers[following.pk]
            if came_back:
                counts = [
                    len(lasting[following.pk].get(p, set()) & (returning - {p})) for p in came_back
                ]
                ties_when_back = sum(counts) / len(counts)
                woven = sum(1 for c in counts if c >= 2)
        later = editions[index + 1 :]
        grown = {p for p in cohort if any(p in hosts[e.pk] or p in circles[e.pk] for e in later)}
        outcomes.append(
            CohortOutcome(
                conference=edition,
                newcomers=len(cohort),
                next_edition=following,
                came_back=len(came_back),
                ties_when_back=ties_when_back,
                woven_in_when_back=woven,
                hosts_or_circle=len(grown),
            )
        )
    return outcomes


def _mutual_offer_days(people: list[int]) -> dict[Pair, date]:
    """Mutual offers among ``people`` (no block either way) and the day the second was made."""
    pairs = mutual_offer_pairs(among=people)
    if not pairs:
        return {}
    made: dict[Pair, date] = {}
    involved = sorted({p for pair in pairs for p in pair})
    for a, b, created in ContactOffer.objects.filter(
        from_person_id__in=involved, to_person_id__in=involved
    ).values_list("from_person_id", "to_person_id", "created_at"):
        pair = (a, b) if a < b else (b, a)
        if pair in pairs:
            day = created.date()
            made[pair] = max(made.get(pair, day), day)
    return made


def _hosts_by_edition(editions: list[Conference]) -> dict[int, set[int]]:
    hosts: dict[int, set[int]] = {e.pk: set() for e in editions}
    for conference_id, host_id in DrinkTable.objects.filter(
        conference__in=editions, host__isnull=False
    ).values_list("conference_id", "host_id"):
        hosts[conference_id].add(host_id)
    return hosts


def _circle_members_by_edition(
    editions: list[Conference],
    newcomers: dict[int, set[int]],
    lasting: dict[int, dict[int, set[int]]],
) -> dict[int, set[int]]:
    """Returning attendees seated (in a round's plan) with a returning attendee they hold a
    lasting tie to, per edition."""
    members: dict[int, set[int]] = {e.pk: set() for e in editions}
    rounds = list(
        MeetupRound.objects.filter(conference__in=editions).exclude(status=RoundStatus.CANCELLED)
    )
    plans = plan_runs_for(rounds=rounds)
    if not plans:
        return members
    edition_of_run = {
        plan.run.pk: meetup_round.conference_id
        for meetup_round in rounds
        if (plan := plans.get(meetup_round.pk)) is not None
    }
    tables: dict[tuple[int, int], list[int]] = defaultdict(list)
    for run_id, table_id, person_id in Seat.objects.filter(
        Q(run_id__in=list(edition_of_run))
    ).values_list("run_id", "table_id", "person_id"):
        tables[(run_id, table_id)].append(person_id)
    for (run_id, _table_id), people in tables.items():
        edition = edition_of_run[run_id]
        returning = [p for p in people if p not in newcomers[edition]]
        ties = lasting[edition]
        for p in returning:
            if ties.get(p, set()) & (set(returning) - {p}):
                members[edition].add(p)
    return members
