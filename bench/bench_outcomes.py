"""Outcomes of a conference series under each seating policy (``make bench``).

Five editions of a 400-person series whose first edition is the SFHH 2009 contact network
(data/SFHH_tij.dat.gz, through bench/engine_instances.py) with 30% newcomers, simulated by
``matching.engine.simulate`` for each policy (model: docs/outcomes.md), then a sensitivity
sweep over the assumed parameters. Prints the tables and saves them to
bench/results/outcomes.md. Needs no services.

    python bench/bench_outcomes.py             # everything (a few minutes)
    python bench/bench_outcomes.py --no-sweep  # the policies only
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import engine_instances  # noqa: E402
from matching.engine import Problem, Tie  # noqa: E402
from matching.engine import simulate as sim  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "outcomes.md"
EDITIONS = 5
SEEDS = (0, 1, 2)
POLICIES = ("drinktables", "friends-first", "random", "mingle")
SECONDS_PER_POLICY = 60.0
# The sweep: each assumed parameter at a low and a high value, the others at their defaults.
SWEEP: dict[str, tuple[float, float]] = {
    "tie_formation": (0.1, 0.5),
    "closure_boost": (1.0, 4.0),
    "reinforce_weight": (0.5, 2.0),
    "close_tie_weight": (2.0, 5.0),
    "background_tie_rate": (0.003, 0.01),
    "tie_return_odds": (1.0, 1.8),
    "return_first_timers": (0.3, 0.6),
    "newcomer_share": (0.15, 0.5),
}
SWEEP_SEEDS = (0, 1)


def first_edition() -> Problem:
    """SFHH contacts as the first edition's history: pairs with 2 minutes or more of contact
    are ties of weight 1 + log2(minutes / 2), at most 5 (2 minutes weigh like one shared table,
    each doubling of the time one encounter more); 30% newcomers; 3 evenings at tables of 8."""
    problem = engine_instances.sfhh(min_minutes=2.0, newcomer_share=0.3, rounds=3, seed=0)
    ties = tuple(
        Tie(a=t.a, b=t.b, weight=round(min(5.0, 1 + math.log2(t.weight / 2.0)), 3))
        for t in problem.ties
    )
    return replace(problem, ties=ties)


def later_mean(result: dict, key: str) -> float | None:
    """Mean of a figure over editions 2 to the last (where it is defined)."""
    values = [e[key] for e in result["editions"][1:] if e[key] is not None]
    return statistics.fmean(values) if values else None


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_policies(problem: Problem) -> tuple[dict[str, list[dict]], dict[str, list[float]]]:
    results: dict[str, list[dict]] = {}
    seconds: dict[str, list[float]] = {}
    for policy in POLICIES:
        results[policy], seconds[policy] = [], []
        for seed in SEEDS:
            started = time.perf_counter()
            result = sim.simulate(problem, policy=policy, editions=EDITIONS, seed=seed)
            took = time.perf_counter() - started
            results[policy].append(result)
            seconds[policy].append(took)
            log(
                f"{policy} seed {seed}: {took:.1f} s, newcomer ties to returning (editions 2-5) "
                f"{fmt(later_mean(result, 'newcomer_ties_to_returning'))}"
            )
    return results, seconds


EDITION_KEYS = (
    ("attendees", 0),
    ("newcomers", 0),
    ("newcomer_ties_to_returning", 2),
    ("woven_in_share", 2),
    ("newcomer_return_rate", 3),
    ("hosts_who_were_newcomers", 0),
    ("largest_component_share", 2),
    ("clustering", 3),
    ("welcome_rate", 2),
    ("anchor_rate", 2),
)


def policy_tables(results: dict[str, list[dict]], seconds: dict[str, list[float]]) -> list[str]:
    out = []
    header = "| policy | edition | " + " | ".join(k.replace("_", " ") for k, _ in EDITION_KEYS)
    rule = "|---|---:|" + "---:|" * len(EDITION_KEYS)
    out += [header + " |", rule]
    for policy, runs in results.items():
        for e in range(EDITIONS):
            cells = []
            for key, digits in EDITION_KEYS:
                cells.append(fmt(median([run["editions"][e][key] for run in runs]), digits))
            out.append(f"| {policy} | {e + 1} | " + " | ".join(cells) + " |")
    out += ["", "Seconds per simulation (5 editions), median of the seeds:", ""]
    out += [
        "| policy | seconds (median) | seconds (each seed) | target <= 60 s |",
        "|---|---:|---|---|",
    ]
    for policy, secs in seconds.items():
        ok = statistics.median(secs) <= SECONDS_PER_POLICY
        each = ", ".join(f"{s:.1f}" for s in secs)
        out.append(
            f"| {policy} | {statistics.median(secs):.1f} | {each} | {'met' if ok else 'NOT met'} |"
        )
    return out


def comparison(results: dict[str, list[dict]]) -> tuple[list[str], dict[str, float | None]]:
    """Drink Tables against friends-first, editions 2-5 and edition 1, seed medians."""

    def figure(policy: str, key: str, editions: str) -> float | None:
        values = []
        for run in results[policy]:
            if editions == "later":
                values.append(later_mean(run, key))
            else:
                values.append(run["editions"][0][key])
        return median(values)

    lines = [
        "| figure | editions | drinktables | friends-first | random | mingle | drinktables / "
        "friends-first |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    summary: dict[str, float | None] = {}
    for key in ("newcomer_ties_to_returning", "woven_in_share", "newcomer_return_rate"):
        for editions in ("1", "later"):
            row = {p: figure(p, key, editions) for p in POLICIES}
            dt, ff = row["drinktables"], row["friends-first"]
            ratio = dt / ff if dt is not None and ff else None
            label = "1" if editions == "1" else "2-5 (mean)"
            digits = 3 if key == "newcomer_return_rate" else 2
            lines.append(
                f"| {key.replace('_', ' ')} | {label} | "
                + " | ".join(fmt(row[p], digits) for p in POLICIES)
                + f" | {fmt(ratio) if ff else 'friends-first: none'} |"
            )
            summary[f"{key}:{editions}:dt"] = dt
            summary[f"{key}:{editions}:ff"] = ff
    return lines, summary


def targets(summary: dict[str, float | None]) -> list[str]:
    def get(key: str, editions: str, who: str) -> float:
        value = summary[f"{key}:{editions}:{who}"]
        return math.nan if value is None else value

    out = []
    for editions, label in (("later", "editions 2-5"), ("1", "edition 1")):
        dt = get("newcomer_ties_to_returning", editions, "dt")
        ff = get("newcomer_ties_to_returning", editions, "ff")
        ratio = dt / ff if ff else math.inf
        shown = f"{ratio:.1f}x" if ff else "friends-first has none"
        out.append(
            f"- {'met' if ratio >= 3 else 'NOT met'}: {label}: newcomers' lasting ties to "
            f"returning attendees, drinktables >= 3x friends-first ({dt:.2f} vs {ff:.2f}: "
            f"{shown})"
        )
        for key, what in (
            ("woven_in_share", "more newcomers woven in"),
            ("newcomer_return_rate", "a higher newcomer return rate"),
        ):
            dt, ff = get(key, editions, "dt"), get(key, editions, "ff")
            if math.isnan(dt) or math.isnan(ff):
                continue
            out.append(
                f"- {'met' if dt > ff else 'NOT met'}: {label}: {what} ({dt:.3f} vs {ff:.3f})"
            )
    return out


def sweep(problem: Problem) -> list[str]:
    """Each assumed parameter low and high; Drink Tables against friends-first (editions 2-5
    means, averaged over SWEEP_SEEDS): does each conclusion hold?"""
    lines = [
        "| parameter | value | ties to returning: dt / ff (ratio) | >= 3x | woven in: dt / ff "
        "| dt more | newcomer return: dt / ff | dt higher |",
        "|---|---:|---|---|---|---|---|---|",
    ]
    variants = [("(defaults)", None)] + [
        (name, value) for name, values in SWEEP.items() for value in values
    ]
    for name, value in variants:
        params = {} if value is None else {name: value}
        keys = ("newcomer_ties_to_returning", "woven_in_share", "newcomer_return_rate")
        figures: dict[str, dict[str, float]] = {}
        for policy in ("drinktables", "friends-first"):
            runs = [
                sim.simulate(problem, policy=policy, editions=EDITIONS, seed=seed, params=params)
                for seed in SWEEP_SEEDS
            ]
            figures[policy] = {
                key: statistics.fmean(later_mean(run, key) or 0.0 for run in runs) for key in keys
            }
        dt, ff = figures["drinktables"], figures["friends-first"]
        ties_ratio = (
            dt["newcomer_ties_to_returning"] / ff["newcomer_ties_to_returning"]
            if ff["newcomer_ties_to_returning"]
            else math.inf
        )

        def yes(flag: bool) -> str:
            return "holds" if flag else "**does not**"

        shown = "" if value is None else f"{value:g}"
        lines.append(
            f"| {name} | {shown} | {fmt(dt['newcomer_ties_to_returning'])} / "
            f"{fmt(ff['newcomer_ties_to_returning'])} ({ties_ratio:.1f}x) | {yes(ties_ratio >= 3)} | "
            f"{fmt(dt['woven_in_share'])} / {fmt(ff['woven_in_share'])} | "
            f"{yes((dt['woven_in_share'] or 0) > (ff['woven_in_share'] or 0))} | "
            f"{fmt(dt['newcomer_return_rate'], 3)} / {fmt(ff['newcomer_return_rate'], 3)} | "
            f"{yes((dt['newcomer_return_rate'] or 0) > (ff['newcomer_return_rate'] or 0))} |"
        )
        log(lines[-1])
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-sweep", action="store_true", help="skip the sensitivity sweep")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    started = time.perf_counter()
    problem = first_edition()
    log(
        f"first edition: {len(problem.people)} people "
        f"({sum(p.newcomer for p in problem.people)} newcomers), {len(problem.ties)} ties"
    )
    results, seconds = run_policies(problem)
    compared, summary = comparison(results)
    sweep_lines = [] if args.no_sweep else sweep(problem)
    text = render(problem, results, seconds, compared, summary, sweep_lines, started)
    print(text)
    if not args.no_save and not args.no_sweep:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
        log(f"saved {RESULTS.relative_to(ROOT)}")
    return 0


def render(problem, results, seconds, compared, summary, sweep_lines, started) -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        commit = "?"
    newcomers = sum(p.newcomer for p in problem.people)
    out = [
        "# Outcomes of a conference series by seating policy",
        "",
        f"`python bench/bench_outcomes.py` (run by `make bench`), commit {commit or '?'}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs (one used), total {(time.perf_counter() - started) / 60:.1f} min.",
        "",
        f"First edition: the SFHH 2009 contact network ({len(problem.people)} people, "
        f"{newcomers} of them newcomers, {len(problem.ties)} ties: pairs with 2 minutes or more "
        "of contact, weight 1 + log2(minutes / 2) up to 5), 3 evenings at tables of 8. "
        f"{EDITIONS} editions per run, seeds {', '.join(map(str, SEEDS))}, default parameters "
        '(docs/outcomes.md). Figures are medians over the seeds; "editions 2-5" is the mean '
        "over those editions. Ties are *lasting* ties (weight >= 0.6 after the year's decay).",
        "",
        "## Drink Tables against friends-first",
        "",
        *compared,
        "",
        "## Targets",
        "",
        *targets(summary),
        "",
        "## Per edition (medians over the seeds)",
        "",
        *policy_tables(results, seconds),
        "",
    ]
    if sweep_lines:
        out += [
            "## Sensitivity to the assumed parameters",
            "",
            "Each assumed parameter at a low and a high value, the others at their defaults; "
            f"editions 2-5 means, averaged over seeds {', '.join(map(str, SWEEP_SEEDS))}; "
            "dt = drinktables, ff = friends-first. A conclusion "
            '"holds" when Drink Tables gives newcomers at least 3x the lasting ties to '
            "returning attendees, a larger woven-in share, a higher newcomer return rate.",
            "",
            *sweep_lines,
            "",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
