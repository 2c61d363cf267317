"""The what-if of the insights page, ready to show: a table per policy and edition with the
sensitivity range, and a chart (``matching.services.whatif`` computes it)."""

from dataclasses import dataclass
from typing import Any

from matching.models import WhatIfSimulation
from organize.insights.charts import Chart, Series, bar_chart

POLICY_NAMES = {
    "drinktables": "Drink Tables",
    "friends-first": "Friends first",
    "mingle": "Mingling, no seating",
}
POLICY_CLASSES = {
    "drinktables": "bar-welcome",
    "friends-first": "bar-anchor-baseline",
    "mingle": "bar-returning",
}


@dataclass(frozen=True)
class Figure:
    value: float | None
    low: float | None
    high: float | None

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None and self.low != self.high


@dataclass(frozen=True)
class WhatIfRow:
    policy: str
    policy_name: str
    edition: int
    ties: Figure
    woven_in: Figure
    returned: Figure
    last: bool = False  # the last simulated edition: nobody can return after it

    @property
    def edition_label(self) -> str:
        return "This edition, again" if self.edition == 1 else f"Next edition {self.edition - 1}"


@dataclass(frozen=True)
class WhatIfView:
    simulation: WhatIfSimulation
    start: dict[str, Any]
    rows: list[WhatIfRow]
    chart: Chart
    sensitivity: dict[str, dict[str, float]]


def two_decimals(value: float) -> str:
    return f"{value:.2f}"


def _figure(result: dict, policy: str, index: int, key: str) -> Figure:
    values = []
    for scenario in ("default", "low", "high"):
        rows = result["scenarios"].get(scenario, {}).get(policy, [])
        values.append(rows[index].get(key) if index < len(rows) else None)
    value = values[0]
    known = [v for v in values if v is not None]
    return Figure(
        value=value,
        low=min(known) if known else None,
        high=max(known) if known else None,
    )


def whatif_view(simulation: WhatIfSimulation | None) -> WhatIfView | None:
    """The finished what-if as rows and a chart; None before one has succeeded."""
    if simulation is None or not simulation.result:
        return None
    result = simulation.result
    rows = []
    for policy in result["policies"]:
        for index in range(result["editions"]):
            rows.append(
                WhatIfRow(
                    policy=policy,
                    policy_name=POLICY_NAMES.get(policy, policy),
                    edition=index + 1,
                    ties=_figure(result, policy, index, "newcomer_ties_to_returning"),
                    woven_in=_figure(result, policy, index, "woven_in_share"),
                    returned=_figure(result, policy, index, "newcomer_return_rate"),
                    last=index == result["editions"] - 1,
                )
            )
    categories = [
        "This edition, again" if n == 1 else f"Next edition {n - 1}"
        for n in range(1, result["editions"] + 1)
    ]
    series = []
    for policy in result["policies"]:
        mine = [r for r in rows if r.policy == policy]
        series.append(
            Series(
                POLICY_NAMES.get(policy, policy),
                POLICY_CLASSES.get(policy, "bar-returning"),
                [r.ties.value for r in mine],
                ranges=[(r.ties.low, r.ties.high) if r.ties.has_range else None for r in mine],
            )
        )
    chart = bar_chart(
        chart_id="chart-whatif",
        title="What if: newcomers' lasting ties to returning attendees",
        description=(
            "For each simulated edition and seating policy, the mean number of lasting ties an "
            "edition's newcomer holds to returning attendees afterwards; the whiskers span the "
            "lowest to the highest over the default, low and high settings of the assumed "
            "parameters. The table below has the numbers."
        ),
        categories=categories,
        series=series,
        value_format=two_decimals,
    )
    return WhatIfView(
        simulation=simulation,
        start=result["start"],
        rows=rows,
        chart=chart,
        sensitivity=result.get("sensitivity", {}),
    )
