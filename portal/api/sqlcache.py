"""Pages of plain rows whose SQL is compiled once per shape of query, not on every request.

A list endpoint reads its page with the same statement every time but for the values it compares
with (the caller's station, the cursor's key, a walk's bound). Compiling a `values_list` of some 30
columns over three joins (resolving the columns and joins, the ORDER BY, the WHERE) takes longer
than PostgreSQL takes to answer the page. `compiled_once(queryset)` gives a queryset whose sliced
reads (the pages) look the statement up by the query's *shape*: its columns and joins, its order and
slice, and its WHERE tree with the values left out. The values are taken from the query itself, in
the order the compiled statement binds them; the first statement of each shape is compiled by
Django and checked to bind exactly those values, else its shape is never cached.

Only plain comparisons of a column with a value (=, <, <=, >, >=, joined by AND/OR/NOT) are taken
apart; any other query (IN, IS NULL, expressions, annotations, an empty `none()`, an unsliced read)
is compiled as usual, so what the queryset returns is what Django would have returned.
"""

from __future__ import annotations

import threading

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import lookups
from django.db.models.expressions import Col
from django.db.models.fields import related_lookups
from django.db.models.query import NamedValuesListIterable, QuerySet
from django.db.models.sql.where import WhereNode
from django.db.models.utils import create_namedtuple_class

#: the lookups whose right-hand side is bound as one `%s` with the value `process_rhs` gives
_PLAIN = frozenset(
    (
        lookups.Exact,
        lookups.GreaterThan,
        lookups.GreaterThanOrEqual,
        lookups.LessThan,
        lookups.LessThanOrEqual,
        lookups.IntegerFieldExact,  # (an integer out of the column's range is compiled to no condition)
        lookups.IntegerGreaterThan,
        lookups.IntegerGreaterThanOrEqual,
        lookups.IntegerLessThan,
        lookups.IntegerLessThanOrEqual,
        related_lookups.RelatedExact,  # (a foreign key compared with an id: the station of `visible_to`)
        related_lookups.RelatedGreaterThan,
        related_lookups.RelatedGreaterThanOrEqual,
        related_lookups.RelatedLessThan,
        related_lookups.RelatedLessThanOrEqual,
    )
)
#: shapes beyond this many are compiled every time (a guard against a shape per request)
MAX_SHAPES = 256

_statements: dict[tuple, tuple] = {}
_uncacheable: set[tuple] = set()
_lock = threading.Lock()


class _Uncacheable(Exception):
    pass


def _where_shape(node, compiler, connection, params: list):
    """The WHERE tree without its values (appended to `params` in the order they are bound)."""
    if isinstance(node, WhereNode):
        return (
            node.connector,
            node.negated,
            tuple(_where_shape(c, compiler, connection, params) for c in node.children),
        )
    if type(node) in _PLAIN and isinstance(node.lhs, Col) and not hasattr(node.rhs, "resolve_expression"):
        try:
            sql, rhs_params = node.process_rhs(compiler, connection)
        except (EmptyResultSet, FullResultSet):
            raise _Uncacheable from None  # (the condition drops out of the statement: a shape of its own)
        if sql != "%s" or len(rhs_params) != 1 or isinstance(rhs_params[0], bool):
            raise _Uncacheable  # (a boolean column compared with True is compiled without a value)
        params.extend(rhs_params)
        return (type(node), node.lhs.alias, node.lhs.target.column)
    raise _Uncacheable


def _shape(query, compiler, connection) -> tuple[tuple, list]:
    if (
        query.high_mark is None
        or query.annotations
        or query.extra
        or query.combinator
        or query.group_by
        or query.distinct
        or query.select_for_update
        or query.extra_order_by
        or query.subquery
    ):
        raise _Uncacheable
    params: list = []
    where = _where_shape(query.where, compiler, connection, params)
    joins = tuple(
        (alias, getattr(join, "join_type", None), query.alias_refcount[alias])
        for alias, join in query.alias_map.items()
    )
    key = (
        connection.alias,
        query.model,
        query.values_select,
        query.select_related,
        tuple(str(o) for o in query.order_by),
        query.standard_ordering,
        query.low_mark,
        query.high_mark,
        joins,
        where,
    )
    return key, params


class CompiledOnceIterable(NamedValuesListIterable):
    """`values_list(..., named=True)` rows, read with the statement compiled for the query's shape."""

    def __iter__(self):
        queryset = self.queryset
        query = queryset.query
        connection = connections[queryset.db]
        compiler = query.get_compiler(queryset.db)
        try:
            key, params = _shape(query, compiler, connection)
        except _Uncacheable:
            yield from super().__iter__()
            return
        if key in _uncacheable:
            yield from super().__iter__()
            return
        statement = _statements.get(key)
        if statement is None:
            try:
                sql, compiled_params = compiler.as_sql()
            except EmptyResultSet:
                return  # no rows, without a query (as Django's own read)
            fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
            if compiler.has_composite_fields(fields):
                _uncacheable.add(key)
                yield from super().__iter__()
                return
            statement = (sql, compiler.get_converters(fields))
            with _lock:
                if list(compiled_params) != params:
                    _uncacheable.add(key)  # (the values aren't bound in the order the tree gives them)
                elif len(_statements) < MAX_SHAPES:
                    _statements[key] = statement
            params = compiled_params
        sql, converters = statement
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        names = queryset._fields or [*query.extra_select, *query.values_select, *query.annotation_select]
        tuple_class = create_namedtuple_class(*names)
        new = tuple.__new__
        for row in rows:
            yield new(tuple_class, tuple(row))


def compiled_once(queryset: QuerySet) -> QuerySet:
    """A `values_list(..., named=True)` queryset whose pages use `CompiledOnceIterable` (kept by its clones)."""
    if queryset._iterable_class is not NamedValuesListIterable:
        raise TypeError("compiled_once() takes a values_list(..., named=True) queryset")
    clone = queryset.all()
    clone._iterable_class = CompiledOnceIterable
    return clone
