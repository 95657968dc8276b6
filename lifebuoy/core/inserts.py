"""Inserting rows on the hottest write paths without the ORM compiling the same INSERT each time.

``Model.objects.create`` and ``bulk_create`` build their SQL anew on every call, which costs a
web process three times what sending the statement does (about 0.16 ms against 0.05 ms per row
on PostgreSQL); opening a ticket writes six such rows. ``insert_rows`` plans the statement once
per model, database and number of rows, and prepares each value exactly as the ORM does
(``pre_save`` with ``add=True`` for ``auto_now_add`` and the like, then ``get_db_prep_save``;
a value those calls would hand back unchanged, such as a string of a text field, is taken as
it is), so the stored row is the same; the instances get their primary keys
and count as saved.
PostgreSQL prepares each statement once per connection (``lifebuoy.core.prepared``), so it is
not parsed and planned for every row either.

``ignore_conflicts=True`` skips rows that would break a unique constraint (PostgreSQL's
``ON CONFLICT DO NOTHING``, SQLite's ``INSERT OR IGNORE``), as ``bulk_create`` does: the database
then sends no keys back, and the instances keep ``pk`` None when the database picks it.

What it leaves out, on purpose: model signals (``pre_save``/``post_save`` are not sent; no model
written this way has receivers) and models with database defaults or generated columns, which
it refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import (
    NOT_PROVIDED,
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    EmailField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SlugField,
    SmallIntegerField,
    TextField,
    URLField,
)
from django.db.models.constants import OnConflict

from lifebuoy.core.prepared import prepared_cursor

M = TypeVar("M", bound=Model)


# Values the ORM's ``get_db_prep_save`` would hand back unchanged are taken as they stand,
# skipping its chain of calls (most of a row's preparing), for these exact field classes only (a
# subclass may prepare its values otherwise); any other value (a lazy string, an enum member of
# an integer field, an expression, a naive datetime) still goes through the ORM's methods.
_STR_FIELDS = (CharField, TextField, EmailField, SlugField, URLField)
_INT_FIELDS = (
    AutoField,
    BigAutoField,
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
)
_PREPARE = 0  # always through the ORM
_STR = 1  # any str (an enum member of a text field included: the ORM keeps it) or None
_INT = 2  # exactly an int, or None
_BOOL = 3  # exactly a bool (not None: a non-null boolean refuses it before the database does)
_AWARE = 4  # an aware datetime (with USE_TZ, on PostgreSQL: the ORM keeps it), or None
_NULL = 5  # None alone


def _value_kind(field: Field[object, object], alias: str) -> int:
    kind = type(field)
    if kind is ForeignKey:
        target = field.target_field  # type: ignore[attr-defined]
        return _INT if type(target) in _INT_FIELDS else _PREPARE
    if kind in _STR_FIELDS:
        return _STR
    if kind in _INT_FIELDS:
        return _INT
    if kind is BooleanField:
        return _BOOL
    if kind is DateTimeField:  # as is where the connection adapts an aware one to itself
        probe = datetime(2000, 1, 1, tzinfo=UTC)
        adapted: object = connections[alias].ops.adapt_datetimefield_value(probe)
        return _AWARE if settings.USE_TZ and adapted is probe else _NULL
    return _PREPARE


def _as_is(kind: int, value: object) -> bool:
    """Whether the ORM would send ``value`` unchanged for a field of value kind ``kind``."""
    if value is None:
        return kind not in (_PREPARE, _BOOL)
    if kind == _STR:
        return isinstance(value, str)
    if kind == _INT:
        return type(value) is int
    if kind == _BOOL:
        return type(value) is bool
    if kind == _AWARE:
        return type(value) is datetime and value.utcoffset() is not None
    return False


@dataclass(frozen=True)
class _Plan:
    statement: str
    fields: tuple[Field[object, object], ...]
    returns_pk: bool  # the database picks the primary key (an auto field) and sends it back
    # Per field: its attribute, whether ``pre_save`` only reads it, its value kind (``_as_is``).
    columns: tuple[tuple[Field[object, object], str, bool, int], ...]


@cache
def _plan(
    model: type[Model],
    alias: str,
    rows: int,
    *,
    ignore_conflicts: bool = False,
    returning: bool = True,
    keyed_by: str = "",
) -> _Plan:
    """``keyed_by``: a foreign key whose value is the key of the row ``main_rows`` (a WITH of
    the statement) returns, instead of a parameter."""
    connection = connections[alias]
    meta = model._meta
    pk = meta.pk
    if pk is None:
        raise TypeError(f"{meta.label} has no primary key")
    fields = tuple(
        field
        for field in meta.concrete_fields
        if not (field.primary_key and getattr(field, "db_returning", False))
    )
    for field in fields:
        if field.db_default is not NOT_PROVIDED or field.generated:
            raise TypeError(f"{meta.label}.{field.name}: insert_rows writes plain columns only")
    prepare = tuple(
        (field, field.attname, type(field).pre_save is Field.pre_save, _value_kind(field, alias))
        for field in fields
        if field.name != keyed_by
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(
        f"(SELECT {quote(field.target_field.column)} FROM main_rows)"  # type: ignore[attr-defined]  # noqa: S608
        if field.name == keyed_by
        else "%s"
        for field in fields
    )
    values = ", ".join([f"({placeholders})"] * rows)
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    insert = connection.ops.insert_statement(on_conflict=on_conflict)
    statement = f"{insert} {quote(meta.db_table)} ({columns}) VALUES {values}"
    if ignore_conflicts:
        suffix = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
        return _Plan(f"{statement} {suffix}".rstrip(), fields, False, prepare)
    returns_pk = pk not in fields and returning
    if returns_pk:
        if rows > 1 and not connection.features.can_return_rows_from_bulk_insert:
            raise TypeError(f"{connection.vendor} cannot return the keys of several rows")
        statement += f" RETURNING {quote(pk.column)}"
    return _Plan(statement, fields, returns_pk, prepare)


@cache
def _plan_along(
    model: type[Model], alias: str, rows: int, *, along: type[Model], along_rows: int, key: str
) -> tuple[_Plan, _Plan, str]:
    """The main rows' plan, the other rows' plan (no keys sent back) and the statement writing
    both: the other rows' INSERT as a data-modifying WITH of the main INSERT. With ``key``, the
    other rows' foreign key ``key`` takes the one main row's new key (the main INSERT is then a
    WITH too, and the statement returns what it returns)."""
    main = _plan(model, alias, rows)
    other = _plan(along, alias, along_rows, returning=False, keyed_by=key)
    if not key:
        return main, other, f"WITH along_rows AS ({other.statement}) {main.statement}"
    pk = connections[alias].ops.quote_name(model._meta.pk.column)
    return (
        main,
        other,
        f"WITH main_rows AS ({main.statement}), along_rows AS ({other.statement}) "  # noqa: S608
        f"SELECT {pk} FROM main_rows",
    )


@cache
def _with_also(statement: str, also: tuple[str, ...]) -> str:
    """``statement`` (``WITH main_rows AS (…), along_rows AS (…) SELECT …``) with the ``also``
    statements as further data-modifying WITHs, before its final SELECT."""
    head, select, tail = statement.rpartition(" SELECT ")
    extra = "".join(f", also_{n} AS ({sql})" for n, sql in enumerate(also))
    return f"{head}{extra}{select}{tail}"


def _params(plan: _Plan, instances: Sequence[Model], using: str) -> list[Any]:
    connection = connections[using]
    model = type(instances[0])
    params: list[Any] = []
    for instance in instances:
        if type(instance) is not model:
            raise TypeError("insert_rows takes instances of one model")
        for field, attname, reads, kind in plan.columns:
            value = getattr(instance, attname) if reads else field.pre_save(instance, True)
            if not _as_is(kind, value):
                value = field.get_db_prep_save(value, connection)
            params.append(value)
    return params


def _saved(instances: Sequence[Model], using: str) -> None:
    for instance in instances:
        instance._state.adding = False
        instance._state.db = using


def insert_rows(
    instances: Sequence[M],
    *,
    using: str = "default",
    ignore_conflicts: bool = False,
    along: Sequence[Model] = (),
    along_key: str = "",
    also: Sequence[tuple[str, Sequence[Any]]] = (),
) -> list[M]:
    """INSERT ``instances`` (all of one model, not saved yet) in one statement; returns them,
    with their primary keys set (unless ``ignore_conflicts``, see above).

    ``along``: rows of another model written with them, on PostgreSQL by the same statement
    (one round trip less), elsewhere by a second one. Their keys are not read back: for rows
    that carry their own key or that nobody reads again (on PostgreSQL their ``pk`` stays None
    otherwise). ``along_key``: the name of their foreign key to the (one) main row, set to its
    new key (e.g. a new ticket's first audit event).

    ``also``: on PostgreSQL, with ``along_key``, statements (SQL and parameters) of other tables
    written by the same statement, each a data-modifying WITH that reads the one main row's
    new key as ``SELECT id FROM main_rows`` (e.g. a new ticket's search documents)."""
    if not instances:
        return []
    if along_key and len(instances) != 1:
        raise TypeError("along_key takes one main row")
    if also and not (along_key and along and connections[using].vendor == "postgresql"):
        raise TypeError("also goes with along and along_key, on PostgreSQL")
    if along and connections[using].vendor == "postgresql" and not ignore_conflicts:
        plan, other, statement = _plan_along(
            type(instances[0]),
            using,
            len(instances),
            along=type(along[0]),
            along_rows=len(along),
            key=along_key,
        )
        if along_key:  # the main row's parameters come first: it is the first WITH
            params = [*_params(plan, instances, using), *_params(other, along, using)]
            if also:
                statement = _with_also(statement, tuple(sql for sql, _ in also))
                params.extend(value for _, values in also for value in values)
        else:
            params = [*_params(other, along, using), *_params(plan, instances, using)]
    else:
        plan = _plan(type(instances[0]), using, len(instances), ignore_conflicts=ignore_conflicts)
        statement, params = plan.statement, _params(plan, instances, using)
    with prepared_cursor(using) as cursor:
        cursor.execute(statement, params)
        if plan.returns_pk:
            for instance, row in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = row[0]
    _saved(instances, using)
    if along_key:
        for row in along:
            setattr(row, along_key, instances[0])
    if along and statement == plan.statement:  # not written by the statement above
        insert_rows(along, using=using)
    elif along:
        _saved([row for row in along if row.pk is not None], using)
    return list(instances)


def insert_statement(instance: Model, *, using: str = "default") -> tuple[str, list[Any]]:
    """The planned INSERT of one ``instance`` (``RETURNING`` its key when the database picks
    it) and its parameters, for a caller that sends it inside a statement of its own (a
    data-modifying WITH); ``inserted`` then marks the instance saved."""
    plan = _plan(type(instance), using, 1)
    return plan.statement, _params(plan, [instance], using)


def inserted(instance: Model, pk: object, *, using: str = "default") -> None:
    """``instance`` as written by ``insert_statement``'s statement, with its new key ``pk``."""
    if pk is not None:
        instance.pk = pk
    _saved([instance], using)
