"""CSV imports of registrations and past encounters: upload, map the columns, preview, confirm.

An uploaded file becomes an ``ImportBatch``. The preview reads it and runs the import service
without writing; confirming reads and validates the stored file again, with the same column
mapping, against the data as it is then, and imports everything or nothing. Our own formats
are documented by ``COLUMNS`` (the import pages show them) and by the downloadable templates.

Registration files may also be the exports of the ticketing tools organizers use (pretix,
Eventbrite, Indico, or any file with a header): the preview shows which field each column
gives and which role each ticket type gets, guessed from the header
(``attendees.import_mapping``); the organizer changes what is wrong (``import_batch_map``) and
may save the mapping as a named preset of the conference (``import_preset_save``), which is
applied by itself to the next file with the same columns.

Files are UTF-8, with or without a byte-order mark, with ``,`` or ``;`` between fields (read
from the header line). Line numbers in messages are the file's own, header = line 1.

The services take the acting user as ``by`` (``None``: the system) and ids, and look the
conference, the import and the preset up in the organizer's scope (``conferences.scoping``).
"""

import codecs
import csv
import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from attendees import import_mapping
from attendees.enums import AttendanceRole
from attendees.import_mapping import ROLE_CHOICES, ColumnMapping, Preset
from attendees.registrations import (
    CREATED,
    TOPIC_SEPARATOR,
    UNCHANGED,
    UPDATED,
    UpsertResult,
    attendances_upsert,
    encounters_import,
)
from conferences.enums import SKIP_ROWS, ImportField, ImportKind, ImportSource, ImportStatus
from conferences.models import ImportBatch, ImportPreset, Topic
from conferences.scoping import (
    conference_by_id_for_organizer,
    import_batch_for_organizer,
    import_preset_for_organizer,
    import_presets_for_organizer,
)
from config.exceptions import Conflict, ServiceError

MAX_FILE_BYTES = 15 * 1024 * 1024
PREVIEW_KEEP = timedelta(days=1)
PREVIEW_ROWS = 100
DELIMITERS = (",", ";")
PRESET_NAME_MAX = 80
SAMPLES = 2  # values shown for each column in the mapping
SAMPLE_LINES = 200  # ... taken from the first lines


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: str


COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.REGISTRATIONS: (
        Column(
            "email",
            True,
            "The person's e-mail address, one row per person; upper or lower case does not "
            "matter. A person already known by this e-mail is updated, not duplicated.",
            "ann.lee@example.org",
        ),
        Column("full_name", True, "The name printed on table cards.", "Ann Lee"),
        Column(
            "organization",
            False,
            "School, district or company. Blank keeps what is stored.",
            "Lincoln High School",
        ),
        Column(
            "role",
            False,
            "attendee, speaker, exhibitor, volunteer or organizer. Blank: attendee for a new "
            "registration, unchanged otherwise.",
            "speaker",
        ),
        Column(
            "topics",
            False,
            f"Topic names or slugs separated by {TOPIC_SEPARATOR}; they must exist in the "
            "admin. Added to the person's topics, never removed.",
            "open-source|online-learning",
        ),
        Column(
            "newcomer",
            False,
            "yes or no to decide yourself whether the person is a newcomer; auto to decide "
            "from their history again. Blank keeps what is stored.",
            "",
        ),
    ),
    ImportKind.ENCOUNTERS: (
        Column(
            "email_a", True, "E-mail of one person; they must be registered.", "ann@example.org"
        ),
        Column("email_b", True, "E-mail of the other person.", "bob@example.org"),
        Column(
            "conference",
            True,
            "The edition where they met: its slug, or its year if the series had one edition "
            "that year. Add past editions in the admin first.",
            "2024",
        ),
    ),
}
# Header names people type instead of ours (past encounters; registrations have the mapping).
ALIASES = {"e_mail": "email", "email_address": "email", "name": "full_name"}


@dataclass(frozen=True)
class ImportIssue:
    """A problem with the file (``line`` None) or one of its lines, and how to fix it."""

    line: int | None
    field: str
    message: str


@dataclass
class CsvTable:
    """A file read as its header and records (lists of values), before any mapping."""

    headers: list[str] = field(default_factory=list)
    records: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    delimiter: str = ","
    header_line: str = ""
    readable: bool = False  # the header could be read: the records are worth mapping


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","
    table: CsvTable | None = None
    mapping: ColumnMapping | None = None
    skipped: list[int] = field(default_factory=list)


def _column_key(name: str) -> str:
    key = "_".join(name.strip().lower().replace("-", "_").split())
    return ALIASES.get(key, key)


def decode(content: bytes) -> tuple[str | None, ImportIssue | None]:
    """The text of a UTF-8 file (BOM or not), or what is wrong with its encoding."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, ImportIssue(
            None,
            "",
            'The file is UTF-16 text, not UTF-8: save it as "CSV UTF-8 (comma delimited)" and '
            "upload it again.",
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        return None, ImportIssue(
            line,
            "",
            "This line has characters that are not UTF-8 (the file was probably saved as "
            'Windows-1252 or Latin-1): save it as "CSV UTF-8" and upload it again.',
        )
    if not text.strip():
        return None, ImportIssue(None, "", "The file is empty: it needs a header line and rows.")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, ImportIssue(
            line, "", "This line holds a NUL character: the file is not a CSV text file."
        )
    return text, None


def _expected(kind: str) -> str:
    return ",".join(c.name for c in COLUMNS[kind])


def read_table(content: bytes, *, kind: str, score: Callable[[list[str]], int]) -> CsvTable:
    """The header and records of a file. The delimiter is the one that makes the header line
    name the most columns ``score`` knows (then: the most columns)."""
    table = CsvTable()
    text, problem = decode(content)
    if problem is not None:
        table.issues.append(problem)
        return table
    header_line = text.splitlines()[0]
    try:
        candidates = [
            (score(cells), len(cells), -position, delimiter, cells)
            for position, delimiter in enumerate(DELIMITERS)
            for cells in [next(csv.reader([header_line], delimiter=delimiter))]
        ]
    except csv.Error as error:
        # e.g. a header "field" longer than the csv module's limit (a file that is not a CSV)
        table.issues.append(
            ImportIssue(
                1,
                "",
                f"The header line cannot be read as CSV ({error}): the first line must name "
                f"the columns, separated by , or ;: {_expected(kind)}.",
            )
        )
        return table
    known, width, _, delimiter, cells = max(candidates)
    table.delimiter = delimiter
    table.header_line = header_line
    headers = [cell.strip() for cell in cells]
    if known == 0 and width == 1 and "\t" in header_line:
        table.issues.append(
            ImportIssue(
                1,
                "",
                "The file is separated by tabs: save it with commas (,) or semicolons (;) "
                f"between fields. The header should be: {_expected(kind)}",
            )
        )
        return table
    if known == 0 and (any("@" in h for h in headers) or not any(headers)):
        table.issues.append(
            ImportIssue(
                1,
                "",
                "The first line must be the header naming the columns, separated by , or ;: "
                f"{_expected(kind)}. It reads: {header_line[:80]!r}",
            )
        )
        return table
    table.headers = headers
    table.readable = True
    _read_records(text, table)
    return table


def _read_records(text: str, table: CsvTable) -> None:
    width, delimiter = len(table.headers), table.delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        next(reader)
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue
            if len(record) < width or any(c.strip() for c in record[width:]):
                table.issues.append(
                    ImportIssue(
                        line,
                        "",
                        f"This line has {len(record)} field{'s' if len(record) != 1 else ''} but "
                        f"the header has {width}: put quotes around values that contain "
                        f'"{delimiter}", and use the same delimiter as the header.',
                    )
                )
                continue
            table.records.append(record[:width])
            table.lines.append(line)
    except csv.Error as error:
        table.issues.append(
            ImportIssue(
                reader.line_num,
                "",
                f"The file cannot be read as CSV from this line on ({error}): check the quotes.",
            )
        )


def _registrations_score(cells: list[str]) -> int:
    return sum(import_mapping.column_key(c) in import_mapping.KNOWN_KEYS for c in cells)


def parse_csv(
    content: bytes,
    *,
    kind: str,
    stored: Mapping | None = None,
    presets: Sequence[Preset] = (),
) -> ParsedFile:
    """The rows of an import file as dicts of fields, with their line numbers.

    Registrations go through the column mapping: ``stored`` (chosen for this file), else a
    preset made for exactly these columns, else the guess from the header. Past encounters
    have fixed columns (``COLUMNS``).
    """
    if kind == ImportKind.ENCOUNTERS:
        return _parse_fixed(content, kind=kind)
    table = read_table(content, kind=kind, score=_registrations_score)
    parsed = ParsedFile(issues=list(table.issues), delimiter=table.delimiter, table=table)
    if not table.readable:
        return parsed
    mapping = import_mapping.mapping_resolve(
        headers=table.headers, records=table.records, stored=stored, presets=presets
    )
    parsed.mapping = mapping
    problems = import_mapping.mapping_problems(mapping, table.headers)
    if problems:
        parsed.issues[:0] = [ImportIssue(1, target, message) for target, message in problems]
        return parsed
    built = import_mapping.rows_build(table.records, mapping)
    parsed.rows = built.rows
    parsed.lines = [table.lines[i] for i in built.records]
    parsed.skipped = [table.lines[i] for i in built.skipped]
    if not table.records and not parsed.issues:
        parsed.issues.append(ImportIssue(None, "", "The file has a header but no rows."))
    elif table.records and not built.rows and not parsed.issues:
        parsed.issues.append(
            ImportIssue(
                None,
                ImportField.ROLE,
                "No line is left to import: every ticket type is set to “Don't import” in the "
                "column mapping.",
            )
        )
    return parsed


def _parse_fixed(content: bytes, *, kind: str) -> ParsedFile:
    columns = COLUMNS[kind]
    known = {c.name: c for c in columns}

    def score(cells: list[str]) -> int:
        return len(known.keys() & {_column_key(c) for c in cells})

    table = read_table(content, kind=kind, score=score)
    parsed = ParsedFile(issues=list(table.issues), delimiter=table.delimiter, table=table)
    if not table.readable:
        return parsed
    names = [_column_key(h) for h in table.headers]
    expected = _expected(kind)
    header_issue = None
    missing = [c.name for c in columns if c.required and c.name not in names]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if not known.keys() & set(names):
        header_issue = ImportIssue(
            1,
            "",
            "The first line must be the header naming the columns, separated by , or ;: "
            f"{expected}. It reads: {table.header_line[:80]!r}",
        )
    elif missing:
        header_issue = ImportIssue(
            1,
            missing[0],
            f"The header lacks the column {', '.join(missing)}: the header is {expected}.",
        )
    elif repeated:
        header_issue = ImportIssue(1, repeated[0], f"The header names {', '.join(repeated)} twice.")
    if header_issue is not None:
        return ParsedFile(issues=[header_issue], delimiter=table.delimiter, table=table)
    ignored = [n for n in names if n and n not in known]
    if ignored:
        parsed.warnings.append(f"Ignored columns this import does not use: {', '.join(ignored)}.")
    positions = [(i, known[n]) for i, n in enumerate(names) if n in known]
    for record, line in zip(table.records, table.lines, strict=True):
        row = {}
        for position, column in positions:
            value = record[position].strip()
            if value or column.required:
                row[column.name] = value
        parsed.rows.append(row)
        parsed.lines.append(line)
    if not parsed.rows and not parsed.issues:
        parsed.issues.append(ImportIssue(None, "", "The file has a header but no rows."))
    return parsed


def template_csv(*, kind: str) -> str:
    """A file with the header and an example row, to fill in."""
    columns = COLUMNS[kind]
    examples = {c.name: c.example for c in columns}
    if kind == ImportKind.REGISTRATIONS:
        slugs = list(Topic.objects.order_by("name").values_list("slug", flat=True)[:2])
        examples["topics"] = TOPIC_SEPARATOR.join(slugs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    writer.writerow([examples[c.name] for c in columns])
    return out.getvalue()


# The preview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    line: int
    label: str
    changes: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class MappedColumn:
    """One column of the file in the mapping: its header, what it gives, a few of its values."""

    index: int
    header: str
    key: str
    field: str
    samples: tuple[str, ...]

    @property
    def ignored(self) -> bool:
        return self.field == ImportField.IGNORE

    @property
    def field_label(self) -> str:
        return ImportField(self.field).label


@dataclass(frozen=True)
class TicketType:
    """A value of the role column, how many lines carry it, and the role it gives (or
    ``SKIP_ROWS``: its lines are not imported)."""

    index: int
    value: str
    key: str
    lines: int
    role: str

    @property
    def role_label(self) -> str:
        return (
            "Don't import these lines"
            if self.role == SKIP_ROWS
            else AttendanceRole(self.role).label
        )


@dataclass(frozen=True)
class PresetOption:
    preset_id: int
    name: str
    fits: bool  # made for exactly the columns of this file


@dataclass(frozen=True)
class MappingView:
    """The column mapping as the preview shows it."""

    source: str
    origin: str
    preset: str
    token: str
    columns: tuple[MappedColumn, ...]
    ticket_types: tuple[TicketType, ...]
    presets: tuple[PresetOption, ...]
    role_header: str

    @property
    def source_label(self) -> str:
        return ImportSource(self.source).label

    @property
    def used_columns(self) -> tuple[MappedColumn, ...]:
        return tuple(c for c in self.columns if not c.ignored)

    @property
    def ignored_columns(self) -> tuple[MappedColumn, ...]:
        return tuple(c for c in self.columns if c.ignored)


@dataclass(frozen=True)
class ImportPreview:
    """What a batch does (or did): counts, rows by outcome, every problem by line and, for
    registrations, the column mapping it is read with."""

    batch: ImportBatch
    issues: list[ImportIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    result: UpsertResult | None = None
    lines: list[int] = field(default_factory=list)
    mapping: MappingView | None = None
    skipped: int = 0

    @property
    def applied(self) -> bool:
        return self.batch.status == ImportStatus.APPLIED

    @property
    def can_confirm(self) -> bool:
        return not self.applied and not self.issues and self.result is not None

    @property
    def mapping_token(self) -> str:
        return self.mapping.token if self.mapping is not None else ""

    @property
    def rejected(self) -> int:
        """Lines of data with a problem (the header's problems are the file's, not a line's)."""
        lines = {issue.line for issue in self.issues if issue.line is not None and issue.line > 1}
        return len(lines)

    @property
    def mapping_issues(self) -> bool:
        return any(i.line == 1 and i.field in ImportField.values for i in self.issues)

    def counts(self) -> dict[str, int]:
        if self.applied and self.result is None:
            return {
                CREATED: self.batch.created_count,
                UPDATED: self.batch.updated_count,
                UNCHANGED: self.batch.unchanged_count,
            }
        return self.result.counts() if self.result else {CREATED: 0, UPDATED: 0, UNCHANGED: 0}

    def rows(self, action: str, limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
        if self.result is None:
            return []
        picked = [o for o in self.result.outcomes if o.action == action][:limit]
        return [PreviewRow(self.lines[o.row], o.label, o.changes, o.notes) for o in picked]

    @property
    def created_rows(self) -> list[PreviewRow]:
        return self.rows(CREATED)

    @property
    def updated_rows(self) -> list[PreviewRow]:
        return self.rows(UPDATED)

    @property
    def noted_rows(self) -> list[PreviewRow]:
        """Rows with a note (e.g. a profile kept as its owner set it), whatever they do."""
        if self.result is None:
            return []
        noted = [o for o in self.result.outcomes if o.notes][:PREVIEW_ROWS]
        return [PreviewRow(self.lines[o.row], o.label, o.changes, o.notes) for o in noted]

    @property
    def more_created(self) -> int:
        return max(0, self.counts()[CREATED] - PREVIEW_ROWS)

    @property
    def more_updated(self) -> int:
        return max(0, self.counts()[UPDATED] - PREVIEW_ROWS)

    @property
    def has_updates(self) -> bool:
        return self.batch.kind == ImportKind.REGISTRATIONS


def _presets(conference_id: int) -> list[ImportPreset]:
    return list(ImportPreset.objects.filter(conference_id=conference_id).order_by("-updated_at"))


def _mapping_view(
    table: CsvTable, mapping: ColumnMapping, presets: list[ImportPreset]
) -> MappingView:
    samples: list[list[str]] = [[] for _ in table.headers]
    for record in table.records[:SAMPLE_LINES]:
        for index, value in enumerate(record):
            value = " ".join(value.split())
            if value and len(samples[index]) < SAMPLES and value not in samples[index]:
                samples[index].append(value)
    columns = [
        MappedColumn(index, header, key, target, tuple(samples[index]))
        for index, (header, key, target) in enumerate(
            zip(table.headers, mapping.keys, mapping.fields, strict=True)
        )
    ]
    role_index = mapping.index_of(ImportField.ROLE)
    ticket_types = tuple(
        TicketType(
            number,
            value,
            import_mapping.value_key(value),
            count,
            mapping.roles.get(import_mapping.value_key(value), import_mapping.role_guess(value)),
        )
        for number, (value, count) in enumerate(
            import_mapping.role_values(table.records, role_index)
        )
    )
    keys = set(mapping.keys)
    return MappingView(
        source=mapping.source,
        origin=mapping.origin,
        preset=mapping.preset,
        token=mapping.token,
        columns=tuple(columns),
        ticket_types=ticket_types,
        presets=tuple(PresetOption(p.pk, p.name, set(p.columns) == keys) for p in presets),
        role_header=table.headers[role_index] if role_index is not None else "",
    )


def _as_presets(presets: list[ImportPreset]) -> list[Preset]:
    return [Preset(p.name, p.columns, p.roles) for p in presets]


def _content(batch: ImportBatch) -> bytes:
    return bytes(ImportBatch.objects.values_list("content", flat=True).get(pk=batch.pk))


def _run(
    batch: ImportBatch,
    *,
    by,
    dry_run: bool,
    expected: Mapping[str, int] | None = None,
    mapping_token: str | None = None,
) -> tuple[ImportPreview, ColumnMapping | None]:
    registrations = batch.kind == ImportKind.REGISTRATIONS
    presets = _presets(batch.conference_id) if registrations else []
    parsed = parse_csv(
        _content(batch), kind=batch.kind, stored=batch.mapping, presets=_as_presets(presets)
    )
    mapping = parsed.mapping
    if (
        not dry_run
        and registrations
        and mapping_token is not None
        and (mapping is None or mapping_token != mapping.token)
    ):
        raise Conflict(
            "The column mapping changed since this preview: check the new preview and "
            "confirm again."
        )
    preview = ImportPreview(
        batch=batch,
        issues=list(parsed.issues),
        warnings=list(parsed.warnings),
        lines=parsed.lines,
        mapping=_mapping_view(parsed.table, mapping, presets) if mapping is not None else None,
        skipped=len(parsed.skipped),
    )
    if not parsed.rows:
        return preview, mapping  # unreadable, unmapped, or no line of it is
    lines = parsed.lines
    service = attendances_upsert if registrations else encounters_import
    blocked = dry_run or bool(parsed.issues)
    result = service(
        conference=batch.conference,
        rows=parsed.rows,
        by=by,
        dry_run=blocked,
        expected_counts=None if blocked else expected,
        row_label=lambda index: f"line {lines[index]}",
    )
    names = (
        import_mapping.field_headers(mapping, parsed.table.headers) if mapping is not None else {}
    )
    issues = preview.issues + [
        ImportIssue(lines[e.row], names.get(e.field, e.field), e.message) for e in result.errors
    ]
    issues.sort(key=lambda issue: issue.line or 0)
    return dataclasses.replace(preview, issues=issues, result=result), mapping


def _batch(*, by, batch_id: int, conference_id: int | None, kind: str | None) -> ImportBatch:
    return import_batch_for_organizer(user=by, pk=batch_id, kind=kind, conference_id=conference_id)


def _registration_batch(*, by, batch_id: int, conference_id: int | None) -> ImportBatch:
    batch = _batch(by=by, batch_id=batch_id, conference_id=conference_id, kind=None)
    if batch.kind != ImportKind.REGISTRATIONS:
        raise ServiceError("Only registration files have a column mapping.")
    if batch.status == ImportStatus.APPLIED:
        raise Conflict(
            "This file has already been imported: upload it again to change how its columns "
            "are read."
        )
    return batch


# The services --------------------------------------------------------------------------------


def import_batch_create(
    *,
    by,
    conference_id: int,
    kind: str,
    filename: str,
    content: bytes,
    preset_id: int | None = None,
) -> ImportBatch:
    """Keep an uploaded file for its preview, read with the saved mapping ``preset_id`` if
    given; forget previews nobody confirmed for a day."""
    conference = conference_by_id_for_organizer(user=by, pk=conference_id)
    if kind not in ImportKind.values:
        raise ServiceError(f"Unknown import kind {kind!r}.")
    if len(content) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into "
            "several files and import them one after the other."
        )
    mapping = {}
    if preset_id is not None:
        if kind != ImportKind.REGISTRATIONS:
            raise ServiceError("Only registration files have a column mapping.")
        preset = import_preset_for_organizer(user=by, pk=preset_id, conference_id=conference.pk)
        mapping = {"columns": preset.columns, "roles": preset.roles, "preset": preset.name}
    ImportBatch.objects.filter(
        status=ImportStatus.PREVIEWED, created_at__lt=timezone.now() - PREVIEW_KEEP
    ).delete()
    return ImportBatch.objects.create(
        conference=conference,
        kind=kind,
        filename=filename[:255],
        content=bytes(content),
        created_by=by if getattr(by, "is_authenticated", False) else None,
        mapping=mapping,
    )


def import_batch_preview(
    *, by, batch_id: int, conference_id: int | None = None, kind: str | None = None
) -> ImportPreview:
    """What confirming the batch would do now; an imported batch shows what it did.

    ``conference_id`` and ``kind``, when given, narrow the lookup: an import of another
    conference or kind is ``NotFound`` like one of another organizer."""
    batch = _batch(by=by, batch_id=batch_id, conference_id=conference_id, kind=kind)
    if batch.status == ImportStatus.APPLIED:
        return ImportPreview(batch=batch)
    return _run(batch, by=by, dry_run=True)[0]


def import_batch_confirm(
    *,
    by,
    batch_id: int,
    expected: Mapping[str, int] | None,
    mapping_token: str | None = None,
    conference_id: int | None = None,
    kind: str | None = None,
) -> ImportPreview:
    """Validate the stored file again, with the same column mapping, and import it, all or
    nothing.

    ``expected`` holds the counts the organizer saw in the preview and ``mapping_token`` the
    mapping it was read with (``MappingView.token``); if the data or the mapping changed since,
    nothing is written (``Conflict``). The system (``by=None``) may leave the token out.
    """
    batch = _batch(by=by, batch_id=batch_id, conference_id=conference_id, kind=kind)
    with transaction.atomic():
        locked = (
            ImportBatch.objects.select_for_update().select_related("conference").get(pk=batch.pk)
        )
        if locked.status == ImportStatus.APPLIED:
            raise Conflict(
                "This file has already been imported: upload it again to check it against "
                "the data as it is now."
            )
        preview, mapping = _run(
            locked, by=by, dry_run=False, expected=expected, mapping_token=mapping_token
        )
        if preview.result is None or not preview.result.applied:
            return preview
        counts = preview.result.counts()
        locked.status = ImportStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.created_count = counts[CREATED]
        locked.updated_count = counts[UPDATED]
        locked.unchanged_count = counts[UNCHANGED]
        locked.content = b""
        if mapping is not None:
            locked.mapping = mapping.stored()
        locked.save(
            update_fields=[
                "status",
                "applied_at",
                "created_count",
                "updated_count",
                "unchanged_count",
                "content",
                "mapping",
            ]
        )
    return preview


def import_batch_mapping(*, by, batch_id: int, conference_id: int | None = None) -> MappingView:
    """The column mapping a registration file is read with now, without the rest of the
    preview (what a form of the mapping is checked against)."""
    batch = _registration_batch(by=by, batch_id=batch_id, conference_id=conference_id)
    presets = _presets(batch.conference_id)
    mapping, table = _current_mapping(batch, presets=presets)
    return _mapping_view(table, mapping, presets)


def import_batch_map(
    *,
    by,
    batch_id: int,
    fields: Mapping[int, str],
    roles: Mapping[str, str],
    conference_id: int | None = None,
) -> ImportPreview:
    """Read a registration file with the organizer's choices: ``fields`` gives the field of
    columns by position (``ImportField``), ``roles`` the role of ticket types by
    ``import_mapping.value_key`` (an ``AttendanceRole`` or ``SKIP_ROWS``). Columns and types
    not given keep their mapping. Returns the new preview."""
    unknown = sorted({str(f) for f in fields.values()} - set(ImportField.values))
    if unknown:
        raise ServiceError(f"Unknown field {unknown[0]!r}: choose one of the list.")
    unknown = sorted({str(r) for r in roles.values()} - set(ROLE_CHOICES))
    if unknown:
        raise ServiceError(f"Unknown role {unknown[0]!r}: choose one of the list.")
    with transaction.atomic():
        batch = _registration_batch(by=by, batch_id=batch_id, conference_id=conference_id)
        mapping, table = _current_mapping(batch)
        chosen = import_mapping.mapping_with(
            mapping, records=table.records, fields=fields, roles=roles
        )
        _store_mapping(batch, chosen.stored())
    return _run(batch, by=by, dry_run=True)[0]


def import_preset_apply(
    *, by, batch_id: int, preset_id: int, conference_id: int | None = None
) -> ImportPreview:
    """Read a registration file with a saved mapping of its conference."""
    with transaction.atomic():
        batch = _registration_batch(by=by, batch_id=batch_id, conference_id=conference_id)
        preset = import_preset_for_organizer(
            user=by, pk=preset_id, conference_id=batch.conference_id
        )
        _store_mapping(
            batch, {"columns": preset.columns, "roles": preset.roles, "preset": preset.name}
        )
    return _run(batch, by=by, dry_run=True)[0]


@dataclass(frozen=True)
class PresetSaved:
    preset_id: int
    name: str
    created: bool


def _preset_name(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ServiceError("Give the mapping a name, e.g. the tool it is for.", field="name")
    if len(cleaned) > PRESET_NAME_MAX:
        raise ServiceError(
            f"The name is longer than {PRESET_NAME_MAX} characters: shorten it.", field="name"
        )
    return cleaned


def import_preset_save(
    *, by, batch_id: int, name: str, conference_id: int | None = None
) -> PresetSaved:
    """Save the mapping a registration file is read with as preset ``name`` of its conference
    (replacing a preset of that name), so the next file with these columns is read alike."""
    cleaned = _preset_name(name)
    with transaction.atomic():
        batch = _registration_batch(by=by, batch_id=batch_id, conference_id=conference_id)
        mapping, table = _current_mapping(batch)
        problems = import_mapping.mapping_problems(mapping, table.headers)
        if problems:
            raise ServiceError(f"Fix the column mapping before saving it: {problems[0][1]}")
        stored = mapping.stored()
        existing = (
            ImportPreset.objects.select_for_update()
            .filter(conference_id=batch.conference_id)
            .annotate(lower_name=Lower("name"))
            .filter(lower_name=cleaned.lower())
            .first()
        )
        values = {
            "name": cleaned,
            "source": mapping.source,
            "columns": stored["columns"],
            "roles": stored["roles"],
        }
        try:
            with transaction.atomic():
                if existing is None:
                    preset = ImportPreset.objects.create(
                        conference_id=batch.conference_id,
                        created_by=by if getattr(by, "is_authenticated", False) else None,
                        **values,
                    )
                else:
                    preset = existing
                    for name_, value in values.items():
                        setattr(preset, name_, value)
                    preset.save(update_fields=[*values, "updated_at"])
        except IntegrityError as error:
            raise Conflict(
                f"A mapping named “{cleaned}” was saved at the same time: save again."
            ) from error
        _store_mapping(batch, {**stored, "preset": cleaned})
    return PresetSaved(preset.pk, cleaned, existing is None)


@dataclass(frozen=True)
class PresetDeleted:
    name: str


def import_preset_delete(*, by, preset_id: int, conference_id: int) -> PresetDeleted:
    """Forget a saved mapping. Files already read with it keep their mapping."""
    preset = import_preset_for_organizer(user=by, pk=preset_id, conference_id=conference_id)
    name = preset.name
    preset.delete()
    return PresetDeleted(name)


def import_presets(*, by, conference_id: int) -> list[ImportPreset]:
    """The saved mappings of one of the organizer's conferences, by name."""
    return list(import_presets_for_organizer(user=by, conference_id=conference_id))


def _current_mapping(
    batch: ImportBatch, *, presets: list[ImportPreset] | None = None
) -> tuple[ColumnMapping, CsvTable]:
    """The mapping a registration file is read with now, and the file as a table."""
    parsed = parse_csv(
        _content(batch),
        kind=batch.kind,
        stored=batch.mapping,
        presets=_as_presets(_presets(batch.conference_id) if presets is None else presets),
    )
    if parsed.mapping is None:
        raise ServiceError(
            "This file cannot be read, so its columns cannot be mapped: "
            + (parsed.issues[0].message if parsed.issues else "upload a corrected file.")
        )
    return parsed.mapping, parsed.table


def _store_mapping(batch: ImportBatch, mapping: dict) -> None:
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(mapping=mapping)
    batch.mapping = mapping
