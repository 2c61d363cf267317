"""Registrations in bulk (upsert by e-mail) and imported past encounters.

Both take plain rows (dicts), so the CSV import (``attendees.imports``), the admin and the API
share one implementation. Both are all or nothing: a row with an error means nothing is
written, and the result lists every error with the index of its row. Both are idempotent: the
same rows a second time change nothing.
"""

import difflib
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce

from attendees.emails import InvalidEmail, email_normalize
from attendees.enums import AttendanceRole, EncounterKind
from attendees.models import Attendance, Encounter, Person
from attendees.services import identity_editable_ids
from conferences.models import Conference, Topic
from conferences.scoping import can_manage, organized_conferences
from config import caches
from config.db import chunked, insert_rows, update_rows
from config.exceptions import Conflict

logger = logging.getLogger(__name__)


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
NEW_REGISTRATION = "new registration"
PROFILE_KEPT = "Profile kept as it is: this person manages their own name, organization and topics."
REGISTRATION_FIELDS = ("email", "full_name", "organization", "role", "topics", "newcomer")
ENCOUNTER_FIELDS = ("email_a", "email_b", "conference")
TOPIC_SEPARATOR = "|"
# Keeps every IN (...) list well below SQLite's and PostgreSQL's parameter limits.
CHUNK = 2000
NEWCOMER_VALUES: dict[str, bool | None] = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "auto": None,
}
_UNSET: Any = object()
EMAIL_MAX_LENGTH = 254
# Addresses every e-mail validator accepts (a subset of Django's): checked without the full
# validator, which is the slowest step of a 50,000-row import. Others go through Django's.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z"
)


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (``row`` is its index in the rows given) and how to fix it."""

    row: int
    field: str
    message: str


@dataclass(frozen=True)
class RowOutcome:
    """What a valid row does: ``action`` is created, updated or unchanged."""

    row: int
    label: str
    action: str
    changes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {CREATED: self.created, UPDATED: self.updated, UNCHANGED: self.unchanged}

    def _add(self, outcome: RowOutcome) -> None:
        self.outcomes.append(outcome)
        setattr(self, outcome.action, getattr(self, outcome.action) + 1)


def _check_manager(*, conference: Conference, by) -> None:
    if by is not None and not can_manage(user=by, conference=conference):
        raise PermissionDenied("Only the organizers of this conference can import into it.")


def _rows(
    rows: list[dict], *, fields: tuple[str, ...], errors: list[RowError]
) -> Iterator[tuple[int, Mapping, list[RowError]]]:
    """Each row that is an object of fields: its index, the row and its errors so far (unknown
    fields). A row that is not an object goes straight to ``errors``."""
    for index, raw in enumerate(rows):
        if not isinstance(raw, Mapping):
            errors.append(RowError(index, "", "Each row must be an object of fields."))
            continue
        row_errors: list[RowError] = []
        unknown = sorted(set(raw) - set(fields))
        if unknown:
            row_errors.append(
                RowError(
                    index,
                    unknown[0],
                    f"Unknown field {', '.join(unknown)}: the fields are {', '.join(fields)}.",
                )
            )
        yield index, raw, row_errors


def _apply(
    result: UpsertResult,
    *,
    expected_counts: Mapping[str, int] | None,
    dry_run: bool,
    write: Callable[[], None],
    clash: str,
) -> None:
    """All or nothing: ``write`` in one transaction unless a row has an error, the counts are
    no longer those of the preview (``Conflict``) or it is a dry run. ``clash`` is the message
    when a concurrent import breaks a unique constraint. Sets ``result.applied``."""
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return
    if expected_counts is not None and result.counts() != {
        name: int(count) for name, count in expected_counts.items()
    }:
        raise Conflict(
            "The data changed since the preview: check the new preview and confirm again."
        )
    if dry_run:
        return
    try:
        with transaction.atomic():
            write()
    except IntegrityError as error:
        raise Conflict(clash) from error
    result.applied = True


def _clean_email(value: Any, *, index: int, name: str, errors: list[RowError]) -> str | None:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text:
        errors.append(RowError(index, name, "The e-mail address is missing: add it."))
        return None
    if len(text) > EMAIL_MAX_LENGTH:
        errors.append(
            RowError(
                index, name, f"The e-mail address is longer than {EMAIL_MAX_LENGTH} characters."
            )
        )
        return None
    if PLAIN_EMAIL.match(text):
        return text  # plain ASCII: already its canonical form (attendees.emails)
    try:
        text = email_normalize(text)
    except InvalidEmail as error:
        errors.append(RowError(index, name, str(error)))
        return None
    try:
        validate_email(text)
    except ValidationError:
        errors.append(
            RowError(index, name, f"{value.strip()!r} is not an e-mail address: correct it.")
        )
        return None
    return text


def _clean_text(
    value: Any, *, index: int, name: str, label: str, max_length: int, errors: list[RowError]
) -> str | None:
    if not isinstance(value, str):
        errors.append(RowError(index, name, f"The {label} must be text."))
        return None
    text = " ".join(value.split())
    if len(text) > max_length:
        errors.append(
            RowError(
                index, name, f"The {label} is longer than {max_length} characters: shorten it."
            )
        )
        return None
    return text


class _TopicLookup:
    """Topics by slug or by name, case-insensitively, with a suggestion for typos."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for pk, name, slug in Topic.objects.values_list("pk", "name", "slug"):
            self.by_key[slug.lower()] = pk
            self.by_key[name.casefold()] = pk
            self.names[pk] = name
        self._suggestions: dict[str, str] = {}

    def resolve(self, value: str) -> int | None:
        return self.by_key.get(value.strip().casefold())

    def unknown_message(self, value: str) -> str:
        if value not in self._suggestions:
            close = difflib.get_close_matches(value.casefold(), list(self.by_key), n=1)
            hint = f' Did you mean "{self.names[self.by_key[close[0]]]}"?' if close else ""
            self._suggestions[value] = (
                f'Unknown topic "{value}": use the name or slug of a topic listed in the admin, '
                f"or add the topic there first.{hint}"
            )
        return self._suggestions[value]


def _clean_topics(
    value: Any, *, index: int, topics: _TopicLookup, errors: list[RowError]
) -> frozenset[int] | None:
    if isinstance(value, str):
        value = value.split(TOPIC_SEPARATOR)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.append(RowError(index, "topics", "Topics must be a list of topic names or slugs."))
        return None
    found, ok = set(), True
    for item in (v.strip() for v in value):
        if not item:
            continue
        topic_id = topics.resolve(item)
        if topic_id is None:
            errors.append(RowError(index, "topics", topics.unknown_message(item)))
            ok = False
        else:
            found.add(topic_id)
    return frozenset(found) if ok else None


def _clean_role(value: Any, *, index: int, errors: list[RowError]) -> str | None:
    text = value.strip().casefold() if isinstance(value, str) else ""
    if not text:
        return None
    for role in AttendanceRole:
        if text in (role.value, role.label.casefold()):
            return role.value
    allowed = ", ".join(AttendanceRole.values)
    errors.append(RowError(index, "role", f'Unknown role "{value.strip()}": use one of {allowed}.'))
    return None


def _clean_newcomer(value: Any, *, index: int, errors: list[RowError]) -> bool | None | Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in NEWCOMER_VALUES:
        return NEWCOMER_VALUES[value.strip().lower()]
    errors.append(
        RowError(
            index,
            "newcomer",
            f'"{value}" is not a newcomer setting: use yes, no, or auto (decide from history).',
        )
    )
    return _UNSET


@dataclass
class _Registration:
    index: int
    email: str
    full_name: str
    organization: str | None
    role: str | None
    topic_ids: frozenset[int] | None
    newcomer: bool | None | Any


def _row_number(index: int) -> str:
    return f"row {index + 1}"


def _clean_registrations(
    rows: list[dict],
    *,
    topics: _TopicLookup,
    errors: list[RowError],
    row_label: Callable[[int], str],
) -> list[_Registration]:
    cleaned: list[_Registration] = []
    first_row_of: dict[str, int] = {}
    for index, raw, row_errors in _rows(rows, fields=REGISTRATION_FIELDS, errors=errors):
        email = _clean_email(raw.get("email"), index=index, name="email", errors=row_errors)
        full_name = _clean_text(
            raw.get("full_name", ""),
            index=index,
            name="full_name",
            label="full name",
            max_length=200,
            errors=row_errors,
        )
        if full_name == "":
            row_errors.append(RowError(index, "full_name", "The full name is missing: add it."))
        organization = None
        if raw.get("organization") is not None:
            organization = _clean_text(
                raw["organization"],
                index=index,
                name="organization",
                label="organization",
                max_length=200,
                errors=row_errors,
            )
        role = _clean_role(raw.get("role"), index=index, errors=row_errors)
        topic_ids = None
        if raw.get("topics") is not None:
            topic_ids = _clean_topics(raw["topics"], index=index, topics=topics, errors=row_errors)
        newcomer = _UNSET
        if "newcomer" in raw:
            newcomer = _clean_newcomer(raw["newcomer"], index=index, errors=row_errors)
        if email is not None:
            if email in first_row_of:
                row_errors.append(
                    RowError(
                        index,
                        "email",
                        f"Duplicate row: {email} is already in {row_label(first_row_of[email])}; "
                        "keep one of the two.",
                    )
                )
            else:
                first_row_of[email] = index
        if row_errors:
            errors.extend(row_errors)
            continue
        cleaned.append(
            _Registration(index, email, full_name, organization, role, topic_ids, newcomer)
        )
    return cleaned


def _people_by_email(emails: list[str]) -> dict[str, dict]:
    """People by their canonical e-mail address, compared exactly (attendees.emails)."""
    found: dict[str, dict] = {}
    for chunk in chunked(emails):
        people = (
            Person.objects.exclude(email="")
            .filter(email__in=chunk)
            .values("pk", "email", "full_name", "organization", "user_id")
        )
        for person in people:
            found[person["email"]] = person
    return found


def _visible(person_ids: list[int], *, by) -> set[int]:
    """Of ``person_ids``, those ``by`` may see: registered at one of their conferences."""
    if by is None or by.is_superuser:
        return set(person_ids)
    visible: set[int] = set()
    mine = organized_conferences(user=by)
    for chunk in chunked(person_ids):
        visible.update(
            Attendance.objects.filter(person_id__in=chunk, conference__in=mine).values_list(
                "person_id", flat=True
            )
        )
    return visible


def _topic_ids_of(person_ids: list[int]) -> dict[int, set[int]]:
    through = Person.topics.through
    links: dict[int, set[int]] = {}
    for chunk in chunked(person_ids):
        for person_id, topic_id in through.objects.filter(person_id__in=chunk).values_list(
            "person_id", "topic_id"
        ):
            links.setdefault(person_id, set()).add(topic_id)
    return links


@dataclass
class _RegistrationWrites:
    """What an upsert writes, kept as plain values until it is time to write."""

    new_people: list[_Registration] = field(default_factory=list)
    changed_people: list[tuple[int, str, str]] = field(default_factory=list)
    topic_links: list[tuple[int, int]] = field(default_factory=list)
    new_attendances: list[tuple[int, _Registration]] = field(default_factory=list)
    changed_attendances: list[tuple[int, str, bool | None]] = field(default_factory=list)

    def write(self, *, conference: Conference) -> None:
        insert_rows(
            Person,
            [
                {"email": r.email, "full_name": r.full_name, "organization": r.organization or ""}
                for r in self.new_people
            ],
        )
        new_ids = _people_by_email([r.email for r in self.new_people])
        update_rows(Person, ["full_name", "organization"], self.changed_people)
        links = list(self.topic_links)
        attendances = list(self.new_attendances)
        for reg in self.new_people:
            person_id = new_ids[reg.email]["pk"]
            links.extend((person_id, t) for t in sorted(reg.topic_ids or ()))
            attendances.append((person_id, reg))
        insert_rows(
            Person.topics.through,
            [{"person_id": p, "topic_id": t} for p, t in links],
            ignore_conflicts=True,
        )
        insert_rows(
            Attendance,
            [
                {
                    "person_id": person_id,
                    "conference_id": conference.pk,
                    "role": reg.role or AttendanceRole.ATTENDEE.value,
                    "newcomer_override": None if reg.newcomer is _UNSET else reg.newcomer,
                }
                for person_id, reg in attendances
            ],
        )
        update_rows(Attendance, ["role", "newcomer_override"], self.changed_attendances)


def attendances_upsert(
    *,
    conference: Conference,
    rows: list[dict],
    by,
    dry_run: bool = False,
    expected_counts: Mapping[str, int] | None = None,
    row_label: Callable[[int], str] = _row_number,
) -> UpsertResult:
    """Register people for ``conference`` by e-mail (case-insensitive), creating or updating.

    A row has ``email`` and ``full_name`` and optionally ``organization``, ``role``, ``topics``
    (names or slugs, a list or a ``|``-separated string) and ``newcomer`` (yes / no / auto, or
    true / false / null). A missing optional field leaves the stored value as it is.

    A person's identity is theirs (``attendees.services.person_identity_editable_by``): the
    import fills in name, organization and topics only for people registered solely at
    conferences ``by`` organizes who never signed in; others are registered and their profile
    kept (the outcome says so). An address ``by`` does not know yet (new, or known only at
    other organizers' conferences) answers alike: "created", a new registration, counted in
    ``people_created``; someone known elsewhere is linked silently and nothing of theirs is
    read into the answer or changed. Topics are added to a person's topics, never removed, so
    imports for different conferences do not undo each other.

    Nothing is written when a row has an error, with ``dry_run``, or when ``expected_counts``
    (the created / updated / unchanged counts of a preview) no longer match (``Conflict``).
    ``row_label`` names a row in error messages ("row 3"; the CSV import says "line 4").
    """
    _check_manager(conference=conference, by=by)
    topics = _TopicLookup()
    result = UpsertResult()
    registrations = _clean_registrations(
        rows, topics=topics, errors=result.errors, row_label=row_label
    )

    people = _people_by_email([r.email for r in registrations])
    person_ids = [p["pk"] for p in people.values()]
    visible = _visible(person_ids, by=by)
    editable = identity_editable_ids(user=by, person_ids=visible)
    topic_ids_of = _topic_ids_of(sorted(visible))
    attendances = {
        a["person_id"]: a
        for a in Attendance.objects.filter(conference=conference).values(
            "pk", "person_id", "role", "newcomer_override"
        )
    }

    plan = _RegistrationWrites()
    for reg in registrations:
        changes: list[str] = []
        notes: list[str] = []
        person = people.get(reg.email)
        if person is None or person["pk"] not in visible:
            # New to this organizer. Somebody known elsewhere is linked as they are: nothing of
            # theirs is read, changed or told, so the answer is that of a new person.
            if person is None:
                plan.new_people.append(reg)
            else:
                plan.new_attendances.append((person["pk"], reg))
            result.people_created += 1
            result._add(RowOutcome(reg.index, reg.email, CREATED, (NEW_REGISTRATION,)))
            continue

        person_changes = _person_changes(person, reg, topic_ids_of.get(person["pk"], set()))
        if person_changes and person["pk"] not in editable:
            notes.append(PROFILE_KEPT)
        elif person_changes:
            changes.extend(person_changes.describe(topics.names))
            plan.changed_people.append(
                (person["pk"], person_changes.full_name, person_changes.organization)
            )
            plan.topic_links.extend((person["pk"], t) for t in sorted(person_changes.added_topics))

        attendance = attendances.get(person["pk"])
        if attendance is None:
            plan.new_attendances.append((person["pk"], reg))
            result._add(RowOutcome(reg.index, reg.email, CREATED, tuple(changes), tuple(notes)))
            continue
        role, override = attendance["role"], attendance["newcomer_override"]
        if reg.role is not None and reg.role != role:
            changes.append(f"role: {role} → {reg.role}")
            role = reg.role
        if reg.newcomer is not _UNSET and reg.newcomer != override:
            changes.append(f"newcomer: {_newcomer_word(override)} → {_newcomer_word(reg.newcomer)}")
            override = reg.newcomer
        if (role, override) != (attendance["role"], attendance["newcomer_override"]):
            plan.changed_attendances.append((attendance["pk"], role, override))
        action = UPDATED if changes else UNCHANGED
        result._add(RowOutcome(reg.index, reg.email, action, tuple(changes), tuple(notes)))

    _apply(
        result,
        expected_counts=expected_counts,
        dry_run=dry_run,
        write=lambda: plan.write(conference=conference),
        clash="Someone changed these registrations at the same time: import the file again.",
    )
    if not result.applied:
        return result
    logger.info(
        "registrations upserted: conference=%s by=%s created=%s updated=%s unchanged=%s",
        conference.pk,
        getattr(by, "pk", None),
        result.created,
        result.updated,
        result.unchanged,
    )
    return result


@dataclass
class _PersonChanges:
    full_name: str
    organization: str
    old_name: str
    old_organization: str
    added_topics: set[int]

    def __bool__(self) -> bool:
        return (
            self.full_name != self.old_name
            or self.organization != self.old_organization
            or bool(self.added_topics)
        )

    def describe(self, topic_names: dict[int, str]) -> list[str]:
        described = []
        if self.full_name != self.old_name:
            described.append(f"name: {self.old_name} → {self.full_name}")
        if self.organization != self.old_organization:
            described.append(f"organization: {self.old_organization or '—'} → {self.organization}")
        if self.added_topics:
            names = sorted(topic_names[t] for t in self.added_topics)
            described.append(f"topics: + {', '.join(names)}")
        return described


def _person_changes(person: dict, reg: _Registration, current_topics: set[int]) -> _PersonChanges:
    organization = person["organization"]
    if reg.organization:
        organization = reg.organization
    added = set(reg.topic_ids or ()) - current_topics
    return _PersonChanges(
        full_name=reg.full_name,
        organization=organization,
        old_name=person["full_name"],
        old_organization=person["organization"],
        added_topics=added,
    )


def _newcomer_word(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "auto"}[value]


# Past encounters ------------------------------------------------------------------------------


@dataclass
class _Pair:
    index: int
    email_a: str
    email_b: str
    conference: Conference


class _ConferenceLookup:
    """A conference by slug, or the edition of ``series`` that starts in a given year."""

    def __init__(self, *, conference: Conference, by) -> None:
        allowed = organized_conferences(user=by) if by is not None else Conference.objects.all()
        self.series_name = conference.series.name
        self.by_slug: dict[str, Conference] = {}
        self.by_year: dict[int, list[Conference]] = {}
        for candidate in allowed.order_by("starts_on"):
            self.by_slug[candidate.slug.lower()] = candidate
            if candidate.series_id == conference.series_id:
                self.by_year.setdefault(candidate.starts_on.year, []).append(candidate)

    def resolve(self, value: Any, *, index: int, errors: list[RowError]) -> Conference | None:
        text = str(value).strip() if isinstance(value, str | int) else ""
        if not text:
            errors.append(
                RowError(index, "conference", "The conference is missing: give its slug or year.")
            )
            return None
        if text.isascii() and text.isdigit() and len(text) == 4:
            editions = self.by_year.get(int(text), [])
            if len(editions) == 1:
                return editions[0]
            if not editions:
                errors.append(
                    RowError(
                        index,
                        "conference",
                        f"No edition of {self.series_name} that you organize started in {text}: "
                        "add that edition in the admin first, or give a conference slug.",
                    )
                )
            else:
                slugs = ", ".join(e.slug for e in editions)
                errors.append(
                    RowError(
                        index,
                        "conference",
                        f"{len(editions)} editions started in {text}: give the slug instead "
                        f"({slugs}).",
                    )
                )
            return None
        found = self.by_slug.get(text.lower())
        if found is None:
            errors.append(
                RowError(
                    index,
                    "conference",
                    f'No conference you organize has the slug "{text}": check the spelling, '
                    "or give the year of an edition of this series.",
                )
            )
        return found


def _visible_people(emails: list[str], *, by) -> dict[str, int]:
    """Person ids by e-mail, among the people ``by`` may see (registered at their conferences)."""
    found: dict[str, int] = {}
    for chunk in chunked(emails):
        people = Person.objects.exclude(email="").filter(email__in=chunk)
        if by is not None and not by.is_superuser:
            people = people.filter(
                pk__in=Attendance.objects.filter(
                    conference__in=organized_conferences(user=by)
                ).values("person_id")
            )
        found.update(people.values_list("email", "pk"))
    return found


def encounters_import(
    *,
    conference: Conference,
    rows: list[dict],
    by,
    dry_run: bool = False,
    expected_counts: Mapping[str, int] | None = None,
    row_label: Callable[[int], str] = _row_number,
) -> UpsertResult:
    """Record who met whom at earlier editions as ``imported`` encounters.

    A row has ``email_a``, ``email_b`` and ``conference``: the slug of a conference, or the
    year of an edition of ``conference``'s series (only conferences ``by`` organizes). Both
    people must already be registered at one of the organizer's conferences: import the
    registrations of that edition first. A pair that already has an encounter at that
    edition (imported, seated or met) is left unchanged, so the same file twice changes
    nothing and history the app recorded itself is not counted twice.
    """
    _check_manager(conference=conference, by=by)
    result = UpsertResult()
    errors = result.errors
    conferences = _ConferenceLookup(conference=conference, by=by)

    pairs: list[_Pair] = []
    for index, raw, row_errors in _rows(rows, fields=ENCOUNTER_FIELDS, errors=errors):
        email_a = _clean_email(raw.get("email_a"), index=index, name="email_a", errors=row_errors)
        email_b = _clean_email(raw.get("email_b"), index=index, name="email_b", errors=row_errors)
        edition = conferences.resolve(raw.get("conference"), index=index, errors=row_errors)
        if email_a and email_a == email_b:
            row_errors.append(
                RowError(
                    index, "email_b", "Both e-mails are the same: an encounter needs two people."
                )
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        pairs.append(_Pair(index, email_a, email_b, edition))

    people = _visible_people(sorted({e for p in pairs for e in (p.email_a, p.email_b)}), by=by)
    edition_ids = sorted({p.conference.pk for p in pairs})
    known: set[tuple[int, int, int]] = set(
        Encounter.objects.annotate(edition=Coalesce("conference_id", "round__conference_id"))
        .filter(edition__in=edition_ids)
        .values_list("person_a_id", "person_b_id", "edition")
    )
    first_row_of: dict[tuple[int, int, int], int] = {}
    new_encounters: list[Encounter] = []
    for pair in pairs:
        missing = [e for e in (pair.email_a, pair.email_b) if e not in people]
        for email in missing:
            name = "email_a" if email == pair.email_a else "email_b"
            errors.append(
                RowError(
                    pair.index,
                    name,
                    f"Nobody registered at your conferences has the e-mail {email}: import "
                    "their registration first, or remove the row.",
                )
            )
        if missing:
            continue
        first, second = Encounter.ordered(people[pair.email_a], people[pair.email_b])
        key = (first, second, pair.conference.pk)
        label = f"{pair.email_a} & {pair.email_b} at {pair.conference.name}"
        if key in first_row_of:
            errors.append(
                RowError(
                    pair.index,
                    "",
                    "Duplicate row: the same pair at the same edition is already in "
                    f"{row_label(first_row_of[key])}; keep one of the two.",
                )
            )
            continue
        first_row_of[key] = pair.index
        if key in known:
            result._add(RowOutcome(pair.index, label, UNCHANGED))
            continue
        new_encounters.append(
            Encounter(
                person_a_id=first,
                person_b_id=second,
                kind=EncounterKind.IMPORTED,
                conference=pair.conference,
                occurred_on=pair.conference.starts_on,
            )
        )
        result._add(RowOutcome(pair.index, label, CREATED))

    _apply(
        result,
        expected_counts=expected_counts,
        dry_run=dry_run,
        write=lambda: (
            Encounter.objects.bulk_create(new_encounters, batch_size=1000),
            caches.invalidate(caches.TABLES),  # bulk_create sends no signal
        ),
        clash="Someone imported the same encounters at the same time: import the file again.",
    )
    if not result.applied:
        return result
    logger.info(
        "encounters imported: conference=%s by=%s created=%s unchanged=%s",
        conference.pk,
        getattr(by, "pk", None),
        result.created,
        result.unchanged,
    )
    return result


# Edits of a conference, its tables, rounds and registrations ----------------------------------
