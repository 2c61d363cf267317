"""CSV imports of registrations and past encounters: upload, preview, confirm.

An uploaded file becomes an ``ImportBatch``. The preview parses it and runs the import service
without writing; confirming parses and validates the stored file again against the data as it
is then, and imports everything or nothing. The file formats are documented by ``COLUMNS`` (the
import pages and the README show them) and by the downloadable templates.

Files are UTF-8, with or without a byte-order mark, with ``,`` or ``;`` between fields (read
from the header line). Line numbers in messages are the file's own, header = line 1.
"""

import codecs
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from attendees.registrations import (
    CREATED,
    TOPIC_SEPARATOR,
    UNCHANGED,
    UPDATED,
    UpsertResult,
    attendances_upsert,
    encounters_import,
)
from conferences.enums import ImportKind, ImportStatus
from conferences.models import Conference, ImportBatch, Topic
from config.exceptions import Conflict, ServiceError

MAX_FILE_BYTES = 15 * 1024 * 1024
PREVIEW_KEEP = timedelta(days=1)
PREVIEW_ROWS = 100
DELIMITERS = (",", ";")


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
# Header names people type instead of ours.
ALIASES = {"e_mail": "email", "email_address": "email", "name": "full_name"}


@dataclass(frozen=True)
class ImportIssue:
    """A problem with the file (``line`` None) or one of its lines, and how to fix it."""

    line: int | None
    field: str
    message: str


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","


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


def _read_header(
    line: str, columns: tuple[Column, ...]
) -> tuple[str, list[str], ImportIssue | None]:
    """Pick the delimiter that makes the header line name our columns."""
    known = {c.name for c in columns}
    best: tuple[int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        names = [_column_key(n) for n in next(csv.reader([line], delimiter=delimiter))]
        score = len(known.intersection(names))
        if best is None or score > best[0]:
            best = (score, delimiter, names)
    score, delimiter, names = best
    expected = ",".join(c.name for c in columns)
    if score == 0:
        if "\t" in line:
            message = (
                "The file is separated by tabs: save it with commas (,) or semicolons (;) "
                f"between fields. The header should be: {expected}"
            )
        else:
            message = (
                "The first line must be the header naming the columns, separated by , or ;: "
                f"{expected}. It reads: {line[:80]!r}"
            )
        return delimiter, names, ImportIssue(1, "", message)
    missing = [c.name for c in columns if c.required and c.name not in names]
    if missing:
        return (
            delimiter,
            names,
            ImportIssue(
                1,
                missing[0],
                f"The header lacks the column {', '.join(missing)}: the header is {expected}.",
            ),
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        return (
            delimiter,
            names,
            ImportIssue(1, repeated[0], f"The header names {', '.join(repeated)} twice."),
        )
    return delimiter, names, None


def parse_csv(content: bytes, *, kind: str) -> ParsedFile:
    """The rows of an import file as dicts of the columns given, with their line numbers."""
    columns = COLUMNS[kind]
    parsed = ParsedFile()
    text, problem = decode(content)
    if problem is not None:
        parsed.issues.append(problem)
        return parsed
    header_line = text.splitlines()[0]
    try:
        delimiter, names, problem = _read_header(header_line, columns)
    except csv.Error as error:
        # e.g. a header "field" longer than the csv module's limit (a file that is not a CSV)
        parsed.issues.append(
            ImportIssue(
                1,
                "",
                f"The header line cannot be read as CSV ({error}): the first line must name "
                f"the columns, separated by , or ;: {','.join(c.name for c in columns)}.",
            )
        )
        return parsed
    parsed.delimiter = delimiter
    if problem is not None:
        parsed.issues.append(problem)
        return parsed
    known = {c.name: c for c in columns}
    ignored = [n for n in names if n and n not in known]
    if ignored:
        parsed.warnings.append(f"Ignored columns this import does not use: {', '.join(ignored)}.")
    positions = [(i, known[n]) for i, n in enumerate(names) if n in known]

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
            if len(record) < len(names) or any(c.strip() for c in record[len(names) :]):
                parsed.issues.append(
                    ImportIssue(
                        line,
                        "",
                        f"This line has {len(record)} field{'s' if len(record) != 1 else ''} but "
                        f"the header has {len(names)}: put quotes around values that contain "
                        f'"{delimiter}", and use the same delimiter as the header.',
                    )
                )
                continue
            row = {}
            for position, column in positions:
                value = record[position].strip()
                if value or column.required:
                    row[column.name] = value
            parsed.rows.append(row)
            parsed.lines.append(line)
    except csv.Error as error:
        parsed.issues.append(
            ImportIssue(
                reader.line_num,
                "",
                f"The file cannot be read as CSV from this line on ({error}): check the quotes.",
            )
        )
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


@dataclass
class PreviewRow:
    line: int
    label: str
    changes: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass
class ImportPreview:
    """What a batch does (or did): counts, rows by outcome, and every problem by line."""

    batch: ImportBatch
    issues: list[ImportIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    result: UpsertResult | None = None
    lines: list[int] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return self.batch.status == ImportStatus.APPLIED

    @property
    def can_confirm(self) -> bool:
        return not self.applied and not self.issues and self.result is not None

    @property
    def rejected(self) -> int:
        lines = {issue.line for issue in self.issues}
        return len(lines)

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


def import_batch_create(
    *, conference: Conference, kind: str, filename: str, content: bytes, by
) -> ImportBatch:
    """Keep an uploaded file for its preview; forget previews nobody confirmed for a day."""
    if kind not in ImportKind.values:
        raise ServiceError(f"Unknown import kind {kind!r}.")
    if len(content) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into "
            "several files and import them one after the other."
        )
    ImportBatch.objects.filter(
        status=ImportStatus.PREVIEWED, created_at__lt=timezone.now() - PREVIEW_KEEP
    ).delete()
    return ImportBatch.objects.create(
        conference=conference,
        kind=kind,
        filename=filename[:255],
        content=bytes(content),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def _run(
    batch: ImportBatch, *, by, dry_run: bool, expected: Mapping[str, int] | None = None
) -> ImportPreview:
    parsed = parse_csv(bytes(batch.content), kind=batch.kind)
    preview = ImportPreview(
        batch=batch, issues=list(parsed.issues), warnings=parsed.warnings, lines=parsed.lines
    )
    if not parsed.rows:
        return preview  # the file itself is unreadable, or no line of it is
    lines = parsed.lines
    service = attendances_upsert if batch.kind == ImportKind.REGISTRATIONS else encounters_import
    blocked = dry_run or bool(parsed.issues)
    result = service(
        conference=batch.conference,
        rows=parsed.rows,
        by=by,
        dry_run=blocked,
        expected_counts=None if blocked else expected,
        row_label=lambda index: f"line {lines[index]}",
    )
    preview.result = result
    preview.issues.extend(ImportIssue(lines[e.row], e.field, e.message) for e in result.errors)
    preview.issues.sort(key=lambda issue: issue.line or 0)
    return preview


def import_batch_preview(*, batch: ImportBatch, by) -> ImportPreview:
    """What confirming the batch would do now; an imported batch shows what it did."""
    if batch.status == ImportStatus.APPLIED:
        return ImportPreview(batch=batch)
    return _run(batch, by=by, dry_run=True)


def import_batch_confirm(
    *, batch: ImportBatch, by, expected: Mapping[str, int] | None
) -> ImportPreview:
    """Validate the stored file again and import it, all or nothing.

    ``expected`` holds the counts the organizer saw in the preview; if the data changed since
    and the import would now do something else, nothing is written (``Conflict``).
    """
    with transaction.atomic():
        locked = (
            ImportBatch.objects.select_for_update().select_related("conference").get(pk=batch.pk)
        )
        if locked.status == ImportStatus.APPLIED:
            raise Conflict(
                "This file has already been imported: upload it again to check it against "
                "the data as it is now."
            )
        preview = _run(locked, by=by, dry_run=False, expected=expected)
        if preview.result is None or not preview.result.applied:
            return preview
        counts = preview.result.counts()
        locked.status = ImportStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.created_count = counts[CREATED]
        locked.updated_count = counts[UPDATED]
        locked.unchanged_count = counts[UNCHANGED]
        locked.content = b""
        locked.save(
            update_fields=[
                "status",
                "applied_at",
                "created_count",
                "updated_count",
                "unchanged_count",
                "content",
            ]
        )
    return preview
