"""The one query layer behind `pantau query`, the HTTP API, the exports and the dashboard.

Every query is a parameterised SQLAlchemy statement over the store; user input only ever reaches the
database as bound values. A query is chosen by its kind (catalogue: `articles`, the tag types,
`stories`, `coverage`, `outlets`, `summary`, `campaigns`) and narrowed by `Filters` (filters: campaign,
outlet, place code, dates, unit, organisation, source, full-text search), which always select a set of
articles first; the kind then says what is listed about those articles. The plan chooses how the SQL
finds them cheaply; the cache keeps slow results while the store is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from pantau.core.errors import InputError
from pantau.read.queries.cache import ResultCache
from pantau.read.queries.catalogue import KINDS, LIST_KINDS, Kind, finish_coverage, get_kind
from pantau.read.queries.filters import (
    Filters,
    FilterSpec,
    NotFoundError,
    PageRequest,
    filter_specs,
    parse_day,
    validate_filters,
)
from pantau.read.queries.plan import Plan, make_plan
from pantau.read.queries.rows import QueryResult, dated_row, ordered_row, rows_as_table
from pantau.store.coverage import read_weeks

__all__ = [
    "KINDS", "LIST_KINDS", "FilterSpec", "Filters", "Kind", "NotFoundError", "PageRequest", "Plan", "QueryResult",
    "ResultCache", "filter_specs", "get_kind", "iter_query", "make_plan", "page_statement", "parse_day",
    "rows_as_table", "run_query", "sorted_statement", "validate_filters",
]


def sorted_statement(kind: Kind, filters: Filters, plan: Plan, sort: str | None) -> tuple[Select, str]:
    sort = sort or kind.default_sort
    if sort not in kind.sorts:
        raise InputError(f"cannot sort {kind.name} by {sort!r}; choose one of {', '.join(kind.sorts)}")
    return kind.build(filters, plan).order_by(*kind.sorts[sort](plan.dialect)), sort


def page_statement(kind: Kind, filters: Filters, plan: Plan, sort: str, page: PageRequest) -> Select:
    """One page (and one row more, which says whether another page exists)."""
    statement, _ = sorted_statement(kind, filters, plan, sort)
    if kind.key is None:
        return statement.limit(page.size + 1).offset(page.offset)
    # Not correlated: the page's keys come from their own FROM list, whatever the outer one holds.
    keys = statement.with_only_columns(kind.key).limit(page.size + 1).offset(page.offset).correlate(None)
    rows, _ = sorted_statement(kind, Filters(), plan, sort)
    return rows.where(kind.key.in_(keys))


def run_query(
    session: Session,
    kind_name: str,
    filters: Filters = Filters(),
    page: PageRequest = PageRequest(),
    sort: str | None = None,
    cache: ResultCache | None = None,
) -> QueryResult:
    """One page of a query (aggregates without pages return every row). With a cache, a result
    that was slow to compute is reused until the store changes."""
    kind = get_kind(kind_name)
    filters = validate_filters(session, filters)
    if cache is not None:
        key = (kind.name, tuple(sorted((name, str(value)) for name, value in filters.active().items())), sort,
               page.number, page.size)
        return cache.get_or_run(session, key, lambda: _run_query(session, kind, filters, page, sort))
    return _run_query(session, kind, filters, page, sort)


def _run_query(session: Session, kind: Kind, filters: Filters, page: PageRequest, sort: str | None) -> QueryResult:
    summarized = _summarized_rows(session, kind, filters, sort)
    if summarized is not None:
        rows, sort = summarized
        return QueryResult(kind=kind.name, columns=list(kind.columns), rows=[ordered_row(row, kind.columns) for row in rows],
                           page=1, page_size=len(rows), filters=filters.active(), sort=sort)
    plan = make_plan(session, filters, kind, sort or kind.default_sort, page)
    statement, sort = sorted_statement(kind, filters, plan, sort)
    has_more = False
    if kind.paginated:
        # One row more than asked says whether another page exists, without counting them all.
        statement = page_statement(kind, filters, plan, sort, page)
    rows = [dict(row) for row in session.execute(statement).mappings()]
    if kind.paginated and len(rows) > page.size:
        rows, has_more = rows[: page.size], True
    rows = kind.finish(session, rows) if kind.finish else [dated_row(row) for row in rows]
    return QueryResult(
        kind=kind.name, columns=list(kind.columns), rows=[ordered_row(row, kind.columns) for row in rows],
        page=page.number if kind.paginated else 1, page_size=page.size if kind.paginated else len(rows),
        has_more=has_more, filters=filters.active(), sort=sort,
    )


# Filters the weekly coverage summary is kept for (pantau/store/coverage.py); others scan the articles.
SUMMARY_FILTERS = frozenset({"campaign", "outlet"})


def _summarized_rows(session: Session, kind: Kind, filters: Filters, sort: str | None) -> tuple[list[dict[str, Any]], str] | None:
    """Coverage read from the weekly summary when the filters are ones it is kept for, else None."""
    if kind.name != "coverage" or not set(filters.active()) <= SUMMARY_FILTERS:
        return None
    sort = sort or kind.default_sort
    if sort not in kind.sorts:
        raise InputError(f"cannot sort {kind.name} by {sort!r}; choose one of {', '.join(kind.sorts)}")
    return finish_coverage(session, read_weeks(session, filters.campaign, filters.outlet)), sort


def iter_query(session: Session, kind_name: str, filters: Filters = Filters(), sort: str | None = None,
               batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Every row of a query, streamed in batches (CSV downloads and `--all`)."""
    kind = get_kind(kind_name)
    filters = validate_filters(session, filters)
    summarized = _summarized_rows(session, kind, filters, sort)
    if summarized is not None:
        yield from (ordered_row(row, kind.columns) for row in summarized[0])
        return
    statement, _ = sorted_statement(kind, filters, Plan(session.get_bind().dialect.name), sort)
    if not kind.paginated:
        rows = [dict(row) for row in session.execute(statement).mappings()]
        yield from (
            ordered_row(row, kind.columns) for row in (kind.finish(session, rows) if kind.finish else map(dated_row, rows))
        )
        return
    result = session.execute(statement.execution_options(yield_per=batch_size)).mappings()
    for batch in result.partitions(batch_size):
        rows = [dict(row) for row in batch]
        for row in kind.finish(session, rows) if kind.finish else map(dated_row, rows):
            yield ordered_row(row, kind.columns)
