"""Formats: importers turn text into drafts, exporters turn papers into text.

Each format is a small module behind one interface; `importer(name)` and `exporter(name)` load them.
Nothing here touches the database or prints: the library decides what to store and the CLI or the
app what to show.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Protocol

from readlist.errors import ExportError, UnknownFormat, UnreadableInput
from readlist.models import Paper, ParseResult


@dataclass(slots=True)
class ImportContext:
    """What the files of one import command share."""

    bibtex_macros: dict[str, str] = field(default_factory=dict)
    """`@string` macros gathered from every BibTeX file of the command, name (lower case) -> value."""
    today: date = field(default_factory=date.today)
    """The import's date; a listing date without a year ("Mar 14") is taken as the latest such day."""


class Importer(Protocol):
    """Turns one text into drafts and per-record problems."""

    def parse(self, text: str, context: ImportContext) -> ParseResult:
        """Read every paper in `text`; skip bad records into `problems`, never raise for them."""
        ...


class Exporter(Protocol):
    """Turns papers into one text."""

    def entries(self, papers: Iterable[Paper], keys_in_use: Iterable[str] = ()) -> Iterator[str]:
        """The file for `papers` piece by piece, in the order given, so a big export streams.

        Keys the exporter has to make up avoid `keys_in_use` (the library's keys).
        """
        ...


_IMPORTER_MODULES = {"bibtex": "bibtex", "arxiv": "arxiv", "listing": "listing"}
_EXPORTER_MODULES = {"bibtex": "bibtex"}

IMPORT_FORMATS = tuple(_IMPORTER_MODULES)
"""Names accepted by `readlist import --format`."""


def importer(name: str) -> Importer:
    """The importer for a format name; modules load only when asked, to keep start-up fast."""
    check_format_name(name)
    importer_: Importer = import_module(f"readlist.formats.{_IMPORTER_MODULES[name]}").IMPORTER
    return importer_


def exporter(name: str) -> Exporter:
    """The exporter for a format name."""
    module_name = _EXPORTER_MODULES.get(name)
    if module_name is None:
        raise UnknownFormat(f"unknown export format {name!r}")
    exporter_: Exporter = import_module(f"readlist.formats.{module_name}").EXPORTER
    return exporter_


_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def decode(data: bytes, source: str) -> str:
    """Bytes of an import source as text, or `UnreadableInput` saying why not.

    UTF-8 (with or without a BOM) is read as is; UTF-16 with a BOM and files declaring their
    encoding in a `coding:` line are decoded; anything else that is not UTF-8 is refused with the
    byte offset, never guessed into mojibake.
    """
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise UnreadableInput(
                f"{source}: {what}, not text; export BibTeX or copy the page text"
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    declared = _declared_encoding(data)
    try:
        text = data.decode(declared or "utf-8")
    except UnicodeDecodeError as error:
        encoding = declared or "UTF-8"
        raise UnreadableInput(
            f"{source}: not valid {encoding} at byte {error.start}; "
            "save it as UTF-8 or declare its encoding in a 'coding:' line"
        ) from None
    except LookupError:
        raise UnreadableInput(f"{source}: declares unknown encoding {declared!r}") from None
    if "\x00" in text:
        raise UnreadableInput(f"{source}: binary data, not text")
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:200]:
        raise UnreadableInput(
            f"{source}: an HTML page; copy the page's text from the browser instead"
        )
    return text


_CODING_LINE = re.compile(r"^[ \t]*[%#].*?coding[:=][ \t]*[\"']?([-\w.]+)", re.MULTILINE)
"""A comment line declaring the file's encoding, as Emacs, Vim and JabRef write it."""


def _declared_encoding(data: bytes) -> str | None:
    """The encoding a `coding: NAME` (or `encoding=NAME`) line in the first 1 KiB declares."""
    head = data[:1024].decode("ascii", errors="replace")
    match = _CODING_LINE.search(head)
    if match is None:
        return None
    name = match.group(1).lower()
    return None if name in ("utf-8", "utf8") else name


def detect_format(text: str) -> str:
    """The import format name for `text`: BibTeX, a list of arXiv ids or URLs, or listing text."""
    from readlist.formats import arxiv, bibtex

    if bibtex.looks_like_bibtex(text):
        return "bibtex"
    if arxiv.looks_like_id_list(text):
        return "arxiv"
    return "listing"


def parse(text: str, format_name: str, context: ImportContext) -> ParseResult:
    """Run the named importer over `text`."""
    return importer(format_name).parse(text, context)


def check_format_name(name: str | None) -> None:
    # Checked before any file is read, so a typo in --format costs nothing.
    """Raise `UnknownFormat` for a `--format` value that names no importer."""
    if name is not None and name not in _IMPORTER_MODULES:
        choices = ", ".join(IMPORT_FORMATS)
        raise UnknownFormat(f"unknown import format {name!r} (choose from {choices})")


def write_text_file(path: Path, chunks: Iterable[str]) -> None:
    """Write an export whole or not at all: a crash mid-write never leaves half a file."""
    target = path.expanduser()
    if target.is_dir():
        raise ExportError(f"{path}: is a folder; name a file")
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist")
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines(chunks)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write ({error.strerror})") from None
