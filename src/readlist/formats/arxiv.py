"""arXiv ids and URLs in, metadata from the arXiv API (Atom) filled in."""

from __future__ import annotations

from collections.abc import Sequence

from readlist.formats import ImportContext
from readlist.models import Draft, ParseResult

ARXIV_API_ENV = "READLIST_ARXIV_API"
"""Environment variable overriding the API base URL (tests point it at a local server)."""
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"


def looks_like_id_list(text: str) -> bool:
    """True when every non-blank line of `text` is arXiv ids or arXiv/HF paper URLs."""
    raise NotImplementedError


class ArxivIdImporter:
    """Reads arXiv ids and URLs in every spelling; the drafts wait for metadata."""

    def parse(self, text: str, context: ImportContext) -> ParseResult:
        raise NotImplementedError


def fetch_metadata(arxiv_ids: Sequence[str]) -> dict[str, Draft]:
    """Metadata for canonical ids from the arXiv API, in batches; raises ArxivUnavailable."""
    raise NotImplementedError


IMPORTER = ArxivIdImporter()
