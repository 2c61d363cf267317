"""Which column of a registration file gives which field, and which role each ticket type gets.

Organizers export registrations from their ticketing tool and upload the file as it is. The
header tells the tool (``detect_source``) and the mapping is guessed from it
(``mapping_resolve``): pretix's order data export, Eventbrite's attendee report, Indico's
registrant list and our own template have their documented column names; any other file gets
the common names (``Email``, ``First Name``, ``Company`` ...). The organizer may change every
choice in the preview, and save the result as a named preset of the conference, which is
chosen by itself for the next file with the same columns.

A column is known by its key: its header, case-folded, with ``_`` and ``-`` read as spaces and
runs of spaces as one; a header that appears again gets `` (2)``, `` (3)`` ... (pretix writes
``Company`` twice: the attendee's and the invoice address's). Presets keep keys, so they apply
to a file with the same headers in another order.

Nothing here touches the database: the rows it builds go to
``attendees.registrations.attendances_upsert`` like the API's.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from attendees.enums import AttendanceRole
from conferences.enums import SKIP_ROWS, ImportField, ImportSource

F = ImportField
GUESSED, PRESET, CHOSEN = "guessed", "preset", "chosen"
ROLE_CHOICES: tuple[str, ...] = (*AttendanceRole.values, SKIP_ROWS)
TOPIC_SEPARATORS = re.compile(r"[|,]")


def column_key(header: str) -> str:
    """The key a header is known by: case and ``_``/``-``/spacing do not matter."""
    return " ".join(header.replace("_", " ").replace("-", " ").casefold().split())


def column_keys(headers: Sequence[str]) -> tuple[str, ...]:
    """One key per column; a header seen before gets " (2)", " (3)" ..."""
    seen: dict[str, int] = {}
    keys = []
    for header in headers:
        key = column_key(header)
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key} ({seen[key]})")
    return tuple(keys)


def value_key(value: str) -> str:
    """A ticket type as the role table knows it: case and spacing do not matter."""
    return " ".join(value.casefold().split())


# The tools -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A tool's export: the columns that tell it (all of ``required`` and one of ``any_of``)
    and its columns in the order they are picked, each for the first free field."""

    source: str
    required: frozenset[str]
    any_of: frozenset[str]
    rules: tuple[tuple[str, str], ...]


PROFILES: tuple[Profile, ...] = (
    # pretix, "Order data" exporter, sheet "Order positions" (one line per ticket), and the
    # check-in list export: src/pretix/base/exporters/orderlist.py. "Email" is the buyer's;
    # "Attendee email" is blank unless the event asks each attendee.
    Profile(
        ImportSource.PRETIX,
        frozenset({"order code"}),
        frozenset({"product", "attendee name", "position id"}),
        (
            ("attendee email", F.EMAIL),
            ("email", F.EMAIL_FALLBACK),
            ("attendee name: given name", F.FIRST_NAME),
            ("attendee name: family name", F.LAST_NAME),
            ("attendee name", F.FULL_NAME),
            ("company", F.ORGANIZATION),
            ("product", F.ROLE),
        ),
    ),
    # Eventbrite, "Attendee Summary" report: one line per ticket.
    Profile(
        ImportSource.EVENTBRITE,
        frozenset({"order #"}),
        frozenset({"attendee #", "ticket type"}),
        (
            ("email", F.EMAIL),
            ("first name", F.FIRST_NAME),
            ("last name", F.LAST_NAME),
            ("company", F.ORGANIZATION),
            ("ticket type", F.ROLE),
        ),
    ),
    # Indico, registrant list exported as CSV: "ID", "Name", then the titles of the columns
    # shown in the list (the personal data fields "First Name", "Last Name", "Email Address",
    # "Affiliation" ..., custom fields) and the chosen extras ("Registration state", "Tags").
    Profile(
        ImportSource.INDICO,
        frozenset({"id", "name"}),
        frozenset({"email address", "registration state", "registration date", "affiliation"}),
        (
            ("email address", F.EMAIL),
            ("first name", F.FIRST_NAME),
            ("last name", F.LAST_NAME),
            ("name", F.FULL_NAME),
            ("affiliation", F.ORGANIZATION),
            ("participant type", F.ROLE),
            ("registration type", F.ROLE),
            ("tags", F.ROLE),
        ),
    ),
    Profile(
        ImportSource.DRINKTABLES,
        frozenset({"email", "full name"}),
        frozenset({"email"}),
        (
            ("email", F.EMAIL),
            ("full name", F.FULL_NAME),
            ("organization", F.ORGANIZATION),
            ("role", F.ROLE),
            ("topics", F.TOPICS),
            ("newcomer", F.NEWCOMER),
        ),
    ),
)

# The names other files use, for any column no tool's rule took.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        (
            "email",
            "e mail",
            "email address",
            "e mail address",
            "mail",
            "attendee email",
            "participant email",
        ),
        F.EMAIL,
    ),
    **dict.fromkeys(
        ("full name", "name", "attendee name", "participant name", "participant", "attendee"),
        F.FULL_NAME,
    ),
    **dict.fromkeys(("first name", "firstname", "given name", "forename", "first"), F.FIRST_NAME),
    **dict.fromkeys(("last name", "lastname", "family name", "surname", "last"), F.LAST_NAME),
    **dict.fromkeys(
        (
            "organization",
            "organisation",
            "company",
            "company name",
            "affiliation",
            "institution",
            "employer",
            "school",
        ),
        F.ORGANIZATION,
    ),
    **dict.fromkeys(
        (
            "role",
            "ticket type",
            "ticket",
            "ticket name",
            "product",
            "attendee type",
            "participant type",
            "registration type",
            "category",
        ),
        F.ROLE,
    ),
    **dict.fromkeys(("topics", "topic", "interests"), F.TOPICS),
    **dict.fromkeys(("newcomer", "first time", "first timer", "first time attendee"), F.NEWCOMER),
}
KNOWN_KEYS = frozenset(SYNONYMS) | {
    key for p in PROFILES for key in (*p.required, *p.any_of, *(k for k, _ in p.rules))
}


def detect_source(keys: Iterable[str]) -> str:
    present = set(keys)
    for profile in PROFILES:
        if profile.required <= present and profile.any_of & present:
            return profile.source
    return ImportSource.UNKNOWN


# Roles from ticket types ----------------------------------------------------------------------

ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (AttendanceRole.SPEAKER, ("speaker", "presenter", "keynote", "panelist", "panellist")),
    (AttendanceRole.EXHIBITOR, ("exhibitor", "sponsor", "booth", "vendor")),
    (AttendanceRole.VOLUNTEER, ("volunteer", "staff", "crew", "helper")),
    (
        AttendanceRole.ORGANIZER,
        ("organizer", "organiser", "organizing", "organising", "committee"),
    ),
)


def role_guess(value: str) -> str:
    """The role a ticket or attendee type most likely means; attendee when nothing says more."""
    text = value_key(value)
    for role in AttendanceRole:
        if text in (role.value, role.label.casefold()):
            return role.value
    for role, words in ROLE_WORDS:
        if any(re.search(rf"\b{word}s?\b", text) for word in words):
            return role.value
    return AttendanceRole.ATTENDEE.value


# The mapping ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A saved mapping, as ``mapping_resolve`` needs it."""

    name: str
    columns: Mapping[str, str]
    roles: Mapping[str, str]


@dataclass(frozen=True)
class ColumnMapping:
    """What each column of one file gives (``fields``, by position), the role of each ticket
    type found in it (by ``value_key``), the tool, and where the choices came from: guessed
    from the header, a preset (``preset`` names it) or chosen in the preview."""

    source: str
    fields: tuple[str, ...]
    keys: tuple[str, ...]
    roles: Mapping[str, str]
    origin: str = GUESSED
    preset: str = ""

    def index_of(self, target: str) -> int | None:
        return self.fields.index(target) if target in self.fields else None

    def stored(self) -> dict:
        """The form kept on an import batch and in presets: by column key, not position."""
        return {
            "columns": dict(zip(self.keys, self.fields, strict=True)),
            "roles": dict(sorted(self.roles.items())),
            "preset": self.preset,
        }

    @property
    def token(self) -> str:
        """Changes whenever the mapping does: the preview's confirmation carries it."""
        text = json.dumps(self.stored(), sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _guess_fields(keys: Sequence[str], source: str, fixed: Mapping[str, str]) -> list[str]:
    fields: list[str | None] = [None] * len(keys)
    guessed = [False] * len(keys)
    for index, key in enumerate(keys):
        if key in fixed:
            fields[index] = fixed[key]
    used = {f for f in fields if f not in (None, F.IGNORE)}

    def take(index: int, target: str) -> None:
        fields[index] = target
        guessed[index] = True
        used.add(target)

    profile = next((p for p in PROFILES if p.source == source), None)
    position = {key: index for index, key in enumerate(keys)}
    for key, target in profile.rules if profile else ():
        index = position.get(key)
        if index is not None and fields[index] is None and target not in used:
            take(index, target)
    for index, key in enumerate(keys):
        target = SYNONYMS.get(key)
        if fields[index] is None and target is not None and target not in used:
            take(index, target)

    def drop(target: str) -> None:
        for index, value in enumerate(fields):
            if value == target and guessed[index]:
                fields[index] = None

    if F.EMAIL_FALLBACK in used and F.EMAIL not in used:
        fields[fields.index(F.EMAIL_FALLBACK)] = F.EMAIL
    has_parts = F.FIRST_NAME in used and F.LAST_NAME in used
    if has_parts and F.FULL_NAME in used:
        # First and last name in two columns, as the tools write them: a title or a middle
        # name in the full-name column stays off the table cards.
        full = fields.index(F.FULL_NAME)
        if guessed[full]:
            fields[full] = None
        else:
            drop(F.FIRST_NAME)
            drop(F.LAST_NAME)
    elif F.FULL_NAME in used:
        drop(F.FIRST_NAME)
        drop(F.LAST_NAME)
    return [str(f) if f is not None else str(F.IGNORE) for f in fields]


def _fits(preset: Preset, keys: Sequence[str]) -> bool:
    return set(preset.columns) == set(keys)


def mapping_resolve(
    *,
    headers: Sequence[str],
    records: Sequence[Sequence[str]],
    stored: Mapping | None = None,
    presets: Sequence[Preset] = (),
) -> ColumnMapping:
    """The mapping of a file: ``stored`` (chosen for this file, or the preset picked for it),
    else the first of ``presets`` made for exactly these columns, else guessed from the header.
    Columns and ticket types the stored mapping or preset does not name are guessed."""
    keys = column_keys(headers)
    source = detect_source(keys)
    columns: Mapping[str, str] = {}
    roles: Mapping[str, str] = {}
    origin, preset_name = GUESSED, ""
    if stored:
        columns = _valid_columns(stored.get("columns"))
        roles = _valid_roles(stored.get("roles"))
        preset_name = str(stored.get("preset") or "")
        origin = PRESET if preset_name else CHOSEN
    else:
        fitting = next((p for p in presets if _fits(p, keys)), None)
        if fitting is not None:
            columns, roles = _valid_columns(fitting.columns), _valid_roles(fitting.roles)
            origin, preset_name = PRESET, fitting.name
    fields = tuple(_guess_fields(keys, source, columns))
    return _with_role_guesses(
        ColumnMapping(source, fields, keys, dict(roles), origin, preset_name), records
    )


def _with_role_guesses(
    mapping: "ColumnMapping", records: Sequence[Sequence[str]]
) -> "ColumnMapping":
    """Every ticket type of the role column with a role: the one chosen, or a guess."""
    guesses = {
        value_key(value): role_guess(value)
        for value, _ in role_values(records, mapping.index_of(F.ROLE))
    }
    roles = {**guesses, **mapping.roles}
    return ColumnMapping(
        mapping.source, mapping.fields, mapping.keys, roles, mapping.origin, mapping.preset
    )


def _valid_columns(value) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v in ImportField.values}


def _valid_roles(value) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v in ROLE_CHOICES}


def mapping_with(
    mapping: ColumnMapping,
    *,
    records: Sequence[Sequence[str]],
    fields: Mapping[int, str] | None = None,
    roles: Mapping[str, str] | None = None,
) -> ColumnMapping:
    """``mapping`` with the organizer's choices: fields by column position, roles by ticket
    type (merged into the earlier ones, so a type not shown now keeps its role)."""
    new_fields = list(mapping.fields)
    for index, target in (fields or {}).items():
        if 0 <= index < len(new_fields) and target in ImportField.values:
            new_fields[index] = target
    chosen = {k: v for k, v in (roles or {}).items() if v in ROLE_CHOICES}
    return _with_role_guesses(
        ColumnMapping(
            mapping.source,
            tuple(new_fields),
            mapping.keys,
            {**mapping.roles, **chosen},
            CHOSEN,
            "",
        ),
        records,
    )


def mapping_problems(mapping: ColumnMapping, headers: Sequence[str]) -> list[tuple[str, str]]:
    """What keeps the mapping from giving rows, as (field, message), in words for the page."""
    by_field: dict[str, list[str]] = {}
    for header, target in zip(headers, mapping.fields, strict=True):
        if target != F.IGNORE:
            by_field.setdefault(target, []).append(header or "(no header)")
    problems = []
    for target, headers_of in by_field.items():
        if len(headers_of) > 1:
            names = ", ".join(f"“{h}”" for h in headers_of)
            problems.append(
                (
                    str(target),
                    f"Several columns give {ImportField(target).label.lower()} ({names}): "
                    "keep one and ignore the others in the column mapping.",
                )
            )
    if F.EMAIL not in by_field:
        problems.append(
            (
                str(F.EMAIL),
                "No column gives the e-mail address: choose it in the column mapping."
                if F.EMAIL_FALLBACK not in by_field
                else "The column for blank e-mails needs the e-mail column itself: choose it "
                "in the column mapping.",
            )
        )
    parts = {F.FIRST_NAME, F.LAST_NAME} & set(by_field)
    if F.FULL_NAME in by_field and parts:
        problems.append(
            (
                str(F.FULL_NAME),
                "The name comes from a full-name column and from first and last names: keep "
                "one or the other in the column mapping.",
            )
        )
    elif F.FULL_NAME not in by_field and len(parts) < 2:
        problems.append(
            (
                str(F.FULL_NAME),
                "No column gives the name: choose the full-name column, or the first-name and "
                "the last-name columns, in the column mapping."
                if not parts
                else "Only part of the name has a column: choose the "
                f"{'last' if F.FIRST_NAME in parts else 'first'}-name column too, or one "
                "full-name column, in the column mapping.",
            )
        )
    return problems


# Rows ----------------------------------------------------------------------------------------


@dataclass
class MappedRows:
    """The rows for ``attendances_upsert``, the index of the record each came from, and the
    records of ticket types that are not imported."""

    rows: list[dict] = field(default_factory=list)
    records: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def rows_build(records: Sequence[Sequence[str]], mapping: ColumnMapping) -> MappedRows:
    """Each record as a row of fields; blank optional values are left out (they keep what is
    stored), e-mail and name are always there so a blank one is reported."""
    at = {target: mapping.index_of(target) for target in ImportField.values}
    optional = [(t, at[t]) for t in (F.ORGANIZATION, F.TOPICS, F.NEWCOMER) if at[t] is not None]
    out = MappedRows()
    for number, record in enumerate(records):
        role = None
        if at[F.ROLE] is not None:
            value = record[at[F.ROLE]].strip()
            if value:
                role = mapping.roles.get(value_key(value)) or role_guess(value)
                if role == SKIP_ROWS:
                    out.skipped.append(number)
                    continue
        email = record[at[F.EMAIL]].strip() if at[F.EMAIL] is not None else ""
        if not email and at[F.EMAIL_FALLBACK] is not None:
            email = record[at[F.EMAIL_FALLBACK]].strip()
        if at[F.FULL_NAME] is not None:
            name = record[at[F.FULL_NAME]]
        else:
            parts = (record[at[t]] for t in (F.FIRST_NAME, F.LAST_NAME) if at[t] is not None)
            name = " ".join(p.strip() for p in parts if p.strip())
        row = {"email": email, "full_name": name.strip()}
        for target, index in optional:
            value = record[index].strip()
            if not value:
                continue
            if target == F.TOPICS:
                value = "|".join(t.strip() for t in TOPIC_SEPARATORS.split(value) if t.strip())
            row[str(target)] = value
        if role is not None:
            row["role"] = role
        out.rows.append(row)
        out.records.append(number)
    return out


def role_values(records: Sequence[Sequence[str]], index: int | None) -> list[tuple[str, int]]:
    """The ticket types of a column as first written, with how many records carry each."""
    if index is None:
        return []
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for record in records:
        value = " ".join(record[index].split())
        if not value:
            continue
        key = value_key(value)
        first.setdefault(key, value)
        counts[key] = counts.get(key, 0) + 1
    return sorted(((first[k], counts[k]) for k in first), key=lambda item: item[0].casefold())


def field_headers(mapping: ColumnMapping, headers: Sequence[str]) -> dict[str, str]:
    """The file's own column name(s) for each field a row error may name."""
    names: dict[str, str] = {}
    for header, target in zip(headers, mapping.fields, strict=True):
        if target != F.IGNORE:
            names[target] = header
    if F.FULL_NAME not in names and (F.FIRST_NAME in names or F.LAST_NAME in names):
        names[F.FULL_NAME] = " + ".join(names[t] for t in (F.FIRST_NAME, F.LAST_NAME) if t in names)
    if F.EMAIL_FALLBACK in names and F.EMAIL in names:
        names[F.EMAIL] = f"{names[F.EMAIL]} / {names[F.EMAIL_FALLBACK]}"
    return names
