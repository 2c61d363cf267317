"""build_problem reads a round from the database exactly as docs/design.md §3 describes."""

import datetime as dt

import pytest
from django.utils import timezone

from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Encounter, RoundRSVP
from conferences.enums import RoundStatus
from matching import engine
from matching.models import MatchingRun, Seat
from matching.services.problem import build_problem, problem_export
from tests.factories import (
    BlockFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    PersonFactory,
    RoundRSVPFactory,
    SitTogetherFactory,
)

pytestmark = pytest.mark.django_db


def key(person) -> str:
    return f"p{person.pk}"


def test_people_are_those_going_who_did_not_opt_out_and_were_not_deleted(scenario):
    opted_out, deleted, not_going = scenario.returning[:3]
    opted_out.opted_out = True
    opted_out.save()
    deleted.deleted_at = timezone.now()
    deleted.save()
    RoundRSVP.objects.filter(person=not_going).update(status=RSVPStatus.NOT_GOING)

    problem = build_problem(round=scenario.round)

    expected = sorted(p.pk for p in scenario.going if p not in (opted_out, deleted, not_going))
    assert [p.id for p in problem.people] == [f"p{pk}" for pk in expected]
    assert problem.rounds == 1


def test_newcomers_topics_and_accessibility_come_from_the_people(scenario):
    needs = scenario.newcomers[0]
    needs.needs_accessible_seating = True
    needs.save()

    people = {p.id: p for p in build_problem(round=scenario.round).people}

    assert {pid for pid, p in people.items() if p.newcomer} == {key(p) for p in scenario.newcomers}
    assert people[key(needs)].accessible is True
    assert sum(p.accessible for p in people.values()) == 1
    assert people[key(needs)].topics == tuple(sorted(t.slug for t in needs.topics.all()))


def test_tables_are_the_rounds_chosen_active_tables_else_every_active_table(scenario):
    first, second, third, fourth = scenario.tables
    fourth.active = False
    fourth.save()
    DrinkTableFactory()  # another conference's table never shows

    every = build_problem(round=scenario.round).tables
    assert [t.id for t in every] == [f"t{t.pk}" for t in (first, second, third)]
    assert every[0].accessible is True and every[0].capacity == first.capacity

    scenario.round.tables.set([second, fourth])
    chosen = build_problem(round=scenario.round).tables
    assert [t.id for t in chosen] == [f"t{second.pk}"]


def test_ties_weigh_encounters_up_to_the_rounds_date(scenario):
    a, b = scenario.newcomers[:2]
    round_day = timezone.localtime(scenario.round.starts_at, scenario.conference.tzinfo).date()
    Encounter.objects.create(
        person_a=min(a, b, key=lambda p: p.pk),
        person_b=max(a, b, key=lambda p: p.pk),
        kind=EncounterKind.MET,
        conference=scenario.conference,
        round=MeetupRoundFactory(conference=scenario.conference),
        occurred_on=round_day + dt.timedelta(days=30),  # not yet happened: no tie
    )
    ties = {(t.a, t.b): t.weight for t in build_problem(round=scenario.round).ties}

    first, second = scenario.returning[:2]
    assert ties[(key(first), key(second))] == pytest.approx(0.5 ** (1 / 3), abs=1e-3)
    assert (key(a), key(b)) not in ties and (key(b), key(a)) not in ties


def test_blocks_become_avoid_pairs_and_mutual_wishes_together_pairs(scenario):
    a, b, c, d = scenario.returning[:4]
    BlockFactory(blocker=b, blocked=a)
    BlockFactory(blocker=a, blocked=PersonFactory())  # someone not going: ignored
    SitTogetherFactory(conference=scenario.conference, requester=c, requested=d)
    SitTogetherFactory(conference=scenario.conference, requester=d, requested=c)
    SitTogetherFactory(conference=scenario.conference, requester=a, requested=c)  # one-sided

    problem = build_problem(round=scenario.round)

    assert problem.avoid == ((key(a), key(b)),)
    assert problem.together == ((key(c), key(d)),)


def test_a_blocked_mutual_pair_is_never_a_together_group(scenario, solve):
    a, b, c, d = scenario.returning[:4]
    for first, second in ((a, b), (c, d)):
        SitTogetherFactory(conference=scenario.conference, requester=first, requested=second)
        SitTogetherFactory(conference=scenario.conference, requester=second, requested=first)
    BlockFactory(blocker=b, blocked=a)  # made after both asked: the block wins

    problem = build_problem(round=scenario.round)

    assert problem.avoid == ((key(a), key(b)),)
    assert problem.together == ((key(c), key(d)),)
    run = solve(scenario.round)
    assert run.status == "succeeded"
    tables = dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
    assert tables[a.pk] != tables[b.pk]
    assert tables[c.pk] == tables[d.pk]


def test_table_hosts_who_are_going_are_pinned_to_their_table(scenario):
    host, absent = scenario.returning[0], PersonFactory()
    first, second = scenario.tables[:2]
    first.host, second.host = host, absent
    first.save()
    second.save()

    problem = build_problem(round=scenario.round)

    assert problem.pinned == (engine.Pin(person=key(host), table=f"t{first.pk}"),)


def test_history_is_who_sat_together_at_the_conferences_other_published_rounds(scenario):
    a, b, c = scenario.returning[:3]
    table = scenario.tables[0]
    published = MeetupRoundFactory(conference=scenario.conference, status=RoundStatus.MATCHED)
    run = MatchingRun.objects.create(round=published, status="succeeded")
    Seat.objects.bulk_create([Seat(run=run, person=p, table=table) for p in (a, b, c)])
    published.published_run, published.status = run, RoundStatus.PUBLISHED
    published.save()
    unpublished = MeetupRoundFactory(conference=scenario.conference, status=RoundStatus.MATCHED)
    draft_run = MatchingRun.objects.create(round=unpublished, status="succeeded")
    Seat.objects.create(run=draft_run, person=scenario.returning[3], table=table)
    Seat.objects.create(run=draft_run, person=scenario.returning[4], table=table)

    problem = build_problem(round=scenario.round)

    assert problem.history == ((key(a), key(b), key(c)),)


def test_problem_export_is_a_valid_format_v1_file(scenario):
    data = problem_export(round=scenario.round, viewer=None)

    assert data["format"] == "drinktables.problem.v1"
    parsed = engine.problem_from_dict(data)
    assert len(parsed.people) == len(scenario.going)
    assert parsed.time_limit_s == pytest.approx(10)


def test_a_person_going_to_another_round_only_is_not_in_this_one(scenario):
    other = RoundRSVPFactory(
        round=MeetupRoundFactory(conference=scenario.conference), status=RSVPStatus.GOING
    ).person
    ids = {p.id for p in build_problem(round=scenario.round).people}
    assert key(other) not in ids
