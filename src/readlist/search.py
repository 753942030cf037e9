"""Fuzzy search: rapidfuzz over title (most weight), authors, tags, venue, abstract and note.

Plain data in, paper ids out; the app keeps one `SearchIndex` and asks it at every keystroke.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils


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


class SearchIndex:
    """Pre-processed text of every paper, ranked against a query on demand."""

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        self._ids = [document.paper_id for document in documents]
        self._titles = [utils.default_process(document.title) for document in documents]
        self._others = [
            utils.default_process(
                " ".join((document.authors, document.tags, document.venue, document.note))
            )
            for document in documents
        ]

    def rank(self, query: str, limit: int | None = None) -> list[SearchHit]:
        """Papers matching `query`, best first."""
        processed = utils.default_process(query)
        if not processed:
            return []
        scores: dict[int, float] = {}
        for choice, score, position in process.extract(
            processed,
            self._titles,
            scorer=fuzz.WRatio,
            limit=limit or len(self._titles),
            score_cutoff=60,
        ):
            del choice
            scores[position] = score
        for choice, score, position in process.extract(
            processed,
            self._others,
            scorer=fuzz.partial_ratio,
            limit=limit or len(self._others),
            score_cutoff=80,
        ):
            del choice
            scores[position] = max(scores.get(position, 0.0), score * 0.9)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        if limit is not None:
            ranked = ranked[:limit]
        return [SearchHit(self._ids[position], score) for position, score in ranked]
