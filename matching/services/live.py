"""Changes to a published round: "I can't come", late RSVPs, walk-ins, the waiting list,
blocks against a tablemate, check-in at the door (docs/design.md §5, "After publishing").

Everyone else keeps their seat. A person going without a seat is seated at the best table
with room (``matching.engine.insertion``: the hard constraints for them, no pair that already
shared a table at this conference, and the engine's own objective to rank the rest); when no
table has room, or the round's ``auto_seat_late`` is off, they join the round's waiting list,
which is seated first come, first served whenever a seat frees up. Every write here holds the
round's row lock (``config.db.locked``), so two late RSVPs never take the last seat twice.
People whose table changed are told by the notices (``notices_enqueue``), after the commit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from attendees.emails import email_canonical
from attendees.enums import RSVPStatus
from attendees.models import Attendance, Block, Encounter, Person, RoundRSVP
from attendees.registrations import attendances_upsert
from attendees.selectors.people import (
    newcomer_ids,
    person_for_organizer,
    tie_weights_before_round,
)
from attendees.selectors.wishes import mutual_sit_together_pairs
from attendees.services import block_create, rsvp_set
from attendees.ties import tie_weights_from
from conferences.enums import PLAN_VISIBLE_STATUSES, RoundStatus
from conferences.models import DrinkTable, MeetupRound
from conferences.scoping import round_for_organizer
from config.db import locked
from config.exceptions import Conflict, ServiceError
from matching import engine
from matching.engine.insertion import Insertion, insertion_options
from matching.models import Seat, SeatNotification, SeatRelease, TableAlert, WaitingEntry
from matching.selectors.problem import person_key, pk_of_key, round_tables, table_key
from matching.services.notices import notices_enqueue, notices_settle_unchanged
from matching.services.seating import plan_rescore_later

logger = logging.getLogger(__name__)

# Why no table took someone, for the organizer (a block is never named: "private request").
REFUSAL_WORDS = {
    "capacity": "full",
    "avoid": "a private request",
    "repeat": "already sat together at this conference",
    "accessible": "not accessible",
    "pinned": "hosts another table",
    "together": "sits with the person they asked for",
}
ONE_ROUND = (1,)
NOTHING_FITS = (
    "No table has a free seat that keeps the rules (room, accessible seating, nobody they sat "
    "with earlier at this conference, private requests)."
)


@dataclass(frozen=True)
class Placement:
    """Where a person stands in a published round after a change: seated at a table, on the
    waiting list, or neither (not going)."""

    person_id: int
    person_name: str
    table_id: int | None = None
    table_label: str = ""
    table_location: str = ""
    waiting: bool = False
    message: str = ""

    @property
    def seated(self) -> bool:
        return self.table_id is not None


# ---------------------------------------------------------------------------------------------
# Where one person fits


def live_problem(*, round: MeetupRound, person_id: int) -> tuple[engine.Problem, engine.RoundPlan]:
    """The published plan and an engine problem with just what seating ``person_id`` into it
    needs (``matching.engine.insertion``): everyone seated and the person; ties between
    tablemates and the person's ties; the person's history at this conference, blocks, pin
    and together partners. A few indexed queries instead of the whole round's ties, so a
    walk-in into a 2,000-person round answers in a fraction of a second."""
    run_id = round.published_run_id
    tables = round_tables(round=round)
    table_ids = {t.pk for t in tables}
    seats = [
        (person, table)
        for person, table in Seat.objects.filter(run_id=run_id).values_list("person_id", "table_id")
        if table in table_ids
    ]
    seated = {person for person, _table in seats}
    everyone = sorted(seated | {person_id})
    conference = round.conference

    person = Person.objects.filter(pk=person_id).values("needs_accessible_seating").first() or {}
    topics: dict[int, list[str]] = defaultdict(list)
    for pk, slug in (
        Person.topics.through.objects.filter(person__seats__run_id=run_id)
        .order_by("topic__slug")
        .values_list("person_id", "topic__slug")
    ):
        topics[pk].append(slug)
    for slug in (
        Person.topics.through.objects.filter(person_id=person_id)
        .order_by("topic__slug")
        .values_list("topic__slug", flat=True)
    ):
        if slug not in topics[person_id]:
            topics[person_id].append(slug)
    newcomers = newcomer_ids(conference=conference)

    ties = dict(tablemate_ties(round=round))
    ties.update(_ties_of(round=round, person_id=person_id))
    present = set(everyone)
    history = _history_of(round=round, person_id=person_id)
    avoid = {
        tuple(sorted(pair))
        for pair in Block.objects.filter(
            Q(blocker_id=person_id) | Q(blocked_id=person_id)
        ).values_list("blocker_id", "blocked_id")
        if pair[0] in present and pair[1] in present
    }
    together = {
        pair
        for pair in mutual_sit_together_pairs(conference=conference, among=present)
        if person_id in pair
    }
    pins = [
        engine.Pin(person=person_key(person_id), table=table_key(t.pk))
        for t in tables
        if t.host_id == person_id
    ][:1]
    problem = engine.Problem(
        rounds=1,
        people=tuple(
            engine.Person(
                id=person_key(pk),
                newcomer=pk in newcomers,
                topics=tuple(topics.get(pk, ())),
                accessible=pk == person_id and bool(person.get("needs_accessible_seating")),
                attends=ONE_ROUND,  # given, so the Problem need not fill it in (2,000 copies)
            )
            for pk in everyone
        ),
        tables=tuple(
            engine.Table(
                id=table_key(t.pk), capacity=t.capacity, accessible=t.accessible, rounds=ONE_ROUND
            )
            for t in tables
        ),
        ties=tuple(
            engine.Tie(a=person_key(a), b=person_key(b), weight=round_weight)
            for (a, b), weight in sorted(ties.items())
            if a in present and b in present and (round_weight := round_tie(weight)) > 0
        ),
        history=tuple(
            tuple(person_key(pk) for pk in group)
            for group in history
            if person_id in group and len(group) > 1
        ),
        avoid=tuple((person_key(a), person_key(b)) for a, b in sorted(avoid)),
        together=tuple((person_key(a), person_key(b)) for a, b in sorted(together)),
        pinned=tuple(pins),
    )
    members: dict[str, list[str]] = {table_key(t.pk): [] for t in tables}
    for pk, table in sorted(seats):
        if pk != person_id:
            members[table_key(table)].append(person_key(pk))
    plan = engine.RoundPlan(
        round=1, tables={key: tuple(value) for key, value in members.items()}, unseated=()
    )
    return problem, plan


def round_tie(weight: float) -> float:
    return round(weight, 4)


def tablemate_ties(*, round: MeetupRound) -> dict[tuple[int, int], float]:
    """Ties (before the round, ``encounters_before_round``'s rule) between people who share a
    table in its published plan: one query joining each encounter to both people's seats."""
    run_id = round.published_run_id
    encounters = (
        Encounter.objects.filter(
            person_a__seats__run_id=run_id,
            person_b__seats__run_id=run_id,
            person_a__seats__table_id=F("person_b__seats__table_id"),
            occurred_on__lte=round.local_date,
        )
        .exclude(round_id=round.pk)
        .exclude(round__starts_at__gt=round.starts_at)
        .exclude(round__starts_at=round.starts_at, round_id__gt=round.pk)
        .order_by()
        .values_list("person_a_id", "person_b_id", "kind", "occurred_on")
    )
    # A list, not a server-side cursor: a round's tablemate ties are few.
    return tie_weights_from(list(encounters), as_of=round.local_date)


def _ties_of(*, round: MeetupRound, person_id: int) -> dict[tuple[int, int], float]:
    others = set(
        Encounter.objects.filter(person_a_id=person_id).values_list("person_b_id", flat=True)
    ) | set(Encounter.objects.filter(person_b_id=person_id).values_list("person_a_id", flat=True))
    if not others:
        return {}
    weights = tie_weights_before_round(round=round, person_ids=sorted(others | {person_id}))
    return {pair: weight for pair, weight in weights.items() if person_id in pair}


def _history_of(*, round: MeetupRound, person_id: int) -> list[list[int]]:
    """The tables ``person_id`` shared at the conference's other published or held rounds."""
    mine = Seat.objects.filter(
        person_id=person_id,
        run__round__conference_id=round.conference_id,
        run__round__status__in=PLAN_VISIBLE_STATUSES,
    ).exclude(run__round=round)
    groups = []
    for run_id, table_id, published in mine.values_list(
        "run_id", "table_id", "run__round__published_run_id"
    ):
        if run_id != published:
            continue
        groups.append(
            list(
                Seat.objects.filter(run_id=run_id, table_id=table_id).values_list(
                    "person_id", flat=True
                )
            )
        )
    return groups


def _insertion(meetup_round: MeetupRound, person_id: int) -> Insertion:
    problem, plan = live_problem(round=meetup_round, person_id=person_id)
    return insertion_options(problem, plan, person_key(person_id))


def _why_not(insertion: Insertion) -> str:
    if not insertion.refused:
        return "This round has no tables."
    counts: dict[str, int] = defaultdict(int)
    for reason in insertion.refused.values():
        counts[REFUSAL_WORDS.get(reason, reason)] += 1
    detail = ", ".join(f"{count} {words}" for words, count in sorted(counts.items()))
    return f"{NOTHING_FITS} Tables: {detail}."


# ---------------------------------------------------------------------------------------------
# Seating, releasing, the waiting list (all under the round's row lock)


def _lock_round(round_id: int) -> MeetupRound:
    return locked(MeetupRound.objects.filter(pk=round_id)).select_related("conference").get()


def _require_published(meetup_round: MeetupRound, what: str) -> None:
    if meetup_round.status != RoundStatus.PUBLISHED:
        raise Conflict(
            f"{what} works once the plan is published; this round is "
            f"{meetup_round.get_status_display().lower()}."
        )


def _placement(meetup_round: MeetupRound, person: Person, message: str = "") -> Placement:
    seat = (
        Seat.objects.filter(run_id=meetup_round.published_run_id, person=person)
        .select_related("table")
        .first()
        if meetup_round.published_run_id
        else None
    )
    waiting = WaitingEntry.objects.filter(round=meetup_round, person=person).exists()
    return Placement(
        person_id=person.pk,
        person_name=person.display_name,
        table_id=seat.table_id if seat else None,
        table_label=seat.table.label if seat else "",
        table_location=seat.table.location if seat else "",
        waiting=waiting,
        message=message,
    )


def _seat(meetup_round: MeetupRound, person: Person, table_id: int) -> None:
    _revision_past_a_cancellation(meetup_round, person)
    Seat.objects.create(run_id=meetup_round.published_run_id, person=person, table_id=table_id)
    plan_rescore_later(run_id=meetup_round.published_run_id)
    WaitingEntry.objects.filter(round=meetup_round, person=person).delete()
    release = (
        SeatRelease.objects.filter(round=meetup_round, table_id=table_id, taken_by__isnull=True)
        .order_by("released_at", "pk")
        .first()
    )
    if release is not None:
        release.taken_by = person
        release.save(update_fields=["taken_by"])


def _revision_past_a_cancellation(meetup_round: MeetupRound, person: Person) -> None:
    """Someone told this round's cancellation of their seat ("I can't come") at the current
    revision, and now seated again, must get the new seat as a higher revision: a calendar
    ignores an event at the revision it already saw cancelled (RFC 5546). The round's revision
    grows; everyone else is recorded as told it (nothing they know changed), so only this person
    is e-mailed. Under the round's row lock."""
    cancelled = SeatNotification.objects.filter(
        round=meetup_round,
        person=person,
        table__isnull=True,
        sequence=meetup_round.calendar_sequence,
    ).exists()
    if not cancelled:
        return
    previous = meetup_round.calendar_sequence
    meetup_round.calendar_sequence = previous + 1
    meetup_round.save(update_fields=["calendar_sequence"])
    notices_settle_unchanged(round=meetup_round, previous_sequence=previous)


def _seat_or_wait(meetup_round: MeetupRound, person: Person, *, automatic: bool) -> str:
    """Seat a person going to the published round, or put them on the waiting list; returns
    the waiting reason ("" when seated or already seated)."""
    if Seat.objects.filter(run_id=meetup_round.published_run_id, person=person).exists():
        return ""
    if automatic and not meetup_round.auto_seat_late:
        reason = "Automatic seating is off for this round."
    elif person.opted_out:
        reason = "Opted out of matching: choose a table for them."
    else:
        insertion = _insertion(meetup_round, person.pk)
        if insertion.best is not None:
            _seat(meetup_round, person, pk_of_key(insertion.best))
            return ""
        reason = _why_not(insertion)
    WaitingEntry.objects.update_or_create(
        round=meetup_round, person=person, defaults={"reason": reason[:200]}
    )
    return reason


def _fill_from_waiting(meetup_round: MeetupRound) -> int:
    """Seat people from the waiting list, in order, while tables take them."""
    if not meetup_round.auto_seat_late:
        return 0
    seated = 0
    already = set(
        Seat.objects.filter(run_id=meetup_round.published_run_id).values_list(
            "person_id", flat=True
        )
    )
    for entry in WaitingEntry.objects.filter(round=meetup_round).select_related("person"):
        if entry.person_id in already:  # a plan published again seated them
            entry.delete()
            continue
        if entry.person.opted_out or entry.person.deleted_at is not None:
            continue
        insertion = _insertion(meetup_round, entry.person_id)
        if insertion.best is None:
            continue
        _seat(meetup_round, entry.person, pk_of_key(insertion.best))
        seated += 1
    return seated


def _release(meetup_round: MeetupRound, person: Person) -> bool:
    WaitingEntry.objects.filter(round=meetup_round, person=person).delete()
    seat = Seat.objects.filter(run_id=meetup_round.published_run_id, person=person).first()
    if seat is None:
        return False
    SeatRelease.objects.create(round=meetup_round, person=person, table_id=seat.table_id)
    seat.delete()
    plan_rescore_later(run_id=meetup_round.published_run_id)
    return True


def rsvp_answer(*, person: Person, round: MeetupRound, status: str) -> Placement:
    """The attendee answers a round's RSVP (``attendees.services.rsvp_set``'s rules); after
    publishing, "going" seats them (or puts them on the waiting list) and "not going" ("I
    can't come") releases their seat, which the waiting list may take. The people whose table
    changed get their e-mail after the commit."""
    if round.status != RoundStatus.PUBLISHED:
        rsvp_set(person=person, round=round, status=status)
        return Placement(person_id=person.pk, person_name=person.display_name)
    with transaction.atomic():
        meetup_round = _lock_round(round.pk)
        rsvp_set(person=person, round=meetup_round, status=status, after_publish=True)
        if meetup_round.status != RoundStatus.PUBLISHED:  # changed while we waited for the lock
            return Placement(person_id=person.pk, person_name=person.display_name)
        if status == RSVPStatus.GOING:
            reason = _seat_or_wait(meetup_round, person, automatic=True)
            placement = _placement(meetup_round, person)
            message = (
                gettext(
                    "You are going. Your table is %(table)s; an e-mail with the calendar entry "
                    "is on its way."
                )
                % {"table": placement.table_label}
                if placement.seated
                else gettext(
                    "You are going. Every table is full right now, so you are on the waiting "
                    "list: you get an e-mail with your table as soon as a seat frees up."
                )
                if meetup_round.auto_seat_late and not reason.startswith("Opted")
                else gettext(
                    "You are going. The organizers will choose your table; you get an e-mail "
                    "with it."
                )
            )
        else:
            released = _release(meetup_round, person)
            _fill_from_waiting(meetup_round)
            message = (
                gettext(
                    "Thanks for telling us. Your seat is released and a calendar cancellation "
                    "is on its way by e-mail."
                )
                if released
                else gettext("Thanks for telling us: you are not going.")
            )
            placement = _placement(meetup_round, person)
        notices_enqueue(meetup_round.pk)
    logger.info("round %s: RSVP after publishing (%s)", meetup_round.pk, status)
    return Placement(**{**placement.__dict__, "message": message})


# ---------------------------------------------------------------------------------------------
# The organizers: the waiting list, automatic seating, walk-ins, check-in


def waiting_place(*, by, round_id: int, person_id: int, table_id: int | None = None) -> Placement:
    """An organizer seats someone from the waiting list: at ``table_id``, or at the best
    table with room. Refused (``ServiceError``) naming the rule a table would break."""
    with transaction.atomic():
        meetup_round = round_for_organizer(user=by, pk=round_id)
        meetup_round = _lock_round(meetup_round.pk)
        _require_published(meetup_round, "Seating someone from the waiting list")
        entry = (
            WaitingEntry.objects.filter(round=meetup_round, person_id=person_id)
            .select_related("person")
            .first()
        )
        if (
            entry is None
            or Seat.objects.filter(
                run_id=meetup_round.published_run_id, person_id=person_id
            ).exists()
        ):
            raise ServiceError("This person is not on the round's waiting list.", field="person")
        insertion = _insertion(meetup_round, entry.person_id)
        if table_id is None:
            if insertion.best is None:
                raise Conflict(f"{entry.person.display_name} was not seated. {_why_not(insertion)}")
            chosen = pk_of_key(insertion.best)
        else:
            key = table_key(table_id)
            if key in insertion.refused:
                label = DrinkTable.objects.filter(pk=table_id).values_list("label", flat=True)
                words = REFUSAL_WORDS.get(insertion.refused[key], insertion.refused[key])
                raise ServiceError(
                    f"{entry.person.display_name} cannot sit at table {label.first()}: "
                    f"{words}. Choose another table.",
                    field="table",
                )
            if key not in dict(insertion.ranked):
                raise ServiceError("Choose one of this round's tables.", field="table")
            chosen = table_id
        _seat(meetup_round, entry.person, chosen)
        placement = _placement(meetup_round, entry.person)
        notices_enqueue(meetup_round.pk)
    return Placement(
        **{
            **placement.__dict__,
            "message": f"{placement.person_name} sits at table {placement.table_label}; "
            "they get an e-mail with their table.",
        }
    )


def round_auto_seat_set(*, by, round_id: int, on: bool) -> int:
    """Turn automatic seating of late RSVPs on or off; turning it on seats the waiting list
    where tables have room. Returns how many were seated."""
    with transaction.atomic():
        meetup_round = round_for_organizer(user=by, pk=round_id)
        meetup_round = _lock_round(meetup_round.pk)
        if meetup_round.auto_seat_late != on:
            meetup_round.auto_seat_late = on
            meetup_round.save(update_fields=["auto_seat_late"])
        seated = 0
        if on and meetup_round.status == RoundStatus.PUBLISHED:
            seated = _fill_from_waiting(meetup_round)
            if seated:
                notices_enqueue(meetup_round.pk)
    return seated


def walk_in(
    *,
    by,
    round_id: int,
    person_id: int | None = None,
    email: str = "",
    full_name: str = "",
) -> Placement:
    """Someone at the door: a person registered for the conference (``person_id``), or a new
    one by ``email`` and ``full_name`` (registered for the conference first). They are
    registered, going, checked in, and seated at once at the best table with room, whatever
    ``auto_seat_late`` says. Nothing changes when no table fits (``Conflict`` with the
    reason)."""
    meetup_round = round_for_organizer(user=by, pk=round_id)
    if person_id is None and not (email and full_name):
        raise ServiceError("Give the person's id, or their e-mail and full name.", field="email")
    with transaction.atomic():
        meetup_round = _lock_round(meetup_round.pk)
        if person_id is not None:
            person = person_for_organizer(user=by, pk=person_id)
            if not Attendance.objects.filter(
                person=person, conference_id=meetup_round.conference_id
            ).exists():
                raise ServiceError(
                    f"No person with id {person_id} is registered for this conference.",
                    field="person",
                )
        else:
            _require_published(meetup_round, "Seating a walk-in")
            result = attendances_upsert(
                conference=meetup_round.conference,
                rows=[{"email": email, "full_name": full_name}],
                by=by,
            )
            if result.errors:
                raise ServiceError(
                    " ".join(error.message for error in result.errors), field="email"
                )
            person = Person.objects.get(
                email__iexact=email_canonical(email),
                attendances__conference_id=meetup_round.conference_id,
            )
        if person.deleted_at is not None:
            raise ServiceError("This account was deleted.", field="person")
        _require_published(meetup_round, "Seating a walk-in")
        rsvp_set(person=person, round=meetup_round, status=RSVPStatus.GOING, after_publish=True)
        RoundRSVP.objects.filter(
            person=person, round=meetup_round, checked_in_at__isnull=True
        ).update(checked_in_at=timezone.now())
        if not Seat.objects.filter(run_id=meetup_round.published_run_id, person=person).exists():
            insertion = _insertion(meetup_round, person.pk)
            if insertion.best is None:
                transaction.set_rollback(True)
                raise Conflict(f"{person.display_name} was not seated. {_why_not(insertion)}")
            _seat(meetup_round, person, pk_of_key(insertion.best))
        placement = _placement(meetup_round, person)
        notices_enqueue(meetup_round.pk)
    logger.info("round %s: walk-in seated by user %s", meetup_round.pk, getattr(by, "pk", None))
    return Placement(
        **{
            **placement.__dict__,
            "message": f"{placement.person_name}: table {placement.table_label}.",
        }
    )


@dataclass(frozen=True)
class CheckIn:
    person_id: int
    person_name: str
    checked_in: bool
    table_label: str


def check_in_set(*, by, round_id: int, person_id: int, checked_in: bool) -> CheckIn:
    """Check someone going to the round in at the door, or undo it."""
    meetup_round = round_for_organizer(user=by, pk=round_id)
    rsvp = (
        RoundRSVP.objects.filter(round=meetup_round, person_id=person_id, status=RSVPStatus.GOING)
        .select_related("person")
        .first()
    )
    if rsvp is None:
        raise ServiceError(
            "This person is not going to this round: seat them as a walk-in instead.",
            field="person",
        )
    if checked_in and rsvp.checked_in_at is None:
        rsvp.checked_in_at = timezone.now()
        rsvp.save(update_fields=["checked_in_at"])
    elif not checked_in and rsvp.checked_in_at is not None:
        rsvp.checked_in_at = None
        rsvp.save(update_fields=["checked_in_at"])
    seat = (
        Seat.objects.filter(run_id=meetup_round.published_run_id, person_id=person_id)
        .select_related("table")
        .first()
        if meetup_round.published_run_id
        else None
    )
    return CheckIn(
        person_id=person_id,
        person_name=rsvp.person.display_name,
        checked_in=checked_in,
        table_label=seat.table.label if seat else "",
    )


# ---------------------------------------------------------------------------------------------
# A block against someone at your table tonight


@dataclass(frozen=True)
class BlockOutcome:
    block_id: int
    blocked_name: str
    message: str
    tables_flagged: int


def block_create_live(*, person: Person, blocked_id: int) -> BlockOutcome:
    """Block someone (``attendees.services.block_create``); if they share a table with the
    blocker in a published round still ahead, the blocker is told so, and the organizers get
    an alert for that table (never naming who blocked whom) with a suggested move."""
    result = block_create(person=person, blocked_id=blocked_id)
    now = timezone.now()
    shared = (
        Seat.objects.filter(
            person=person,
            run__round__status=RoundStatus.PUBLISHED,
            run__round__published_run=F("run"),
            run__round__ends_at__gt=now,
            table_id=Subquery(
                Seat.objects.filter(run_id=OuterRef("run_id"), person_id=blocked_id).values(
                    "table_id"
                )[:1]
            ),
        )
        .select_related("run__round__conference", "table")
        .order_by("run__round__starts_at")
    )
    flagged = []
    for seat in shared:
        meetup_round = seat.run.round
        a, b = sorted((person.pk, blocked_id))
        alert, created = TableAlert.objects.get_or_create(
            round=meetup_round,
            person_a_id=a,
            person_b_id=b,
            resolved_at=None,
            defaults={"table": seat.table},
        )
        flagged.append(meetup_round)
        if created:
            transaction.on_commit(lambda alert_id=alert.pk: _alert_mail(alert_id))
    if flagged:
        names = ", ".join(r.name for r in flagged)
        message = gettext(
            "You blocked %(name)s. %(name)s is at your table at %(rounds)s; the organizers have "
            "been asked to move one of you. They are not told who asked."
        ) % {"name": result.blocked_name, "rounds": names}
    else:
        message = f"You blocked {result.blocked_name}. You will not be seated together."
    return BlockOutcome(result.block_id, result.blocked_name, message, len(flagged))


def _alert_mail(alert_id: int) -> None:
    """E-mail the conference's organizers that a table needs a change (no names)."""
    alert = (
        TableAlert.objects.filter(pk=alert_id).select_related("round__conference", "table").first()
    )
    if alert is None:
        return
    meetup_round = alert.round
    recipients = list(
        meetup_round.conference.organizers.filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    from django.urls import reverse

    site = getattr(settings, "SITE_URL", "").rstrip("/")
    link = site + reverse("organize:round_plan", args=[meetup_round.pk]) + "#changes"
    EmailMessage(
        subject=f"Table {alert.table.label} at {meetup_round.name} needs a change",
        body="\n".join(
            [
                f"Two people at table {alert.table.label} of {meetup_round.name} must not sit "
                "together (a private request made after publishing).",
                "Move one of them: the plan page suggests a move that keeps every rule.",
                "",
                link,
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    ).send(fail_silently=True)


@dataclass(frozen=True)
class AlertView:
    alert_id: int
    table_id: int
    table_label: str
    created_at: object
    move_person_id: int | None
    move_person_name: str
    move_table_id: int | None
    move_table_label: str


def alerts_open(*, round: MeetupRound) -> list[AlertView]:
    """The round's open table alerts, each with a suggested move: one of the two people to
    the best other table that keeps the hard constraints. An alert whose pair no longer
    shares a table is resolved here."""
    if round.status != RoundStatus.PUBLISHED:
        return []
    views = []
    for alert in TableAlert.objects.filter(round=round, resolved_at__isnull=True).select_related(
        "table"
    ):
        tables = dict(
            Seat.objects.filter(
                run_id=round.published_run_id, person_id__in=[alert.person_a_id, alert.person_b_id]
            ).values_list("person_id", "table_id")
        )
        if tables.get(alert.person_a_id) is None or tables.get(alert.person_a_id) != tables.get(
            alert.person_b_id
        ):
            TableAlert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now())
            continue
        move = _suggested_move(round, alert)
        views.append(
            AlertView(
                alert_id=alert.pk,
                table_id=alert.table_id,
                table_label=alert.table.label,
                created_at=alert.created_at,
                move_person_id=move[0].pk if move else None,
                move_person_name=move[0].display_name if move else "",
                move_table_id=move[1].pk if move else None,
                move_table_label=move[1].label if move else "",
            )
        )
    return views


def _suggested_move(meetup_round: MeetupRound, alert: TableAlert):
    best = None
    for pk in (alert.person_a_id, alert.person_b_id):
        problem, plan = live_problem(round=meetup_round, person_id=pk)
        insertion = insertion_options(problem, plan, person_key(pk))
        for table, cost in insertion.ranked:
            if pk_of_key(table) == alert.table_id:
                continue
            if best is None or cost < best[2]:
                best = (pk, pk_of_key(table), cost)
            break
    if best is None:
        return None
    return Person.objects.get(pk=best[0]), DrinkTable.objects.get(pk=best[1])


def alert_move(*, by, round_id: int, alert_id: int) -> Placement:
    """Carry out an alert's suggested move; the moved person gets an e-mail with the new
    table (the notices), and the alert is resolved."""
    meetup_round = round_for_organizer(user=by, pk=round_id)
    with transaction.atomic():
        meetup_round = _lock_round(meetup_round.pk)
        _require_published(meetup_round, "Moving someone")
        alert = TableAlert.objects.filter(
            pk=alert_id, round=meetup_round, resolved_at__isnull=True
        ).first()
        if alert is None:
            raise ServiceError("This alert is already resolved.", field="alert")
        move = _suggested_move(meetup_round, alert)
        if move is None:
            raise Conflict(
                "No other table can take either of them right now. Free a seat (or add a "
                "table), then try again."
            )
        person, table = move
        Seat.objects.filter(run_id=meetup_round.published_run_id, person=person).update(table=table)
        plan_rescore_later(run_id=meetup_round.published_run_id)
        alert.resolved_at = timezone.now()
        alert.save(update_fields=["resolved_at"])
        notices_enqueue(meetup_round.pk)
    return Placement(
        person_id=person.pk,
        person_name=person.display_name,
        table_id=table.pk,
        table_label=table.label,
        message=f"{person.display_name} moved to table {table.label}; they get an e-mail.",
    )
