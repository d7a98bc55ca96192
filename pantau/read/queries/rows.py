"""Query results as data: JSON-ready rows, the result of one page, rows as printable cells."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


@dataclass
class QueryResult:
    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]
    page: int = 1
    page_size: int = 0
    has_more: bool = False
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filters": {key: jsonable(value) for key, value in self.filters.items()},
            "sort": self.sort,
            "page": self.page,
            "page_size": self.page_size,
            "has_more": self.has_more,
            "count": len(self.rows),
            "items": self.rows,
        }


def published_local(row: Mapping[str, Any]) -> str | None:
    """The article's date as the page wrote it (with its offset), else the UTC instant."""
    local = row.get("published_at_local")
    if local:
        return local
    instant = row.get("published_at")
    return instant.isoformat() if isinstance(instant, datetime) else None


def dated_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Row values as JSON-ready data; an article's date keeps the offset the page gave."""
    item = dict(row)
    if "published_at_local" in item:
        item["published_at"] = published_local(item)
        del item["published_at_local"]
    return {key: jsonable(value) for key, value in item.items()}


def ordered_row(row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    return {column: jsonable(row.get(column)) for column in columns}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def rows_as_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[list[str]]:
    """Rows as printable cells (lists joined, numbers without trailing zeros)."""
    return [[_cell(row.get(column)) for column in columns] for row in rows]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)
