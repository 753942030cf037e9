"""Fuzzy search: rapidfuzz over title (most weight), authors, tags, venue, note and abstract.

Plain data in, paper ids out; the app keeps one `SearchIndex` and asks it at every keystroke.

Scanning 100,000 titles with a fuzzy scorer costs 100-600 ms a query, so the index works like a
search engine instead: every paper's text goes into an in-memory SQLite FTS5 table, each query
word is widened to the indexed words it could mean (itself, words it starts, typos of it found by
rapidfuzz in the vocabulary), FTS5 intersects those in C, and only the few hundred best candidates
are scored in full.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Indel


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One paper's searchable text."""

    paper_id: int
    title: str
    authors: str
    venue: str
    abstract: str
    note: str
    tags: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A paper that matches, and how well (0-100)."""

    paper_id: int
    score: float


_LETTERS_WITHOUT_DECOMPOSITION = (
    ("ø", "o"), ("Ø", "O"), ("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D"), ("ł", "l"),
    ("Ł", "L"), ("æ", "ae"), ("Æ", "AE"), ("œ", "oe"), ("Œ", "OE"), ("þ", "th"), ("Þ", "TH"),
    ("ß", "ss"), ("ı", "i"),
)  # fmt: skip
"""Letters Unicode does not split into a base letter plus an accent, so accent removal keeps them."""
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NOT_WORD = re.compile(r"[\W_]+")


def _plain_letters(text: str) -> str:
    """`Sørensen` -> `Sorensen`: the letters accent removal would keep, spelt plainly."""
    if text.isascii():
        return text
    for letter, plain in _LETTERS_WITHOUT_DECOMPOSITION:
        if letter in text:
            text = text.replace(letter, plain)
    return text


def fold(text: str) -> str:
    """`Sørensen, É.` -> `sorensen, e.`: lower case without accents, so either spelling matches."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", _plain_letters(folded))
    return _COMBINING_MARKS.sub("", decomposed)


def search_words(text: str) -> list[str]:
    """The folded words of `text`, as the index and queries see them: `Re-ID` -> `re`, `id`."""
    return _NOT_WORD.sub(" ", fold(text)).split()


_STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it of on or over the to via with without "
    "we our you your do does can how what when why all not".split()
)
"""Words too common to require: a query still matches papers lacking them, they only add score."""

_FIELD_WEIGHTS = {"title": 1.0, "authors": 0.9, "tags": 0.9, "note": 0.8, "venue": 0.7}
"""How much a query word found in each field counts; a title match counts most."""
_ABSTRACT_WEIGHT = 0.8
"""How much a query word found only in the abstract counts."""
_STOPWORD_WEIGHT = 0.25
"""How much a stop word counts in a query's score beside a content word (1)."""
_MIN_SCORE = 70.0
"""Hits scoring below this are noise, not matches."""
_WHOLE_TITLE_CUTOFF = 80.0
"""A query this close (rapidfuzz ratio) to a whole title is a mistyped title, whatever its words."""
_RESCORED = 300
"""Candidates scored in full per query; the rest are estimated."""
_MAX_TYPO_VARIANTS = 40
"""Indexed words tried per mistyped query word, the closest first."""


def _typo_cutoff(word: str) -> float | None:
    """The rapidfuzz ratio an indexed word needs to pass as a typo of `word`; None: no typos."""
    if len(word) < 3:
        return None
    # One letter missing from "ned" ("need") scores 86 and one wrong in "graph" 80; allowing
    # more makes short words match nearly anything.
    return 85.0 if len(word) == 3 else 80.0


# How a candidate matched the query's required words, best first. Plain ints, not an Enum: they
# are hashed once per candidate and an Enum's hash is a Python call.
_IN_METADATA = 0
"""Every one in the title, authors, tags, venue or note."""
_ANYWHERE = 1
"""Every one in the metadata or the abstract."""
_PARTIAL = 2
"""All but one, or the whole title was close to the query."""


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


@dataclass(slots=True)
class _QueryWord:
    """One word of a query and the indexed words it may stand for."""

    text: str
    required: bool
    """Stop words are not required: a paper may lack them and still match."""
    variants: dict[str, float]
    """Indexed metadata words this one matches exactly or as a typo, with their similarity."""
    prefix: bool
    """Whether indexed words starting with `text` match too."""

    def best_similarity(self, words: Sequence[str]) -> float:
        """How well the best of `words` matches this query word (0 when none does)."""
        best = 0.0
        for word in words:
            found = self.variants.get(word)
            if found is None and self.prefix and word.startswith(self.text):
                # A typed prefix stands for the word it starts: 90, up to 100 for the whole word.
                found = 90.0 + 10.0 * len(self.text) / len(word)
            if found is not None and found > best:
                best = found
        return best

    def _metadata_terms(self) -> list[str]:
        if not self.prefix:
            return [_fts_string(term) for term in self.variants]
        # The prefix query covers the word itself and its typos that start with it.
        terms = [_fts_string(t) for t in self.variants if not t.startswith(self.text)]
        return [*terms, _fts_string(self.text) + " *"]

    def fts_group(self) -> str:
        """The FTS5 expression for papers with this word in their metadata or abstract."""
        abstract = "{abstract} : " + _fts_string(self.text)
        terms = self._metadata_terms()
        return f"({{meta}} : ({' OR '.join(terms)}) OR {abstract})" if terms else f"({abstract})"

    def fts_metadata_group(self) -> str | None:
        """The FTS5 expression for papers with this word in their metadata; None if none can."""
        terms = self._metadata_terms()
        return f"({{meta}} : ({' OR '.join(terms)}))" if terms else None


class SearchIndex:
    """Every paper's text, indexed to be ranked against a query on demand.

    Safe to use from several threads: `rank` keeps its state in local variables and takes the
    index's lock only around the in-memory database.
    """

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        self._documents = list(documents)
        self._titles = [utils.default_process(fold(document.title)) for document in documents]
        self._lock = threading.Lock()
        # check_same_thread is off because the app builds the index in one worker thread and
        # ranks in others; the lock keeps those uses one at a time.
        self._database = sqlite3.connect(":memory:", check_same_thread=False)
        # Contentless (the text stays in `documents`) and column detail only: the smallest index
        # that still tells a title word from an abstract word. FTS5 lowers case and removes
        # accents itself, so only letters it cannot take apart (ø, ł, ß...) are spelt out first.
        self._database.execute(
            "CREATE VIRTUAL TABLE paper_text USING fts5(meta, abstract, content='', "
            "detail=column, tokenize='unicode61 remove_diacritics 2')"
        )
        self._database.executemany(
            "INSERT INTO paper_text (rowid, meta, abstract) VALUES (?, ?, ?)",
            self._rows(),
        )
        self._database.execute(
            "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, paper_text, col)"
        )
        self._metadata_terms = [
            row[0]
            for row in self._database.execute(
                "SELECT term FROM temp.vocabulary WHERE col = 'meta' ORDER BY term"
            )
        ]
        self._database.commit()

    def _rows(self) -> Iterator[tuple[int, str, str]]:
        for position, document in enumerate(self._documents):
            metadata = " ".join(
                (document.title, document.authors, document.tags, document.venue, document.note)
            )
            yield position, _plain_letters(metadata), _plain_letters(document.abstract)

    def __len__(self) -> int:
        return len(self._documents)

    def rank(self, query: str, limit: int | None = None) -> list[SearchHit]:
        """Papers matching `query`, best first; at most `limit` of them.

        The first few hundred are scored in full; any further ones (a one-word query can match
        thousands) follow in a cheaper order, scored as the worst full-scored hit of their kind.
        """
        words = search_words(query)
        if not words:
            return []
        # A query of stop words only ("all you need") requires them all.
        only_stopwords = all(word in _STOPWORDS for word in words)
        query_words = [self._query_word(word, only_stopwords) for word in words]
        processed_query = " ".join(words)
        candidates = self._candidates(query_words, processed_query)
        scored: list[tuple[float, int, int]] = []
        for position, match in candidates[:_RESCORED]:
            score = self._score(position, processed_query, query_words, match)
            if score >= _MIN_SCORE:
                scored.append((round(score, 1), position, match))
        scored.sort(key=lambda item: -item[0])
        hits = [
            SearchHit(self._documents[position].paper_id, score) for score, position, _ in scored
        ]
        if limit is not None and len(hits) >= limit:
            return hits[:limit]
        # The rest are estimated as the worst full-scored hit of their kind; a kind none of whose
        # scored candidates passed is dropped, one not scored at all passes barely.
        floors = {match: score for score, _position, match in scored}
        tried = {match for _position, match in candidates[:_RESCORED]}
        hits.extend(
            SearchHit(self._documents[position].paper_id, floors.get(match, _MIN_SCORE))
            for position, match in candidates[_RESCORED:]
            if match in floors or match not in tried
        )
        return hits[:limit]

    def _query_word(self, word: str, only_stopwords: bool) -> _QueryWord:
        variants: dict[str, float] = {}
        index = bisect_left(self._metadata_terms, word)
        if index < len(self._metadata_terms) and self._metadata_terms[index] == word:
            variants[word] = 100.0
        cutoff = _typo_cutoff(word)
        # A word the papers use is taken as meant ("osnet" is not a typo of "onset").
        if cutoff is not None and not variants and not self._in_abstracts(word):
            for term, score, _position in process.extract(
                word,
                self._metadata_terms,
                scorer=fuzz.ratio,
                processor=None,
                limit=_MAX_TYPO_VARIANTS,
                score_cutoff=cutoff,
            ):
                variants[term] = score
        return _QueryWord(
            text=word,
            required=only_stopwords or word not in _STOPWORDS,
            variants=variants,
            # Words also stand for the words they start: the last one may be half typed, and a
            # fragment like "re-id" stands for "re-identification". One letter would match most.
            prefix=len(word) >= 2,
        )

    def _candidates(
        self, query_words: list[_QueryWord], processed_query: str
    ) -> list[tuple[int, int]]:
        """Papers that may match, each once, with how they matched; likely best first."""
        required = [word for word in query_words if word.required]
        everywhere = self._matching(" AND ".join(word.fts_group() for word in required))
        close_titles: list[int] = []
        if len(query_words) > 1 and len(processed_query) >= 10:
            # A mistyped whole title may break every word yet still read as the title.
            close_titles = [
                position
                for _title, _score, position in process.extract(
                    processed_query,
                    self._titles,
                    scorer=fuzz.ratio,
                    processor=None,
                    limit=10,
                    score_cutoff=_WHOLE_TITLE_CUTOFF,
                )
            ]
        seen = set(close_titles)
        found = set(everywhere) if close_titles else set()
        candidates = [
            (position, _ANYWHERE if position in found else _PARTIAL) for position in close_titles
        ]
        if len(everywhere) <= _RESCORED:
            candidates.extend(
                (position, _ANYWHERE) for position in everywhere if position not in seen
            )
            seen.update(everywhere)
            if len(everywhere) < 5 and len(required) >= 3:
                # A half-remembered title often has one word wrong: allow any one to be missing.
                for left_out in range(len(required)):
                    expression = " AND ".join(
                        word.fts_group() for index, word in enumerate(required) if index != left_out
                    )
                    for position in self._matching(expression):
                        if position not in seen:
                            seen.add(position)
                            candidates.append((position, _PARTIAL))
            return candidates
        # Too many to score in full: those with every word in their metadata first, each kind
        # ordered by how close its title is to the query.
        metadata_groups = [word.fts_metadata_group() for word in required]
        in_metadata: list[int] = []
        if all(group is not None for group in metadata_groups):
            in_metadata = self._matching(
                " AND ".join(group for group in metadata_groups if group is not None)
            )
        in_metadata_set = set(in_metadata)
        elsewhere = [position for position in everywhere if position not in in_metadata_set]
        room = _RESCORED - len(candidates)
        for kind, positions in ((_IN_METADATA, in_metadata), (_ANYWHERE, elsewhere)):
            candidates.extend(
                (position, kind)
                for position in self._by_title(processed_query, positions, room)
                if position not in seen
            )
            room -= len(positions)
        return candidates

    def _by_title(self, processed_query: str, positions: list[int], best: int) -> list[int]:
        """`positions`, the `best` whose titles are closest to the query first."""
        if best <= 0 or len(positions) <= 1:
            return positions
        titles = [self._titles[position] for position in positions]
        closest = [
            positions[index]
            for _title, _score, index in process.extract(
                processed_query, titles, scorer=fuzz.ratio, processor=None, limit=best
            )
        ]
        chosen = set(closest)
        return closest + [position for position in positions if position not in chosen]

    def _in_abstracts(self, word: str) -> bool:
        with self._lock:
            row = self._database.execute(
                "SELECT 1 FROM temp.vocabulary WHERE col = 'abstract' AND term = ?", (word,)
            ).fetchone()
        return row is not None

    def _matching(self, expression: str) -> list[int]:
        # One JSON array parsed in C costs half as much as a Python row per paper.
        with self._lock:
            (found,) = self._database.execute(
                "SELECT json_group_array(rowid) FROM paper_text WHERE paper_text MATCH ?",
                (expression,),
            ).fetchone()
        positions: list[int] = json.loads(found)
        return positions

    def _score(
        self,
        position: int,
        processed_query: str,
        query_words: list[_QueryWord],
        match: int,
    ) -> float:
        """A candidate's score: its words' best matches, weighted by field, plus title closeness."""
        document = self._documents[position]
        title = self._titles[position]
        fields = [(title.split(), _FIELD_WEIGHTS["title"])]
        fields.extend(
            (search_words(text), _FIELD_WEIGHTS[name])
            for name, text in (
                ("authors", document.authors),
                ("tags", document.tags),
                ("note", document.note),
                ("venue", document.venue),
            )
            if text
        )
        total = weight_sum = 0.0
        for word in query_words:
            best = max(weight * word.best_similarity(words) for words, weight in fields)
            if best == 0.0 and word.required and match is _ANYWHERE:
                # FTS5 found every required word in the metadata or the abstract; not in the
                # metadata, so this one is in the abstract.
                best = _ABSTRACT_WEIGHT * 100.0
            weight = 1.0 if word.required else _STOPWORD_WEIGHT
            total += weight * best
            weight_sum += weight
        closeness = fuzz.partial_ratio(processed_query, title)
        return max(0.9 * total / weight_sum + 0.1 * closeness, fuzz.ratio(processed_query, title))


def highlight_positions(query: str, text: str) -> list[int]:
    """The character positions in `text` that `query`'s words matched, for highlighting."""
    query_words = search_words(query)
    if not query_words or not text:
        return []
    words = _words_with_origins(text)
    positions: set[int] = set()
    for query_word in query_words:
        cutoff = _typo_cutoff(query_word)
        for word, origins in words:
            if word.startswith(query_word):
                positions.update(origins[: len(query_word)])
            elif cutoff is not None and fuzz.ratio(query_word, word, score_cutoff=cutoff):
                for block in Indel.opcodes(query_word, word):
                    if block.tag == "equal":
                        positions.update(origins[block.dest_start : block.dest_end])
    return sorted(positions)


def _words_with_origins(text: str) -> list[tuple[str, list[int]]]:
    """The folded words of `text`, each with the position in `text` of every folded character."""
    words: list[tuple[str, list[int]]] = []
    letters: list[str] = []
    origins: list[int] = []
    for position, character in enumerate(text):
        for folded in fold(character):
            if folded.isalnum():
                letters.append(folded)
                origins.append(position)
            elif letters:
                words.append(("".join(letters), origins))
                letters, origins = [], []
    if letters:
        words.append(("".join(letters), origins))
    return words
