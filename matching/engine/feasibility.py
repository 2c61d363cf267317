"""Hard constraints that cannot all hold, whatever the seating (CLI exit 3).

Too few seats is not infeasible: the plan lists who is unseated. What is infeasible is a
contradiction in the constraints themselves: a together group that fits no table it may use,
a pair that must sit together and apart, pins that clash with tables, accessibility or each
other.
"""

from __future__ import annotations

import json

from .instance import Instance
from .model import InfeasibleError, Problem

ROUNDS = "\x00rounds\x00"  # placeholder for the rounds a contradiction holds in


def _q(ident: str) -> str:
    return json.dumps(ident, ensure_ascii=False)


def _names(inst: Instance, people: list[int], limit: int = 8) -> str:
    shown = ", ".join(_q(inst.pid[x]) for x in people[:limit])
    return shown + (f" and {len(people) - limit} more" if len(people) > limit else "")


def _rounds_text(rounds: list[int], total: int) -> str:
    rounds = sorted(set(rounds))
    if len(rounds) == 1:
        return f"round {rounds[0] + 1}"
    if total > 1 and len(rounds) == total:
        return "every round"
    return "rounds " + ", ".join(str(r + 1) for r in rounds)


def infeasibility_reasons(inst: Instance) -> list[str]:
    """Every contradiction found, one line each (empty when the constraints can all hold)."""
    found: dict[str, list[int]] = {}  # message with ROUNDS placeholder -> rounds

    def add(message: str, r: int) -> None:
        found.setdefault(message, []).append(r)

    pid, tid = inst.pid, inst.tid
    for r, p, t1, t2 in inst.pin_conflicts:
        add(
            f"pinned: {_q(pid[p])} is pinned to both {_q(tid[t1])} and {_q(tid[t2])} in {ROUNDS}", r
        )

    for r in range(inst.R):
        avail = inst.t_avail[r]
        largest_any = max((inst.cap[t] for t in inst.tables_in[r]), default=0)
        largest_acc = max((inst.cap[t] for t in inst.tables_in[r] if inst.t_acc[t]), default=0)
        for p, t in inst.pin_list[r]:
            if t not in avail:
                add(
                    f"pinned: {_q(pid[p])} is pinned to {_q(tid[t])}, "
                    f"which is not available in {ROUNDS}",
                    r,
                )
        for unit in inst.units[r]:
            unit_pins = sorted({inst.pins[r][x] for x in unit if x in inst.pins[r]})
            if len(unit) > 1 and len(unit_pins) > 1:
                pinned_people = [x for x in unit if x in inst.pins[r]]
                add(
                    f"together and pinned: {_names(inst, unit)} must sit together but "
                    f"{_names(inst, pinned_people)} are pinned to different tables "
                    f"({', '.join(_q(tid[t]) for t in unit_pins)}) in {ROUNDS}",
                    r,
                )
                continue
            members = set(unit)
            for x in unit:
                for y in inst.avoid[x]:
                    if y in members and x < y:
                        add(
                            f"together and avoid: {_q(pid[x])} and {_q(pid[y])} must sit "
                            f"together (together) and apart (avoid) in {ROUNDS}",
                            r,
                        )
            needs_acc = inst.unit_needs_acc(unit)
            if unit_pins:
                t = unit_pins[0]
                if t in avail and needs_acc and not inst.t_acc[t]:
                    needing = [x for x in unit if inst.needs_acc[x]]
                    who = _names(inst, needing)
                    if len(unit) == 1:
                        add(
                            f"accessible and pinned: {who} needs an accessible table but is "
                            f"pinned to {_q(tid[t])}, which is not accessible ({ROUNDS})",
                            r,
                        )
                    else:
                        add(
                            f"accessible and pinned: {who} needs an accessible table but the "
                            f"together group {_names(inst, unit)} is pinned to {_q(tid[t])}, "
                            f"which is not accessible ({ROUNDS})",
                            r,
                        )
                continue
            largest = largest_acc if needs_acc else largest_any
            if largest >= len(unit) or largest_any == 0:
                continue  # (no seat at all this round: everyone is unseated, not infeasible)
            if len(unit) == 1:
                add(
                    f"accessible: {_q(pid[unit[0]])} needs an accessible table but there is "
                    f"none in {ROUNDS}",
                    r,
                )
            elif needs_acc:
                add(
                    f"together and accessible: the together group {_names(inst, unit)} "
                    f"({len(unit)} people) needs an accessible table but no accessible table "
                    f"seats {len(unit)} in {ROUNDS} (largest: {largest})",
                    r,
                )
            else:
                add(
                    f"together: the together group {_names(inst, unit)} ({len(unit)} people) "
                    f"is larger than every table in {ROUNDS} (largest: {largest})",
                    r,
                )

        # Load of each table from the pins (whole together groups come with a pinned person).
        load: dict[int, list[int]] = {}
        for unit in inst.units[r]:
            t = inst.unit_pin(r, unit)
            if t >= 0 and t in avail:
                load.setdefault(t, []).extend(unit)
        for t, people in load.items():
            if len(people) > inst.cap[t]:
                add(
                    f"pinned: {len(people)} people ({_names(inst, people)}, with their together "
                    f"groups) are pinned to {_q(tid[t])}, which seats {inst.cap[t]}, in {ROUNDS}",
                    r,
                )
            members = set(people)
            for x in people:
                for y in inst.avoid[x]:
                    if y in members and x < y and inst.unit_of[r][x] != inst.unit_of[r][y]:
                        add(
                            f"avoid and pinned: {_q(pid[x])} and {_q(pid[y])} must sit apart but "
                            f"are both pinned to {_q(tid[t])} in {ROUNDS}",
                            r,
                        )
    return [message.replace(ROUNDS, _rounds_text(rs, inst.R)) for message, rs in found.items()]


def check_feasible(problem: Problem, *, instance: Instance | None = None) -> None:
    """Raise :class:`InfeasibleError` when the hard constraints cannot all hold."""
    inst = instance or Instance(problem)
    reasons = infeasibility_reasons(inst)
    if reasons:
        raise InfeasibleError("\n".join(reasons))
