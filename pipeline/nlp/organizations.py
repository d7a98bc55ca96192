"""`pantau_organizations`: organisations named in an article, with canonical names and acronyms.

Three sources of mentions, resolved longest-first: the lexicon (models/organizations.toml, matched
with PhraseMatchers), shape rules ("Dinas …", "PT … Tbk", "… Holdings") and acronym links
("Asosiasi E-Commerce Indonesia (IdEA)" defines IdEA for the rest of the article). Every surface form
of a lexicon entry ("Kominfo", "Kemenkominfo", "Kementerian Komunikasi dan Informatika") counts for
one organisation under its canonical name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from models.organizations import LEXICON_PATH, Lexicon, OrganizationEntry, ShapeRules, load_lexicon
from models.regions import GAZETTEER_PATH
from pantau.core.errors import ModelMissingError
from pipeline.nlp import doc_text, pattern_docs
from pipeline.nlp.phrases import PhraseTable
from pipeline.nlp.places import load_gazetteer
from pipeline.nlp.vocabulary import common_words, lemma_table_path, stop_words

SPAN_KEY = "organizations"
LABEL = "ORG"

# A capitalised word of a name ("E-Commerce", "PAN-RB", "McKinsey") or a number ("SMA Negeri 1").
NAME_WORD = r"(?:[A-Z][\w'’]*(?:-[\w'’]+)*|\d+)"
# An acronym worth linking: letters and a few joiners, with two capitals at least ("IdEA", "SAFEnet").
ACRONYM = r"[A-Za-z][A-Za-z0-9&.\-/]{1,15}"
# Capitalised words before a tail word ("Shamrock Holdings") that the tail pattern takes at most.
MAX_TAIL_NAME_WORDS = 5
# Where a capitalised name word may start (the tail pattern's first position).
_NAME_START = re.compile(r"(?<![\w-])[A-Z]")
# The whitespace-separated chunks a tail name can span, read backwards from its tail word (in the reversed text).
_CHUNKS_BEFORE_REVERSED = re.compile(rf"(?:\s+\S*){{1,{MAX_TAIL_NAME_WORDS}}}")
# Trailing words that say "of this country" and are dropped before looking a name up in the lexicon.
COUNTRY_TAILS = (" Republik Indonesia", " RI", " Indonesia")


@dataclass(frozen=True)
class Mention:
    span: Span
    key: str  # canonical name
    counts: bool = True  # False for the "(ACR)" right after the full name


class OrganizationRecognizer:
    """The spaCy component; one instance per pipeline, stateless between documents.

    Given a lexicon it is built at once; made by its factory it is built by `initialize` (from the lexicon
    at `lexicon_path`, or on the first document), or restored by `from_disk`: the phrase tables are read
    back, the rest is derived from the lexicon file again (milliseconds)."""

    def __init__(self, nlp: Language, lexicon: Lexicon | None = None, lexicon_path: str | None = None):
        self._nlp = nlp
        self.lexicon_path = lexicon_path
        self.ready = False
        if lexicon is not None:
            self.build(lexicon)

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        self.build(load_lexicon(self.lexicon_path), nlp)

    def build(self, lexicon: Lexicon, nlp: Language | None = None) -> None:
        """Phrase tables of every surface form (tokenised like articles), then the derived state."""
        exact, caseless = PhraseTable("ORTH"), PhraseTable("LOWER")
        for entry in lexicon.entries:
            forms = entry.surface_forms()
            docs = pattern_docs(nlp or self._nlp, forms)
            exact.add(entry.name, docs)
            long_forms = [doc for form, doc in zip(forms, docs, strict=True) if len(form.split()) >= 3]
            if long_forms:
                caseless.add(entry.name, long_forms)
        self.exact_matcher, self.caseless_matcher = exact, caseless
        # Countries whose names hold an organisation's head word ("Amerika Serikat", "Persatuan Emirat Arab"): never an
        # organisation, nor the start of one ("Presiden Amerika Serikat Barack Obama", "Amerika Serikat (AS)").
        self.country_names = _country_names()
        self._derive(lexicon)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._ensure_ready()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "exact.msgpack").write_bytes(self.exact_matcher.to_bytes())
        (path / "caseless.msgpack").write_bytes(self.caseless_matcher.to_bytes())
        (path / "countries.msgpack").write_bytes(srsly.msgpack_dumps(sorted(self.country_names)))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> OrganizationRecognizer:
        path = Path(path)
        self.exact_matcher = PhraseTable().from_bytes((path / "exact.msgpack").read_bytes())
        self.caseless_matcher = PhraseTable().from_bytes((path / "caseless.msgpack").read_bytes())
        self.country_names = frozenset(srsly.msgpack_loads((path / "countries.msgpack").read_bytes()))
        self._derive(load_lexicon(self.lexicon_path))
        return self

    def _ensure_ready(self) -> None:
        if not self.ready:
            self.initialize()

    def _derive(self, lexicon: Lexicon) -> None:
        """Everything but the phrase tables: lookups, shape patterns and word sets, from the lexicon."""
        self.lexicon = lexicon
        self.entries: dict[str, OrganizationEntry] = lexicon.by_name()
        self.lookup: dict[str, str] = {}
        for entry in lexicon.entries:
            for form in entry.surface_forms():
                self.lookup.setdefault(form.casefold(), entry.name)
        self.shape_pattern = _shape_pattern(lexicon.shapes)
        self.tail_pattern = _tail_pattern(lexicon.shapes)
        self.tail_word = _tail_word_pattern(lexicon.shapes)
        self.acronym_after = re.compile(rf"\s*\(\s*({ACRONYM})\s*\)")
        self.parenthesised_acronym = re.compile(rf"\(\s*({ACRONYM})\s*\)")
        self.not_acronyms = frozenset(suffix.strip("()").rstrip(".") for suffix in lexicon.shapes.suffixes) | {"Persero", "Tbk"}
        # Words that make a run of capitalised words before "(ACR)" an organisation rather than a person or
        # a programme ("Kartu Indonesia Pintar (KIP)").
        self.hint_words = frozenset(lexicon.shapes.tail_heads) | frozenset(
            word for head in lexicon.shapes.heads for word in head.split() if word[:1].isupper())
        self.common = common_words()
        self.stop_words = stop_words()
        self.suffixes = frozenset(word for suffix in lexicon.shapes.suffixes for word in suffix.split())
        self.role_words = frozenset(word.casefold() for word in lexicon.shapes.title_words)
        self.ready = True

    def __call__(self, doc: Doc) -> Doc:
        self._ensure_ready()
        mentions = self.find_mentions(doc)
        doc.spans[SPAN_KEY] = [Span(doc, m.span.start, m.span.end, label=LABEL, kb_id=m.key) for m in mentions]
        doc._.organizations = self.summarise(mentions)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # --- finding mentions -------------------------------------------------------------------------------

    def find_mentions(self, doc: Doc) -> list[Mention]:
        text = doc_text(doc)  # Doc.text joins every token on each access
        lexicon_spans = self._lexicon_spans(doc)
        known_by_start: dict[int, Span] = {span.start: span for span in lexicon_spans}
        shape_spans = [self._cut_after_known_name(span, known_by_start) for span in self._shape_spans(doc, text)]
        chosen = filter_spans([*lexicon_spans, *shape_spans])
        keys = {(span.start, span.end): span.label_ or self.canonical(span.text) for span in chosen}
        acronyms = self._link_acronyms(text, chosen, keys)
        extra = self._acronym_definitions(doc, text, chosen, keys, acronyms)
        chosen = filter_spans([*chosen, *extra])
        chosen = filter_spans([*chosen, *self._acronym_mentions(doc, text, acronyms, keys)])
        return self._as_mentions(text, sorted(chosen, key=lambda span: span.start), keys)

    def _lexicon_spans(self, doc: Doc) -> list[Span]:
        matches = self.exact_matcher(doc) + self.caseless_matcher(doc)
        return filter_spans(matches)

    def _shape_spans(self, doc: Doc, text: str) -> list[Span]:
        spans = []
        shape_matches = self.shape_pattern.finditer(text) if self.shape_pattern is not None else ()
        for matches, trim in ((shape_matches, False), (self._tail_matches(text), True)):
            for match in matches:
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is not None and trim:
                    span = self._trim_common_start(span)
                if span is not None and len(span) > 0 and not self._inside_a_country_name(span):
                    spans.append(span)
        return spans

    def _tail_matches(self, text: str) -> list[re.Match[str]]:
        """What `self.tail_pattern.finditer(text)` finds, trying the pattern only where a match can start: at the
        capitalised words of the five chunks before a tail word ("Holdings"). Trying it at every capitalised
        word of the text cost as much as the rest of the stage."""
        if self.tail_pattern is None or self.tail_word is None:
            return []
        starts: set[int] = set()
        for tail in self.tail_word.finditer(text):
            window_start = _start_of_name_before(text, tail.start())
            starts.update(found.start() for found in _NAME_START.finditer(text, window_start, tail.start()))
        matches: list[re.Match[str]] = []
        end = 0
        for start in sorted(starts):
            if start < end:
                continue
            match = self.tail_pattern.match(text, start)
            if match is not None:
                matches.append(match)
                end = match.end()
        return matches

    def _inside_a_country_name(self, span: Span) -> bool:
        """ "Serikat Barack Obama" after "Amerika": a head word that ends a country's name opens no organisation."""
        doc = span.doc
        return any(doc[max(0, span.start - before):span.start + 1].text in self.country_names for before in (1, 2))

    def _trim_common_start(self, span: Span) -> Span | None:
        # "Saat Shamrock Holdings", "CIO Walt Disney Company": a sentence starter or a job title is not part
        # of the company's name.
        start = span.start
        while start < span.end - 1 and (span.doc[start].lower_ in self.stop_words or span.doc[start].lower_ in self.role_words):
            start += 1
        return span.doc[start:span.end] if span.end - start >= 2 else None

    def _cut_after_known_name(self, span: Span, known_by_start: dict[int, Span]) -> Span:
        """ "Partai Golkar Airlangga Hartarto" -> "Partai Golkar": words after a known name are usually a person."""
        for start in range(span.start, span.end):
            known = known_by_start.get(start)
            if known is not None and known.end < span.end <= known.end + 6:
                extra = span.doc[known.end:span.end]
                if " " + extra.text in COUNTRY_TAILS or extra[-1].text in self.suffixes or \
                        any(token.text in self.hint_words for token in extra):
                    return span
                if any(token.lower_ not in self.common for token in extra if token.text[:1].isupper()):
                    return span.doc[span.start:known.end]
        return span

    def _link_acronyms(self, text: str, chosen: list[Span], keys: dict[tuple[int, int], str]) -> dict[str, str]:
        """Acronym -> canonical name, for "Full Name (ACR)" where the full name was found."""
        acronyms: dict[str, str] = {}
        for span in chosen:
            match = self.acronym_after.match(text, span.end_char)
            if not match or not self._is_acronym(match.group(1)):
                continue
            acronym, key = match.group(1), keys[(span.start, span.end)]
            known = self.lookup.get(acronym.casefold())
            if known and known != key and key not in self.entries:
                # "Kementerian Kominfo RI (Kominfo)": the acronym identifies the lexicon entry.
                keys[(span.start, span.end)] = known
                key = known
            acronyms.setdefault(acronym, key)
        return acronyms

    def _acronym_definitions(self, doc: Doc, text: str, chosen: list[Span], keys: dict[tuple[int, int], str],
                             acronyms: dict[str, str]) -> list[Span]:
        """Organisations known only from "Indonesia Corruption Watch (ICW)": initials that spell the acronym."""
        ends = {span.end_char for span in chosen}
        found = []
        token_starts: list[int] | None = None  # built only for a candidate: most "(ACR)" were linked already
        for match in self.parenthesised_acronym.finditer(text):
            acronym = match.group(1)
            name_end = match.start()
            while name_end > 0 and text[name_end - 1].isspace():
                name_end -= 1
            if acronym in acronyms or name_end in ends or not self._is_acronym(acronym):
                continue
            if token_starts is None:
                token_starts = doc.to_array(IDX).tolist()
            span = self._initials_span(doc, bisect_left(token_starts, match.start()), acronym)
            if span is None:
                continue
            key = self.lookup.get(acronym.casefold()) or self.canonical(span.text)
            keys[(span.start, span.end)] = key
            acronyms.setdefault(acronym, key)
            found.append(span)
        return found

    def _initials_span(self, doc: Doc, paren_token: int, acronym: str) -> Span | None:
        """The capitalised words right before the "(" token whose initials spell the acronym."""
        if paren_token == 0:
            return None
        capitals = [c for c in acronym if c.isupper()]
        end = paren_token
        words: list[str] = []
        start = end
        # Walk back over capitalised words (and connectors) until their initials spell the acronym.
        while start > 0 and end - start < 12:
            token = doc[start - 1]
            if token.text[:1].isupper():
                words.insert(0, token.text)
            elif token.lower_ not in self.lexicon.shapes.connectors:
                break
            start -= 1
            initials = [word[0] for word in words]
            if initials == capitals:
                if not any(word in self.hint_words for word in words) or " ".join(words) in self.country_names:
                    return None  # "Kartu Indonesia Pintar (KIP)" is a programme, "Amerika Serikat (AS)" a country
                return doc[start:end]
            if len(initials) > len(capitals):
                break
        return None

    def _acronym_mentions(self, doc: Doc, text: str, acronyms: dict[str, str],
                          keys: dict[tuple[int, int], str]) -> list[Span]:
        if not acronyms:
            return []
        alternatives = "|".join(map(re.escape, sorted(acronyms, key=len, reverse=True)))
        pattern = re.compile(_first_characters(acronyms) + r"(?<![\w-])(" + alternatives + r")(?![\w-])")
        spans = []
        for match in pattern.finditer(text):
            span = doc.char_span(match.start(), match.end(), alignment_mode="contract")
            if span is not None and len(span) > 0:
                keys.setdefault((span.start, span.end), acronyms[match.group(1)])
                spans.append(span)
        return spans

    def _is_acronym(self, text: str) -> bool:
        return sum(c.isupper() for c in text) >= 2 and text.rstrip(".") not in self.not_acronyms

    def _as_mentions(self, text: str, spans: list[Span], keys: dict[tuple[int, int], str]) -> list[Mention]:
        mentions: list[Mention] = []
        for span in spans:
            key = keys.get((span.start, span.end)) or span.label_ or self.canonical(span.text)
            previous = mentions[-1] if mentions else None
            defines = previous is not None and previous.key == key and \
                text[previous.span.end_char:span.start_char].strip() == "("
            mentions.append(Mention(span=span, key=key, counts=not defines))
        return mentions

    # --- naming -------------------------------------------------------------------------------------------

    def canonical(self, surface: str) -> str:
        """The lexicon's canonical name for a surface form, else the surface with spacing normalised."""
        text = " ".join(surface.split()).rstrip(".,")
        for candidate in _without_country_tail(text):
            known = self.lookup.get(candidate.casefold())
            if known:
                return known
        return text

    def summarise(self, mentions: list[Mention]) -> list[dict]:
        """One record per organisation, in order of first mention."""
        records: dict[str, dict] = {}
        for mention in mentions:
            record = records.setdefault(mention.key,
                                        {"name": mention.key, "acronym": self._acronym_of(mention.key), "mentions": 0})
            if mention.counts:
                record["mentions"] += 1
            if record["acronym"] is None and mention.key not in self.entries and _looks_like_acronym(mention.span.text):
                record["acronym"] = mention.span.text
        return list(records.values())

    def _acronym_of(self, key: str) -> str | None:
        entry = self.entries.get(key)
        return (entry.acronym or None) if entry else None


def _without_country_tail(text: str) -> list[str]:
    candidates = [text]
    for tail in COUNTRY_TAILS:
        if text.endswith(tail) and len(text) > len(tail):
            candidates.append(text[: -len(tail)])
    return candidates


def _looks_like_acronym(text: str) -> bool:
    return len(text) <= 16 and " " not in text and sum(c.isupper() for c in text) >= 2


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


def _shape_pattern(shapes: ShapeRules) -> re.Pattern[str] | None:
    if not shapes.heads:
        return None
    # A connector joins words of one name ("Komunikasi dan Informatika"), not two organisations
    # ("Yayasan X dan IGI Jakarta", "PT A Tbk dan PT B Tbk").
    not_a_new_name = rf"(?!(?:{_alternation(shapes.heads)})\b)(?![A-Z]{{2,}}\b)"
    connector = rf"(?:(?:{_alternation(shapes.connectors)})\s+{not_a_new_name})?" if shapes.connectors else ""
    suffix = rf"(?:\s+(?:{_alternation(shapes.suffixes)}))?" if shapes.suffixes else ""
    return re.compile(rf"{_first_characters(shapes.heads)}(?<![\w-])(?:{_alternation(shapes.heads)})"
                      rf"\s+{NAME_WORD}(?:\s+{connector}{NAME_WORD})*{suffix}(?![\w])")


def _tail_pattern(shapes: ShapeRules) -> re.Pattern[str] | None:
    if not shapes.tail_heads:
        return None
    # Possessive inside a word: a word given back could never be followed by "-" or a space anyway.
    return re.compile(rf"(?<![\w-])(?:[A-Z][\w'’]*+(?:-[\w'’]+)*+\s+){{1,{MAX_TAIL_NAME_WORDS}}}"
                      rf"(?:{_alternation(shapes.tail_heads)})(?![\w])")


def _tail_word_pattern(shapes: ShapeRules) -> re.Pattern[str] | None:
    """A tail word where the tail pattern can end: after a space, not followed by a letter."""
    if not shapes.tail_heads:
        return None
    return re.compile(rf"{_first_characters(shapes.tail_heads)}(?<=\s)(?:{_alternation(shapes.tail_heads)})(?![\w])")


def _first_characters(words: Iterable[str]) -> str:
    # A lookahead for the first characters of `words`: a position where none of them can start is passed
    # over at once instead of trying every alternative (the scan cost 3x as much without it).
    return "(?=[" + "".join(sorted({re.escape(word[0]) for word in words})) + "])"


def _start_of_name_before(text: str, position: int) -> int:
    """Where the MAX_TAIL_NAME_WORDS whitespace-separated chunks before `position` start."""
    size = 256
    while True:
        window_start = max(0, position - size)
        found = _CHUNKS_BEFORE_REVERSED.match(text[window_start:position][::-1])
        if found is None:
            return position
        if window_start == 0 or found.end() < position - window_start:
            return position - found.end()
        size *= 4  # the chunks may reach further back than the window: look again with a wider one


@Language.factory("pantau_organizations", default_config={"lexicon_path": ""}, assigns=["doc._.organizations"])
def make_organization_recognizer(nlp: Language, name: str, lexicon_path: str) -> OrganizationRecognizer:
    """Organisations from the lexicon at `lexicon_path` (default: models/organizations.toml); built by
    `initialize` (`pipeline.nlp.assembly.build_nlp` calls it) or restored by `from_disk`."""
    return OrganizationRecognizer(nlp, lexicon_path=lexicon_path or None)


def resource_files(settings: dict[str, Any]) -> list[Path]:
    """The files this stage is built from (for the key of a saved pipeline)."""
    return [Path(settings.get("lexicon_path") or LEXICON_PATH), GAZETTEER_PATH, *lemma_table_path()]


def _country_names() -> frozenset[str]:
    """Names of countries of the places stage's gazetteer written in two words or more ("Amerika Serikat")."""
    try:
        gazetteer = load_gazetteer()
    except ModelMissingError:  # without a gazetteer organisations are still found
        return frozenset()
    return frozenset(form for form, entries in gazetteer.forms.items()
                     if " " in form and any(place.kind == "country" for place, _, _ in entries))
