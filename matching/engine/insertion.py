"""Seat one more person into a fixed plan: which tables may take them, and which is best.

Used after a plan is published (a late RSVP, a walk-in at the door): everyone else keeps
their seat, so the question is only where the newcomer to the plan goes. Each table is
checked against the hard constraints for that person (room, blocks either way, accessible
seating, a pin, a together group already seated, and no pair that already shared a table at
this conference: after publishing a repeat is refused, not just weighed), and the tables that
pass are ranked by the change of the engine's own objective (:class:`~.state.State`): the
same weighted goals, in the same priority order, as the solver uses. Ties go to the table
first in problem order.
"""

from __future__ import annotations

from dataclasses import dataclass

from .instance import Instance
from .model import Problem, RoundPlan
from .state import State

# Why a table cannot take the person, in the words of ``hard constraints`` (docs/design.md §3).
FULL = "capacity"
AVOID = "avoid"
REPEAT = "repeat"
ACCESSIBLE = "accessible"
PINNED = "pinned"
TOGETHER = "together"


@dataclass(frozen=True)
class Insertion:
    """Where ``person`` may go: the tables that keep every hard constraint, best first, with
    the objective's change (lower is better), and the others with the reason each refused."""

    person: str
    ranked: tuple[tuple[str, float], ...]
    refused: dict[str, str]

    @property
    def best(self) -> str | None:
        return self.ranked[0][0] if self.ranked else None


def insertion_options(problem: Problem, plan: RoundPlan, person: str) -> Insertion:
    """Rank the tables of ``plan`` (one round of ``problem``) for seating ``person``.

    ``person`` must be one of ``problem.people`` and not seated in ``plan``; the people
    seated in ``plan`` keep their tables. ``problem`` needs only what bears on the answer:
    the seated people and ``person``, ties between tablemates and ``person``'s ties,
    ``person``'s history, blocks, together groups and pins (``matching.services.live``
    builds it so for speed).
    """
    inst = Instance(problem)
    if person not in inst.pindex:
        raise ValueError(f"unknown person {person!r}")
    p = inst.pindex[person]
    state = State(inst, problem.options)
    for table_id, members in plan.tables.items():
        t = inst.tindex[table_id]
        for member in members:
            x = inst.pindex[member]
            if x == p:
                raise ValueError(f"{person!r} is already seated")
            state.add(0, t, x)
    m = inst.m
    # Eligibility for the anchor goal and the round's newcomer share count ``person`` as
    # seated: they will be, wherever they go.
    if m:
        state.add(0, 0, p)
        state.finalize_round(0)
        state.remove(0, 0, p)

    n = inst.n
    met_before = {
        (key % n if key // n == p else key // n)
        for key in inst.history_count
        if key // n == p or key % n == p
    }
    pin = inst.pins[0].get(p)
    partners = [x for group in inst.together if p in group for x in group if x != p]
    partner_tables = {state.table_of[0][x] for x in partners if state.table_of[0][x] >= 0}

    ranked: list[tuple[float, int, str]] = []
    refused: dict[str, str] = {}
    for t in range(m):
        table_id = inst.tid[t]
        members = state.members[0][t]
        reason = None
        if pin is not None and pin != t:
            reason = PINNED
        elif partner_tables and t not in partner_tables:
            reason = TOGETHER
        elif inst.needs_acc[p] and not inst.t_acc[t]:
            reason = ACCESSIBLE
        elif len(members) >= state.capacity[0][t]:
            reason = FULL
        elif any(x in inst.avoid[p] for x in members):
            reason = AVOID
        elif any(x in met_before for x in members):
            reason = REPEAT
        if reason is not None:
            refused[table_id] = reason
            continue
        before = _local_cost(state, t)
        state.add(0, t, p)
        after = _local_cost(state, t)
        state.remove(0, t, p)
        ranked.append((after - before, t, table_id))
    ranked.sort()
    return Insertion(
        person=person,
        ranked=tuple((table_id, cost) for cost, _t, table_id in ranked),
        refused=refused,
    )


def _local_cost(state: State, t: int) -> float:
    """The objective's terms that seating someone at table ``t`` can change (``State.objective``
    restricted to the table: its welcome, its people's anchors, its mix and topic terms)."""
    members = state.members[0][t]
    if not members:
        return 0.0
    newcomers = state.newcomers_at[0][t]
    unwelcomed = newcomers if state.circle_pairs[0][t] == 0 else 0
    friends_here, eligible = state.friends_at_table[0], state.anchor_eligible[0]
    unanchored = sum(1 for x in members if eligible[x] and friends_here[x] == 0)
    topic = state.topic_unmatched(0, t) if state.use_topics else 0
    return (
        state.weight_welcome * unwelcomed
        + state.weight_anchor * unanchored
        + state.table_cost(0, len(members), newcomers)
        + state.weight_topic * topic
    )
