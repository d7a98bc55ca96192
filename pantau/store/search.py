"""Full-text search over article title and text, on either backend."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, select, text

from pantau.store.tables import Article

_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(user_query: str) -> str:
    """Turn free text into an FTS5 query of quoted terms (all required), so that user input can
    never be read as FTS5 syntax (NEAR, column filters, unbalanced quotes)."""
    words = _WORD.findall(user_query)
    return " ".join(f'"{word}"' for word in words)


def full_text_condition(dialect: str, user_query: str) -> ColumnElement[bool]:
    """A WHERE condition on `articles` that keeps the articles matching `user_query`."""
    if dialect == "postgresql":
        return text("articles.search_vector @@ websearch_to_tsquery('indonesian', :fts_query)").bindparams(
            fts_query=user_query
        )
    matched = select(text("rowid")).select_from(text("articles_fts")).where(
        text("articles_fts MATCH :fts_query").bindparams(fts_query=fts5_query(user_query) or '""')
    )
    return Article.id.in_(matched)
