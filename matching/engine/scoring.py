"""Metrics of a plan (docs/design.md §3), per round and pooled, recomputed from the plan alone.

``score(problem, solution)`` is what ``python -m matching score`` prints and what a solve
reports. Rates with an empty denominator are 1.0.
"""

from __future__ import annotations

import math
from typing import Any

from .instance import Instance
from .model import HARD_CONSTRAINTS, Problem, Solution

Seating = list[dict[int, list[int]]]  # per round (0-based): table index -> person indices


def seating_from_solution(inst: Instance, solution: Solution) -> Seating:
    seating: Seating = [{} for _ in range(inst.R)]
    for plan in solution.rounds:
        if not 1 <= plan.round <= inst.R:
            continue
        tables = seating[plan.round - 1]
        for table, members in plan.tables.items():
            t = inst.tindex[table]
            tables.setdefault(t, []).extend(inst.pindex[x] for x in members)
    return seating


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def _max_matching(options: list[list[int]]) -> int:
    """Size of a maximum matching: options[i] lists the friends slot i may use."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for f in options[i]:
            if f in seen:
                continue
            seen.add(f)
            if f not in owner or augment(owner[f], seen):
                owner[f] = i
                return True
        return False

    return sum(1 for i in range(len(options)) if options[i] and augment(i, set()))


def score(problem: Problem, solution: Solution) -> dict[str, Any]:
    """The metrics of a solution (see docs/design.md §3); ``violations`` must all be 0."""
    inst = Instance(problem)
    return score_seating(inst, seating_from_solution(inst, solution))


def score_seating(inst: Instance, seating: Seating) -> dict[str, Any]:
    n, R = inst.n, inst.R
    is_new, adj, comp = inst.is_new, inst.friends, inst.comp
    min_size = inst.problem.options.min_table_size
    pair_count: dict[int, int] = dict(inst.history_count)
    history_repeats = sum(c - 1 for c in inst.history_count.values() if c > 1)
    per_round: list[dict[str, Any]] = []
    seated_sets: list[set[int]] = []
    circle_strengths: list[float] = []  # every round's, for the pooled mean

    for r in range(R):
        tables = seating[r]
        avail = inst.t_avail[r]
        attending = inst.attends
        v = dict.fromkeys(HARD_CONSTRAINTS, 0)
        positions: dict[int, list[int]] = {}
        for t, members in tables.items():
            for x in members:
                positions.setdefault(x, []).append(t)
                if r not in attending[x]:
                    v["attendance"] += 1
                if inst.needs_acc[x] and not inst.t_acc[t]:
                    v["accessible"] += 1
            capacity = inst.cap[t] if t in avail else 0
            v["capacity"] += max(0, len(members) - capacity)
        v["one_table"] = sum(len(ts) - 1 for ts in positions.values())
        placements = {x: len(ts) for x, ts in positions.items()}
        where = {x: ts[0] for x, ts in positions.items()}
        seated = set(positions)
        seated_sets.append(seated)
        for a, b in inst.avoid_pairs:
            if a in seated and b in seated and not set(positions[a]).isdisjoint(positions[b]):
                v["avoid"] += 1
        for group in inst.active_groups[r]:
            spots = [where.get(x) for x in group]
            if all(s is None for s in spots):
                continue
            if (
                any(s is None for s in spots)
                or len(set(spots)) > 1
                or any(placements[x] > 1 for x in group)
            ):
                v["together"] += 1
        for p, t in inst.pin_list[r]:
            if where.get(p) != t or placements.get(p, 0) > 1:
                v["pinned"] += 1
        unseated_people = [x for x in inst.attendees[r] if x not in seated]
        if unseated_people:
            v["unseated_with_room"] = _unseated_with_room(inst, r, tables, unseated_people, seated)

        # Goals.
        repeats = 0
        welcomed = newcomers = 0
        topic_ok = topic_total = 0
        small = 0
        shares: list[float] = []
        strengths: list[float] = []  # per table with a circle: its ties' mean weight
        for members in tables.values():
            members = list(dict.fromkeys(members))
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if comp[a] == comp[b]:
                        continue
                    key = a * n + b if a < b else b * n + a
                    before = pair_count.get(key, 0)
                    if before >= 1:
                        repeats += 1
                    pair_count[key] = before + 1
            returning = [x for x in members if not is_new[x]]
            table_newcomers = [x for x in members if is_new[x]]
            circle_ties = [
                adj[a][b]
                for i, a in enumerate(returning)
                for b in returning[i + 1 :]
                if b in adj[a]
            ]
            circle = bool(circle_ties)
            if circle:
                strengths.append(math.fsum(circle_ties) / len(circle_ties))
            newcomers += len(table_newcomers)
            if circle:
                welcomed += len(table_newcomers)
            for x in table_newcomers:
                mine = inst.topics[x]
                if mine:
                    topic_total += 1
                    if any(y != x and not set(mine).isdisjoint(inst.topics[y]) for y in members):
                        topic_ok += 1
            if members:
                if len(members) < min_size and len(seated) >= 3:
                    small += 1
                shares.append(len(table_newcomers) / len(members))

        eligible = anchored = 0
        table_sets = {t: set(members) for t, members in tables.items()}
        for x in seated:
            friends = adj[x]
            if is_new[x] or not friends or not any(f in seated for f in friends):
                continue
            eligible += 1
            at_table = table_sets[where[x]]
            if any(f in at_table for f in friends):
                anchored += 1

        per_round.append(
            {
                "round": r + 1,
                "seated": len(seated),
                "unseated": len(unseated_people),
                "violations": v,
                "repeat_pairs": repeats,
                "welcome_rate": _rate(welcomed, newcomers),
                "welcomed": welcomed,
                "newcomers": newcomers,
                "anchor_rate": _rate(anchored, eligible),
                "anchored": anchored,
                "anchor_eligible": eligible,
                "topic_rate": _rate(topic_ok, topic_total),
                "topic_matched": topic_ok,
                "topic_newcomers": topic_total,
                "small_tables": small,
                "newcomer_spread": (max(shares) - min(shares)) if shares else 0.0,
                # fsum: the same figure whatever the order of tables and people in the plan
                "circle_strength": math.fsum(strengths) / len(strengths) if strengths else 0.0,
                "circle_tables": len(strengths),
            }
        )
        circle_strengths.extend(strengths)

    bound_total, bound_round = anchor_bound(inst, seated_sets)
    for r in range(R):
        per_round[r]["anchor_bound"] = _rate(bound_round[r], per_round[r]["anchor_eligible"])

    def total(key: str) -> int:
        return sum(m[key] for m in per_round)

    violations = {k: sum(m["violations"][k] for m in per_round) for k in HARD_CONSTRAINTS}
    eligible_total = total("anchor_eligible")
    metrics: dict[str, Any] = {
        "seated": total("seated"),
        "unseated": total("unseated"),
        "violations": violations,
        "repeat_pairs": history_repeats + total("repeat_pairs"),
        "welcome_rate": _rate(total("welcomed"), total("newcomers")),
        "welcomed": total("welcomed"),
        "newcomers": total("newcomers"),
        "anchor_rate": _rate(total("anchored"), eligible_total),
        "anchored": total("anchored"),
        "anchor_eligible": eligible_total,
        "anchor_bound": _rate(bound_total, eligible_total),
        "topic_rate": _rate(total("topic_matched"), total("topic_newcomers")),
        "topic_matched": total("topic_matched"),
        "topic_newcomers": total("topic_newcomers"),
        "small_tables": total("small_tables"),
        "newcomer_spread": max((m["newcomer_spread"] for m in per_round), default=0.0),
        "circle_strength": (
            math.fsum(circle_strengths) / len(circle_strengths) if circle_strengths else 0.0
        ),
        "circle_tables": len(circle_strengths),
        "rounds": per_round,
    }
    return metrics


def anchor_bound(inst: Instance, seated_sets: list[set[int]]) -> tuple[int, list[int]]:
    """Upper bound on anchored (person, round) slots when nobody sits with anyone twice.

    A returning person can be anchored in a round only by a friend seated that round whom they
    have not already sat with earlier at this conference (history), and by each friend once:
    a maximum matching of their eligible rounds to such friends. Returns the pooled count and,
    per round, the eligible people who have at least one such friend.
    """
    adj, comp, history = inst.friends, inst.comp, inst.history_count
    total = 0
    per_round = [0] * inst.R
    for x in range(inst.n):
        if inst.is_new[x] or not adj[x]:
            continue
        options = []
        for r, seated in enumerate(seated_sets):
            if x not in seated or not any(f in seated for f in adj[x]):
                continue
            usable = [
                f
                for f in adj[x]
                if f in seated and (comp[f] == comp[x] or history.get(inst.key(x, f), 0) == 0)
            ]
            if usable:
                per_round[r] += 1
            options.append(usable)
        if options:
            total += _max_matching(options)
    return total, per_round


def _unseated_with_room(
    inst: Instance, r: int, tables: dict[int, list[int]], unseated: list[int], seated: set[int]
) -> int:
    """Unseated people whose whole together group would fit, right now, at some table."""
    free = []
    for t in inst.tables_in[r]:
        room = inst.cap[t] - len(tables.get(t, ()))
        if room > 0:
            free.append((t, room))
    if not free:
        return 0
    count = 0
    for x in unseated:
        unit = inst.units[r][inst.unit_of[r][x]]
        if any(y in seated for y in unit):
            continue  # a split together group is counted under "together"
        pin = inst.unit_pin(r, unit)
        needs_acc = inst.unit_needs_acc(unit)
        partners = set().union(*(inst.avoid[y] for y in unit))
        for t, room in free:
            if room < len(unit) or (pin >= 0 and t != pin) or (needs_acc and not inst.t_acc[t]):
                continue
            if partners and any(y in partners for y in tables.get(t, ())):
                continue
            count += 1
            break
    return count


def hard_violations(metrics: dict[str, Any]) -> int:
    """Total count of broken hard constraints in a metrics dict (0 for a valid plan)."""
    return sum(metrics["violations"].values())


def plan_rank(metrics: dict[str, Any]) -> tuple:
    """Sort key of a plan (lower is better), following the goals' priority order."""
    return (
        hard_violations(metrics),
        metrics["unseated"],
        metrics["repeat_pairs"],
        -metrics["welcome_rate"],
        -metrics["anchor_rate"],
        metrics["small_tables"],
        metrics["newcomer_spread"],
        -metrics["topic_rate"],
    )
