"""Fuzzy search: rapidfuzz over title (most weight), authors, tags, venue, year, note, abstract.

Plain data in, paper ids out; the app keeps one `SearchIndex` and asks it at every keystroke.

Scanning 100,000 titles with a fuzzy scorer costs 100-600 ms a query, so the index works like a
search engine instead: every paper's text goes into an in-memory SQLite FTS5 table, each query
word is widened to the indexed words it could mean (itself, words it starts, typos of it found by
rapidfuzz in the vocabulary), FTS5 intersects those in C, and only the few hundred best candidates
are scored in full.

Tokenising 100,000 abstracts takes seconds, so the index is built in two phases: the constructor
indexes the short metadata (title, authors, tags, venue, note) and can rank at once, and
`index_abstracts` adds the abstracts afterwards, chunk by chunk, while queries keep running.

A researcher finds a paper again from what they remember of it, so a query may also be an acronym
of title words ("gan"), miss one word when another names an author ("goodfellow gan"), or be a
whole pasted reference, whose title is searched for and whose authors and year only add score.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Indel

if TYPE_CHECKING:
    from readlist.models import Draft


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
    year: str = ""


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
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
"""`attention's`, `Bayes’s`: an ending that is no word of its own, so a query must not need it."""


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
    """The folded words of `text`, as the index and queries see them: `Re-ID` -> `re`, `id`,
    `Bayes's` -> `bayes`."""
    folded = fold(text)
    if "'" in folded or "’" in folded:
        folded = _POSSESSIVE.sub("", folded)
    return _NOT_WORD.sub(" ", folded).split()


def _joined_compounds(text: str) -> str:
    """`Few-Shot Pre-training` -> `FewShot Pretraining`: the hyphenated words of a title spelt
    whole, as many authors write them."""
    if "-" not in text:
        return ""
    return " ".join(word.replace("-", "") for word in text.split() if "-" in word)


_STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it of on or over the to via with without "
    "we our you your do does can how what when why all not".split()
)
"""Words too common to require: a query still matches papers lacking them, they only add score."""

_FIELD_WEIGHTS = {"title": 1.0, "authors": 0.9, "tags": 0.9, "note": 0.8, "venue": 0.7, "year": 0.7}
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
_SPELLING_CUTOFF = 90.0
"""The rapidfuzz ratio an indexed word needs to pass as another spelling of a word the papers
also use: "normalization" of "normalisation" (92), not "onset" of "osnet" (80)."""
_TOKENIZER = "unicode61 remove_diacritics 2"
"""How FTS5 splits text into words: on what is not a letter or digit, without case or accents."""
_CHUNK_CHARACTERS = 300_000
"""Text indexed per chunk of `index_abstracts`: ~7 ms of FTS5 work, up to ~40 ms when FTS5
merges segments after it, so a query waits no longer than that."""
_MERGE_PAGES = 100
"""Index pages merged per step of `index_abstracts` once every abstract is in: up to ~20 ms."""
_ACRONYM_SIMILARITY = 85.0
"""How well an acronym matches the title words it abbreviates ("gan": "Generative Adversarial
Nets"): less than the word itself, as the same letters start other words too."""
_ACRONYM_LENGTHS = range(3, 7)
"""Letters in a query word that may be an acronym: two would abbreviate too many titles."""
_ACRONYM_MATCHES_READ = 100
"""Up to this many papers an acronym abbreviates are checked for the query's other words one by
one, in well under the 10 ms a search for those words takes."""
_MOST_WORDS_WITH_ACRONYMS = 3
"""Words (stop words aside) in the longest query whose words may be acronyms."""
_AUTHOR_SIMILARITY = 85.0
"""How close a query word must be to an author's name to vouch for a paper missing another
word: a surname typed with one letter wrong ("sorenson") still counts."""
_SHORTEST_REFERENCE = 30
"""Characters in the shortest pasted reference: "Xu, B. (2015). Deep nets. ICLR." has 31."""
_REFERENCE_DETAILS_WEIGHT = 5.0
"""The most a pasted reference's authors and year add to the score its title earns (0-100)."""


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
_FORGIVEN = 3
"""All but one, scored too low to pass, but another word is an author's name: kept below every
paper that passed."""


def _acronym_keys(word: str) -> list[str]:
    """The title initials `word` may stand for: `gan`, and `gan` again for the plural `gans`."""
    if not (word.isascii() and word.isalpha()):
        return []
    keys = [word] if len(word) in _ACRONYM_LENGTHS else []
    if word.endswith("s") and len(word) - 1 in _ACRONYM_LENGTHS:
        keys.append(word[:-1])
    return keys


_REFERENCE_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_REFERENCE_SIGNS = re.compile(
    r"\bet al\b|\(\s*(?:19|20)\d\d[a-z]?\s*\)|\b[A-Z]\.[\s,]|\s&\s|\bpp\."
)
"""What only a reference has: "et al", "(2017)", initials ("A. "), "&", "pp."."""
_REFERENCE_WORDS = frozenset("et al pp vol no eds ed proc pages doi arxiv preprint".split())
"""Words of a reference's authors, pages and venue that no title search should need."""


def _pasted_reference(query: str) -> Draft | None:
    """The paper `query` names when it is a whole pasted reference, title and year included."""
    if (
        len(query) < _SHORTEST_REFERENCE
        or not ("," in query or ". " in query)
        or not _REFERENCE_YEAR.search(query)
    ):
        # A typed query: no need to load the reader.
        return None
    # Imported here, as only a query long enough to be a reference needs the listing reader.
    from readlist.formats.listing import read_reference

    return read_reference(query)


def _without_reference_details(words: list[str]) -> list[str]:
    """`words` without a reference's initials, years, pages and "et al": those left are the
    title's, the authors' surnames and the venue's."""
    return [
        word
        for word in words
        if len(word) > 1 and not word.isdigit() and word not in _REFERENCE_WORDS
    ]


def _in_sorted(positions: list[int], position: int) -> bool:
    index = bisect_left(positions, position)
    return index < len(positions) and positions[index] == position


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


@dataclass(slots=True)
class _QueryWord:
    """One word of a query and the indexed words it may stand for."""

    text: str
    required: bool
    """Stop words are not required: a paper may lack them and still match."""
    variants: dict[str, float]
    """Indexed metadata words this one matches exactly, as a typo or spelt otherwise, with their
    similarity."""
    prefix: bool
    """Whether indexed words starting with `text` match too."""
    as_meant: bool
    """Whether the papers use the word itself, so its typos were not looked for."""
    acronym_of: frozenset[int]
    """The papers whose title has words this one is the initials of, by position."""

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

    def metadata_expression(self) -> str | None:
        """The FTS5 expression for metadata with this word; None if no indexed word can match."""
        if not self.prefix:
            terms = [_fts_string(term) for term in self.variants]
        else:
            # The prefix query covers the word itself and its typos that start with it.
            terms = [_fts_string(t) for t in self.variants if not t.startswith(self.text)]
            terms.append(_fts_string(self.text) + " *")
        return f"({' OR '.join(terms)})" if terms else None

    def full_text_expression(self) -> str:
        """The FTS5 expression for papers with this word in their metadata or abstract."""
        abstract = "{abstract} : " + _fts_string(self.text)
        metadata = self.metadata_expression()
        return f"({{meta}} : {metadata} OR {abstract})" if metadata else f"({abstract})"


class SearchIndex:
    """Every paper's text, indexed to be ranked against a query on demand.

    Safe to use from several threads: `rank` keeps its state in local variables, and it and
    `index_abstracts` take the index's lock only around each use of the in-memory database.
    """

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        self._documents = list(documents)
        self._titles = [utils.default_process(fold(document.title)) for document in documents]
        self._lock = threading.Lock()
        self._full_text_rows = 0
        """How many documents, from the first, `index_abstracts` has put in the full-text table."""
        self._merged = False
        """Whether `index_abstracts` has also merged the full text's segments: it has finished."""
        # check_same_thread is off because the app builds the index in one worker thread and
        # ranks in others; the lock keeps those uses one at a time. Autocommit, so each bulk
        # insert is one explicit transaction and no query runs inside an implicit one.
        self._database = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        # Both tables are contentless (the text stays in `documents`) with column detail and no
        # column sizes (no bm25): the smallest index that still tells a title word from an
        # abstract word, and prefix queries run several times faster than with detail=none. FTS5
        # lowers case and removes accents itself, so only letters it cannot take apart (ø, ł,
        # ß...) are spelt out first. Queries use `metadata` until `paper_text` is complete, as
        # one table answers "this word in the metadata or the abstract" for every word in one
        # pass, where two tables would need SQL set operations at twice the cost.
        self._database.executescript(
            f"""
            CREATE VIRTUAL TABLE metadata USING fts5(meta, content='', columnsize=0,
                detail=column, tokenize='{_TOKENIZER}');
            CREATE VIRTUAL TABLE paper_text USING fts5(meta, abstract, content='', columnsize=0,
                detail=column, tokenize='{_TOKENIZER}');
            CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, metadata, row);
            """
        )
        # Merging segments as they come costs a quarter of the metadata's one bulk load, and
        # queries are as fast without it. The full text comes in hundreds of small transactions,
        # each of which merges: merging 8 segments at a time rather than 4 halves that work and
        # keeps the longest chunk under 50 ms; `_merge_step` tidies up after the last chunk.
        self._database.executescript(
            """
            INSERT INTO metadata (metadata, rank) VALUES ('automerge', 0);
            INSERT INTO paper_text (paper_text, rank) VALUES ('automerge', 8);
            """
        )
        with self._transaction():
            self._database.executemany(
                "INSERT INTO metadata (rowid, meta) VALUES (?, ?)",
                (
                    (position, self._metadata(document))
                    for position, document in enumerate(self._documents)
                ),
            )
        self._metadata_terms = [
            row[0]
            for row in self._database.execute("SELECT term FROM temp.vocabulary ORDER BY term")
        ]
        self._initials: tuple[str, list[int]] | None = None
        """See `_title_initials`; made when first needed, as only acronyms need it."""

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # One transaction per bulk insert: in autocommit every row would be its own.
        self._database.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._database.execute("ROLLBACK")
            raise
        self._database.execute("COMMIT")

    @staticmethod
    def _metadata(document: SearchDocument) -> str:
        return _plain_letters(
            " ".join(
                (
                    document.title,
                    # "pretraining" finds "Pre-training" as one indexed word;
                    # `_join_split_words` does the reverse for queries.
                    _joined_compounds(document.title),
                    document.authors,
                    document.tags,
                    document.venue,
                    document.year,
                    document.note,
                )
            )
        )

    @property
    def abstracts_indexed(self) -> bool:
        """Whether every abstract is in the index, so abstract words find papers."""
        return self._full_text_rows == len(self._documents)

    def index_abstracts(self, should_stop: Callable[[], bool] | None = None) -> bool:
        """Index the abstracts step by step; False if `should_stop()` turned true first.

        Queries from other threads wait for one step at most. Abstract words find papers once
        every abstract is in; called again after stopping, it goes on where it stopped.
        """
        # Made here, in the background, so the first acronym a user types does not wait for it.
        self._title_initials()
        while not self._merged:
            if should_stop is not None and should_stop():
                return False
            with self._lock:
                if self.abstracts_indexed:
                    self._merged = self._merge_step()
                else:
                    self._add_chunk()
        return True

    def _add_chunk(self) -> None:
        """Put the next chunk of documents, metadata and abstract, in the full-text table."""
        start = self._full_text_rows
        end = self._chunk_end(start)
        with self._transaction():
            self._database.executemany(
                "INSERT INTO paper_text (rowid, meta, abstract) VALUES (?, ?, ?)",
                (
                    (position, self._metadata(document), _plain_letters(document.abstract))
                    for position, document in enumerate(self._documents[start:end], start)
                ),
            )
        self._full_text_rows = end
        if self.abstracts_indexed:
            # Queries use the full text from now on; the metadata table would only take memory.
            self._database.execute("DROP TABLE temp.vocabulary")
            self._database.execute("DROP TABLE metadata")

    def _merge_step(self) -> bool:
        """Merge some of the full text's segments; True once none are left to merge."""
        # Hundreds of chunks leave many small segments, and queries read each one: merged,
        # long queries run a tenth faster.
        changes = self._database.total_changes
        self._database.execute(
            "INSERT INTO paper_text (paper_text, rank) VALUES ('merge', ?)", (_MERGE_PAGES,)
        )
        # FTS5 changes fewer than two rows when there was nothing left to merge.
        return self._database.total_changes - changes < 2

    def _chunk_end(self, start: int) -> int:
        """Where the chunk of documents from `start` ends: about `_CHUNK_CHARACTERS` of text."""
        characters = 0
        end = start
        while end < len(self._documents) and characters < _CHUNK_CHARACTERS:
            # A paper's metadata is some 200 characters beside its abstract.
            characters += len(self._documents[end].abstract) + 200
            end += 1
        return end

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
        reference = _pasted_reference(query) if len(words) >= 4 else None
        if reference is not None:
            # A reference's title finds its paper; its authors and year may be written otherwise
            # in the library, or not be there, so they only add score. A title that finds
            # nothing names a paper the library lacks: the rest would only find others.
            return self._ranked(search_words(reference.title), limit, reference)
        if len(words) >= 4 and _REFERENCE_SIGNS.search(query):
            words = _without_reference_details(words) or words
        return self._ranked(words, limit, None)

    def _ranked(
        self, words: list[str], limit: int | None, reference: Draft | None
    ) -> list[SearchHit]:
        """See `rank`: the papers matching the query `words`, a pasted `reference`'s title."""
        if not words:
            return []
        # A query of stop words only ("all you need") requires them all.
        only_stopwords = all(word in _STOPWORDS for word in words)
        # Acronyms are for short queries ("gan", "llm agents"): in a long one each would cost a
        # search for all the other words.
        acronyms = sum(word not in _STOPWORDS for word in words) <= _MOST_WORDS_WITH_ACRONYMS
        query_words = [self._query_word(word, only_stopwords, acronyms) for word in words]
        self._join_split_words(query_words)
        processed_query = " ".join(words)
        candidates = self._candidates(query_words, processed_query)
        scored: list[tuple[float, int, int]] = []
        for position, match in candidates[:_RESCORED]:
            score, forgivable = self._score(position, processed_query, query_words, match)
            if reference is not None:
                details = _REFERENCE_DETAILS_WEIGHT * self._details_found(position, reference)
                score = score * (100.0 - _REFERENCE_DETAILS_WEIGHT) / 100.0 + details
            if score >= _MIN_SCORE:
                scored.append((round(score, 1), position, match))
            elif forgivable:
                scored.append((round(score, 1), position, _FORGIVEN))
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

    def _query_word(self, word: str, only_stopwords: bool, acronyms: bool) -> _QueryWord:
        variants: dict[str, float] = {}
        index = bisect_left(self._metadata_terms, word)
        if index < len(self._metadata_terms) and self._metadata_terms[index] == word:
            variants[word] = 100.0
        cutoff = _typo_cutoff(word)
        # A word the papers use is taken as meant ("osnet" is not a typo of "onset").
        as_meant = cutoff is not None and (bool(variants) or self._in_abstracts(word))
        if cutoff is not None and not as_meant:
            variants.update(self._typos(word, cutoff))
        return _QueryWord(
            text=word,
            required=only_stopwords or word not in _STOPWORDS,
            variants=variants,
            # Words also stand for the words they start: the last one may be half typed, and a
            # fragment like "re-id" stands for "re-identification". One letter would match most.
            prefix=len(word) >= 2,
            as_meant=as_meant,
            acronym_of=(
                self._acronym_positions(word)
                if acronyms and word not in _STOPWORDS
                else frozenset()
            ),
        )

    def _title_initials(self) -> tuple[str, list[int]]:
        """Each title's initials, stop words left out ("Generative Adversarial Nets": "gan"),
        one line per title, and where each title's line starts."""
        if self._initials is None:
            # Two threads may both make it; each makes the same, and either may be kept.
            lines = [
                "".join([word[0] for word in title.split() if word not in _STOPWORDS])
                for title in self._titles
            ]
            starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
            self._initials = ("\n".join(lines), starts)
        return self._initials

    def _acronym_positions(self, word: str) -> frozenset[int]:
        """The papers whose title has consecutive words `word` is the initials of."""
        keys = _acronym_keys(word)
        if not keys:
            return frozenset()
        # One substring search over every title's initials costs well under a millisecond.
        initials, starts = self._title_initials()
        positions: set[int] = set()
        for key in keys:
            found = initials.find(key)
            while found >= 0:
                positions.add(bisect_right(starts, found) - 1)
                found = initials.find(key, found + 1)
        return frozenset(positions)

    def _typos(self, word: str, cutoff: float) -> dict[str, float]:
        """The indexed metadata words at least `cutoff` close to `word`, with their similarity."""
        return {
            term: score
            for term, score, _position in process.extract(
                word,
                self._metadata_terms,
                scorer=fuzz.ratio,
                processor=None,
                limit=_MAX_TYPO_VARIANTS,
                score_cutoff=cutoff,
            )
        }

    def _add_other_spellings(self, query_words: list[_QueryWord]) -> bool:
        """Let each word taken as meant also stand for the indexed words spelt nearly like it
        ("generalizable": "generalisable"); True if any does now."""
        added = False
        for word in query_words:
            if not word.as_meant:
                continue
            for term, score in self._typos(word.text, _SPELLING_CUTOFF).items():
                if term not in word.variants:
                    word.variants[term] = score
                    added = True
        return added

    def _join_split_words(self, query_words: list[_QueryWord]) -> None:
        """Let two query words that an indexed word joins ("pre training": "pretraining") each
        stand for it, so a paper with the joined word has both."""
        for first, second in itertools.pairwise(query_words):
            joined = first.text + second.text
            index = bisect_left(self._metadata_terms, joined)
            if index < len(self._metadata_terms) and self._metadata_terms[index] == joined:
                first.variants[joined] = second.variants[joined] = 100.0

    def _candidates(
        self, query_words: list[_QueryWord], processed_query: str
    ) -> list[tuple[int, int]]:
        """Papers that may match, each once, with how they matched; likely best first."""
        required = [word for word in query_words if word.required]
        everywhere = self._matching(required)
        # Both spellings of a word are often in a library ("Generalizable", "Generalisable"), so
        # neither passes as a typo; when no paper has every word as typed, either does.
        if not everywhere and self._add_other_spellings(required):
            everywhere = self._matching(required)
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
            if len(everywhere) < 5 and len(required) >= 2:
                # A half-remembered title often has one word wrong: allow any one to be missing.
                # One word left of two must single out a few papers, as a surname does, not
                # half the library.
                most = _RESCORED if len(required) == 2 else None
                for left_out in range(len(required)):
                    others = [word for index, word in enumerate(required) if index != left_out]
                    lacking = self._matching(others, limit=None if most is None else most + 1)
                    if most is not None and len(lacking) > most:
                        continue
                    for position in lacking:
                        if position not in seen:
                            seen.add(position)
                            candidates.append((position, _PARTIAL))
            return candidates
        # Too many to score in full: those with every word in their metadata first, each kind
        # ordered by how close its title is to the query.
        in_metadata = self._matching(required, abstracts=False)
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
            if not self.abstracts_indexed:
                return False
            row = self._database.execute(
                "SELECT 1 FROM paper_text WHERE paper_text MATCH ? LIMIT 1",
                ("{abstract} : " + _fts_string(word),),
            ).fetchone()
        return row is not None

    def _matching(
        self, words: list[_QueryWord], abstracts: bool = True, limit: int | None = None
    ) -> list[int]:
        """Papers having each of `words` in their metadata or, if `abstracts`, in their abstract,
        or as an acronym of title words; the first `limit` of them."""
        with self._lock:
            table = "paper_text" if self.abstracts_indexed else "metadata"
            expression = self._expression(words, abstracts)
            if expression is None:
                positions = []
            elif limit is None:
                positions = self._rowids(
                    f"SELECT json_group_array(rowid) FROM {table} WHERE {table} MATCH ?",
                    expression,
                )
            else:
                positions = self._rowids(
                    f"SELECT json_group_array(rowid) FROM"
                    f" (SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT {limit})",
                    expression,
                )
            abbreviated: set[int] = set()
            for word in words:
                if word.acronym_of:
                    abbreviated.update(self._abbreviated(word, words))
        # FTS5 gives rowids in order, so those it found already are told apart by bisection.
        positions += [
            position for position in sorted(abbreviated) if not _in_sorted(positions, position)
        ]
        return positions[:limit]

    def _abbreviated(self, acronym: _QueryWord, words: list[_QueryWord]) -> list[int]:
        """The papers whose title `acronym` abbreviates that have the other `words` in their
        metadata: an acronym is a guess, so the words beside it must say more than an abstract
        would."""
        positions = sorted(acronym.acronym_of)
        others = [word for word in words if word is not acronym]
        if not others:
            return positions
        if len(positions) <= _ACRONYM_MATCHES_READ:
            return [
                position
                for position in positions
                if all(
                    word.best_similarity(search_words(self._metadata(self._documents[position])))
                    for word in others
                )
            ]
        expression = self._expression(others, abstracts=False)
        if expression is None:
            return []
        # Not `rowid IN (...)`: FTS5 would expand every prefix and typo again for each rowid,
        # some 2 ms each.
        table = "paper_text" if self.abstracts_indexed else "metadata"
        with_others = self._rowids(
            f"SELECT json_group_array(rowid) FROM {table} WHERE {table} MATCH ?", expression
        )
        return [position for position in positions if _in_sorted(with_others, position)]

    def _expression(self, words: list[_QueryWord], abstracts: bool) -> str | None:
        """The FTS5 expression for papers with each of `words` in their metadata or, if
        `abstracts` and they are indexed, their abstract; None if none can have them all."""
        if self.abstracts_indexed and abstracts:
            return " AND ".join(word.full_text_expression() for word in words)
        expressions: list[str] = []
        for word in words:
            expression = word.metadata_expression()
            if expression is None:
                return None
            expressions.append(f"{{meta}} : {expression}")
        return " AND ".join(expressions)

    def _rowids(self, sql: str, *parameters: str) -> list[int]:
        # One JSON array parsed in C costs half as much as a Python row per paper.
        (found,) = self._database.execute(sql, parameters).fetchone()
        positions: list[int] = json.loads(found)
        return positions

    def _score(
        self,
        position: int,
        processed_query: str,
        query_words: list[_QueryWord],
        match: int,
    ) -> tuple[float, bool]:
        """A candidate's score: its words' best matches, weighted by field, plus title closeness;
        and whether it misses one word only, not a year, and another is an author's name."""
        document = self._documents[position]
        title = self._titles[position]
        title_words = title.split() + search_words(_joined_compounds(document.title))
        author_words = search_words(document.authors)
        fields = [(title_words, _FIELD_WEIGHTS["title"])]
        if author_words:
            fields.append((author_words, _FIELD_WEIGHTS["authors"]))
        fields.extend(
            (search_words(text), _FIELD_WEIGHTS[name])
            for name, text in (
                ("tags", document.tags),
                ("note", document.note),
                ("venue", document.venue),
                ("year", document.year),
            )
            if text
        )
        total = weight_sum = 0.0
        missing: list[_QueryWord] = []
        by_author = False
        for word in query_words:
            best = max(weight * word.best_similarity(words) for words, weight in fields)
            if position in word.acronym_of:
                best = max(best, _FIELD_WEIGHTS["title"] * _ACRONYM_SIMILARITY)
            if best == 0.0 and word.required:
                if match is _ANYWHERE:
                    # FTS5 found every required word in the metadata or the abstract; not in the
                    # metadata, so this one is in the abstract.
                    best = _ABSTRACT_WEIGHT * 100.0
                else:
                    missing.append(word)
            elif match == _PARTIAL and word.required and not by_author:
                # The whole name, maybe mistyped: "well" starts "Welling" but names no one.
                by_author = any(
                    word.variants.get(name, 0.0) >= _AUTHOR_SIMILARITY for name in author_words
                )
            weight = 1.0 if word.required else _STOPWORD_WEIGHT
            total += weight * best
            weight_sum += weight
        closeness = fuzz.partial_ratio(processed_query, title)
        score = max(0.9 * total / weight_sum + 0.1 * closeness, fuzz.ratio(processed_query, title))
        # A year is not misremembered the way a word is: "kingma 2014" is not his 2013 paper.
        forgivable = by_author and len(missing) == 1 and not missing[0].text.isdigit()
        return score, forgivable

    def _details_found(self, position: int, reference: Draft) -> float:
        """The share of a pasted `reference`'s authors and year that the paper has (0-1)."""
        document = self._documents[position]
        author_words = set(search_words(document.authors))
        # Initials say little: "A." is half the library's first names.
        cited = [
            [word for word in search_words(name) if len(word) > 1] for name in reference.authors
        ]
        details = [bool(author_words.intersection(words)) for words in cited if words]
        if reference.year is not None:
            details.append(document.year == str(reference.year))
        return sum(details) / len(details) if details else 0.0


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
    if sum(word not in _STOPWORDS for word in query_words) <= _MOST_WORDS_WITH_ACRONYMS:
        positions.update(_acronym_highlights(query_words, words))
    return sorted(positions)


def _acronym_highlights(query_words: list[str], words: list[tuple[str, list[int]]]) -> set[int]:
    """The first letters of the words that query words abbreviate, as `rank` reads acronyms."""
    content = [origins[0] for word, origins in words if word not in _STOPWORDS]
    initials = "".join(word[0] for word, _origins in words if word not in _STOPWORDS)
    positions: set[int] = set()
    for query_word in query_words:
        if query_word in _STOPWORDS:
            continue
        for key in _acronym_keys(query_word):
            found = initials.find(key)
            while found >= 0:
                positions.update(content[found : found + len(key)])
                found = initials.find(key, found + 1)
    return positions


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
