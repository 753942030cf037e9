"""BibTeX in (bibtexparser 2 plus fixes for its traps) and out (keys, escaping, classic bibtex)."""

from __future__ import annotations

from collections.abc import Sequence

from readlist.formats import ImportContext
from readlist.models import Paper, ParseResult


def looks_like_bibtex(text: str) -> bool:
    """True when `text` holds at least one `@type{` or `@type(` entry start."""
    raise NotImplementedError


def collect_macros(text: str) -> dict[str, str]:
    """The `@string` macros defined in `text`, lower-case name -> value (TeX kept)."""
    raise NotImplementedError


class BibtexImporter:
    """Reads BibTeX files as real tools write them."""

    def parse(self, text: str, context: ImportContext) -> ParseResult:
        raise NotImplementedError


class BibtexExporter:
    """Writes BibTeX that classic `bibtex` and bibtexparser accept."""

    def render(self, papers: Sequence[Paper]) -> str:
        raise NotImplementedError


IMPORTER = BibtexImporter()
EXPORTER = BibtexExporter()
