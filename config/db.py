"""Database helpers shared by the services: row locks, and fast bulk writes of plain rows.

The bulk writes go around the ORM (no signals), so each ends by invalidating the cached
attendee pages (``config.caches``).
"""

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import NOT_PROVIDED, Model, QuerySet
from django.db.models.constants import OnConflict

from config import caches

# Rows per statement or per batch of ids: SQLite takes up to 32,766 parameters.
CHUNK = 2000


def locked(queryset: QuerySet, **kwargs) -> QuerySet:
    """``select_for_update`` where the database has row locks (PostgreSQL), else as is.

    SQLite serialises writers on its own (``transaction_mode=IMMEDIATE``).
    """
    if connection.features.has_select_for_update:
        return queryset.select_for_update(**kwargs)
    return queryset


def chunked(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(model: type[Model], rows: list[dict[str, Any]], *, ignore_conflicts=False) -> None:
    """INSERT rows of plain values (str, int, bool, None by attname), many per statement.

    ``bulk_create`` prepares every value of every row through its field, which is most of the
    time of a 50,000-row import. Here only the given values vary; every other field takes its
    default (or ``auto_now_add`` time), prepared once. A model with a field this cannot fill
    (a callable or database default) goes through ``bulk_create``. Ids are not returned.
    """
    if not rows:
        return
    given = set(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = model()
    constants: dict[str, Any] = {}
    for f in fields:
        if f.attname in given:
            continue
        if (f.has_default() and callable(f.default)) or f.db_default is not NOT_PROVIDED:
            model.objects.bulk_create(
                [model(**row) for row in rows], batch_size=1000, ignore_conflicts=ignore_conflicts
            )
            caches.invalidate(caches.TABLES)  # bulk writes send no signal
            return
        constants[f.attname] = f.get_db_prep_save(f.pre_save(template, add=True), connection)
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quote = connection.ops.quote_name
    head = "{} {} ({}) VALUES ".format(
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
    )
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = min(1000, (connection.features.max_query_params or 65535) // len(fields))
    with connection.cursor() as cursor:
        for batch in chunked(rows, per_statement):
            params = [
                row[f.attname] if f.attname in row else constants[f.attname]
                for row in batch
                for f in fields
            ]
            cursor.execute(
                head + ", ".join([placeholder] * len(batch)) + (f" {tail}" if tail else ""),
                params,
            )
    caches.invalidate(caches.TABLES)  # raw writes send no signal


def update_rows(model: type[Model], fields: list[str], rows: list[tuple]) -> None:
    """UPDATE some fields of many rows, given as (pk, value, ...) of plain values.

    One prepared statement run for every row: ``bulk_update`` builds a CASE expression per
    value, which is slower than the update itself.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(column)} = %s" for column in columns),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*values, pk) for pk, *values in rows])
    caches.invalidate(caches.TABLES)  # raw writes send no signal
