"""Fuzzy search over a big library in slices, so a search thread never holds the GIL for long."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import merge

from readlist.search import SearchDocument, SearchHit, SearchIndex

SLICE_SIZE = 5_000
"""Papers ranked per call: rapidfuzz holds the GIL for a whole call (~3 ms per 1,000 titles), and
the screen cannot redraw meanwhile, so a slice keeps each pause far below a keystroke."""


class SlicedSearch:
    """A `SearchIndex` per slice of the library; ranks slice by slice and can stop in between."""

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        self._indexes = [
            SearchIndex(documents[start : start + SLICE_SIZE])
            for start in range(0, len(documents), SLICE_SIZE)
        ]

    def rank(self, query: str, cancelled: Callable[[], bool]) -> list[int] | None:
        """Paper ids matching `query`, best first; None if `cancelled()` turned true meanwhile."""
        ranked_slices: list[list[SearchHit]] = []
        for index in self._indexes:
            if cancelled():
                return None
            ranked_slices.append(index.rank(query))
        # A paper's score does not depend on the other papers, so merging the slices' rankings
        # gives what one index over everything would, up to the order of equal scores.
        return [hit.paper_id for hit in merge(*ranked_slices, key=lambda hit: -hit.score)]
