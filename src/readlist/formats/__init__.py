"""Formats: importers turn text into drafts, exporters turn papers into text.

Each format is a small module behind one interface; `importer(name)` and `exporter(name)` load them.
Nothing here touches the database or prints: the library decides what to store and the CLI or the
app what to show.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import sys
import tempfile
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import BinaryIO, Protocol

from readlist.errors import ExportError, UnknownFormat, UnreadableInput
from readlist.models import CitationKeys, Draft, Findings, ParseResult


@dataclass(slots=True)
class ImportContext:
    """What the files of one import command share."""

    bibtex_macros: dict[str, str] = field(default_factory=dict)
    """`@string` macros gathered from every BibTeX file of the command, name (lower case) -> value."""
    today: date = field(default_factory=date.today)
    """The import's date; a listing date without a year ("Mar 14") is taken as the latest such day."""
    crossref_parents: Callable[[set[str]], dict[str, dict[str, str]]] | None = None
    """The BibTeX fields of the entries with these keys (lower case) found outside the file that
    names them as crossref parents: in another file of the command or in the library."""


class Importer(Protocol):
    """Turns one source's text into drafts and per-record problems."""

    def read(
        self, source: ImportSource, context: ImportContext, findings: Findings
    ) -> Iterator[Draft]:
        """Every paper of the source, in order, as it is read (a big file's drafts go to the
        library in batches, never all in memory). Bad records are skipped into
        `findings.problems` and remarks into `findings.notes` as they are met, so both are whole
        once the drafts are; only an unreadable source raises (`UnreadableInput`)."""
        ...


EXPORT_COLUMNS = (
    "citation_key",
    "entry_type",
    "fields",
    "title",
    "authors",
    "year",
    "venue",
    "abstract",
    "arxiv_id",
    "doi",
    "url",
)
"""The `paper` columns an exporter reads, in `ExportRow` order."""
ExportRow = tuple[
    str | None, str | None, str, str, str, int | None, str | None, str | None, str | None,
    str | None, str | None,
]  # fmt: skip
"""A paper as the library stores it (`EXPORT_COLUMNS`), fields and authors still JSON text.
Exporters take these rather than `Paper`s, whose making costs more than a second at 100,000."""


class Exporter(Protocol):
    """Turns papers into one text."""

    separator: str
    """What goes between two entries; the first comes with none."""

    def entries(self, rows: Iterable[ExportRow], keys_in_use: Iterable[str] = ()) -> Iterator[str]:
        """The file for the papers entry by entry, in the order given, so a big export streams.

        Keys the exporter has to make up avoid `keys_in_use` (the library's keys). The entries
        of papers that have keys can be made in parts, anywhere, and joined by `separator`.
        """
        ...

    def preamble(self, texts: Iterable[str]) -> str:
        """What opens the file, given the preambles imported files had ("" for none)."""
        ...

    def made_up_key(self, row: ExportRow, taken: CitationKeys) -> str:
        """The key `entries` writes a paper stored without one under, unique in `taken`, which
        holds it afterwards."""
        ...


class WholeTextImporter(ABC):
    """An importer that reads a source's text whole: what a record is depends on its neighbours."""

    def read(
        self, source: ImportSource, context: ImportContext, findings: Findings
    ) -> Iterator[Draft]:
        """See `Importer.read`."""
        result = self.parse_pieces(source.pieces(), context)
        findings.problems.extend(result.problems)
        findings.notes.extend(result.notes)
        findings.expected = len(result.drafts)
        return iter(result.drafts)

    def parse_pieces(self, pieces: Iterable[str], context: ImportContext) -> ParseResult:
        """`parse_text` of the pieces (`ImportSource.pieces`) joined; an importer that can do
        with less than the whole text in memory at once does it piece by piece."""
        return self.parse_text("".join(pieces), context)

    @abstractmethod
    def parse_text(self, text: str, context: ImportContext) -> ParseResult:
        """Every paper in `text`; bad records are problems, never raised."""


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


_PIECE_BYTES = 1 << 20
"""How much of a file is read and decoded at a time."""


class ImportSource:
    """One thing to import: a file, standard input, or the clipboard's text.

    A file is read piece by piece, each time its text is wanted, so a 200 MB BibTeX file is never
    in memory whole, let alone twice (bytes and text). So is standard input, which gives its bytes
    once: they are kept in a temporary file as they come, for the readings after the first.
    """

    def __init__(
        self,
        name: str,
        data: bytes | None = None,
        *,
        path: Path | None = None,
        text: str = "",
        stream: BinaryIO | None = None,
    ) -> None:
        self.name = name
        """How the user knows it: the path as given, "-" or "clipboard"."""
        self._data = data
        self._path = path
        self._text = text
        """Text already decoded, taken as it is: no bytes, no path."""
        self._stream = stream
        """Standard input, read as its text is first wanted."""
        self._kept: BinaryIO | None = None
        """The temporary file holding what was read of `_stream` so far."""
        self._kept_bytes = 0
        """How much of `_stream` was read, and is in `_kept`."""

    @classmethod
    def from_text(cls, name: str, text: str) -> ImportSource:
        """Text already in memory."""
        return cls(name, text=text)

    @classmethod
    def from_path(cls, raw_path: str) -> ImportSource:
        """A path given on the command line; "-" is standard input."""
        if raw_path == "-":
            if sys.stdin is None:
                raise UnreadableInput("-: there is no standard input to read (it is closed)")
            return cls("-", stream=sys.stdin.buffer)
        path = Path(raw_path).expanduser()
        if path.is_dir():
            raise UnreadableInput(f"{raw_path}: is a folder; name the files in it")
        try:
            with path.open("rb") as stream:
                if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                    # A pipe (`readlist import <(curl ...)`) or a device gives its bytes once,
                    # and a file is read more than once (its format, then its papers). An
                    # endless device (/dev/zero, /dev/urandom) shows a NUL byte at once: what
                    # was read is enough to refuse it.
                    first = stream.read(_PIECE_BYTES)
                    rest = b"" if b"\x00" in first else stream.read()
                    return cls(raw_path, first + rest)
        except FileNotFoundError:
            raise UnreadableInput(f"{raw_path}: no such file") from None
        except OSError as error:
            raise UnreadableInput(f"{raw_path}: cannot read ({error.strerror})") from None
        return cls(raw_path, path=path)

    @property
    def size(self) -> int:
        """Bytes (characters for text) to read."""
        if self._path is not None:
            try:
                return self._path.stat().st_size
            except OSError:
                return 0  # gone or unreadable since it was named: reading it says which
        if self._stream is not None:
            return self._kept_bytes  # all of it once it was read through
        return len(self._data) if self._data is not None else len(self._text)

    @property
    def streamed(self) -> bool:
        """Whether this is standard input, whose `size` is known only once it has been read."""
        return self._stream is not None

    def pieces(self) -> Iterator[str]:
        """The text from the start, decoded about a megabyte at a time, each piece ending at a
        line end; may be called again. Raises `UnreadableInput` for what is not text, also
        part-way through (a bad byte deep in a file): importers write nothing until the end.

        UTF-8 (with or without a BOM) is read as is; UTF-16 or UTF-32 with a BOM and files
        declaring their encoding in a `coding:` line are decoded; anything else that is not UTF-8 is refused with
        the byte offset, never guessed into mojibake.
        """
        if self._data is None and self._path is None and self._stream is None:
            if self._text:
                yield self._text
            return
        blocks = self._blocks()
        first = next(blocks, b"")
        for signature, what in _BINARY_SIGNATURES:
            if first.startswith(signature):
                raise UnreadableInput(
                    f"{self.name}: {what}, not text; export BibTeX or copy the page text"
                )
        wide = _wide_encoding(first)
        if wide is not None:
            # What Windows tools write for small files; decoded whole.
            text = self._decoded(b"".join(itertools.chain([first], blocks)), wide, 0)
            _check_not_html(text, self.name)
            yield text
            return
        skip = 3 if first.startswith(b"\xef\xbb\xbf") else 0
        encoding = _declared_encoding(first) or "utf-8"
        # Every other encoding readlist meets is ASCII-compatible: a newline byte is never part
        # of a longer character, so cutting the bytes after one cuts the text at a line end.
        offset = 0
        carry = b""
        for block in itertools.chain([first], blocks):
            # Checked before a line end is looked for: an endless stream of NUL bytes has none.
            if b"\x00" in block:
                raise UnreadableInput(f"{self.name}: binary data, not text")
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            if not cut:
                carry = data
                continue
            text = self._decoded(data[skip:cut], encoding, offset + skip)
            if offset == 0:
                _check_not_html(text, self.name)
            offset += cut
            skip = 0
            carry = data[cut:]
            yield text

    def _decoded(self, data: bytes, encoding: str, offset: int) -> str:
        """`data` (from byte `offset` of the source) as text, or why it is not."""
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            shown = "UTF-8" if encoding == "utf-8" else encoding
            raise UnreadableInput(
                f"{self.name}: not valid {shown} at byte {offset + error.start}; "
                "save it as UTF-8 or declare its encoding in a 'coding:' line"
            ) from None
        except LookupError:
            raise UnreadableInput(f"{self.name}: declares unknown encoding {encoding!r}") from None

    def _blocks(self) -> Iterator[bytes]:
        """The raw bytes in blocks, then one empty block to say the end."""
        if self._data is not None:
            for start in range(0, len(self._data), _PIECE_BYTES):
                yield self._data[start : start + _PIECE_BYTES]
            yield b""
            return
        if self._stream is not None:
            yield from self._stream_blocks(self._stream)
            yield b""
            return
        assert self._path is not None
        try:
            with self._path.open("rb") as stream:
                while block := stream.read(_PIECE_BYTES):
                    yield block
        except OSError as error:
            raise UnreadableInput(f"{self.name}: cannot read ({error.strerror})") from None
        yield b""

    def _stream_blocks(self, stream: BinaryIO) -> Iterator[bytes]:
        """The stream's bytes in blocks: first those read before, from the temporary file, then
        new ones, kept there for the next reading. Readings may take turns: each seeks first."""
        offset = 0
        try:
            while True:
                if offset < self._kept_bytes:
                    assert self._kept is not None
                    self._kept.seek(offset)
                    block = self._kept.read(_PIECE_BYTES)
                else:
                    block = stream.read(_PIECE_BYTES)
                    if not block:
                        return
                    self._keep(block)
                offset += len(block)
                yield block
        except OSError as error:
            raise UnreadableInput(f"{self.name}: cannot read ({error.strerror})") from None

    def _keep(self, block: bytes) -> None:
        try:
            if self._kept is None:
                # Open as long as the source is, not for a `with`; it has no name to leave behind.
                self._kept = tempfile.TemporaryFile()  # noqa: SIM115
                weakref.finalize(self, self._kept.close)
            self._kept.seek(self._kept_bytes)
            self._kept.write(block)
            self._kept.flush()
        except OSError as error:
            raise UnreadableInput(
                f"{self.name}: cannot keep what was read to read it again ({error.strerror})"
            ) from None
        self._kept_bytes += len(block)


def _wide_encoding(head: bytes) -> str | None:
    """UTF-32 or UTF-16, from the byte-order mark `head` starts with (UTF-32's little-endian
    mark starts with UTF-16's, so it is looked for first)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _check_not_html(head: str, source: str) -> None:
    start = head.lstrip()[:512].lower()
    if start.startswith(("<!doctype html", "<html")) or "<html" in start[:200]:
        raise UnreadableInput(
            f"{source}: an HTML page; copy the page's text from the browser instead"
        )


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


def detect_format(head: str) -> str:
    """The import format name for a text from its start (`head`, the first piece or so): BibTeX,
    a list of arXiv ids or URLs, or listing text. A BibTeX file whose first entry comes after a
    megabyte of other text is rare enough to be read as listing text; `--format` overrides."""
    from readlist.formats import arxiv, bibtex

    if bibtex.looks_like_bibtex(head):
        return "bibtex"
    if arxiv.looks_like_id_list(head):
        return "arxiv"
    return "listing"


def parse(text: str, format_name: str, context: ImportContext | None = None) -> ParseResult:
    """Run the named importer over a text in memory, all drafts at once."""
    result = ParseResult()
    source = ImportSource.from_text("text", text)
    result.drafts = list(importer(format_name).read(source, context or ImportContext(), result))
    return result


def check_format_name(name: str | None) -> None:
    # Checked before any file is read, so a typo in --format costs nothing.
    """Raise `UnknownFormat` for a `--format` value that names no importer."""
    if name is not None and name not in _IMPORTER_MODULES:
        choices = ", ".join(IMPORT_FORMATS)
        raise UnknownFormat(f"unknown import format {name!r} (choose from {choices})")


def write_text_file(path: Path, chunks: Iterable[str]) -> None:
    """Write an export whole or not at all: a crash mid-write never leaves half a file.

    A file is replaced by a complete new one with the old one's permissions; through a symbolic
    link, the file it names is. A device or a pipe (`-o /dev/stdout`) is written into as it is:
    replacing it would put a plain file in its place, even for `/dev/null`.
    """
    given = path.expanduser()
    if given.is_dir():
        raise ExportError(f"{path}: is a folder; name a file")
    if not given.parent.is_dir():
        raise ExportError(f"{path}: folder {given.parent} does not exist")
    if given.exists() and not given.is_file():
        try:
            with given.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as stream:
                stream.writelines(chunks)
        except OSError as error:
            raise ExportError(f"{path}: cannot write ({error.strerror})") from None
        return
    target = given.resolve()
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise ExportError(f"{path}: cannot write ({error.strerror})") from None
    try:
        # A megabyte of buffer: a 175 MB export is written in 0.2 s instead of 0.4 s.
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as stream:
            stream.writelines(chunks)
        # mkstemp makes the file private (0600); the export is the user's file like any other.
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        # Whatever stops the export (a full disk, Ctrl+C), no half-written file stays behind.
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ExportError(f"{path}: cannot write ({error.strerror})") from None
        raise


def _new_file_mode() -> int:
    """The permissions `open()` would give a new file: read-write for all, less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
