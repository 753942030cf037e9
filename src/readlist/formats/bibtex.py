"""BibTeX in (bibtexparser 2 plus fixes for its traps) and out (keys, escaping, classic bibtex)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from bibtexparser.entrypoint import parse_string
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)

from readlist import parallel
from readlist.formats import ExportRow, ImportContext, ImportSource
from readlist.formats.latex import latex_to_text, non_ascii_to_latex, one_line, text_to_latex
from readlist.models import (
    CitationKeys,
    Draft,
    Findings,
    Identity,
    Problem,
    arxiv_id_in_link,
    canonical_arxiv_id,
    canonical_doi,
    citation_key_stem,
    normalise_title,
    one_work,
)

# bibtexparser logs every bad block as a warning; they reach the user as `Problem`s instead,
# and an importer must not print.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
"""The macros classic bibtex styles predefine, as plain.bst spells them out."""
MONTH_MACRO_FIELD = "readlist-month-macro"
"""The stored field naming the standard macro (`jun`) an entry's month was given as, bare: its
`month` holds the text (`June`) for whatever reads fields, and export writes `month = jun` again
so a style prints the month its own way. A field name bibtex would read, so an export by a
readlist that knows no such marker still compiles, ignored."""

_ENTRY_START = re.compile(
    r"@[ \t]*(?:(?:string|preamble|comment)[ \t]*[{(]|[A-Za-z_-]+[ \t]*[{(][^,={}()\n]*,)",
    re.IGNORECASE,
)
"""An entry's opening, matched at each `@` that starts a line (see `looks_like_bibtex`)."""
_STRING_START = re.compile(r"@[ \t]*string[ \t]*[{(]", re.IGNORECASE)
"""Not anchored at line starts: a pattern opening with a literal scans a 16 MB file in 25 ms,
one anchored with `^` in 450 ms."""
_NEXT_BLOCK = re.compile(r"\n[ \t]*@")
_COMMENT_LINE = re.compile(r"\n[ \t]*%([^\n]*)")
_BLOCK_START = re.compile(r"@[ \t]*\w+[ \t]*[{(]")
_BLOCK_WITHOUT_BRACE = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)\b", re.MULTILINE)
_KEY_OF_RAW_ENTRY = re.compile(
    r"@[ \t]*(?!(?:comment|preamble)\b)(\w+)[ \t]*[{(][ \t]*([^\s,={}()]+)(\s*=)?",
    re.IGNORECASE,
)
"""The type and key of a raw entry (or name of a @string), and an `=` after that key when it is
the name of a field instead; a @comment or @preamble has none: its first word is text."""
_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_AND_OR_BRACE = re.compile(r"\s+and\s+|[{}]", re.IGNORECASE)

_VENUE_FIELDS = (
    "journal",
    "journaltitle",
    "booktitle",
    "publisher",
    "institution",
    "school",
    "organization",
    "howpublished",
)
"""Where an entry names its venue, most specific first."""
_NOT_INHERITED = frozenset(
    {
        "crossref", "title", "ids", "key",
        "doi", "url", "eprint", "eprinttype", "archiveprefix", "eprintclass", "primaryclass",
    }
)  # fmt: skip
"""Fields a child entry never takes from its crossref parent: its own title and key, and the
identifiers of the proceedings, which would make every paper in them one paper."""


def looks_like_bibtex(text: str) -> bool:
    """True when `text` holds at least one `@type{key,`/`@type(key,` entry or `@string{` block
    at the start of a line (a bare `@name (` in pasted page text does not count)."""
    # Visiting each "@" beats a `^`-anchored MULTILINE search, which costs a second on 150 MB.
    at = text.find("@")
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        if not text[line_start:at].strip(" \t") and _ENTRY_START.match(text, at):
            return True
        at = text.find("@", at + 1)
    return False


def collect_macros(pieces: Iterable[str]) -> dict[str, str]:
    """The `@string` macros a text defines, lower-case name -> value (TeX kept); `pieces` is the
    text in order, as `ImportSource.pieces` gives it."""
    return _scan(pieces).macros


class _Scan(NamedTuple):
    """What a first pass over a file learns, so entries can be read a chunk at a time after."""

    macros: dict[str, str]
    """Its `@string` definitions, the last of each name (what every entry sees)."""
    keys: set[str]
    """Every citation key, lower case: a renamed duplicate must not take a later entry's key."""
    repeated_keys: set[str]
    """Keys (lower case) that more than one entry has."""
    entries: int
    """How many entries the file seems to hold (keyed openings of lines)."""
    parents: set[str]
    """Keys (lower case) that some entry's crossref names."""


_KEY_AFTER_NEWLINE = re.compile(r"\n[ \t]*@[ \t]*\w+[ \t]*[{(][ \t]*([^\s,={}()]+)[ \t]*,")
_CROSSREF_VALUE = re.compile(r",\s*crossref\s*=\s*[{\"]?\s*([^\s,{}\"]+)", re.IGNORECASE)
"""Every field follows a comma (after the key or the field before); opening with that literal,
the pattern scans a 186 MB file in 0.2 s, against 1.6 s for a bare case-blind `crossref`."""


def _scan(pieces: Iterable[str]) -> _Scan:
    macros: dict[str, str] = {}
    keys: set[str] = set()
    repeated_keys: set[str] = set()
    parents: set[str] = set()
    entries = 0
    for chunk, _lines in _chunks(pieces):
        for match in _KEY_AFTER_NEWLINE.finditer("\n" + chunk):
            entries += 1
            key = match.group(1).lower()
            if key in keys:
                repeated_keys.add(key)
            keys.add(key)
        parents.update(match.group(1).lower() for match in _CROSSREF_VALUE.finditer(chunk))
        for match in _STRING_START.finditer(chunk):
            if "%" in chunk[chunk.rfind("\n", 0, match.start()) + 1 : match.start()]:
                continue
            # Split only the @string blocks, not the whole chunk: bibtexparser's split is most
            # of an import's time, and this pass runs before it.
            following = _NEXT_BLOCK.search(chunk, match.end())
            block_text = chunk[match.start() : following.start() if following else len(chunk)]
            known = {**MONTH_MACROS, **macros}
            for block in parse_string(block_text, parse_stack=[]).blocks:
                string = _string_of(block)
                if string is not None and _define(string.key, string.value, known):
                    macros[string.key.strip().lower()] = known[string.key.strip().lower()]
    return _Scan(macros, keys, repeated_keys, entries, parents)


def _define(name: str, value: str, macros: dict[str, str]) -> bool:
    """Add an @string definition to `macros`; False when its value is malformed."""
    try:
        macros[name.strip().lower()] = _resolve(value, macros, set())
    except _MalformedValue:
        return False
    return True


def _string_of(block: object) -> String | None:
    """The @string definition a block holds, also when it redefines an earlier one."""
    if isinstance(block, String):
        return block
    if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, String):
        return block.ignore_error_block
    return None


class _MalformedValue(ValueError):
    """A field value with text after it that is neither `#` nor the next field."""


_MACRO_NAME = re.compile(r"[^\s#{}\"=,]+")
_BRACE = re.compile(r"(?<!\\)[{}]")


def _resolve(raw: object, macros: dict[str, str], undefined: set[str]) -> str:
    """A raw value with delimiters removed, macros expanded and `#` concatenation joined, not
    trimmed (a macro like `"Proceedings of the "` keeps its space for what follows).

    A macro nobody defined stays as its name (and lands in `undefined`), which reads better than
    the empty string bibtex would print. Raises `_MalformedValue` for text after a value: what a
    missing comma leaves, since bibtexparser then runs one field into the next.
    """
    text = str(raw).strip()
    if not text:
        return ""
    if "#" not in text and "=" not in text:
        if (text[0], text[-1]) in (("{", "}"), ('"', '"')):
            return text[1:-1]
        if text.isdigit():
            return text
        if _MACRO_NAME.fullmatch(text):
            return _expand(text, macros, undefined)
    return "".join(_concatenated_parts(text, macros, undefined))


def _expand(name: str, macros: dict[str, str], undefined: set[str]) -> str:
    if name.isdigit():
        return name
    value = macros.get(name.lower())
    if value is None:
        undefined.add(name)
        return name
    return value


def _concatenated_parts(text: str, macros: dict[str, str], undefined: set[str]) -> Iterator[str]:
    """The pieces of `"Proc. of " # acl # {, } # 2020`, each resolved, in order."""
    position = 0
    expect_part = True
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return
        if not expect_part:
            if text[position] != "#":
                raise _MalformedValue(_first_line(text[position:]))
            position += 1
            expect_part = True
            continue
        opening = text[position]
        if opening == "{":
            closing = _closing_brace(text, position)
        elif opening == '"':
            closing = _closing_quote(text, position)
        else:
            match = _MACRO_NAME.match(text, position)
            if match is None:
                raise _MalformedValue(_first_line(text[position:]))
            yield _expand(match.group(), macros, undefined)
            position = match.end()
            expect_part = False
            continue
        if closing < 0:
            raise _MalformedValue(_first_line(text[position:]))
        yield text[position + 1 : closing]
        position = closing + 1
        expect_part = False


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:40]


def _closing_brace(text: str, opening: int) -> int:
    """Index of the `}` that closes the `{` at `opening`, or -1; escaped braces don't count,
    as bibtexparser counts them."""
    depth = 0
    for match in _BRACE.finditer(text, opening):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start()
    return -1


def _closing_quote(text: str, opening: int) -> int:
    """Index of the `"` that closes the quoted string at `opening`, or -1; quotes in braces
    don't count."""
    depth = 0
    for index in range(opening + 1, len(text)):
        character = text[index]
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
        elif character == '"' and depth == 0:
            return index
    return -1


@dataclass(slots=True)
class _Record:
    """One entry as read: its fields resolved and lower-cased, before it becomes a draft."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    """1-based line of `@`."""

    @property
    def where(self) -> str:
        return f"entry {self.key}" if self.key else f"line {self.line}"


class BibtexImporter:
    """Reads BibTeX files as real tools write them."""

    def read(
        self, source: ImportSource, context: ImportContext, findings: Findings
    ) -> Iterator[Draft]:
        """Every entry as a draft, a chunk of the file at a time after a first pass for macros,
        keys and crossref parents; broken entries become problems, the rest imports."""
        scan = _scan(source.pieces())
        findings.expected = scan.entries
        reading = _Reading(
            {**MONTH_MACROS, **context.bibtex_macros, **scan.macros}, scan, findings, context
        )
        for items in _blocks(_chunks(source.pieces()), source.size):
            yield from reading.drafts(items)
        yield from reading.finish()


class _Reading:
    """What reading one file carries from chunk to chunk.

    Entries go out as drafts in file order, except the few that need others: those sharing a
    key and crossref children. They wait for the end of the file, where copies are merged,
    clashing keys renamed and children given their parents' fields, just as if the file had
    been read whole; so what comes out never depends on where chunks were cut.
    """

    def __init__(
        self, macros: dict[str, str], scan: _Scan, findings: Findings, context: ImportContext
    ) -> None:
        self.macros = macros
        self.scan = scan
        self.findings = findings
        self.context = context
        self.parents: dict[str, dict[str, str]] = {}
        """Lower-case key -> fields of each crossref parent read so far."""
        self.waiting: list[_Record] = []
        self.undefined: dict[str, int] = {}
        self.strings: set[str] = set()
        """Lower-case names of the @string definitions read so far."""
        self.defined = dict(MONTH_MACROS)
        """Those definitions resolved in order, each with those before it, as `_scan` does."""

    def drafts(self, items: list[_Item]) -> Iterator[Draft]:
        """The drafts of one chunk's blocks, in order."""
        for item in items:
            if isinstance(item, _RawEntry):
                record = _record(item, self.macros, self.undefined, self.findings)
                if isinstance(record, Problem):
                    self.findings.problems.append(record)
                    continue
                key = record.key.lower()
                if key in self.scan.parents:
                    self.parents[key] = record.fields
                if key in self.scan.repeated_keys or "crossref" in record.fields:
                    self.waiting.append(record)
                else:
                    yield self._draft(record)
            elif isinstance(item, _StringDefinition):
                self._define(item)
            elif isinstance(item, _PreambleText):
                self._keep_preamble(item)
            elif isinstance(item, Problem):
                self.findings.problems.append(item)
            elif isinstance(item, str):
                self.findings.notes.append(item)

    def _keep_preamble(self, preamble: _PreambleText) -> None:
        """Keep a preamble's text, its macros and `#` resolved (an export has no @string).

        `\\newcommand` becomes `\\providecommand`: an export writes the preambles of every file
        imported, and two that both define `\\noopsort` (or a document that does) would stop
        LaTeX with "command already defined".
        """
        try:
            text = _NEWCOMMAND.sub(_PROVIDECOMMAND, _resolve(preamble.value, self.macros, set()))
            text = text.strip()
        except _MalformedValue:
            text = ""
        if text.count("{") != text.count("}"):
            text = ""
        if not text:
            self.findings.problems.append(
                Problem(f"line {preamble.line}", "@preamble is malformed or empty; skipped")
            )
        elif text not in self.findings.preambles:
            self.findings.preambles.append(text)

    def _define(self, string: _StringDefinition) -> None:
        """Make a definition the one in force, as bibtex does reading in order: the entries
        before it keep the value they had (the file's last definition for those before the
        first, so a macro may be used before it is defined)."""
        name = string.key.strip().lower()
        if not _define(name, string.value, self.defined):
            self.findings.problems.append(
                Problem(f"line {string.line}", f"@string {string.key} is malformed; skipped")
            )
            return
        before = self.macros.get(name)
        self.macros[name] = self.defined[name]
        if name in self.strings and self.macros[name] != before:
            self.findings.notes.append(
                f"@string {string.key} is defined again (line {string.line}); "
                "the entries after it use the new value"
            )
        self.strings.add(name)

    def finish(self) -> Iterator[Draft]:
        """The entries that waited for the whole file, and the notes that needed it."""
        for name, count in self.undefined.items():
            self.findings.notes.append(
                f"@string {name} is not defined (used {count} time(s)); kept as the word {name}"
            )
        records = _without_duplicate_keys(self.waiting, self.scan.keys, self.findings)
        self.waiting = []
        for record in records:
            if record.key.lower() in self.scan.parents:
                self.parents[record.key.lower()] = record.fields
        elsewhere = {record.fields.get("crossref", "").strip().lower() for record in records}
        elsewhere -= {"", *self.parents}
        if elsewhere and self.context.crossref_parents is not None:
            self.parents.update(self.context.crossref_parents(elsewhere))
        for record in records:
            self._inherit(record)
        yield from map(self._draft, records)

    def _draft(self, record: _Record) -> Draft:
        draft = _draft(record)
        if draft.needs_metadata:
            self.findings.notes.append(
                f"{record.where}: only arXiv id {draft.arxiv_id}; kept, waiting for metadata "
                "(run `readlist refresh`)"
            )
        return draft

    def _inherit(self, record: _Record) -> None:
        """A child takes the fields it lacks (year, booktitle, editor...) from its crossref
        parent; a parent's title becomes the child's booktitle where the parent names none."""
        parent_key = record.fields.get("crossref", "").strip()
        if not parent_key:
            return
        parent = self.parents.get(parent_key.lower())
        if parent is None or parent is record.fields:
            self.findings.notes.append(
                f"{record.where}: crossref {parent_key} is in no file of this import and not in "
                "the library; the entry keeps only its own fields"
            )
            return
        inherited = {name: value for name, value in parent.items() if name not in _NOT_INHERITED}
        if "booktitle" not in inherited and "title" in parent:
            inherited["booktitle"] = parent["title"]
        for name, value in inherited.items():
            record.fields.setdefault(name, value)


def _without_duplicate_keys(
    records: list[_Record], keys: set[str], findings: Findings
) -> list[_Record]:
    """Records with every key unique (without case, as bibtex compares them); `keys` are all
    the file's keys, which a renamed one must not take.

    A second copy of an entry is merged into the first; any other entry under a key already
    used (a different work, or another version of it: a journal article after its conference
    paper) gets the next free key, so nothing is lost.
    """
    taken = CitationKeys(keys)
    versions_by_key: dict[str, list[_Record]] = {}
    kept: list[_Record] = []
    for record in records:
        versions = versions_by_key.setdefault(record.key.lower(), []) if record.key else []
        copied = next((version for version in versions if _same_entry(version, record)), None)
        if copied is not None:
            for name, value in record.fields.items():
                copied.fields.setdefault(name, value)
            findings.notes.append(f"entry {record.key} appears twice; the copies were merged")
            continue
        versions.append(record)
        if len(versions) > 1:
            renamed = taken.claim(record.key)
            findings.notes.append(f"key {record.key} used twice; the second is now {renamed}")
            record.key = renamed
        kept.append(record)
    return kept


def _same_entry(first: _Record, second: _Record) -> bool:
    """Whether two entries under one key are copies of one: the same work, and no field that
    both give says something else (whitespace aside)."""
    if not _same_work(first, second):
        return False
    shared = first.fields.keys() & second.fields.keys()
    return all(
        first.fields[name].split() == second.fields[name].split() for name in shared - {"title"}
    )


_NEWCOMMAND = re.compile(r"\\newcommand(?![A-Za-z])")
_PROVIDECOMMAND = r"\\providecommand"


class _PreambleText(NamedTuple):
    """An @preamble block as read: its raw value, before macros are resolved."""

    value: str
    line: int


class _StringDefinition(NamedTuple):
    """An @string block as read: name and raw value, before macros are resolved."""

    key: str
    value: str
    line: int
    """1-based line of `@`."""


class _RawEntry(NamedTuple):
    """An entry as read, without bibtexparser's objects: its fields raw, before macros."""

    key: str
    entry_type: str
    line: int
    """1-based line of `@`."""
    fields: list[tuple[str, str, int]]
    """(name as written, raw value, 1-based line of its `=`) in order."""


_Item = _StringDefinition | _PreambleText | _RawEntry | Problem | str | None
"""One block of a file as `_read_blocks` keeps it; a `str` is a note."""

_CHUNK_CHARACTERS = 1 << 20
"""About how much text bibtexparser reads at once (see `_read_blocks`)."""
_CHUNK_BOUNDARY = re.compile(r"\n(?=@\w*[ \t]*[{(])")
"""A line that opens a block: bibtexparser ends any block still open at such a line and starts
a new one there, so the text can be cut before it without changing what is read."""
_BLOCK_OPENING_LINE = re.compile(r"@\w*[ \t]*[{(]")
_CHUNK_END = "@comment{}"
"""Put where the next chunk's block starts, so a block left open ends as it would in the whole
text ("Unexpected block start"), not at the end of the chunk; an empty comment is not kept."""


def _chunks(pieces: Iterable[str]) -> Iterator[tuple[str, int]]:
    """The text in chunks of about a megabyte, each with the line number it starts at and its
    spaced block openings closed up.

    Each chunk is cut before a line that opens a block, where bibtexparser would end a block
    still open anyway, so cutting changes nothing it reads; every chunk but the last ends with
    `_CHUNK_END` so a block left open ends as it would in the whole text. bibtexparser's objects
    for a 186 MB file take over a gigabyte, and the cyclic garbage collector walks them again and
    again while they live: a chunk's blocks become plain tuples, then drafts, then are gone.
    """
    pending = ""
    first_line = 1
    for piece in pieces:
        pending = (pending + piece) if pending else piece.lstrip("\ufeff")
        if "\r" in piece:
            pending = pending.replace("\r\n", "\n")
        while len(pending) > _CHUNK_CHARACTERS:
            boundary = _CHUNK_BOUNDARY.search(pending, _CHUNK_CHARACTERS)
            if boundary is None:
                break
            chunk = pending[: boundary.end()]
            pending = pending[boundary.end() :]
            yield _without_spaced_openings(chunk) + _CHUNK_END, first_line
            first_line += chunk.count("\n")
    if pending:
        yield _without_spaced_openings(pending), first_line


_SPACED_OPENING = re.compile(r"@(?=\s|\w+[ \t]*\n)(\s*)(\w+)(\s*)([{(])")
"""A block opening bibtex reads and bibtexparser does not: space after `@` (`@ Article{`), or a
line break before the brace."""


def _without_spaced_openings(text: str) -> str:
    """`text` with the space in each block opening at a line start moved after its brace,
    where bibtexparser takes it: `@ Article\n{key,` -> `@Article{ \nkey,`. Lengths and line
    numbers stay."""

    def unspaced(opening: re.Match[str]) -> str:
        at = opening.start()
        if text[text.rfind("\n", 0, at) + 1 : at].strip(" \t"):
            # Mid-line, an `@` is likelier in a value (an address) than an opening, as in
            # `looks_like_bibtex`.
            return opening.group()
        before_type, entry_type, before_brace, brace = opening.groups()
        return f"@{entry_type}{brace}{before_type}{before_brace}"

    return _SPACED_OPENING.sub(unspaced, text)


def _read_blocks(chunk: str, first_line: int) -> list[_Item]:
    """The blocks of one chunk as bibtexparser reads them, in a compact form, with line numbers
    of the whole file. Runs in worker processes for big files: it needs nothing but its chunk."""
    items: list[_Item] = []
    for block in parse_string(_without_commented_blocks(chunk), parse_stack=[]).blocks:
        _add_item(items, block, first_line - 1)
    return items


_PARALLEL_FROM_CHARACTERS = 8 << 20
"""Files this big are split by worker processes, a chunk each, while this one makes drafts and
the library stores them: bibtexparser's split is over half of an import's time."""


def _blocks(chunks: Iterator[tuple[str, int]], size: int) -> Iterator[list[_Item]]:
    """`_read_blocks` of each chunk, in order; on other cores for a big file."""
    if size < _PARALLEL_FROM_CHARACTERS:
        return map(_read_chunk, chunks)
    return parallel.ordered_map(_read_chunk, chunks)


def _read_chunk(chunk: tuple[str, int]) -> list[_Item]:
    return _read_blocks(*chunk)


def _add_item(items: list[_Item], block: object, offset: int) -> None:
    """Append what the parse needs of one block; `offset` is the chunk's first line in the
    text."""
    string = _string_of(block)
    if string is not None:
        # A redefinition is no failure to bibtex: the reading notes it (see `_Reading`).
        items.append(_StringDefinition(string.key, string.value, _line(string) + offset))
        return
    entry = _entry_of(block)
    if entry is not None:
        fields = [
            (entry_field.key, entry_field.value, entry_field.start_line + 1 + offset)
            for entry_field in entry.fields
        ]
        items.append(_RawEntry(entry.key, entry.entry_type, _line(entry) + offset, fields))
    elif isinstance(block, ParsingFailedBlock):
        items.append(_problem(block, offset))
    elif isinstance(block, ImplicitComment):
        items.extend(_entries_without_brace(block, offset))
    elif isinstance(block, Preamble):
        items.append(_PreambleText(block.value, _line(block) + offset))


def _without_commented_blocks(text: str) -> str:
    """`text` with `%` comment lines outside entries blanked, so a commented-out entry is gone.

    bibtexparser (like bibtex) knows no `%` comments and would read `% @article{x,` as an entry.
    Lines are blanked, not removed, to keep line numbers right.
    """
    if not any(
        _BLOCK_START.search(match.group(1)) for match in _COMMENT_LINE.finditer("\n" + text)
    ):
        return text
    lines = text.split("\n")
    depth = 0
    for number, line in enumerate(lines):
        if _BLOCK_OPENING_LINE.match(line):
            # bibtexparser ends a block left open here, and a file is read in chunks cut here.
            depth = 0
        if depth == 0 and line.lstrip().startswith("%"):
            lines[number] = ""
            continue
        escaped = line.count("\\{") - line.count("\\}")
        depth = max(0, depth + line.count("{") - line.count("}") - escaped)
    return "\n".join(lines)


def _entry_of(block: object) -> Entry | None:
    """The entry a block holds, also the ones bibtexparser files under failed blocks: a second
    entry with a key already used, and an entry with a field given twice."""
    if isinstance(block, Entry):
        return block
    if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock) and isinstance(
        block.ignore_error_block, Entry
    ):
        return block.ignore_error_block
    return None


def _line(block: object) -> int:
    start = getattr(block, "start_line", None)
    return (start or 0) + 1


def _record(
    entry: _RawEntry, macros: dict[str, str], undefined: dict[str, int], findings: Findings
) -> _Record | Problem:
    """An entry's fields resolved, names lower case; a field given twice keeps its first value,
    as bibtex does."""
    key = entry.key.strip()
    if _NOT_IN_KEYS.search(key):
        # bibtex stops at the first space or comma of a key: export could not give it back.
        usable = _NOT_IN_KEYS.sub("_", key)
        findings.notes.append(f"entry {key}: bibtex reads no such key; it is now {usable}")
        key = usable
    record = _Record(key, entry.entry_type.strip().lower(), {}, entry.line)
    fields = record.fields
    for raw_name, raw_value, line in entry.fields:
        name = raw_name.strip().lower()
        if not name.isalpha():  # most names are letters only: only the others need a look
            # A field line commented out with `%` (no comment to bibtex) is glued to the next.
            found = _field_name(raw_name)
            if found is None:
                continue
            if not _FIELD_NAME.fullmatch(found):
                findings.notes.append(
                    f"{record.where}: {f'field {found!r}' if found else 'a field with no name'} "
                    f"is no field to bibtex; left out (line {line})"
                )
                continue
            name = found
        # Most values are one braced or quoted string: no macro, no `#`, nothing to resolve.
        value = raw_value.strip()
        month_macro = value.lower() if name == "month" else ""
        if (
            value[:1] in _OPENING_DELIMITERS
            and value[-1] == _OPENING_DELIMITERS[value[0]]
            and "#" not in value
            and "=" not in value
        ):
            if value[0] == '"' and value.count("{") != value.count("}"):
                # A brace alone in a quoted value: bibtex rejects it, and so would the export.
                return Problem(record.where, f"unbalanced braces in field {name} (line {line})")
            value = value[1:-1].strip()
        else:
            missing: set[str] = set()
            try:
                value = _resolve(value, macros, missing).strip()
            except _MalformedValue as error:
                return Problem(
                    record.where,
                    f"unexpected {error.args[0]!r} after field {name} (a missing comma?) "
                    f"(line {line})",
                )
            for macro in missing:
                undefined[macro] = undefined.get(macro, 0) + 1
        if name in fields:
            findings.notes.append(
                f"{record.where}: field {name} given twice; the first value was kept"
            )
            continue
        fields[name] = value
        if month_macro in MONTH_MACROS and value == MONTH_MACROS[month_macro]:
            # Given bare, and no @string made it mean something else.
            fields[MONTH_MACRO_FIELD] = month_macro
    for name in _NAME_FIELDS:
        names = fields.get(name, "")
        # A name with three commas makes more commas than names. Two counts pass over the rest:
        # 0.07 s for 100k lists in `Last, First` form, where splitting each took 0.4 s.
        if names.count(",") > names.count(" and ") + 1:
            _brace_names_with_too_many_commas(record, name, findings)
    return record


def _brace_names_with_too_many_commas(record: _Record, field_name: str, findings: Findings) -> None:
    """Brace whole each name of a list that has more commas than bibtex reads (`Smith, Jr., John,
    III`): bibtex stops with "Too many commas in name"; braced, it prints the name as written."""
    names = [name.strip() for name in _name_parts(record.fields[field_name])]
    too_many = [
        name
        for name in names
        if name.count(",") > 2
        and len(_top_level_commas(name)) > 3
        and not _EXTENDED_NAME.match(name)
    ]
    if not too_many:
        return
    record.fields[field_name] = " and ".join(
        f"{{{name}}}" if name in too_many else name for name in names
    )
    for name in too_many:
        findings.notes.append(
            f"{record.where}: {field_name} {name!r} has more commas than bibtex reads in a name; "
            "kept braced as one name"
        )


_OPENING_DELIMITERS = {"{": "}", '"': '"'}
_NOT_IN_KEYS = re.compile(r"[\s,{}]")
"""Characters that end a citation key for bibtex (or its entry, a brace)."""
_FIELD_NAME = re.compile(r"[^\s\"#%'(),={}]+")
"""What bibtex reads as a field name."""


def _field_name(raw_name: str) -> str | None:
    """A field's name, lower case, past any lines commented out before it; None when the whole
    field was commented out (`% year = {1999},`)."""
    lines = [line.strip() for line in raw_name.strip().splitlines()]
    kept = [line for line in lines if not line.startswith("%")]
    if lines and not kept:
        return None
    return (kept[-1] if kept else "").lower()


_ABORT_REASONS = (
    ("reached end of file", "the file ends before the entry is closed (a missing '}'?)"),
    ("Unexpected block start", "a brace or quote is not closed before the next entry"),
    ("Expected comma after entry key", "no comma after the citation key"),
    ("Expected a `=`", "text that is not a field (a missing comma or '='?)"),
    ("Expected either a `,`", "a missing comma between two fields"),
    ("Expected equals sign", "an @string without '='"),
)


def _problem(block: ParsingFailedBlock, offset: int = 0) -> Problem:
    """Why bibtexparser could not read a block, in words a user can act on; `offset` is the
    number of lines before the text bibtexparser read."""
    error = block.error
    detail = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    reason = next(
        (words for marker, words in _ABORT_REASONS if marker in detail), detail.replace("`", "'")
    )
    line = _line(block) + offset
    opening = _KEY_OF_RAW_ENTRY.match((block.raw or "").lstrip())
    if opening is None:
        return Problem(f"line {line}", reason)
    block_type, key, field_sign = opening.groups()
    if block_type.lower() == "string":
        return Problem(f"@string {key}", f"{reason} (line {line})")
    if field_sign:
        return Problem(f"line {line}", "no citation key before the first field")
    return Problem(f"entry {key}", f"{reason} (line {line})")


def _entries_without_brace(comment: ImplicitComment, offset: int = 0) -> Iterator[Problem]:
    """Problems for `@article key,` lines bibtexparser silently took for comment text."""
    first_line = _line(comment) + offset
    text = comment.comment
    for match in _BLOCK_WITHOUT_BRACE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        yield Problem(f"line {line}", f"@{match.group(1)} without '{{' or '(' after it")


def entry_fields(
    source: ImportSource, keys: set[str], macros: dict[str, str]
) -> dict[str, dict[str, str]]:
    """The fields of a file's entries with these keys (lower case), as an import stores them;
    `macros` are those of the command's other files."""
    known = {**MONTH_MACROS, **macros, **_scan(source.pieces()).macros}
    found: dict[str, dict[str, str]] = {}
    for chunk in _chunks(source.pieces()):
        for item in _read_blocks(*chunk):
            if isinstance(item, _RawEntry) and item.key.strip().lower() in keys:
                record = _record(item, known, {}, Findings())
                if not isinstance(record, Problem):
                    found.setdefault(record.key.lower(), record.fields)
    return found


def _same_work(first: _Record, second: _Record) -> bool:
    first_title = normalise_title(latex_to_text(first.fields.get("title", "")))
    return (
        bool(first_title)
        and first_title == normalise_title(latex_to_text(second.fields.get("title", "")))
        and one_work(_identity(first), _identity(second))
    )


def _identity(record: _Record) -> Identity:
    fields = record.fields
    return Identity(
        _arxiv_id(fields),
        canonical_doi(_link_text(fields.get("doi", ""))),
        split_names(fields.get("author") or fields.get("editor") or ""),
    )


def _draft(record: _Record) -> Draft:
    """The paper an entry describes."""
    fields = record.fields
    title = latex_to_text(fields.get("title", "")) or _untitled(record)
    arxiv_id, doi, authors = _identity(record)
    if arxiv_id and title == f"arXiv:{arxiv_id}" and fields.keys() <= _STAND_IN_FIELDS:
        # All it says is the id (readlist's export of a paper still waiting for arXiv): it
        # waits too, and its fields would only stand in for the metadata to come.
        return Draft(
            title,
            arxiv_id=arxiv_id,
            url=f"https://arxiv.org/abs/{arxiv_id}",
            key=record.key or None,
            needs_metadata=True,
            line=record.line,
        )
    url = _url(fields)
    # Stored as export writes them, so reading an export back finds nothing new.
    _add_identifiers(fields, doi, url, arxiv_id)
    _add_classic_fields(fields)
    return Draft(
        title=title,
        authors=authors,
        year=_year(fields),
        venue=_venue(fields),
        abstract=latex_to_text(fields.get("abstract", "")) or None,
        arxiv_id=arxiv_id,
        doi=doi,
        url=url,
        code_url=_link_text(fields.get("code") or fields.get("github") or "") or None,
        key=record.key or None,
        entry_type=_type_its_fields_say(record.entry_type, fields),
        # The record is done with: its dict becomes the draft's, uncopied.
        fields=fields,
        line=record.line,
    )


_STAND_IN_FIELDS = frozenset(
    {"title", "howpublished", "url", "eprint", "archiveprefix", "primaryclass", "key"}
)
"""What readlist's export of a paper waiting for arXiv holds: an entry with more (a note, a
year) is the user's, and imports as it is."""
_DESCRIBING = ("booktitle", "howpublished", "note")
"""Fields that tell an untitled entry apart, best first."""


def _untitled(record: _Record) -> str:
    """What to call an entry without a title (a letter, an edited volume), which bibtex takes:
    `Untitled (knuth90): Personal communication`. It says it is no title, and its key keeps it
    from matching another untitled entry's when the library looks for duplicates by title."""
    described = next(
        (
            text
            for text in (latex_to_text(record.fields.get(name, "")) for name in _DESCRIBING)
            if text and not text.startswith(("http://", "https://"))
        ),
        "",
    )
    untitled = f"Untitled ({record.key or f'line {record.line}'})"
    return f"{untitled}: {described}" if described else untitled


def split_names(value: str) -> list[str]:
    """`Müller, Hans and {Google Research} and \\r{A}kesson, Jon` -> readable names in order.

    Splits on " and " outside braces (any case, any spacing), keeping an unbraced accent after
    it (bibtexparser's own splitter turns `and \\r{A}kesson` into `{A}kesson`). "and others"
    stays the name "others", which exports back as bibtex's "et al.".
    """
    if not value.strip():
        return []
    names = (_name_text(part) for part in _name_parts(value))
    return [name for name in names if name]


def _name_parts(value: str) -> list[str]:
    """A name list's names as written, split on " and " outside braces."""
    if "{" not in value:
        return _AND.split(value)
    parts = []
    depth = 0
    start = 0
    for match in _AND_OR_BRACE.finditer(value):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(value[start : match.start()])
            start = match.end()
    parts.append(value[start:])
    return parts


@lru_cache(maxsize=16384)
def _name_text(raw_name: str) -> str:
    """One name as readable text; the same authors recur throughout a file, hence the cache."""
    return latex_to_text(_classic_name(raw_name))


def classic_names(value: str) -> str:
    """A name list with biblatex's extended names (`family=Berg, given=Jan, prefix=van den`,
    as Better BibTeX writes them) in the form classic bibtex reads (`van den Berg, Jan`);
    bibtex stops with "Too many commas in name" on the extended form."""
    if "=" not in value or not _EXTENDED_NAME.search(value):
        return value
    return " and ".join(_classic_name(part).strip() for part in _name_parts(value))


_EXTENDED_NAME = re.compile(r"\b(family|given|prefix|suffix)\s*=\s*", re.IGNORECASE)


def _classic_name(raw_name: str) -> str:
    """One name in classic bibtex's `von Last, Jr, First` form, from biblatex's extended form;
    any other name as it is."""
    if not _EXTENDED_NAME.match(raw_name.lstrip()):
        return raw_name
    parts: dict[str, str] = {}
    for piece in _top_level_commas(raw_name):
        named = _EXTENDED_NAME.match(piece.lstrip())
        if named:
            parts[named.group(1).lower()] = piece.lstrip()[named.end() :].strip()
    last = " ".join(filter(None, (parts.get("prefix"), parts.get("family"))))
    return ", ".join(filter(None, (last, parts.get("suffix"), parts.get("given"))))


def _top_level_commas(text: str) -> list[str]:
    """`text` split at its commas outside braces."""
    pieces = []
    depth = 0
    start = 0
    for index, character in enumerate(text):
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
        elif character == "," and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def _year(fields: dict[str, str]) -> int | None:
    """The year from `year`, else from a biblatex `date` like 2021-05-03."""
    for name in ("year", "date"):
        match = _FOUR_DIGITS.search(fields.get(name, ""))
        if match:
            return int(match.group(1))
    return None


def _venue(fields: dict[str, str]) -> str | None:
    for name in _VENUE_FIELDS:
        value = fields.get(name, "")
        if name == "howpublished" and re.search(r"\\url|https?://", value):
            continue
        text = latex_to_text(value)
        if text:
            return text
    return None


def _link_text(value: str) -> str:
    """A URL or DOI field's first word without TeX (see `_link_words`)."""
    words = _link_words(value)
    return words[0] if words else ""


def _web_address(value: str) -> str:
    """A URL field's link: its one word, or the first web address of several (Mendeley's two
    links, EndNote's `<Go to ISI>://WOS:...` before the publisher's address)."""
    words = _link_words(value)
    if len(words) == 1:
        return words[0]
    return next((word for word in words if word.startswith(("http://", "https://"))), "")


def _link_words(value: str) -> list[str]:
    """A URL or DOI field without TeX, `\\url{...}` unwrapped, `\\_` and friends unescaped,
    split at spaces."""
    text = value.strip()
    if not any(marker in text for marker in ("\\", "{", "}", " ", "\n", "\t")):
        return [text] if text else []
    match = re.fullmatch(r"\\(?:url|href)\s*\{(.*?)\}(?:\{.*\})?", text, re.DOTALL)
    if match:
        text = match.group(1)
    text = re.sub(r"\\([_%#&$~])", r"\1", text)
    text = text.replace("{\\textasciitilde}", "~").replace("\\textasciitilde", "~")
    return text.replace("{", "").replace("}", "").split()


def _url(fields: dict[str, str]) -> str | None:
    url = _web_address(fields.get("url", ""))
    if not url:
        how = _web_address(fields.get("howpublished", ""))
        url = how if how.startswith(("http://", "https://")) else ""
    return url or None


def _arxiv_id(fields: dict[str, str]) -> str | None:
    """From `eprint` with archivePrefix (or eprinttype) arXiv, Mendeley's `arxivid`, or any
    field naming an arXiv link or `arXiv:ID` (Google Scholar's journal, DBLP's url)."""
    eprint = fields.get("eprint", "").strip()
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint and archive in ("arxiv", ""):
        found = canonical_arxiv_id(eprint)
        if found:
            return found
    if fields.get("arxivid"):
        found = canonical_arxiv_id(fields["arxivid"])
        if found:
            return found
    for name in ("url", "doi", "journal", "note", "howpublished", "volume"):
        if name in fields:
            found = arxiv_id_in_link(_link_text(fields[name]) if name == "url" else fields[name])
            if found:
                return found
    scholar = _SCHOLAR_PREPRINT.fullmatch(fields.get("journal", "").strip())
    return canonical_arxiv_id(scholar.group(1)) if scholar else None


_SCHOLAR_PREPRINT = re.compile(r"arxiv\s+preprint\s+(\S+)", re.IGNORECASE)
"""Google Scholar's journal for a preprint: `arXiv preprint arXiv:2001.08361`, found as a
reference above, and for old ids `arXiv preprint math/0601001`, with no `arXiv:`."""


# ---- export ----------------------------------------------------------------------------------

_JOURNAL_WORDS = re.compile(
    r"\b(journal|transactions|letters|review|magazine|annals|bulletin|nature|science)\b",
    re.IGNORECASE,
)
"""Venue words that say journal (for papers that came without a BibTeX entry type)."""
_NOT_EXPORTED = frozenset({"crossref"})
"""Inherited fields are written into each child, so a crossref would only risk bibtex's
"bad cross reference" error when the parent is missing or comes first."""


class BibtexExporter:
    """Writes BibTeX that classic `bibtex` and bibtexparser accept."""

    separator = "\n"

    def entries(self, rows: Iterable[ExportRow], keys_in_use: Iterable[str] = ()) -> Iterator[str]:
        """See `Exporter.entries`; the same papers give the same bytes."""
        taken = CitationKeys(keys_in_use)
        separator = ""
        for row in rows:
            yield separator + _entry(row[0] or self.made_up_key(row, taken), row)
            separator = self.separator

    def preamble(self, texts: Iterable[str]) -> str:
        """One `@preamble` per text, to open the file."""
        return "".join(f"@preamble{{{{{text}}}}}\n" for text in texts)

    def made_up_key(self, row: ExportRow, taken: CitationKeys) -> str:
        """`arxiv2401_12345` for a paper known only by its arXiv id, else author-year-word."""
        _key, _type, _fields, title, authors_json, year, _venue, _abstract, arxiv_id, _doi, _url = (
            row
        )
        if arxiv_id:
            stem = "arxiv" + arxiv_id.replace(".", "_").replace("/", "_")
        else:
            authors = _json_value(authors_json) if authors_json != "[]" else []
            stem = citation_key_stem(authors, year, title)
        return taken.claim(stem)


def _entry(key: str, row: ExportRow) -> str:
    (
        _key, entry_type, fields_json, title, authors_json, year, venue, abstract, arxiv_id, doi,
        url,
    ) = row  # fmt: skip
    fields = _json_value(fields_json) if fields_json != "{}" else {}
    # An imported entry is written as it came, also without a title (the paper's is made up).
    if entry_type and fields:
        lines = _fields_kept(fields, doi, url, arxiv_id)
        # A paper imported by an older readlist may still hold the type Google Scholar gave.
        entry_type = _type_its_fields_say(entry_type, fields)
    else:
        authors = _json_value(authors_json) if authors_json != "[]" else []
        entry_type, lines = _fields_generated(
            key, title, authors, year, venue, abstract, arxiv_id, doi, url,
            fields.get("primaryclass", ""),
        )  # fmt: skip
    return f"@{entry_type}{{{key},\n" + ",\n".join(lines) + "\n}\n"


_JSON = json.JSONDecoder()


def _type_its_fields_say(entry_type: str, fields: dict[str, str]) -> str:
    """An entry's type as its fields describe it: `inproceedings` for an `article` with a
    booktitle and no journal, its own type otherwise. Import stores it and export writes it,
    so what is read back is what was stored.

    Google Scholar writes conference papers as `@article` with a `booktitle`; plain.bst prints
    an article's venue only from `journal`, so it left the venue out with "empty journal".
    The type the fields describe makes every style, classic or biblatex, print "In
    <booktitle>", and a merge with another tool's `@inproceedings` of the paper takes its
    fields. Copying the booktitle into a `journal` instead would print proceedings as a
    journal and give the entry a field it never had; the fields stay as they came.
    """
    if (
        entry_type == "article"
        and fields.get("booktitle", "").strip()
        and not (fields.get("journal", "").strip() or fields.get("journaltitle", "").strip())
    ):
        return "inproceedings"
    return entry_type


def _json_value(text: str) -> Any:
    """The value of JSON as the library stores it (no whitespace around it): `json.loads` would
    look for some, twice a row, at a cost of 0.15 s at 100k papers."""
    return _JSON.raw_decode(text)[0]


def _fields_kept(
    fields: dict[str, str], doi: str | None, url: str | None, arxiv_id: str | None
) -> list[str]:
    """An imported entry's field lines: its fields verbatim, plus the identifiers it lacked
    (an import adds them already; a paper may learn one later, from arXiv or another file)."""
    kept = {name: value for name, value in fields.items() if name not in _NOT_EXPORTED}
    _add_identifiers(kept, doi, url, arxiv_id)
    _add_classic_fields(kept)
    month_macro = kept.pop(MONTH_MACRO_FIELD, "")
    for name in _NAME_FIELDS:
        if name in kept:
            kept[name] = classic_names(kept[name])
    if "title" in kept:
        kept["title"] = _protected_title(kept["title"])
    return [
        f"  {name} = {month_macro}"
        if name == "month" and value == MONTH_MACROS.get(month_macro)
        else f"  {name} = {{{value if name in _VERBATIM else _escaped(value)}}}"
        for name, value in kept.items()
    ]


def _protected_title(tex: str) -> str:
    """A kept title with each word a style would lower-case wrongly braced, as `protect_capitals`
    braces those of a generated one: IEEE Xplore, ACM and biblatex files give `GraphSAGE` or
    `AI` bare, which plain.bst prints `Graphsage` and `Ai`. Words in braces or math and words
    holding TeX are left as written."""

    def protected(word: str, start: int) -> str:
        if (
            not _TEX_IN_WORD.search(word)
            and _needs_protection(word, first=start == 0)
            and _at_top_level(tex, start)
        ):
            return f"{{{word}}}"
        return word

    return _with_words_rewritten(tex, protected)


def _at_top_level(tex: str, position: int) -> bool:
    """Whether `position` in `tex` is outside braces and math."""
    before = tex[:position]
    opened = before.count("{") - before.count("\\{")
    closed = before.count("}") - before.count("\\}")
    return opened == closed and (before.count("$") - before.count("\\$")) % 2 == 0


_TEX_IN_WORD = re.compile(r"[\\{}$&%#~^_]")
"""What makes a word TeX to leave alone: a command, group, math or special character."""


def _escaped(value: str) -> str:
    """A kept field's value with its non-ASCII characters and bare `%` escaped, except in
    `\\url{...}` and a `\\href` address, which must stay the link they are.

    bibtex passes a bare `%` on to LaTeX, which takes it for a comment: `100% Coverage` would
    print as `100`. Mendeley and hand-written files have them."""
    if _ESCAPED_BRACE.search(value) and _braces_unbalanced_for_bibtex(value):
        # Zotero writes a lone `{` of the text as `\\{`, which bibtex counts as a brace: it
        # then reads on to the end of the file for the one that closes the value.
        value = value.replace("\\{", "\\textbraceleft{}").replace("\\}", "\\textbraceright{}")
    if value.isascii() and ("%" not in value or not _has_bare_percent(value)):
        return value
    pieces = []
    done = 0
    for link in _LINK_COMMAND.finditer(value):
        pieces += [_escaped_text(value[done : link.start()]), link.group()]
        done = link.end()
    pieces.append(_escaped_text(value[done:]))
    return "".join(pieces)


def _braces_unbalanced_for_bibtex(value: str) -> bool:
    """Whether bibtex, which counts escaped braces too, finds a value's braces unbalanced."""
    depth = 0
    for brace in _ANY_BRACE.finditer(value):
        depth += 1 if brace.group() == "{" else -1
        if depth < 0:
            return True
    return depth != 0


_ANY_BRACE = re.compile(r"[{}]")
_ESCAPED_BRACE = re.compile(r"\\[{}]")
"""Searched for in every exported value: one scan, where two `in` tests took twice as long."""


def _escaped_text(tex: str) -> str:
    if _has_bare_percent(tex):
        tex = _BARE_PERCENT.sub(r"\\%", tex)
    return non_ascii_to_latex(tex)


def _has_bare_percent(tex: str) -> bool:
    # Each `%` found at memchr speed and the character before it looked at: a regular
    # expression for a bare `%` cannot skip to a literal, and made the export of 100k
    # abstracts (most with `\\%`) 3 s slower; counting `%` and `\\%`, 0.2 s.
    at = tex.find("%")
    while at != -1:
        if tex[at - 1 : at] != "\\":
            return True
        at = tex.find("%", at + 1)
    return False


_BARE_PERCENT = re.compile(r"(?<!\\)%")
_NAME_FIELDS = ("author", "editor")
"""The name lists classic styles split into names."""
_LINK_COMMAND = re.compile(r"\\(?:url|href)\s*\{[^{}]*\}")
_VERBATIM = frozenset({"url", "doi", "eprint", "file", "pdf", "ids", "related", "xdata"})
"""Fields of links, file names and keys: written as they came, where the others get their
non-ASCII characters escaped (Zotero and Mendeley write raw UTF-8)."""


def _add_identifiers(
    fields: dict[str, str], doi: str | None, url: str | None, arxiv_id: str | None
) -> None:
    """Add to an entry's fields the paper's identifiers it lacks: a DOI, URL or arXiv id found
    elsewhere (Scholar's journal, a howpublished address), and the classic arXiv fields for
    biblatex's eprinttype and eprintclass, which classic styles and tools do not read. Names
    are lower case, as an import stores them."""
    if doi and "doi" not in fields:
        fields["doi"] = _link_value(doi)
    if url and "url" not in fields:
        fields["url"] = _link_value(url)
    if not arxiv_id:
        return
    fields.setdefault("eprint", arxiv_id)
    if canonical_arxiv_id(fields["eprint"]) == arxiv_id:
        fields.setdefault("archiveprefix", "arXiv")
        if "primaryclass" not in fields and fields.get("eprintclass"):
            fields["primaryclass"] = fields["eprintclass"]


def _add_classic_fields(fields: dict[str, str]) -> None:
    """Add to a biblatex entry the classic fields it gives only in biblatex's own: year and
    month from `date`, `journal` from `journaltitle`, `address` from `location`. Classic styles
    read only the classic ones, and printed such an entry without its year or journal."""
    if "year" not in fields and "date" in fields:
        date = _BIBLATEX_DATE.match(fields["date"])
        if date:
            fields["year"] = date.group(1)
            month = _MONTH_ABBREVIATIONS[int(date.group(2) or 0)]
            if month and "month" not in fields:
                fields["month"] = MONTH_MACROS[month]
                fields[MONTH_MACRO_FIELD] = month
    for classic, biblatex in _BIBLATEX_ALIASES:
        if classic not in fields and biblatex in fields:
            fields[classic] = fields[biblatex]


_BIBLATEX_DATE = re.compile(r"\s*(\d{4})(?:-(0[1-9]|1[0-2]))?")
_MONTH_ABBREVIATIONS = ("", *MONTH_MACROS)
_BIBLATEX_ALIASES = (("journal", "journaltitle"), ("address", "location"))


def _fields_generated(
    key: str,
    title: str,
    authors: list[str],
    year: int | None,
    venue: str | None,
    abstract: str | None,
    arxiv_id: str | None,
    doi: str | None,
    url: str | None,
    primary_class: str,
) -> tuple[str, list[str]]:
    """The entry type and field lines for a paper that came without a BibTeX entry."""
    lines = []
    title = one_line(title)
    if title:
        lines.append(f"  title = {{{protect_capitals(title)}}}")
    if authors:
        lines.append(f"  author = {{{_author_value(authors)}}}")
    is_article = False
    if venue:
        venue_value, journal_like = _venue_value(venue)
        is_article = bool(journal_like and authors and year)
        lines.append(f"  {'journal' if is_article else 'howpublished'} = {{{venue_value}}}")
    elif arxiv_id:
        # Styles like plain.bst print no eprint field; this keeps the paper findable on paper.
        lines.append(f"  howpublished = {{arXiv:{arxiv_id}}}")
    if year:
        lines.append(f"  year = {{{year}}}")
    if abstract:
        lines.append(f"  abstract = {{{text_to_latex(one_line(abstract))}}}")
    if doi:
        lines.append(f"  doi = {{{_link_value(doi)}}}")
    if url:
        lines.append(f"  url = {{{_link_value(url)}}}")
    if arxiv_id:
        lines.append(f"  eprint = {{{arxiv_id}}}")
        lines.append("  archivePrefix = {arXiv}")
        primary_class = primary_class.strip()
        if primary_class:
            lines.append(f"  primaryClass = {{{text_to_latex(primary_class)}}}")
    if not authors:
        # plain.bst sorts by author, else by the `key` field, and warns when both are missing.
        sort_key = title or (f"arXiv:{arxiv_id}" if arxiv_id else key)
        lines.append(f"  key = {{{text_to_latex(sort_key)}}}")
    return ("article" if is_article else "misc"), lines


@lru_cache(maxsize=1024)
def _venue_value(venue: str) -> tuple[str, bool]:
    """A venue as a field value, and whether it names a journal; a library has few venues."""
    return text_to_latex(venue), _JOURNAL_WORDS.search(venue) is not None


def _link_value(link: str) -> str:
    """A URL or DOI as a field value: braces and spaces percent-encoded, nothing else touched."""
    return link.strip().replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _author_value(names: list[str]) -> str:
    """`author = {...}`: the names joined by `and`, each braced where bibtex would misread it."""
    text = " and ".join(names)
    # Names as people write them (words one space apart, no word `and`, at most two commas in
    # all) need only escaping, done once for the whole list: the authors of 100k papers take
    # 0.7 s so, 1.8 s name by name.
    if (
        one_line(text) == text
        and " and " not in f" {' '.join(names)} ".lower()
        and text.count(",") <= 2
    ):
        return text_to_latex(text)
    return " and ".join(_name_value(name) for name in names)


def _name_value(name: str) -> str:
    """One author for `author = {...}`: braced whole where bibtex would misread it."""
    text = text_to_latex(one_line(name))
    if _AND.search(f" {name} ") or name.count(",") > 2:
        return f"{{{text}}}"
    return text


def protect_capitals(title: str) -> str:
    """A title as a BibTeX value whose capitals survive styles that lower-case titles:
    `BERT for ImageNet in GPT-4` -> `{BERT} for {ImageNet} in {GPT-4}`."""

    def protected(word: str, start: int) -> str:
        latex = text_to_latex(word)
        return _braced(latex) if _needs_protection(word, first=start == 0) else latex

    return _with_words_rewritten(title, protected)


def _with_words_rewritten(text: str, rewrite: Callable[[str, int], str]) -> str:
    """`text` with each word holding a character worth a look replaced by `rewrite(word,
    start)`; the other words are copied as they are."""
    # The titles of 100k papers take 0.3 s so, where calls for every word took 1.2 s and a
    # regular expression matching whole words (tried at every character) 0.6 s.
    pieces: list[str] = []
    done = 0
    while (match := _WORTH_A_LOOK.search(text, done)) is not None:
        start = text.rfind(" ", 0, match.start()) + 1
        end = text.find(" ", match.end())
        end = len(text) if end < 0 else end
        pieces.append(text[done:start])
        pieces.append(rewrite(text[start:end], start))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


_WORTH_A_LOOK = re.compile(
    r"[\d\\{}%&#_$~^\x80-\U0010ffff]"  # a digit, TeX special or non-ASCII character
    r"|[A-Z](?<!(?<![^ ])[A-Z](?=[A-Za-z]))"  # a capital, unless it starts a word of letters
)
"""Where a title word may need braces or escaping. A word without such a character is ASCII
whose only capital, if any, starts it and is followed by a letter (`Scaling`, `to`): it needs
neither."""


_DIGIT = re.compile(r"\d")


def _needs_protection(word: str, *, first: bool) -> bool:
    letters = "".join(filter(str.isalpha, word))
    if not letters:
        return False
    after_first = letters[1:]
    if after_first != after_first.lower():
        return True
    if _DIGIT.search(word):
        return True
    # A lone capital like "I" or "B" in "Part B" would become lower case too.
    return not first and len(letters) == 1 and letters.isupper()


def _braced(latex: str) -> str:
    """`latex` in a brace group bibtex keeps as is; a group opening with `\\` would be a
    "special character" bibtex still changes the case of, hence the extra pair then."""
    return f"{{{{{latex}}}}}" if latex.startswith("\\") else f"{{{latex}}}"


IMPORTER = BibtexImporter()
EXPORTER = BibtexExporter()
