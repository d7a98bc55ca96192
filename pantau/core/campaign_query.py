"""Boolean keyword queries for campaigns: parse once, evaluate against many articles.

Syntax (operators in capitals; anything else is a search word):
    laju AND digital            both words
    "laju digital"              the words next to each other, in this order
    facebook OR instagram       either
    NOT hoaks                   the article must not contain it
    ( ... )                     grouping
    kominfo NEAR/5 literasi     both within 5 words of each other (NEAR alone means NEAR/10)
    digital*                    any word starting with "digital" (digitalisasi, digitalnya)
    two words side by side      implicit AND

Matching ignores case and diacritics ("Café" = "cafe") and splits on punctuation, so the term
`e-commerce` is the phrase "e commerce" and `#LajuDigital` is the word "lajudigital".
Precedence, loosest first: OR, AND, NOT, NEAR.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

DEFAULT_NEAR_DISTANCE = 10
MAX_NEAR_DISTANCE = 200
_WORD = re.compile(r"[^\W_]+")
_NEAR = re.compile(r"NEAR(?:/(\d+))?$")


class QueryError(ValueError):
    """A query that cannot be parsed; `column` is 1-based, pointing into the query text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"query error at column {column}: {message}")
        self.reason = message
        self.column = column


def normalize_word(text: str) -> str:
    """Case- and diacritic-free form used on both sides of every comparison."""
    if text.isascii():  # nothing to decompose: most news text, and the hot path of indexing it
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words_of(text: str) -> list[str]:
    return _WORD.findall(normalize_word(text))


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Words:
    """A word or a phrase (consecutive words); the last word may be a prefix (`digital*`)."""

    words: tuple[str, ...]
    prefix: bool
    literal: str


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Words | Near | Not | And | Or


def _is_positional(node: Node) -> bool:
    """Nodes that have word positions, so NEAR can measure distances between them."""
    if isinstance(node, (Words, Near)):
        return True
    if isinstance(node, Or):
        return all(_is_positional(child) for child in node.operands)
    return False


# ---------------------------------------------------------------- tokens and parser


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "NEAR", "WORDS"
    text: str
    column: int
    near_distance: int = 0


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(query):
        char = query[index]
        column = index + 1
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(_Token(char, char, column))
            index += 1
        elif char == '"':
            end = query.find('"', index + 1)
            if end < 0:
                raise QueryError("unterminated phrase (missing closing \")", column)
            tokens.append(_Token("WORDS", query[index : end + 1], column))
            index = end + 1
        else:
            end = index
            while end < len(query) and not query[end].isspace() and query[end] not in '()"':
                end += 1
            text = query[index:end]
            tokens.append(_operator_or_word(text, column))
            index = end
    return tokens


def _operator_or_word(text: str, column: int) -> _Token:
    if text in ("AND", "OR", "NOT"):
        return _Token(text, text, column)
    near = _NEAR.match(text)
    if near:
        distance = int(near.group(1)) if near.group(1) else DEFAULT_NEAR_DISTANCE
        if not 1 <= distance <= MAX_NEAR_DISTANCE:
            raise QueryError(f"NEAR distance must be between 1 and {MAX_NEAR_DISTANCE}", column)
        return _Token("NEAR", text, column, distance)
    if text.startswith("NEAR/"):
        raise QueryError("NEAR needs a number of words, e.g. NEAR/5", column)
    return _Token("WORDS", text, column)


def _words_node(token: _Token) -> Words:
    raw = token.text[1:-1] if token.text.startswith('"') else token.text
    prefix = raw.endswith("*") and not token.text.startswith('"')
    words = tuple(words_of(raw.rstrip("*") if prefix else raw))
    if not words:
        what = "empty phrase" if token.text.startswith('"') else f"term {token.text!r} has no letters or digits"
        raise QueryError(what, token.column)
    return Words(words, prefix, token.text)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokenize(query)
        self.position = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _end_column(self) -> int:
        return len(self.query.rstrip()) + 1

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("empty query", 1)
        node = self._or()
        leftover = self._peek()
        if leftover is not None:
            if leftover.kind == ")":
                raise QueryError("unbalanced parenthesis: ')' without '('", leftover.column)
            raise QueryError(f"unexpected {leftover.text!r}", leftover.column)
        return node

    def _or(self) -> Node:
        operands = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.position += 1
            operands.append(self._and(after=token))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and(self, after: _Token | None = None) -> Node:
        operands = [self._not(after)]
        while (token := self._peek()) is not None and token.kind in ("AND", "NOT", "WORDS", "("):
            if token.kind == "AND":
                self.position += 1
                operands.append(self._not(after=token))
            else:  # two operands side by side: implicit AND
                operands.append(self._not(after=None))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _not(self, after: _Token | None) -> Node:
        token = self._peek()
        if token is not None and token.kind == "NOT":
            self.position += 1
            return Not(self._not(after=token))
        return self._near(after)

    def _near(self, after: _Token | None) -> Node:
        left = self._atom(after)
        while (token := self._peek()) is not None and token.kind == "NEAR":
            self.position += 1
            right = self._atom(after=token)
            for operand, column in ((left, token.column), (right, token.column)):
                if not _is_positional(operand):
                    raise QueryError("NEAR joins words, phrases or OR-groups of them (not AND/NOT)", column)
            left = Near(left, right, token.near_distance)
        return left

    def _atom(self, after: _Token | None) -> Node:
        token = self._peek()
        if token is None:
            if after is not None:
                raise QueryError(f"expected a word, phrase or '(' after {after.text}", self._end_column())
            raise QueryError("expected a word, phrase or '('", self._end_column())
        if token.kind == "WORDS":
            self.position += 1
            return _words_node(token)
        if token.kind == "(":
            self.position += 1
            if (inner := self._peek()) is not None and inner.kind == ")":
                raise QueryError("empty parentheses", inner.column)
            if inner is None:
                raise QueryError("unbalanced parenthesis: '(' is never closed", token.column)
            node = self._or()
            closing = self._peek()
            if closing is None or closing.kind != ")":
                raise QueryError("unbalanced parenthesis: '(' is never closed", token.column)
            self.position += 1
            return node
        if token.kind == ")":
            raise QueryError("unbalanced parenthesis: ')' without "
                             "'('" if after is None else f"expected a word, phrase or '(' after {after.text}", token.column)
        if after is not None:
            raise QueryError(f"expected a word, phrase or '(' after {after.text}, found {token.text}", token.column)
        raise QueryError(f"operator {token.text} needs a word, phrase or '(' before it", token.column)


def parse_query(query: str) -> Node:
    """The syntax tree of `query`, or QueryError naming the column of the problem."""
    return _Parser(query).parse()


# ---------------------------------------------------------------- evaluation


@dataclass
class IndexedText:
    """Normalised words of a document with their positions; `sections` names position ranges."""

    words: list[str]
    positions: dict[str, list[int]]
    sections: list[tuple[int, str]] = field(default_factory=list)  # (first position, name), ascending

    @cached_property
    def sorted_words(self) -> list[str]:
        """The distinct words in order, for prefix look-ups."""
        return sorted(self.positions)

    def section_at(self, position: int) -> str:
        starts = [start for start, _ in self.sections]
        index = bisect.bisect_right(starts, position) - 1
        return self.sections[index][1] if index >= 0 else ""


# Sections are separated by this many empty positions so that a phrase or NEAR never spans two.
_SECTION_GAP = MAX_NEAR_DISTANCE + 2


def index_sections(sections: list[tuple[str, str]]) -> IndexedText:
    """Index named texts (e.g. [("title", ...), ("paragraph 1", ...)]) as one document."""
    words: list[str] = []
    section_starts: list[tuple[int, str]] = []
    for name, text in sections:
        if words:
            words.extend([""] * _SECTION_GAP)
        section_starts.append((len(words), name))
        words.extend(words_of(text))
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        if word:
            positions.setdefault(word, []).append(position)
    return IndexedText(words, positions, section_starts)


@dataclass(frozen=True)
class Hit:
    literal: str
    start: int  # position of the first word


@dataclass
class Evaluation:
    matched: bool
    hits: list[Hit]


def _spans(node: Node, doc: IndexedText) -> list[tuple[int, int]]:
    """(first, last) word positions of every occurrence of a positional node, sorted."""
    if isinstance(node, Words):
        return _word_spans(node, doc)
    if isinstance(node, Or):
        return sorted({span for child in node.operands for span in _spans(child, doc)})
    if isinstance(node, Near):
        lefts, rights = _spans(node.left, doc), _spans(node.right, doc)
        found = set()
        for left in lefts:
            for right in rights:
                gap = right[0] - left[1] - 1 if right[0] > left[1] else left[0] - right[1] - 1
                if gap <= node.distance and (right[0] > left[1] or left[0] > right[1]):
                    found.add((min(left[0], right[0]), max(left[1], right[1])))
        return sorted(found)
    raise TypeError(f"not a positional query node: {node!r}")


def _positions_of(word: str, prefix: bool, doc: IndexedText) -> list[int]:
    if not prefix:
        return doc.positions.get(word, [])
    keys = doc.sorted_words
    found = []
    for key in keys[bisect.bisect_left(keys, word):]:
        if not key.startswith(word):
            break
        found.extend(doc.positions[key])
    return sorted(found)


def _word_spans(node: Words, doc: IndexedText) -> list[tuple[int, int]]:
    last = len(node.words) - 1
    starts = _positions_of(node.words[0], node.prefix and last == 0, doc)
    spans = []
    for start in starts:
        if start + last >= len(doc.words):
            continue
        if all(doc.words[start + i] == node.words[i] for i in range(1, last)) and (
            last == 0 or _word_matches(doc.words[start + last], node.words[last], node.prefix)
        ):
            spans.append((start, start + last))
    return spans


def _word_matches(word: str, wanted: str, prefix: bool) -> bool:
    return word.startswith(wanted) if prefix else word == wanted


def evaluate(node: Node, doc: IndexedText) -> Evaluation:
    """Whether `doc` satisfies the query, and the occurrences that made it true."""
    if isinstance(node, (Words, Near)):
        spans = _spans(node, doc)
        literal = node.literal if isinstance(node, Words) else _literal(node)
        return Evaluation(bool(spans), [Hit(literal, start) for start, _ in spans])
    if isinstance(node, Not):
        inner = evaluate(node.operand, doc)
        return Evaluation(not inner.matched, [])
    if isinstance(node, And):
        results = [evaluate(child, doc) for child in node.operands]
        if all(result.matched for result in results):
            return Evaluation(True, [hit for result in results for hit in result.hits])
        return Evaluation(False, [])
    results = [evaluate(child, doc) for child in node.operands]
    return Evaluation(any(r.matched for r in results), [hit for r in results if r.matched for hit in r.hits])


def _literal(node: Node) -> str:
    if isinstance(node, Words):
        return node.literal
    if isinstance(node, Near):
        return f"{_literal(node.left)} NEAR/{node.distance} {_literal(node.right)}"
    if isinstance(node, Or):
        return "(" + " OR ".join(_literal(child) for child in node.operands) + ")"
    if isinstance(node, And):
        return "(" + " AND ".join(_literal(child) for child in node.operands) + ")"
    return f"NOT {_literal(node.operand)}"


def phrase_spans(phrase: str, doc: IndexedText) -> list[tuple[int, int]]:
    """Occurrences of a plain phrase (used for aliases and names, which are not queries)."""
    words = tuple(words_of(phrase))
    if not words:
        return []
    return _word_spans(Words(words, False, phrase), doc)
