"""Listing pages as users copy them: Hugging Face Papers, arXiv lists and digests, Markdown cards,
conference accepted lists, tables, plain titles."""

from __future__ import annotations

from readlist.formats import ImportContext
from readlist.models import ParseResult


class ListingImporter:
    """Reads papers out of copied listing-page text."""

    def parse(self, text: str, context: ImportContext) -> ParseResult:
        raise NotImplementedError


IMPORTER = ListingImporter()
