"""The search's incremental move evaluation: for random problems and random moves,
``State.delta`` (and ``delta_units`` for together groups) equals the objective recomputed
from the seating alone after the move minus before it."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import problem_from_dict
from matching.engine.instance import Instance
from matching.engine.state import State

TOPICS = ("open-source", "stem", "games")


@st.composite
def problems(draw) -> dict:
    rounds = draw(st.integers(1, 3))
    n = draw(st.integers(2, 14))
    ids = [f"p{i}" for i in range(n)]
    round_sets = st.lists(st.integers(1, rounds), unique=True, min_size=1, max_size=rounds)
    people = [
        {
            "id": x,
            "newcomer": draw(st.booleans()),
            "topics": draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2)),
            "attends": draw(round_sets),
        }
        for x in ids
    ]
    tables = [
        {"id": f"t{j}", "capacity": 8, "rounds": draw(round_sets)}
        for j in range(draw(st.integers(2, 4)))
    ]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] < p[1])
    ties = draw(st.dictionaries(pair, st.floats(0.1, 5.0), max_size=3 * n))
    group = st.lists(st.sampled_from(ids), unique=True, min_size=2, max_size=4)
    weights = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "newcomer_spread": st.floats(0.5, 50.0),
                "table_size": st.floats(0.0, 5.0),
                "topic": st.sampled_from([0.0, 1.0, 3.0]),
            },
        )
    )
    return {
        "format": "drinktables.problem.v1",
        "rounds": rounds,
        "people": people,
        "tables": tables,
        "ties": [{"a": a, "b": b, "weight": w} for (a, b), w in ties.items()],
        "history": draw(st.lists(group, max_size=3)),
        "together": [list(p) for p in draw(st.lists(pair, max_size=2))],
        "options": {
            "weights": weights,
            "friend_threshold": draw(st.sampled_from([0.0, 0.6, 2.0])),
            "min_table_size": draw(st.integers(1, 4)),
            "preferred_table_size": draw(st.sampled_from([None, 2, 3])),
        },
    }


def objective_from_scratch(state: State) -> float:
    """The objective of docs/design.md §3 as the state defines it, from the seating alone."""
    inst = state.inst
    n, is_new, friends, comp = inst.n, inst.is_new, inst.friends, inst.comp
    pairs = dict(inst.history_count)
    unwelcomed = unanchored = topicless = 0
    mix = 0.0
    for r in range(inst.R):
        tables = [members for members in state.members[r] if members]
        seated = {x for members in tables for x in members}
        newcomers = sum(1 for x in seated if is_new[x])
        share = newcomers / len(seated) if seated else 0.0
        for members in tables:
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if comp[a] != comp[b]:
                        key = min(a, b) * n + max(a, b)
                        pairs[key] = pairs.get(key, 0) + 1
            returning = [x for x in members if not is_new[x]]
            circle = any(b in friends[a] for a in returning for b in returning)
            table_newcomers = sum(1 for x in members if is_new[x])
            if not circle:
                unwelcomed += table_newcomers
            for x in returning:
                if any(f in seated for f in friends[x]) and not any(
                    f in members for f in friends[x]
                ):
                    unanchored += 1
            if state.use_topics:
                for x in members:
                    mine = set(inst.topics[x])
                    shared = any(mine & set(inst.topics[y]) for y in members if y != x)
                    if is_new[x] and mine and not shared:
                        topicless += 1
            size = len(members)
            cost = state.weight_table_size * size * size
            if size < state.min_table_size and len(seated) >= 3:
                cost += state.weight_small_table
            if state.preferred_size and size > state.preferred_size:
                cost += state.weight_oversize * (size - state.preferred_size)
            mix += cost + state.weight_spread * (table_newcomers - size * share) ** 2
    repeats = sum(c - 1 for c in pairs.values() if c > 1)
    return (
        state.weight_repeat * repeats
        + state.weight_welcome * unwelcomed
        + state.weight_anchor * unanchored
        + mix
        + state.weight_topic * topicless
    )


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problems(), st.data())
def test_delta_equals_the_objective_recomputed_after_the_move(data, draw):
    problem = problem_from_dict(data)
    inst = Instance(problem)
    state = State(inst, problem.options)
    for r in range(inst.R):
        for unit in inst.units[r]:
            if inst.tables_in[r]:
                t = draw.draw(st.sampled_from(inst.tables_in[r]))
                for x in unit:
                    state.add(r, t, x)
        state.finalize_round(r)
    assert close(state.objective(), objective_from_scratch(state))

    rounds = [r for r in range(inst.R) if len(inst.tables_in[r]) >= 2 and inst.attendees[r]]
    if not rounds:
        return
    for _ in range(draw.draw(st.integers(1, 12))):
        r = draw.draw(st.sampled_from(rounds))
        units = inst.units[r]
        u = draw.draw(st.integers(0, len(units) - 1))
        P = units[u]
        A = state.table_of[r][P[0]]
        B = draw.draw(st.sampled_from([t for t in inst.tables_in[r] if t != A]))
        others = list(dict.fromkeys(inst.unit_of[r][x] for x in state.members[r][B]))
        v = draw.draw(st.sampled_from([-1, *others]))
        Q = units[v] if v >= 0 else []
        before = objective_from_scratch(state)
        if len(P) == 1 and len(Q) <= 1:
            predicted = state.delta(r, A, P[0], B, Q[0] if Q else -1)
        else:
            predicted = state.delta_units(r, A, P, B, Q)
        state.move(r, A, P, B, Q)
        after = objective_from_scratch(state)
        assert close(predicted, after - before), (r, A, P, B, Q)
        assert close(state.objective(), after)
