"""Charts as inline SVG drawn on the server: no chart library, nothing from a CDN.

Colours come from CSS classes (static/organize/organize.css), never from style attributes,
so the strict Content-Security-Policy holds. Every chart has a title and a description for
screen readers; the pages put a table with the same numbers beside it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
PLOT_HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 18, 44
ROW_HEIGHT, ROW_GAP, LABEL_WIDTH, TOTAL_WIDTH = 18, 6, 84, 40


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    values: list[float | None]
    # (low, high) per category, drawn as a whisker over the bar (a sensitivity range)
    ranges: list[tuple[float, float] | None] | None = None


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    svg: SafeString
    legend: list[Series]

    @property
    def legend_html(self) -> SafeString:
        return format_html(
            '<ul class="chart-legend">{}</ul>',
            format_html_join(
                "",
                '<li><span class="swatch {}" aria-hidden="true"></span>{}</li>',
                ((s.css_class, s.name) for s in self.legend),
            ),
        )


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def decimal(value: float) -> str:
    return f"{value:.1f}"


def _n(value: float) -> str:
    return f"{value:.1f}"


def _short(label: str, width: float) -> str:
    """Cut a label to what fits under its bars (about 7 px a character at 12 px)."""
    fits = max(3, int(width / 7))
    return label if len(label) <= fits else label[: fits - 1] + "…"


def _frame(chart_id: str, title: str, description: str, height: float, body: str) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'focusable="false"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        _n(height),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe(body),  # built from format_html pieces only
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    max_value: float | None = None,
    value_format: Callable[[float], str] = percent,
) -> Chart:
    """Vertical bars, one group per category and one bar per series; None leaves a gap."""
    values = [v for s in series for v in s.values if v is not None] + [
        bound for s in series for span in (s.ranges or []) if span for bound in span
    ]
    top = max_value if max_value is not None else max(values, default=0.0)
    top = top or 1.0
    plot_width = WIDTH - LEFT - RIGHT
    group = plot_width / max(1, len(categories))
    bar = min(32.0, group * 0.8 / max(1, len(series)))
    parts: list[str] = []
    for step in range(5):
        value = top * step / 4
        y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * step / 4
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _n(y),
                _n(y),
                LEFT - 6,
                _n(y + 4),
                value_format(value),
            )
        )
    for index, category in enumerate(categories):
        start = LEFT + group * index + (group - bar * len(series)) / 2
        for offset, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            height = PLOT_HEIGHT * min(value, top) / top
            x = start + bar * offset
            y = TOP + PLOT_HEIGHT - height
            parts.append(
                format_html(
                    '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {} {}</title></rect>"
                    '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    one.css_class,
                    _n(x + 1),
                    _n(y),
                    _n(max(bar - 2, 1)),
                    _n(height),
                    category,
                    one.name,
                    value_format(value),
                    _n(x + bar / 2),
                    _n(y - 4),
                    value_format(value),
                )
            )
            span = one.ranges[index] if one.ranges else None
            if span is not None:
                low, high = (PLOT_HEIGHT * min(v, top) / top for v in span)
                middle = x + bar / 2
                parts.append(
                    format_html(
                        '<path class="chart-range" d="M{} {}V{}M{} {}h{}M{} {}h{}">'
                        "<title>{}: {} {} to {}</title></path>",
                        _n(middle),
                        _n(TOP + PLOT_HEIGHT - low),
                        _n(TOP + PLOT_HEIGHT - high),
                        _n(middle - 4),
                        _n(TOP + PLOT_HEIGHT - low),
                        8,
                        _n(middle - 4),
                        _n(TOP + PLOT_HEIGHT - high),
                        8,
                        category,
                        one.name,
                        value_format(span[0]),
                        value_format(span[1]),
                    )
                )
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}<title>{}</title></text>',
                _n(LEFT + group * index + group / 2),
                _n(TOP + PLOT_HEIGHT + 18),
                _short(category, group),
                category,
            )
        )
    height = TOP + PLOT_HEIGHT + BOTTOM
    return Chart(
        chart_id, title, _frame(chart_id, title, description, height, "".join(parts)), series
    )


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
) -> Chart:
    """Horizontal bars, one row per category, its series stacked left to right, total at the end."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    plot_width = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    parts: list[str] = []
    for index, category in enumerate(categories):
        y = TOP + index * (ROW_HEIGHT + ROW_GAP)
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_WIDTH - 6,
                _n(y + ROW_HEIGHT - 4),
                _short(category, LABEL_WIDTH - 6),
            )
        )
        x = float(LABEL_WIDTH)
        for one in series:
            value = one.values[index] or 0
            if not value:
                continue
            width = plot_width * value / top
            parts.append(
                format_html(
                    '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {} {}</title></rect>",
                    one.css_class,
                    _n(x),
                    _n(y),
                    _n(width),
                    ROW_HEIGHT,
                    category,
                    _n(value).removesuffix(".0"),
                    one.name,
                )
            )
            x += width
        parts.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                _n(x + 4),
                _n(y + ROW_HEIGHT - 4),
                _n(totals[index]).removesuffix(".0"),
            )
        )
    height = TOP + len(categories) * (ROW_HEIGHT + ROW_GAP) + 8
    return Chart(
        chart_id, title, _frame(chart_id, title, description, height, "".join(parts)), series
    )


# The insight pages' charts -----------------------------------------------------------------


def round_rates_chart(insights) -> Chart:
    """Welcome and anchor rates per round, each beside friends-first seating when known."""
    rounds = insights.rounds
    series = [Series("Welcome: this plan", "bar-welcome", [r.plan.welcome_rate for r in rounds])]
    if insights.has_baseline:
        series.append(
            Series(
                "Welcome: friends first",
                "bar-welcome-baseline",
                [r.friends_first.welcome_rate if r.friends_first else None for r in rounds],
            )
        )
    series.append(Series("Anchor: this plan", "bar-anchor", [r.plan.anchor_rate for r in rounds]))
    if insights.has_baseline:
        series.append(
            Series(
                "Anchor: friends first",
                "bar-anchor-baseline",
                [r.friends_first.anchor_rate if r.friends_first else None for r in rounds],
            )
        )
    return bar_chart(
        chart_id="chart-rates",
        title="Welcome and anchor rates by round",
        description=(
            "For each round, the share of newcomers seated with a circle of friends (welcome) "
            "and of returning people seated with a friend (anchor). The table beside has the "
            "same numbers."
        ),
        categories=[r.round.name for r in rounds],
        series=series,
        max_value=1.0,
    )


def composition_chart(insight) -> Chart:
    rows = insight.composition()
    return stacked_bars(
        chart_id=f"chart-tables-{insight.round.pk}",
        title=f"Who sat at each table: {insight.round.name}",
        description=(
            "For each table, returning attendees and newcomers. The table beside has the same "
            "numbers."
        ),
        categories=[label for label, _, _ in rows],
        series=[
            Series("Returning", "bar-returning", [returning for _, returning, _ in rows]),
            Series("Newcomers", "bar-newcomers", [newcomers for _, _, newcomers in rows]),
        ],
    )


def came_back_chart(editions) -> Chart:
    return bar_chart(
        chart_id="chart-came-back",
        title="Newcomers of the edition before who came back",
        description=(
            "For each edition, the share of the previous edition's newcomers who attended it. "
            "The table beside has the same numbers."
        ),
        categories=[e.conference.name for e in editions],
        series=[Series("Came back", "bar-welcome", [e.came_back_rate for e in editions])],
        max_value=1.0,
    )


def new_ties_chart(editions) -> Chart:
    return bar_chart(
        chart_id="chart-new-ties",
        title="New ties per attendee, by edition",
        description=(
            "For each edition, the pairs of people who met for the first time there, divided "
            "by its attendees. The table beside has the same numbers."
        ),
        categories=[e.conference.name for e in editions],
        series=[
            Series(
                "New ties per attendee", "bar-anchor", [e.new_ties_per_attendee for e in editions]
            )
        ],
        value_format=decimal,
    )
