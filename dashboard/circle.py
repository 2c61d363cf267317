"""The attendee's circle as a server-rendered SVG arc diagram (no script, no CDN).

Each person the attendee met is a row, grouped by the edition where they first met (newest
first), with the name in full-size text beside a dot; two people who met each other are
joined by an arc on the left. Years are told apart by the arcs' dash pattern and by the year
written on each group's heading, not by colour alone. Newcomers the attendee welcomed get a
ring and the words "you welcomed them" (and "came back"). A large network (more than
``PEOPLE_LIMIT`` people) shows one row per edition instead, with the number of people and of
links between editions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext

from attendees.selectors.network import Network

PEOPLE_LIMIT = 60
WIDTH = 360
ROW = 28
HEADING = 30
NODE_X = 150
LABEL_X = NODE_X + 12
TOP = 8
MAX_BULGE = 140
# Dash patterns by year, newest first: "solid", "long dashes", "short dashes", "dots", ...
DASHES = ["", "8 4", "4 3", "1.5 3", "10 3 2 3", "6 2 2 2 2 2"]
DASH_NAMES = [
    gettext_lazy("solid"),
    gettext_lazy("long dashes"),
    gettext_lazy("short dashes"),
    gettext_lazy("dots"),
    gettext_lazy("dash-dot"),
    gettext_lazy("dash-dot-dot"),
]


@dataclass(frozen=True)
class Legend:
    year: int
    dash: str
    name: str
    css: str


@dataclass(frozen=True)
class CircleChart:
    svg: SafeString
    legend: list[Legend]
    grouped: bool  # one row per edition (a large network)
    people: int
    links: int


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _year_styles(years: list[int]) -> dict[int, tuple[str, str, str]]:
    """(dash pattern, its name, CSS class) per year, newest first; years past the patterns
    reuse the last one."""
    styles = {}
    for index, year in enumerate(sorted(set(years), reverse=True)):
        i = min(index, len(DASHES) - 1)
        styles[year] = (DASHES[i], str(DASH_NAMES[i]), f"link-year-{min(index, 7)}")
    return styles


def _arc(y1: float, y2: float, dash: str, css: str, title: str, width: float = 1.5) -> str:
    top, bottom = min(y1, y2), max(y1, y2)
    bulge = min(MAX_BULGE, (bottom - top) / 2 + 10)
    return format_html(
        '<path class="circle-link {}" d="M{} {} C{} {} {} {} {} {}" stroke-width="{}"{}>'
        "<title>{}</title></path>",
        css,
        NODE_X,
        f"{top:.1f}",
        NODE_X - bulge,
        f"{top:.1f}",
        NODE_X - bulge,
        f"{bottom:.1f}",
        NODE_X,
        f"{bottom:.1f}",
        f"{width:.1f}",
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
        title,
    )


def circle_chart(network: Network) -> CircleChart | None:
    """The SVG of ``network``; None when the person has met nobody."""
    if not network.contacts:
        return None
    if len(network.contacts) > PEOPLE_LIMIT:
        return _grouped(network)
    return _people(network)


def _groups(network: Network) -> list[tuple[str, int, list]]:
    """(edition name, year, contacts) by the edition where each contact was first met, newest
    edition first; within one, by name."""
    first_place: dict[tuple[str, int], list] = defaultdict(list)
    for contact in network.contacts:
        place = contact.places[0] if contact.places else gettext("Elsewhere")
        first_place[(place, contact.first_met_on.year)].append(contact)
    return [
        (place, year, sorted(people, key=lambda c: (c.name, c.person_id)))
        for (place, year), people in sorted(
            first_place.items(), key=lambda item: (-item[0][1], item[0][0])
        )
    ]


def _people(network: Network) -> CircleChart:
    styles = _year_styles([link.year for link in network.links])
    rows: list[str] = []
    y = TOP
    where: dict[int, float] = {}
    names: dict[int, str] = {}
    for place, year, people in _groups(network):
        y += HEADING
        rows.append(
            format_html(
                '<text class="circle-group" x="{}" y="{}">{} · {}</text>',
                8,
                f"{y - 10:.1f}",
                _short(place, 34),
                year,
            )
        )
        for contact in people:
            welcomed = contact.person_id in network.welcomed
            back = contact.person_id in network.came_back
            y += ROW + (14 if welcomed else 0)
            cy = y - ROW / 2 - (7 if welcomed else 0)
            where[contact.person_id] = cy
            names[contact.person_id] = contact.name
            note = ""
            if welcomed:
                note = (
                    gettext("you welcomed them · came back")
                    if back
                    else gettext("you welcomed them")
                )
            rows.append(
                format_html(
                    '<g class="circle-person{}"><circle class="circle-node" cx="{}" cy="{}" r="5">'
                    "</circle>{}"
                    '<text class="circle-name" x="{}" y="{}">{}{}</text></g>',
                    " circle-welcomed" if welcomed else "",
                    NODE_X,
                    f"{cy:.1f}",
                    format_html(
                        '<circle class="circle-ring" cx="{}" cy="{}" r="9"></circle>',
                        NODE_X,
                        f"{cy:.1f}",
                    )
                    if welcomed
                    else "",
                    LABEL_X,
                    f"{cy + 4.5:.1f}",
                    _short(contact.name),
                    format_html(
                        '<tspan class="circle-note" x="{}" dy="15">{}</tspan>', LABEL_X, note
                    )
                    if note
                    else "",
                )
            )
    arcs = [
        _arc(
            where[link.a],
            where[link.b],
            styles[link.year][0],
            styles[link.year][2],
            gettext("%(a)s and %(b)s met (%(year)s)")
            % {"a": names[link.a], "b": names[link.b], "year": link.year},
        )
        for link in network.links
        if link.a in where and link.b in where
    ]
    height = y + TOP
    description = gettext(
        "The %(people)s people you met, by the edition where you first met, newest first; "
        "%(arcs)s arcs join people who met each other. The same people are listed below."
    ) % {"people": len(where), "arcs": len(arcs)}
    return CircleChart(
        svg=_frame(height, description, "".join(arcs) + "".join(rows)),
        legend=_legend(styles),
        grouped=False,
        people=len(where),
        links=len(arcs),
    )


def _grouped(network: Network) -> CircleChart:
    groups = _groups(network)
    group_of = {c.person_id: i for i, (_p, _y, people) in enumerate(groups) for c in people}
    between: Counter = Counter()
    latest: dict[tuple[int, int], int] = {}
    within: Counter = Counter()
    for link in network.links:
        ga, gb = group_of.get(link.a), group_of.get(link.b)
        if ga is None or gb is None:
            continue
        if ga == gb:
            within[ga] += 1
            continue
        key = (min(ga, gb), max(ga, gb))
        between[key] += 1
        latest[key] = max(link.year, latest.get(key, link.year))
    styles = _year_styles(list(latest.values()))
    rows, where = [], {}
    y = TOP
    for index, (place, year, people) in enumerate(groups):
        y += ROW + 14
        cy = y - ROW / 2
        where[index] = cy
        welcomed = sum(1 for c in people if c.person_id in network.welcomed)
        back = sum(1 for c in people if c.person_id in network.came_back)
        note = ""
        if welcomed:
            note = " · " + (
                gettext("%(welcomed)s welcomed, %(back)s came back")
                if back
                else gettext("%(welcomed)s welcomed")
            ) % {"welcomed": welcomed, "back": back}
        rows.append(
            format_html(
                '<g class="circle-person{}"><circle class="circle-node" cx="{}" cy="{}" r="{}">'
                '</circle><text class="circle-name" x="{}" y="{}">{} · {}</text>'
                '<text class="circle-note" x="{}" y="{}">{}, {}{}</text></g>',
                " circle-welcomed" if welcomed else "",
                NODE_X,
                f"{cy:.1f}",
                f"{min(12.0, 4 + 2 * math.sqrt(len(people))):.1f}",
                LABEL_X + 6,
                f"{cy - 2:.1f}",
                _short(place, 18),
                year,
                LABEL_X + 6,
                f"{cy + 12:.1f}",
                ngettext("%(count)s person", "%(count)s people", len(people))
                % {"count": len(people)},
                ngettext("%(count)s link inside", "%(count)s links inside", within[index])
                % {"count": within[index]},
                note,
            )
        )
    arcs = [
        _arc(
            where[a],
            where[b],
            styles[latest[(a, b)]][0],
            styles[latest[(a, b)]][2],
            ngettext(
                "%(count)s link between %(a)s and %(b)s",
                "%(count)s links between %(a)s and %(b)s",
                count,
            )
            % {"count": count, "a": groups[a][0], "b": groups[b][0]},
            width=min(6.0, 1 + math.log2(count)),
        )
        for (a, b), count in sorted(between.items())
    ]
    description = gettext(
        "The %(people)s people you met, one row per edition where you first met; arcs join "
        "editions whose people met each other, thicker for more links."
    ) % {"people": len(network.contacts)}
    return CircleChart(
        svg=_frame(y + TOP, description, "".join(arcs) + "".join(rows)),
        legend=_legend(styles),
        grouped=True,
        people=len(network.contacts),
        links=sum(between.values()) + sum(within.values()),
    )


def _legend(styles: dict[int, tuple[str, str, str]]) -> list[Legend]:
    return [
        Legend(year=year, dash=dash, name=name, css=css)
        for year, (dash, name, css) in sorted(styles.items(), reverse=True)
    ]


def _frame(height: float, description: str, body: str) -> SafeString:
    return format_html(
        '<svg class="circle-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="circle-title circle-desc" focusable="false">'
        '<title id="circle-title">{}</title><desc id="circle-desc">{}</desc>{}</svg>',
        WIDTH,
        f"{height:.0f}",
        gettext("Your circle"),
        description,
        mark_safe(body),  # built from format_html pieces only
    )
