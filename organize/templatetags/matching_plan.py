"""Rows of the plan page, rendered in Python: for a round of 2,000 people, template loops (and
even ``format_html``) took most of the page's time. Every value is escaped with the standard
library's ``html.escape``; the result is marked safe only after that."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from matching.selectors.plans import SeatView

register = template.Library()

_NOTHING_SPECIAL = '<li class="muted">Meets new people here</li>'


def _list(items: list[str], css: str = "") -> str:
    opening = f'<li class="{css}">' if css else "<li>"
    return "".join(f"{opening}{escape(item)}</li>" for item in items)


@register.simple_tag
def seat_rows(
    seats: list[SeatView],
    *,
    movable: bool,
    found: frozenset[int] = frozenset(),
    keep: str = "",
    where: str = "",
) -> SafeString:
    """One ``<tr>`` per person: name, badges, a move link, and why they sit here.

    ``found``: people a search found, marked; ``keep``: the page's query string, kept by the
    move link; ``where``: the table's label, for the move dialog.
    """
    rows = []
    extra = f"&amp;{escape(keep)}" if keep else ""
    table = escape(f"table {where}")
    for seat in seats:
        name = escape(seat.name)
        badges = (' <span class="badge">Newcomer</span>' if seat.newcomer else "") + (
            ' <span class="badge badge-ok">Host</span>' if seat.host else ""
        )
        move = (
            f' <a class="small move-link no-print" href="?move={int(seat.pk)}{extra}#move"'
            f' data-move-person-id="{int(seat.pk)}" data-move-person-name="{name}"'
            f' data-move-person-where="{table}">Move'
            f'<span class="visually-hidden"> {name}</span></a>'
            if movable
            else ""
        )
        why = _list(seat.reasons) + _list(seat.warnings, "warning") or _NOTHING_SPECIAL
        marked = ' class="found"' if seat.pk in found else ""
        rows.append(
            f'<tr{marked}><th scope="row">{name}{badges}{move}</th>'
            f'<td><ul class="reasons">{why}</ul></td></tr>\n'
        )
    return mark_safe("".join(rows))
