"""Rows of the plan page, rendered in Python: for a round of 2,000 people, template loops (and
even ``format_html``) took most of the page's time. Every value is escaped with the standard
library's ``html.escape``; the result is marked safe only after that."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from matching.selectors.plans import PlanView, SeatView

register = template.Library()

_NOTHING_SPECIAL = '<li class="muted">Meets new people here</li>'


def _list(items: list[str], css: str = "") -> str:
    opening = f'<li class="{css}">' if css else "<li>"
    return "".join(f"{opening}{escape(item)}</li>" for item in items)


@register.simple_tag
def seat_rows(seats: list[SeatView], *, movable: bool) -> SafeString:
    """One ``<tr>`` per person: name, badges, a move link, and why they sit here."""
    rows = []
    for seat in seats:
        name = escape(seat.name)
        badges = (' <span class="badge">Newcomer</span>' if seat.newcomer else "") + (
            ' <span class="badge badge-ok">Host</span>' if seat.host else ""
        )
        move = (
            f' <a class="small move-link no-print" href="?move={int(seat.pk)}#move">Move'
            f'<span class="visually-hidden"> {name}</span></a>'
            if movable
            else ""
        )
        why = _list(seat.reasons) + _list(seat.warnings, "warning") or _NOTHING_SPECIAL
        rows.append(
            f'<tr><th scope="row">{name}{badges}{move}</th>'
            f'<td><ul class="reasons">{why}</ul></td></tr>\n'
        )
    return mark_safe("".join(rows))


@register.simple_tag
def person_options(plan: PlanView, selected: int | None) -> SafeString:
    """The move form's people, grouped by table, then those without a seat."""
    groups = [
        (f"Table {view.table.label}", [(seat.pk, seat.name) for seat in view.seats])
        for view in plan.tables
        if view.seats
    ]
    if plan.unseated:
        groups.append(
            ("Without a seat", [(person.pk, person.display_name) for person in plan.unseated])
        )
    parts = []
    for label, people in groups:
        options = "".join(
            f'<option value="{int(pk)}"{" selected" if pk == selected else ""}>'
            f"{escape(name)}</option>"
            for pk, name in people
        )
        parts.append(f'<optgroup label="{escape(label)}">{options}</optgroup>')
    return mark_safe("\n".join(parts))
