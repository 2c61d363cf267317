"""A conference's clock: times are typed and read in the conference's time zone.

Organizers type a round's start and end as the wall-clock time where the conference takes
place, whatever the server's or their browser's zone; every page, e-mail, calendar file and
export shows it there and names the zone. ``local_to_aware`` reads a typed time (refusing one
that the clocks skip, or pass twice, on a daylight-saving night); ``local_time_range`` writes a
round's evening for people ("Sunday 1 November, 18:30–20:30 CST").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import dateformat, timezone
from django.utils.translation import gettext

from conferences.models import Conference
from config.exceptions import ServiceError


def conference_zone(conference) -> zoneinfo.ZoneInfo | None:
    """The conference's zone, or None while its name is not a zone (a form not yet valid)."""
    try:
        return conference.tzinfo
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def person_zone(*, person) -> zoneinfo.ZoneInfo:
    """For a moment that belongs to no one conference (a calendar subscription last read): the
    zone of the person's latest conference, where they are or were last; UTC without one."""
    latest = (
        Conference.objects.filter(attendances__person=person)
        .order_by("-starts_on", "-pk")
        .only("time_zone")
        .first()
    )
    return (conference_zone(latest) if latest is not None else None) or zoneinfo.ZoneInfo("UTC")


def _offset(moment: dt.datetime) -> str:
    total = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def local_to_aware(
    value: dt.datetime, *, zone: zoneinfo.ZoneInfo, field: str | None = None
) -> dt.datetime:
    """The moment a wall-clock ``value`` names in ``zone``; an aware ``value`` is kept.

    A time the clocks skip (the night daylight saving time starts) or pass twice (the night it
    ends) is refused with a ``ServiceError`` that says so and what to do instead.
    """
    if timezone.is_aware(value):
        return value
    first = value.replace(tzinfo=zone, fold=0)
    second = value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    when = f"{value:%H:%M} on {dateformat.format(value, 'j F Y')}"
    back = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != value:
        raise ServiceError(
            f"{when} does not exist in {zone.key}: the clocks skip that hour when daylight "
            "saving time starts. Choose a time outside that hour.",
            field=field,
        )
    raise ServiceError(
        f"{when} happens twice in {zone.key}: the clocks go back that night. Choose a time "
        f"outside that hour, or give the offset ({_offset(first)} for the first, "
        f"{_offset(second)} for the second) where you can.",
        field=field,
    )


def zone_label(zone: zoneinfo.ZoneInfo | None) -> str:
    """How a form names the zone times are typed in ("America/Chicago")."""
    return zone.key if zone is not None else "the conference's local time"


def local_time_range(
    starts_at: dt.datetime, ends_at: dt.datetime, *, zone: zoneinfo.ZoneInfo
) -> str:
    """ "Sunday 1 November, 18:30–20:30 CST": the evening where it happens, zone named."""
    starts = timezone.localtime(starts_at, zone)
    ends = timezone.localtime(ends_at, zone)
    day_and_time = gettext("l j F, H:i")  # the active language's order ("jeudi 2 mai, 19:00")
    end_format = "H:i T" if starts.date() == ends.date() else f"{day_and_time} T"
    start_format = day_and_time if starts.tzname() == ends.tzname() else f"{day_and_time} T"
    return f"{dateformat.format(starts, start_format)}–{dateformat.format(ends, end_format)}"
