"""The organizer's what-if (``matching.services.whatif``) on a 400-person conference.

The insights' "what if" runs ``whatif_simulate``: Drink Tables, friends-first and mingling for
four editions (the conference again, then three more), with the default, low and high assumed
parameters: nine simulated series. This times it on the SFHH first edition of
bench_outcomes.py (400 people, 30% newcomers, 3 evenings at tables of 8) and writes
bench/results/whatif.md with the figures the page would show. Needs no services.

    python bench/bench_whatif.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from bench.bench_outcomes import first_edition  # noqa: E402
from bench.services import results_write  # noqa: E402
from matching.services.whatif import POLICIES, SCENARIOS, whatif_simulate  # noqa: E402


def fmt(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main() -> int:
    problem = first_edition()
    started = time.perf_counter()
    result = whatif_simulate(problem)
    seconds = time.perf_counter() - started
    lines = [
        f"Start: {result['start']['people']} people ({result['start']['newcomers']} newcomers), "
        f"{result['start']['ties']} ties ({result['start']['lasting_ties']} lasting), "
        f"{result['start']['tables']} tables, {result['start']['evenings']} evenings. "
        f"{len(SCENARIOS)} scenarios × {len(POLICIES)} policies × {result['editions']} editions.",
        "",
        f"**Total: {seconds:.1f} s** (the Celery task's time, without reading the database).",
        "",
        "| policy | edition | ties to returning (default; low setting–high setting) | woven in | return |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for policy in POLICIES:
        for index in range(result["editions"]):
            row = {s: result["scenarios"][s][policy][index] for s in SCENARIOS}
            key = "newcomer_ties_to_returning"
            lines.append(
                f"| {policy} | {index + 1} | {fmt(row['default'][key])}; "
                f"{fmt(row['low'][key])}–{fmt(row['high'][key])} | "
                f"{fmt(row['default']['woven_in_share'])} | "
                f"{fmt(row['default']['newcomer_return_rate'])} |"
            )
    text = "\n".join(lines)
    print(text)
    results_write("whatif", title="What if: the insights' simulation on 400 people", lines=lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
