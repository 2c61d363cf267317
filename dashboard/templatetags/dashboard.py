"""Template helpers of the attendee dashboard: plain words and the growth chart."""

from django import template
from django.utils.translation import gettext_lazy as _

from attendees.enums import RSVPStatus
from conferences.enums import RoundStatus

register = template.Library()

ROUND_STATUS_WORDS = {
    RoundStatus.DRAFT: _("Not announced yet"),
    RoundStatus.OPEN: _("Say if you are going"),
    RoundStatus.MATCHED: _("Tables being arranged"),
    RoundStatus.PUBLISHED: _("Tables are out"),
    RoundStatus.HELD: _("Took place"),
    RoundStatus.CANCELLED: _("Cancelled"),
}
ROUND_STATUS_BADGES = {
    RoundStatus.PUBLISHED: "badge-ok",
    RoundStatus.HELD: "",
    RoundStatus.CANCELLED: "badge-bad",
    RoundStatus.MATCHED: "badge-warn",
}


@register.filter
def round_status_words(status: str) -> str:
    return ROUND_STATUS_WORDS.get(status, status)


@register.filter
def round_status_badge(status: str) -> str:
    return ROUND_STATUS_BADGES.get(status, "")


@register.filter
def rsvp_words(status: str | None) -> str:
    if status == RSVPStatus.GOING:
        return _("You are going.")
    if status == RSVPStatus.NOT_GOING:
        return _("You are not going.")
    return _("You have not answered yet.")


CHART_WIDTH = 320
CHART_HEIGHT = 160
CHART_TOP = 18  # room for the value above the tallest bar
CHART_BOTTOM = 22  # room for the year labels
MAX_YEAR_LABELS = 8


@register.inclusion_tag("dashboard/_growth_chart.html")
def growth_chart(growth) -> dict:
    """Bars of the total number of people met by the end of each year, as SVG geometry."""
    points = list(growth)
    if not points:
        return {"bars": []}
    peak = max(point.total for point in points) or 1
    slot = CHART_WIDTH / len(points)
    width = max(slot * 0.7, 2)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    every = max(1, -(-len(points) // MAX_YEAR_LABELS))
    bars = []
    for index, point in enumerate(points):
        height = max(plot * point.total / peak, 1 if point.total else 0)
        x = index * slot + (slot - width) / 2
        y = CHART_TOP + plot - height
        last = index == len(points) - 1
        bars.append(
            {
                "point": point,
                "x": round(x, 1),
                "y": round(y, 1),
                "width": round(width, 1),
                "height": round(height, 1),
                "center": round(x + width / 2, 1),
                "value_y": round(y - 4, 1),
                "show_value": last or point.new > 0 and len(points) <= MAX_YEAR_LABELS,
                "show_year": index % every == 0 or last,
                "label": f"{point.year}"
                if len(points) <= MAX_YEAR_LABELS
                else f"’{point.year % 100:02d}",
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "axis_y": CHART_HEIGHT - CHART_BOTTOM,
        "year_y": CHART_HEIGHT - 6,
        "first": points[0],
        "last": points[-1],
    }
