"""The library API: the one place that reads and writes papers. The CLI and the app call it."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from readlist import storage
from readlist.errors import (
    ArxivUnavailable,
    ExportError,
    LibraryError,
    PaperNotFound,
    ReadlistError,
    UnreadableInput,
)
from readlist.formats import (
    EXPORT_COLUMNS,
    ImportContext,
    check_format_name,
    detect_format,
    exporter,
    importer,
    write_text_file,
)
from readlist.formats import ImportSource as ImportSource  # callers import it with the library
from readlist.models import (
    CitationKeys,
    Draft,
    Findings,
    Identity,
    Paper,
    Status,
    citation_key_stem,
    normalise_title,
    one_work,
)

if TYPE_CHECKING:
    from readlist.formats import Exporter, ExportRow
    from readlist.search import SearchDocument


class SortKey(StrEnum):
    """Orders the app and `list` offer."""

    ADDED = "added"
    LISTED = "listed"
    YEAR = "year"
    TITLE = "title"


_ORDER_BY = {
    # Through the index on `added`: the app's first screen needs only the ids, and reading them
    # from the table instead would read every abstract (0.25 s and 55 MB more at 100k papers).
    SortKey.ADDED: "p.added DESC, p.id DESC",
    SortKey.LISTED: "p.listed IS NULL, p.listed DESC, p.id DESC",
    SortKey.YEAR: "p.year IS NULL, p.year DESC, p.title_norm",
    SortKey.TITLE: "p.title_norm, p.id",
}


@dataclass(frozen=True, slots=True)
class PaperFilter:
    """Which papers to show or export; every part given must hold."""

    tags: tuple[str, ...] = ()
    status: Status | None = None
    search: str | None = None
    """A fuzzy query; with it, results come best match first."""
    import_id: int | None = None
    """Only papers that import batch added."""
    paper_ids: tuple[int, ...] | None = None
    """Only these papers (the app's marked papers)."""


@dataclass(slots=True)
class FileReport:
    """What one source's import did."""

    source: str
    format: str | None = None
    new: int = 0
    merged: int = 0
    """Papers already in the library that this source filled in."""
    unchanged: int = 0
    """Papers already in the library that this source had nothing to add to."""
    skipped: list[str] = field(default_factory=list)
    """One line per skipped record: where and why."""
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    """Set when the whole source was refused; nothing of it was written."""
    waiting: int = 0
    """Papers kept with only their arXiv id because arXiv could not be reached."""
    preambles: list[str] = field(default_factory=list)
    """The source's BibTeX `@preamble` texts, stored with its papers for exports to write."""


@dataclass(slots=True)
class ImportReport:
    """What an import command did, source by source."""

    batch_id: int | None
    files: list[FileReport]

    @property
    def new(self) -> int:
        return sum(report.new for report in self.files)

    @property
    def failed(self) -> bool:
        """True when some source was refused whole."""
        return any(report.error for report in self.files)


@dataclass(frozen=True, slots=True)
class Counts:
    """Totals for the header line."""

    total: int
    unread: int


ArxivFetcher = Callable[[Sequence[str]], dict[str, Draft]]
ProgressCallback = Callable[[int, int | None], None]
"""Called with (papers stored, papers in all or None while unknown) as an import runs."""
_WRITE_BATCH = 2_000
"""Papers read, then written, at a time: memory stays flat, and executemany is as fast."""

_EXPORT_SLICE = 2_000
"""Papers an export reads and formats at a time, in one piece of work."""
_PARALLEL_EXPORT_FROM = 10_000
"""Exports this big are formatted by worker processes: below, starting them costs more."""
_EXPORT_SELECT = ", ".join(f"p.{name}" for name in EXPORT_COLUMNS)
"""The columns an exporter reads, for a query on `paper p`."""

_PAPER_COLUMNS = (
    "title, title_norm, authors, year, venue, abstract, arxiv_id, doi, url, code_url, "
    "citation_key, entry_type, fields, status, read_at, added, listed, source, needs_metadata, "
    "import_id, note"
)
_INSERT_NEW_PAPER = (
    f"INSERT INTO paper ({_PAPER_COLUMNS}) VALUES (?, ?, ?, "
    + "NULLIF(?, ''), " * 9
    + "?, ?, NULLIF(?, ''), ?, NULLIF(?, ''), ?, ?, ?, '')"
)
"""Stores an `_insert_row`, whose '' stands for NULL from year to entry type, for the time read
and for the listing date. Python 3.11's sqlite3 binds None through its adapter lookup, seven times slower than a
string: the ~9 missing values of each listing paper cost 0.7 s at 100,000 papers."""
_SELECT_PAPER = (
    f"SELECT p.id, {', '.join('p.' + c.strip() for c in _PAPER_COLUMNS.split(','))}, "
    "(SELECT group_concat(tag, char(31)) FROM paper_tag WHERE paper_id = p.id) FROM paper p"
)
_JSON_OBJECT = (
    "json_object('id', p.id, 'title', p.title, 'authors', json(p.authors), 'year', p.year, "
    "'venue', p.venue, 'abstract', p.abstract, 'arxiv_id', p.arxiv_id, 'doi', p.doi, "
    "'url', p.url, 'code_url', p.code_url, 'key', p.citation_key, "
    "'tags', (SELECT json_group_array(tag) FROM "
    "(SELECT tag FROM paper_tag WHERE paper_id = p.id ORDER BY tag)), "
    "'status', p.status, 'added', p.added, 'listed', p.listed)"
)
"""One paper as the JSON object scripts read from `readlist list --json`."""
_FILLABLE = (
    "year",
    "venue",
    "abstract",
    "arxiv_id",
    "doi",
    "url",
    "code_url",
    "entry_type",
    "listed",
)
"""Fields a merge fills when the library has none; user data (tags, status, note) never."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _FoldedPaper(NamedTuple):
    """A deleted paper as it was, columns and tags, for undo to put back."""

    row: dict[str, Any]
    tags: list[str]


@dataclass(slots=True)
class _UndoStep:
    """What a change did, to be taken back exactly: only the columns and tags it changed, so
    that undo keeps what another readlist changed meanwhile."""

    description: str
    old_values: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """Per paper, the columns the change set and their values before, in the change's order."""
    added_tags: list[tuple[int, str]] = field(default_factory=list)
    removed_tags: list[tuple[int, str]] = field(default_factory=list)
    added_preambles: list[str] = field(default_factory=list)
    delete_ids: list[int] = field(default_factory=list)
    """Papers the change added."""
    folded: list[_FoldedPaper] = field(default_factory=list)
    """Papers the change deleted, folded into another record of the same work."""
    born: dict[int, str] = field(default_factory=dict)
    """Each paper's `added` stamp: SQLite can give a deleted paper's id to a new paper (another
    readlist's), which undo must leave alone."""
    delete_batch: int | None = None


def _detect(source: ImportSource, format_name: str | None) -> FileReport:
    """A source's report with its format named from its start, or `error` set when it is refused."""
    report = FileReport(source.name)
    try:
        # The first piece with more than blanks: enough to know the format, and a whole file
        # of blanks is found without reading it twice.
        head = next((piece for piece in source.pieces() if not piece.isspace()), "")
        if not head:
            raise UnreadableInput(f"{source.name}: empty, nothing to import")
        report.format = format_name or detect_format(head)
    except ReadlistError as error:
        report.error = error.message
    return report


class Library:
    """A reading list in one SQLite file; every change is one transaction, written at once."""

    def __init__(self, path: Path, *, fetch_arxiv: ArxivFetcher | None = None) -> None:
        self.path = path
        self.created = storage.prepare_library(path)
        """Whether opening made this library: a first run, or a path mistyped."""
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._fetch_arxiv = fetch_arxiv
        self._undo: list[_UndoStep] = []

    def close(self) -> None:
        """Release the file; the library must not be used afterwards."""
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection: the app reads and writes from worker threads."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = storage.connect(self.path)
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        # One read transaction, so a page of rows and its counts come from the same snapshot.
        connection = self._connection()
        try:
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                connection.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            if storage.is_busy(error):
                raise storage.busy(self.path, error) from None
            # A library cut short or hurt by a disk fails only where a read meets the damage.
            raise LibraryError(f"{self.path}: cannot read the library ({error})") from None

    @contextmanager
    def _writing(self, *, bulk: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction; `bulk` for a large import (`storage.rollback_journal`)."""
        connection = self._connection()
        if not self.path.exists():
            # The open connection would write on into the deleted file, and all would be lost.
            raise LibraryError(f"{self.path}: the library file is gone; was it moved or deleted?")
        with (
            storage.rollback_journal(connection) if bulk else nullcontext(),
            self._transaction(connection) as written,
        ):
            yield written

    @contextmanager
    def _transaction(self, connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        # Writers take the write lock up front (IMMEDIATE): a deferred transaction that upgrades to
        # a writer later fails at once with "database is locked" instead of waiting its turn.
        storage.begin_writing(connection, self.path)
        try:
            yield connection
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            # A read-only file or folder, a full disk, an I/O error, a damaged file: nothing
            # was written.
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise LibraryError(f"{self.path}: cannot write to the library ({error})") from None
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    # ---- reading -------------------------------------------------------------------------

    def counts(self) -> Counts:
        """How many papers there are and how many are unread."""
        with self._reading() as connection:
            total, unread = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE status = 'unread') FROM paper"
            ).fetchone()
        return Counts(total=int(total), unread=int(unread or 0))

    def ids(
        self, paper_filter: PaperFilter = PaperFilter(), sort: SortKey = SortKey.ADDED
    ) -> list[int]:
        """The ids of the papers the filter keeps, in `sort` order (best match first with a search)."""
        where, params = self._where(paper_filter)
        sql = f"SELECT p.id FROM paper p {where} ORDER BY {_ORDER_BY[sort]}"
        with self._reading() as connection:
            ordered = [row[0] for row in connection.execute(sql, params)]
        if paper_filter.search and paper_filter.search.strip():
            from readlist.search import SearchIndex

            index = SearchIndex(self.search_documents())
            # A one-off search looks in the abstracts too, so it needs both indexing phases.
            index.index_abstracts()
            kept = set(ordered)
            return [hit.paper_id for hit in index.rank(paper_filter.search) if hit.paper_id in kept]
        return ordered

    def papers(
        self, paper_filter: PaperFilter = PaperFilter(), sort: SortKey = SortKey.ADDED
    ) -> list[Paper]:
        """The papers the filter keeps, in order."""
        return list(self.iter_papers(paper_filter, sort))

    def iter_papers(
        self, paper_filter: PaperFilter = PaperFilter(), sort: SortKey = SortKey.ADDED
    ) -> Generator[Paper, None, None]:
        """The papers the filter keeps, in order, read as they are consumed: a 100,000-paper
        export or `list --json` never holds them all in memory."""
        if paper_filter.search and paper_filter.search.strip():
            for chunk in _chunks(self.ids(paper_filter, sort), 500):
                yield from self.get_many(chunk)
            return
        where, params = self._where(paper_filter)
        sql = f"{_SELECT_PAPER} {where} ORDER BY {_ORDER_BY[sort]}"
        with self._reading() as connection:
            for row in connection.execute(sql, params):
                yield _paper(row)

    def iter_json(
        self, paper_filter: PaperFilter = PaperFilter(), sort: SortKey = SortKey.ADDED
    ) -> Generator[str, None, None]:
        """Each paper the filter keeps as one JSON object (the `list --json` form), in order.

        SQLite builds the JSON itself: at 100,000 papers that is several times faster than
        making `Paper` objects and encoding them in Python.
        """
        if paper_filter.search and paper_filter.search.strip():
            for chunk in _chunks(self.ids(paper_filter, sort), 500):
                marks = ",".join("?" * len(chunk))
                with self._reading() as connection:
                    found = dict(
                        connection.execute(
                            f"SELECT p.id, {_JSON_OBJECT} FROM paper p WHERE p.id IN ({marks})",
                            tuple(chunk),
                        )
                    )
                yield from (found[paper_id] for paper_id in chunk if paper_id in found)
            return
        where, params = self._where(paper_filter)
        sql = f"SELECT {_JSON_OBJECT} FROM paper p {where} ORDER BY {_ORDER_BY[sort]}"
        with self._reading() as connection:
            for (text,) in connection.execute(sql, params):
                yield text

    def get(self, paper_id: int) -> Paper:
        """One paper, or `PaperNotFound`."""
        papers = self.get_many([paper_id])
        if not papers:
            raise PaperNotFound(f"no paper with id {paper_id}")
        return papers[0]

    def get_many(self, paper_ids: Sequence[int]) -> list[Paper]:
        """The papers with these ids, in the order given; ids not in the library are left out."""
        found: dict[int, Paper] = {}
        with self._reading() as connection:
            for chunk in _chunks(paper_ids, 900):
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"{_SELECT_PAPER} WHERE p.id IN ({marks})", tuple(chunk))
                found.update((row[0], _paper(row)) for row in rows)
        return [found[paper_id] for paper_id in paper_ids if paper_id in found]

    def all_tags(self) -> list[str]:
        """Every tag in use, sorted, for completion and the tag filter."""
        with self._reading() as connection:
            rows = connection.execute("SELECT DISTINCT tag FROM paper_tag ORDER BY tag")
            return [row[0] for row in rows]

    def last_import_id(self) -> int | None:
        """The most recent import batch, for the app's "last import" filter."""
        with self._reading() as connection:
            row = connection.execute("SELECT max(id) FROM import_batch").fetchone()
        return None if row[0] is None else int(row[0])

    def search_documents(self) -> list[SearchDocument]:
        """Every paper's searchable text, for `search.SearchIndex`."""
        from readlist.search import SearchDocument

        # SQLite joins the author and tag lists itself: decoding 100,000 JSON lists in Python
        # costs seconds at start-up.
        sql = (
            "SELECT p.id, p.title, "
            "coalesce((SELECT group_concat(value, ' ') FROM json_each(p.authors)), ''), "
            "coalesce(p.venue, ''), coalesce(p.abstract, ''), p.note, "
            "coalesce((SELECT group_concat(tag, ' ') FROM paper_tag WHERE paper_id = p.id), ''), "
            "coalesce(CAST(p.year AS TEXT), '') "
            "FROM paper p"
        )
        with self._reading() as connection:
            return [SearchDocument(*row) for row in connection.execute(sql)]

    def _where(self, paper_filter: PaperFilter) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        params: list[Any] = []
        if paper_filter.status is not None:
            clauses.append("p.status = ?")
            params.append(paper_filter.status.value)
        for tag in paper_filter.tags:
            clauses.append(
                "EXISTS (SELECT 1 FROM paper_tag t WHERE t.paper_id = p.id AND t.tag = ?)"
            )
            params.append(tag)
        if paper_filter.import_id is not None:
            clauses.append("p.import_id = ?")
            params.append(paper_filter.import_id)
        if paper_filter.paper_ids is not None:
            clauses.append("p.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(paper_filter.paper_ids)))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return where, tuple(params)

    # ---- changing papers ---------------------------------------------------------------

    def tag(self, paper_ids: Sequence[int], tags: Iterable[str]) -> None:
        """Add tags to papers (tags are trimmed; empty ones ignored)."""
        clean = _clean_tags(tags)
        with self._writing() as connection:
            born = self._existing(connection, paper_ids)
            had = _tag_pairs(connection, paper_ids)
            added = [
                (i, tag) for i in dict.fromkeys(paper_ids) for tag in clean if (i, tag) not in had
            ]
            connection.executemany("INSERT INTO paper_tag (paper_id, tag) VALUES (?, ?)", added)
        what = f"tag {_papers(len(born))} with {', '.join(clean)}"
        self._undo.append(_UndoStep(what, added_tags=added, born=born))

    def untag(self, paper_ids: Sequence[int], tags: Iterable[str]) -> None:
        """Remove tags from papers; tags a paper does not have are ignored."""
        clean = set(_clean_tags(tags))
        with self._writing() as connection:
            born = self._existing(connection, paper_ids)
            removed = [pair for pair in _tag_pairs(connection, paper_ids) if pair[1] in clean]
            connection.executemany("DELETE FROM paper_tag WHERE paper_id = ? AND tag = ?", removed)
        what = f"untag {', '.join(sorted(clean))} from {_papers(len(born))}"
        self._undo.append(_UndoStep(what, removed_tags=removed, born=born))

    def mark(self, paper_ids: Sequence[int], status: Status) -> None:
        """Mark papers read (stamping when) or unread."""
        read_at = _now() if status is Status.READ else None
        with self._writing() as connection:
            born = self._existing(connection, paper_ids)
            changing = _values_of(connection, paper_ids, ("status", "read_at"), status.value)
            connection.executemany(
                "UPDATE paper SET status = ?, read_at = ? WHERE id = ?",
                [(status.value, read_at, paper_id) for paper_id, _ in changing],
            )
        what = f"mark {_papers(len(born))} {status.value}"
        self._undo.append(_UndoStep(what, old_values=changing, born=born))

    def set_note(self, paper_id: int, note: str) -> None:
        """Replace a paper's note."""
        with self._writing() as connection:
            born = self._existing(connection, [paper_id])
            before = _values_of(connection, [paper_id], ("note",))
            connection.execute("UPDATE paper SET note = ? WHERE id = ?", (note, paper_id))
        self._undo.append(_UndoStep("edit note", old_values=before, born=born))

    def _existing(self, connection: sqlite3.Connection, paper_ids: Sequence[int]) -> dict[int, str]:
        """The papers' `added` stamps; raises `PaperNotFound` naming any missing."""
        born = _born(connection, paper_ids)
        missing = sorted(set(paper_ids) - set(born))
        if missing:
            raise PaperNotFound(f"no paper with id {', '.join(map(str, missing))}")
        return born

    def undo(self) -> str | None:
        """Undo the last change made through this library object; returns what was undone."""
        if not self._undo:
            return None
        step = self._undo[-1]
        with self._writing() as connection:
            born = step.born
            connection.executemany(
                "DELETE FROM paper WHERE id = ? AND added = ?",
                [(paper_id, born.get(paper_id)) for paper_id in step.delete_ids],
            )
            # Backwards: where the change set a column twice, the first value before it wins.
            for paper_id, old_values in reversed(step.old_values):
                values = dict(old_values)
                if isinstance(added := values.get("fields"), _AddedFields):
                    values["fields"] = _fields_without(connection, paper_id, added)
                assignments = ", ".join(f"{column} = ?" for column in values)
                connection.execute(
                    f"UPDATE paper SET {assignments} WHERE id = ? AND added = ?",
                    (*values.values(), paper_id, born.get(paper_id)),
                )
            connection.executemany(
                "DELETE FROM paper_tag WHERE paper_id = ?1 AND tag = ?2 "
                "AND EXISTS (SELECT 1 FROM paper WHERE id = ?1 AND added = ?3)",
                [(paper_id, tag, born.get(paper_id)) for paper_id, tag in step.added_tags],
            )
            connection.executemany(
                "DELETE FROM bibtex_preamble WHERE text = ?", [(t,) for t in step.added_preambles]
            )
            # OR IGNORE: another readlist may have tagged the paper again, or deleted it.
            connection.executemany(
                "INSERT OR IGNORE INTO paper_tag (paper_id, tag) "
                "SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM paper WHERE id = ?1 AND added = ?3)",
                [(paper_id, tag, born.get(paper_id)) for paper_id, tag in step.removed_tags],
            )
            for folded in step.folded:
                _put_back(connection, folded)
            if step.delete_batch is not None:
                connection.execute("DELETE FROM import_batch WHERE id = ?", (step.delete_batch,))
        # Only now: an undo the library refused (busy, read-only) can be tried again.
        self._undo.pop()
        return step.description

    # ---- import ------------------------------------------------------------------------

    def import_sources(
        self,
        sources: Sequence[ImportSource],
        *,
        format_name: str | None = None,
        progress: ProgressCallback | None = None,
        context: ImportContext | None = None,
    ) -> ImportReport:
        """Import each source in its own transaction; a refused source leaves the library as it was.

        Sources are read as they are stored, a batch of papers at a time, so an import of any
        size holds one batch in memory, not the file and all its papers.
        """
        context = context or ImportContext()
        check_format_name(format_name)
        reports = [_detect(source, format_name) for source in sources]
        bibtex_sources = [
            source
            for source, report in zip(sources, reports, strict=True)
            if report.format == "bibtex" and report.error is None
        ]
        if len(bibtex_sources) > 1:
            from readlist.formats.bibtex import collect_macros

            # A macro may be defined in one file of the command and used in another. (A file's
            # own macros its importer reads first, so one file needs no pass of its own here.)
            for source in bibtex_sources:
                with suppress(UnreadableInput):  # reported when the file itself is read
                    context.bibtex_macros.update(collect_macros(source.pieces()))
        if bibtex_sources:
            context.crossref_parents = partial(
                self._crossref_parents, bibtex_sources, context.bibtex_macros
            )
        findings = [Findings() for _ in sources]
        streams = [
            (report, self._drafts_of(source, report, context, found))
            for source, report, found in zip(sources, reports, findings, strict=True)
        ]

        def stored(done: int) -> None:
            assert progress is not None
            # Each importer says how many records its source holds once it knows (a BibTeX
            # file after its first pass), so the total is known when every source has started.
            expected = [
                0 if report.error else found.expected
                for report, found in zip(reports, findings, strict=True)
            ]
            known = [count for count in expected if count is not None]
            progress(done, sum(known) if len(known) == len(expected) else None)

        import_report = self.add_drafts(streams, on_stored=stored if progress else None)
        for source, report, found in zip(sources, reports, findings, strict=True):
            if report.error is not None:
                continue
            report.skipped[:0] = [
                f"{problem.where}: {problem.reason}" for problem in found.problems
            ]
            report.notes[:0] = found.notes
            if report.new or report.merged or report.unchanged:
                continue
            assert report.format is not None
            macros = _macros_defined(source) if report.format == "bibtex" else 0
            if macros and not found.problems:
                # A file of only @string definitions is no error: the other files use it.
                report.notes.append(f"{macros} @string definition(s), no entries")
            else:
                report.error = f"{report.source}: {_nothing_found(report.format, found)}"
        return import_report

    def _crossref_parents(
        self, sources: list[ImportSource], macros: dict[str, str], keys: set[str]
    ) -> dict[str, dict[str, str]]:
        """The fields of the entries with these keys in the command's BibTeX files, else in the
        library (`ImportContext.crossref_parents`). Only a file whose crossref parents are not
        its own asks, so the files are read again only then."""
        from readlist.formats.bibtex import entry_fields

        found: dict[str, dict[str, str]] = {}
        for source in sources:
            with suppress(UnreadableInput):  # reported when the file itself is read
                for key, fields in entry_fields(source, keys, macros).items():
                    found.setdefault(key, fields)
        if missing := keys - set(found):
            # Inside the import's write transaction, on its connection.
            rows = self._connection().execute(
                "SELECT lower(citation_key), fields FROM paper "
                "WHERE lower(citation_key) IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(missing)),),
            )
            found.update((key, json.loads(fields)) for key, fields in rows)
        return found

    def _drafts_of(
        self, source: ImportSource, report: FileReport, context: ImportContext, findings: Findings
    ) -> Iterator[Draft]:
        if report.error is not None or report.format is None:
            return
        drafts = importer(report.format).read(source, context, findings)
        if report.format == "arxiv":
            # An id list is small, and arXiv is asked for its metadata in batches before storing.
            waiting = list(drafts)
            self._fill_from_arxiv(waiting, report)
            drafts = iter(waiting)
        yield from drafts
        report.preambles = findings.preambles

    def add_drafts(
        self,
        drafts_by_source: Sequence[tuple[FileReport, Iterable[Draft]]],
        *,
        on_stored: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Store drafts source by source, one transaction each, merging papers already known.

        Drafts are taken a batch at a time as the library writes them; `on_stored` hears how
        many have been stored after each batch. A source whose drafts
        raise `UnreadableInput` part-way (a bad byte deep in a file) is rolled back whole and
        gets that error. The sources form one import batch, which `undo` takes back whole.
        """
        done = 0
        batch_id: int | None = None
        index: _DedupIndex | None = None
        index_version = 0
        undo = _UndoStep("")
        created: set[int] = set()
        names = [report.source for report, _ in drafts_by_source]
        for report, drafts in drafts_by_source:
            batches = _batches(iter(drafts), _WRITE_BATCH)
            written = _UndoStep("")
            created_by_source: set[int] = set()
            created_batch = batch_id is None
            try:
                # The first batch is read before the transaction: a source without papers
                # writes nothing, not even the import batch.
                first = next(batches, None)
                if first is None:
                    continue
                with self._writing(bulk=len(first) == _WRITE_BATCH) as connection:
                    # Read under the write lock: another readlist may have written since the
                    # last source (its papers would come in twice, or its keys clash).
                    version = connection.execute("PRAGMA data_version").fetchone()[0]
                    if index is None or version != index_version:
                        index, index_version = _dedup_index(connection), version
                    if batch_id is None:
                        batch_id = self._new_batch(connection, names)
                    for batch in itertools.chain([first], batches):
                        self._write_drafts(
                            connection,
                            batch,
                            report,
                            index,
                            batch_id,
                            written,
                            created,
                            created_by_source,
                        )
                        done += len(batch)
                        if on_stored is not None:
                            on_stored(done)
                    # Known once the drafts are all read; kept in the source's transaction.
                    written.added_preambles = _keep_preambles(connection, report.preambles)
            except (UnreadableInput, LibraryError) as error:
                # A bad byte deep in the file, or a write the disk refused: this source is rolled
                # back, and the sources stored before it stay, with their undo step.
                report.error = error.message
                report.new = report.merged = report.unchanged = 0
                report.notes.clear()
                # What the rolled-back transaction wrote is gone, so is what the index knew of it.
                index = None
                created.difference_update(written.delete_ids)
                if created_batch:
                    batch_id = None
                continue
            undo.delete_ids.extend(written.delete_ids)
            undo.old_values.extend(written.old_values)
            undo.added_tags.extend(written.added_tags)
            undo.folded.extend(written.folded)
            undo.born.update(written.born)
            undo.added_preambles.extend(written.added_preambles)
        if batch_id is not None:
            undo.description = f"import of {', '.join(names)}"
            undo.delete_batch = batch_id
            self._undo.append(undo)
        return ImportReport(batch_id=batch_id, files=[report for report, _ in drafts_by_source])

    def _new_batch(self, connection: sqlite3.Connection, names: list[str]) -> int:
        result = connection.execute(
            "INSERT INTO import_batch (started, sources) VALUES (?, ?)", (_now(), "\n".join(names))
        )
        batch_id = result.lastrowid
        assert batch_id is not None
        return int(batch_id)

    def _fill_from_arxiv(self, drafts: list[Draft], report: FileReport) -> None:
        known = self._described(draft.arxiv_id for draft in drafts if draft.arxiv_id)
        # A paper the library already describes needs no request; the draft merges into it.
        waiting = [
            draft
            for draft in drafts
            if draft.needs_metadata and draft.arxiv_id and draft.arxiv_id not in known
        ]
        if not waiting:
            return
        failure = None
        try:
            fetched = self._arxiv_fetcher()([draft.arxiv_id for draft in waiting if draft.arxiv_id])
        except ArxivUnavailable as error:
            fetched, failure = error.found, error
        unknown: list[str] = []
        untitled: list[str] = []
        for draft in waiting:
            found = fetched.get(draft.arxiv_id or "")
            if found is None or found.needs_metadata:
                report.waiting += 1
                (unknown if found is None else untitled).append(draft.arxiv_id or "")
                continue
            _fill_draft(draft, found)
        if unknown and failure is None:
            report.notes.append(_unknown_to_arxiv(unknown, "kept, waiting for metadata"))
        if untitled:
            report.notes.append(_untitled_by_arxiv(untitled, "kept, waiting for metadata"))
        if failure is not None:
            report.notes.append(
                f"{failure.message}; {report.waiting} arXiv id(s) kept, waiting for metadata "
                "(run `readlist refresh` later)"
            )

    def _described(self, arxiv_ids: Iterable[str]) -> set[str]:
        """Those of the arXiv ids whose papers the library holds with their metadata."""
        with self._reading() as connection:
            rows = connection.execute(
                "SELECT arxiv_id FROM paper WHERE NOT needs_metadata "
                "AND arxiv_id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(arxiv_ids)),),
            )
            return {row[0] for row in rows}

    def _arxiv_fetcher(self) -> ArxivFetcher:
        if self._fetch_arxiv is not None:
            return self._fetch_arxiv
        from readlist.formats.arxiv import fetch_metadata

        return fetch_metadata

    def _write_drafts(
        self,
        connection: sqlite3.Connection,
        drafts: list[Draft],
        report: FileReport,
        index: _DedupIndex,
        batch_id: int,
        written: _UndoStep,
        created: set[int],
        created_by_source: set[int],
    ) -> None:
        """Insert new papers and merge known ones, adding to `written` what undo needs.

        `created` holds the papers this import added so far: undo deletes them, so they need no
        snapshot. A repeat of one `created_by_source` is that source's same paper again, no merge.
        """
        now = _now()
        new_drafts: list[tuple[Draft, str | None]] = []
        merges: dict[int, Draft] = {}
        for draft in drafts:
            title_norm = None if draft.needs_metadata else normalise_title(draft.title)
            existing = index.find(draft, title_norm, connection)
            if existing is None:
                index.add(draft, draft.arxiv_id, draft.doi, title_norm)
                new_drafts.append((draft, title_norm))
            elif isinstance(existing, Draft):
                _absorb_key(existing, draft, index.keys, report.notes)
                _note_fields_not_kept(report.notes, draft, existing)
                _fill_draft(existing, draft)
                report.unchanged += 1
            elif existing in merges:
                _absorb_key(merges[existing], draft, index.keys, report.notes)
                _note_fields_not_kept(report.notes, draft, merges[existing])
                _fill_draft(merges[existing], draft)
                report.unchanged += 1
            else:
                merges[existing] = draft
        merged: list[int] = []
        for paper_id, draft in merges.items():
            if paper_id in index.waiting and not draft.needs_metadata:
                title_norm = normalise_title(draft.title)
                twin = index.find(draft, title_norm, connection, besides=paper_id)
                if isinstance(twin, int):
                    self._fold(connection, paper_id, twin, draft, index, report.notes, written)
                    merged.append(twin)
                    report.merged += 1
                    continue
            before = self._merge(connection, paper_id, draft, index.keys, report.notes)
            if before and paper_id not in created:  # undo deletes what this import created
                written.old_values.append((paper_id, before))
                merged.append(paper_id)
            if before and paper_id not in created_by_source:
                report.merged += 1
            else:
                report.unchanged += 1
        if merged:
            written.born.update(_born(connection, merged))
        # Rows are made as SQLite takes them: a list of them all would hold every abstract and
        # BibTeX field a second time.
        insert_rows = (
            _insert_row(
                draft,
                title_norm or "",
                # A paper waiting for arXiv gets its key with the metadata, unless it came with one.
                _claim_key(draft, index.keys, report.notes)
                if draft.key or not draft.needs_metadata
                else None,
                now,
                report.source,
                batch_id,
            )
            for draft, title_norm in new_drafts
        )
        first_id = None
        if new_drafts:
            connection.executemany(_INSERT_NEW_PAPER, insert_rows)
            last = connection.execute("SELECT max(id) FROM paper").fetchone()[0]
            first_id = int(last) - len(new_drafts) + 1
        new_ids = list(range(first_id, first_id + len(new_drafts))) if first_id else []
        for (draft, title_norm), paper_id in zip(new_drafts, new_ids, strict=True):
            index.stored(draft, paper_id, title_norm)
        report.new += len(new_ids)
        written.delete_ids.extend(new_ids)
        written.born.update(dict.fromkeys(new_ids, now))
        created.update(new_ids)
        created_by_source.update(new_ids)

    def _merge(
        self,
        connection: sqlite3.Connection,
        paper_id: int,
        draft: Draft,
        keys: CitationKeys,
        notes: list[str],
    ) -> dict[str, Any]:
        """Fill what the stored paper lacks from `draft`; the columns it changed, with their
        values before (empty when nothing changed)."""
        columns = (*_FILLABLE, "title", "title_norm", "authors", "fields", "needs_metadata")
        row = connection.execute(
            f"SELECT {', '.join(columns)}, citation_key FROM paper WHERE id = ?", (paper_id,)
        ).fetchone()
        stored = dict(zip((*columns, "key"), row, strict=True))
        updates: dict[str, Any] = {}
        for name in _FILLABLE:
            value = getattr(draft, name)
            if stored[name] in (None, "") and value not in (None, ""):
                updates[name] = value
        if stored["needs_metadata"] and not draft.needs_metadata:
            updates["title"] = draft.title
            updates["title_norm"] = normalise_title(draft.title)
            updates["authors"] = json.dumps(draft.authors)
            updates["needs_metadata"] = False
            if not stored["key"]:
                updates["citation_key"] = _claim_key(draft, keys, notes)
        elif stored["authors"] == "[]" and draft.authors:
            updates["authors"] = json.dumps(draft.authors)
        if (
            draft.key
            and stored["key"]
            and stored["entry_type"] is None  # no BibTeX before: readlist made the key up
            and draft.key not in keys
            and "citation_key" not in updates
        ):
            keys.claim(draft.key)
            updates["citation_key"] = draft.key
            notes.append(
                f"key {draft.key} from the BibTeX replaces {stored['key']}, made up before"
            )
        stored_fields = json.loads(stored["fields"])
        aliased = (
            draft.key is not None
            and stored["key"] is not None
            and "citation_key" not in updates
            and _alias(draft.key, stored["key"], stored_fields, keys, notes)
        )
        _note_fields_not_kept(notes, draft, {**stored, "fields": stored_fields})
        missing_fields = (
            {k: v for k, v in draft.fields.items() if k not in stored_fields}
            if _fields_fit(stored["entry_type"], draft.entry_type)
            else {}
        )
        if missing_fields or aliased:
            updates["fields"] = json.dumps({**stored_fields, **missing_fields})
        if not updates:
            return {}
        assignments = ", ".join(f"{name} = ?" for name in updates)
        connection.execute(
            f"UPDATE paper SET {assignments} WHERE id = ?", (*updates.values(), paper_id)
        )
        before = {name: stored["key" if name == "citation_key" else name] for name in updates}
        if "fields" in updates:
            before["fields"] = _AddedFields(tuple(missing_fields), draft.key if aliased else None)
        return before

    # ---- arXiv refresh -----------------------------------------------------------------

    def waiting_for_metadata(self) -> list[str]:
        """arXiv ids of papers still waiting for metadata."""
        with self._reading() as connection:
            rows = connection.execute(
                "SELECT arxiv_id FROM paper WHERE needs_metadata AND arxiv_id IS NOT NULL ORDER BY id"
            )
            return [row[0] for row in rows]

    def refresh(self) -> FileReport:
        """Ask arXiv for the papers waiting for metadata and fill them in. When arXiv fails
        part-way, what came is stored and the report's `error` says why the rest still wait;
        raises `ArxivUnavailable` when nothing came."""
        waiting = self.waiting_for_metadata()
        report = FileReport("arXiv", format="arxiv")
        if not waiting:
            return report
        failure = None
        try:
            fetched = self._arxiv_fetcher()(waiting)
        except ArxivUnavailable as error:
            if not error.found:
                raise
            fetched, failure = error.found, error
        with self._writing() as connection:
            index = _dedup_index(connection)
            ids = {
                row[1]: row[0]
                for row in connection.execute(
                    "SELECT id, arxiv_id FROM paper WHERE needs_metadata AND arxiv_id IS NOT NULL"
                )
            }
            step = _UndoStep("refresh from arXiv")
            unknown = [arxiv_id for arxiv_id in ids if arxiv_id not in fetched]
            if unknown and failure is None:
                report.notes.append(_unknown_to_arxiv(unknown, "still waiting"))
            untitled = [
                arxiv_id
                for arxiv_id in ids
                if arxiv_id in fetched and fetched[arxiv_id].needs_metadata
            ]
            if untitled:
                report.notes.append(_untitled_by_arxiv(untitled, "still waiting"))
            for arxiv_id, paper_id in ids.items():
                draft = fetched.get(arxiv_id)
                if draft is None or draft.needs_metadata:
                    report.waiting += 1
                    continue
                twin = index.find(draft, normalise_title(draft.title), connection, besides=paper_id)
                if isinstance(twin, int):
                    self._fold(connection, paper_id, twin, draft, index, report.notes, step)
                    report.merged += 1
                elif before := self._merge(connection, paper_id, draft, index.keys, report.notes):
                    step.old_values.append((paper_id, before))
                    report.merged += 1
            changed = [paper_id for paper_id, _ in step.old_values]
            step.born = _born(connection, changed + [paper_id for paper_id, _ in step.added_tags])
        self._undo.append(step)
        if failure is not None:
            report.error = f"{failure.message}; run `readlist refresh` again later"
        return report

    def _fold(
        self,
        connection: sqlite3.Connection,
        waiting_id: int,
        twin_id: int,
        draft: Draft,
        index: _DedupIndex,
        notes: list[str],
        step: _UndoStep,
    ) -> None:
        """Fold the paper `waiting_id`, whose arXiv metadata `draft` has just come, into the
        paper `twin_id` the library already held of that work (a BibTeX entry without the
        arXiv id, say), which would otherwise be in twice. The twin takes what it lacks, and
        the tags, read mark and note given to the waiting paper, which is then deleted."""
        before = self._merge(connection, twin_id, draft, index.keys, notes)
        if draft.arxiv_id:
            index.by_arxiv[draft.arxiv_id] = twin_id
        index.waiting.discard(waiting_id)
        cursor = connection.execute("SELECT * FROM paper WHERE id = ?", (waiting_id,))
        row = dict(
            zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True)
        )
        tags = [
            tag
            for (tag,) in connection.execute(
                "SELECT tag FROM paper_tag WHERE paper_id = ?", (waiting_id,)
            )
        ]
        for tag in tags:
            added = connection.execute(
                "INSERT OR IGNORE INTO paper_tag (paper_id, tag) VALUES (?, ?)", (twin_id, tag)
            )
            if added.rowcount:
                step.added_tags.append((twin_id, tag))
        status, read_at, note = connection.execute(
            "SELECT status, read_at, note FROM paper WHERE id = ?", (twin_id,)
        ).fetchone()
        kept = {"status": status, "read_at": read_at, "note": note}
        folded = dict(kept)
        if row["status"] == Status.READ.value and status != Status.READ.value:
            folded["status"], folded["read_at"] = row["status"], row["read_at"]
        if row["note"]:
            folded["note"] = f"{note}\n\n{row['note']}" if note else row["note"]
        changed = {name: value for name, value in kept.items() if folded[name] != value}
        if changed:
            assignments = ", ".join(f"{name} = ?" for name in changed)
            connection.execute(
                f"UPDATE paper SET {assignments} WHERE id = ?",
                (*(folded[name] for name in changed), twin_id),
            )
        if before or changed:
            step.old_values.append((twin_id, {**before, **changed}))
        connection.execute("DELETE FROM paper WHERE id = ?", (waiting_id,))
        step.folded.append(_FoldedPaper(row, tags))
        notes.append(f"arXiv {draft.arxiv_id} is a paper the library had already; merged into it")

    # ---- export ------------------------------------------------------------------------

    def bibtex_chunks(
        self, paper_filter: PaperFilter = PaperFilter(), sort: SortKey = SortKey.ADDED
    ) -> Generator[str, None, None]:
        """BibTeX for the papers the filter keeps, a part at a time (stream it to a file)."""
        return self._bibtex_chunks(self.ids(paper_filter, sort))

    def _bibtex_chunks(self, ids: list[int]) -> Generator[str, None, None]:
        """BibTeX for these papers, in order, a part at a time.

        A big export is formatted on every core: each worker reads its own slice of the papers,
        since rows cost as much to send to a worker as to format.
        """
        from readlist import parallel

        bibtex = exporter("bibtex")
        made_up = self._made_up_keys(bibtex, ids)
        slices = [
            _ExportSlice(self.path, "bibtex", chunk, {i: made_up[i] for i in chunk if i in made_up})
            for chunk in _chunks(ids, _EXPORT_SLICE)
        ]
        if len(ids) < _PARALLEL_EXPORT_FROM:
            parts: Iterator[list[str]] = map(_export_slice, slices)
        else:
            parts = parallel.ordered_map(_export_slice, slices, caller_waits=True)
        with self._reading() as connection:
            preambles = [
                row[0] for row in connection.execute("SELECT text FROM bibtex_preamble ORDER BY id")
            ]
        separator = ""
        if preambles:
            yield bibtex.preamble(preambles)
            separator = bibtex.separator
        for entries in parts:
            # Empty when every paper of the slice was deleted since the ids were read.
            if entries:
                entries[0] = separator + entries[0]
                yield from entries
                separator = bibtex.separator

    def _made_up_keys(self, bibtex: Exporter, ids: list[int]) -> dict[int, str]:
        """The keys the papers stored without one are exported under, made in export order so
        that the same library gives the same keys."""
        with self._reading() as connection:
            keyless = {
                row[0]: row[1:]
                for row in connection.execute(
                    f"SELECT p.id, {_EXPORT_SELECT} FROM paper p WHERE p.citation_key IS NULL"
                )
            }
            if not keyless:
                return {}
            taken = CitationKeys(
                row[0]
                for row in connection.execute(
                    "SELECT citation_key FROM paper WHERE citation_key IS NOT NULL"
                )
            )
        return {i: bibtex.made_up_key(keyless[i], taken) for i in ids if i in keyless}

    def write_bibtex(
        self, path: Path, paper_filter: PaperFilter = PaperFilter(), sort: SortKey = SortKey.ADDED
    ) -> None:
        """Write the BibTeX for the papers the filter keeps to `path`, whole or not at all
        (`formats.write_text_file`); raises `ExportError` saying why it could not."""
        library_files = {self.path.resolve(), *(p.resolve() for p in storage.companions(self.path))}
        if path.expanduser().resolve() in library_files:
            raise ExportError(f"{path}: that is the library itself; name another file")
        ids = self.ids(paper_filter, sort)
        if not ids:
            # An empty file in place of the last export (`-o refs.bib --tag thesys`, a typo)
            # would lose it unnoticed.
            raise ExportError(f"{path}: no paper to export, nothing written")
        with closing(self._bibtex_chunks(ids)) as chunks:
            write_text_file(path, chunks)


class _DedupIndex:
    """Where each arXiv id, DOI and normalised title already is: a paper's id, or the draft of a
    paper this import is about to add. A title can be several works' (`models.one_work`)."""

    def __init__(self) -> None:
        self.by_arxiv: dict[str, int | Draft] = {}
        self.by_doi: dict[str, int | Draft] = {}
        self.by_title: dict[str, list[int | Draft]] = {}
        self.waiting: set[int] = set()
        """Stored papers waiting for arXiv metadata: known by their arXiv id alone."""
        self.keys = CitationKeys()

    def add(
        self, paper: int | Draft, arxiv_id: str | None, doi: str | None, title_norm: str | None
    ) -> None:
        # Written out, not looped over (mapping, name) pairs: this runs for every imported paper.
        if arxiv_id and arxiv_id not in self.by_arxiv:
            self.by_arxiv[arxiv_id] = paper
        if doi and doi not in self.by_doi:
            self.by_doi[doi] = paper
        if title_norm:
            works = self.by_title.get(title_norm)
            if works is None:
                self.by_title[title_norm] = [paper]
            else:
                works.append(paper)

    def stored(self, draft: Draft, paper_id: int, title_norm: str | None) -> None:
        """`draft`, added before, is now the stored paper `paper_id`."""
        if draft.arxiv_id:
            self.by_arxiv[draft.arxiv_id] = paper_id
        if draft.doi:
            self.by_doi[draft.doi] = paper_id
        if title_norm:
            works = self.by_title[title_norm]
            works[next(i for i, work in enumerate(works) if work is draft)] = paper_id

    def find(
        self,
        draft: Draft,
        title_norm: str | None,
        connection: sqlite3.Connection,
        *,
        besides: int | None = None,
    ) -> int | Draft | None:
        """The paper or draft `draft` is a record of, if any, other than the paper `besides`;
        `connection` tells stored papers with its title apart."""
        if draft.arxiv_id and (found := self.by_arxiv.get(draft.arxiv_id)) not in (None, besides):
            return found
        if draft.doi and (found := self.by_doi.get(draft.doi)) not in (None, besides):
            return found
        if title_norm and title_norm in self.by_title:
            works = [work for work in self.by_title[title_norm] if work != besides]
            identity = Identity(draft.arxiv_id, draft.doi, draft.authors)
            if works and not any(identity):
                # A bare title (a listing's) is one work with anything of that title.
                return works[0]
            for work in works:
                if one_work(identity, _identity(work, connection)):
                    return work
        return None


def _identity(work: int | Draft, connection: sqlite3.Connection) -> Identity:
    if isinstance(work, Draft):
        return Identity(work.arxiv_id, work.doi, work.authors)
    arxiv_id, doi, authors = connection.execute(
        "SELECT arxiv_id, doi, authors FROM paper WHERE id = ?", (work,)
    ).fetchone()
    return Identity(arxiv_id, doi, json.loads(authors))


def _dedup_index(connection: sqlite3.Connection) -> _DedupIndex:
    """Where every stored paper is by arXiv id, DOI and title, and the keys in use, aliases
    (`_alias`) included."""
    index = _DedupIndex()
    rows = connection.execute(
        "SELECT id, arxiv_id, doi, title_norm, citation_key, needs_metadata, "
        # instr first: json_extract would parse every paper's fields, abstracts and all.
        """CASE WHEN instr(fields, '"ids"') THEN json_extract(fields, '$.ids') END FROM paper"""
    )
    for paper_id, arxiv_id, doi, title_norm, key, needs_metadata, aliases in rows:
        index.add(paper_id, arxiv_id, doi, None if needs_metadata else title_norm)
        if needs_metadata:
            index.waiting.add(paper_id)
        if key:
            index.keys.claim(key)
        for alias in _aliases(aliases or ""):
            index.keys.claim(alias)
    return index


def _fill_draft(target: Draft, source: Draft) -> None:
    """Fill what `target` lacks from `source` (a later record of the same paper)."""
    if target.needs_metadata and not source.needs_metadata:
        target.title = source.title
        target.authors = source.authors
        target.needs_metadata = False
    for name in _FILLABLE:
        if getattr(target, name) in (None, "") and getattr(source, name) not in (None, ""):
            setattr(target, name, getattr(source, name))
    if not target.authors:
        target.authors = source.authors
    target.read = target.read or source.read
    if _fields_fit(target.entry_type, source.entry_type):
        for name, value in source.fields.items():
            target.fields.setdefault(name, value)


def _fields_fit(entry_type: str | None, other_type: str | None) -> bool:
    """Whether BibTeX fields of an `other_type` entry may fill an `entry_type` one: a
    `booktitle` or `editor` from a conference record would make a journal article that bibtex
    warns about (and prints oddly)."""
    return entry_type is None or entry_type == other_type


_PUBLICATION_FIELDS = frozenset(
    {
        "journal", "journaltitle", "booktitle", "year", "volume", "number", "pages",
        "publisher", "school", "institution", "organization", "series", "edition",
    }
)  # fmt: skip
"""BibTeX fields saying where and when a paper appeared: what its versions (a conference paper
and its journal article) tell apart."""


def _note_fields_not_kept(
    notes: list[str],
    draft: Draft,
    kept: Draft | dict[str, Any],
) -> None:
    """Say which of a BibTeX record's publication fields a merge into the paper `kept` (a
    draft, or a stored row with `key`, `venue`, `year`, `entry_type` and parsed `fields`) does
    not keep, when the record names another venue or year, or gives one of those fields
    another value: another version of the paper.

    The library keeps one paper per work, and a merge never overwrites what it has; the
    second version's journal, volume and pages would otherwise be gone without a word, and a
    document citing its key would get the first version's.
    """
    if not draft.entry_type:
        return
    if isinstance(kept, Draft):
        key, venue, year = kept.key, kept.venue, kept.year
        entry_type, fields = kept.entry_type, kept.fields
    else:
        key, venue, year = kept["key"], kept["venue"], kept["year"]
        entry_type, fields = kept["entry_type"], kept["fields"]
    fit = _fields_fit(entry_type, draft.entry_type)
    not_kept = [
        name
        for name, value in draft.fields.items()
        if name in _PUBLICATION_FIELDS
        and (fields[name].split() != value.split() if name in fields else not fit)
    ]
    other_venue = bool(draft.venue) and _venue_words(draft.venue) != _venue_words(venue)
    other_year = draft.year is not None and draft.year != year
    contradicted = any(name in fields for name in not_kept)
    if not_kept and (other_venue or other_year or contradicted):
        entry = f"entry {draft.key}" if draft.key else f"the entry on line {draft.line}"
        notes.append(
            f"{entry} ({_where_and_when(draft.venue, draft.year)}) differs from {key} "
            f"({_where_and_when(venue, year)}), the paper it was merged into: "
            f"its {', '.join(not_kept)} were not kept"
        )


def _venue_words(venue: str | None) -> list[str]:
    return (venue or "").casefold().split()


def _where_and_when(venue: str | None, year: int | None) -> str:
    return ", ".join(filter(None, (venue, str(year) if year else None))) or "no venue or year"


def _absorb_key(target: Draft, source: Draft, keys: CitationKeys, notes: list[str]) -> None:
    """Keep the citation key of `source`, a record of the paper `target` will store."""
    if source.key and target.key:
        _alias(source.key, target.key, target.fields, keys, notes)
    elif source.key:
        target.key = source.key


def _alias(
    key: str, kept_key: str, fields: dict[str, str], keys: CitationKeys, notes: list[str]
) -> bool:
    """Add `key`, a merged record's own citation key, to the `ids` field of the paper cited as
    `kept_key`, and say so; True if it was added. biblatex resolves `\\cite{key}` through `ids`,
    and the note tells a classic bibtex user which key to cite."""
    if key.lower() == kept_key.lower() or key in keys:
        # The same key, or another paper's: as an alias it would only be ambiguous.
        return False
    names = _aliases(fields.get("ids", ""))
    if key.lower() in (name.lower() for name in names):
        return False
    keys.claim(key)
    fields["ids"] = ", ".join([*names, key])
    notes.append(
        f"entry {key} is the same paper as {kept_key}; exported as {kept_key}, {key} in ids"
    )
    return True


def _aliases(ids: str) -> list[str]:
    """The keys of an `ids` field: "a, b" -> ["a", "b"]."""
    return [key.strip() for key in ids.split(",") if key.strip()]


def _claim_key(draft: Draft, keys: CitationKeys, notes: list[str]) -> str:
    """The draft's own key if free, else a readable unique one; a renamed imported key is noted."""
    key = keys.claim(draft.key or citation_key_stem(draft.authors, draft.year, draft.title))
    if draft.key and key != draft.key:
        notes.append(f"key {draft.key} is already used by another paper; this one is {key}")
    return key


def _insert_row(
    draft: Draft, title_norm: str, key: str | None, now: str, source: str, batch_id: int
) -> tuple[Any, ...]:
    """A new paper's values for `_INSERT_NEW_PAPER`; a value the paper lacks is ''."""
    return (
        draft.title,
        title_norm,
        json.dumps(draft.authors) if draft.authors else "[]",
        draft.year or "",
        draft.venue or "",
        draft.abstract or "",
        draft.arxiv_id or "",
        draft.doi or "",
        draft.url or "",
        draft.code_url or "",
        key or "",
        draft.entry_type or "",
        json.dumps(draft.fields) if draft.fields else "{}",
        Status.READ.value if draft.read else Status.UNREAD.value,
        now if draft.read else "",
        now,
        draft.listed or "",
        source,
        int(draft.needs_metadata),
        batch_id,
    )


def _paper(row: Any) -> Paper:
    (
        paper_id, title, _title_norm, authors, year, venue, abstract, arxiv_id, doi, url, code_url,
        key, entry_type, fields, status, read_at, added, listed, source, needs_metadata, _import_id,
        note, tags,
    ) = row  # fmt: skip
    return Paper(
        id=paper_id,
        title=title,
        authors=json.loads(authors) if authors != "[]" else [],
        year=year,
        venue=venue,
        abstract=abstract,
        arxiv_id=arxiv_id,
        doi=doi,
        url=url,
        code_url=code_url,
        key=key,
        entry_type=entry_type,
        fields=json.loads(fields) if fields != "{}" else {},
        tags=sorted(tags.split("\x1f")) if tags else [],
        status=Status(status),
        read_at=read_at,
        added=added,
        listed=listed,
        source=source,
        needs_metadata=bool(needs_metadata),
        note=note,
    )


class _AddedFields(NamedTuple):
    """What a merge added to a paper's BibTeX fields, for undo to take out again, leaving what
    another readlist added since."""

    names: tuple[str, ...]
    alias: str | None
    """A key added to the `ids` field (`_alias`)."""


def _fields_without(connection: sqlite3.Connection, paper_id: int, added: _AddedFields) -> str:
    """The paper's fields as they are now, less what a merge added."""
    row = connection.execute("SELECT fields FROM paper WHERE id = ?", (paper_id,)).fetchone()
    fields: dict[str, str] = json.loads(row[0]) if row else {}
    for name in added.names:
        fields.pop(name, None)
    if added.alias and "ids" in fields:
        kept = [key for key in _aliases(fields["ids"]) if key != added.alias]
        if kept:
            fields["ids"] = ", ".join(kept)
        else:
            del fields["ids"]
    return json.dumps(fields)


def _keep_preambles(connection: sqlite3.Connection, texts: list[str]) -> list[str]:
    """Store the preambles the library lacks; those it stored."""
    kept = []
    for text in texts:
        if connection.execute(
            "INSERT OR IGNORE INTO bibtex_preamble (text) VALUES (?)", (text,)
        ).rowcount:
            kept.append(text)
    return kept


def _born(connection: sqlite3.Connection, paper_ids: Sequence[int]) -> dict[int, str]:
    """The `added` stamps of those of the papers that exist."""
    rows = connection.execute(
        "SELECT id, added FROM paper WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(paper_ids)),),
    )
    return dict(rows.fetchall())


def _unknown_to_arxiv(arxiv_ids: list[str], fate: str) -> str:
    """One note for the ids arXiv has no paper for."""
    if len(arxiv_ids) == 1:
        return f"arXiv has no paper {arxiv_ids[0]}; {fate}"
    return f"arXiv has no paper for {_some_ids(arxiv_ids)}; {fate}"


def _untitled_by_arxiv(arxiv_ids: list[str], fate: str) -> str:
    """One note for the ids arXiv sent an entry without a title for."""
    return f"arXiv sent no title for {_some_ids(arxiv_ids)}; {fate}"


def _some_ids(arxiv_ids: list[str]) -> str:
    """The one id, or how many and the first three: a line each would bury the summary under a
    hundred when a whole batch is unknown."""
    if len(arxiv_ids) == 1:
        return arxiv_ids[0]
    more = len(arxiv_ids) - 3
    shown = ", ".join(arxiv_ids[:3]) + (f" and {more} more" if more > 0 else "")
    return f"{len(arxiv_ids)} ids ({shown})"


def _put_back(connection: sqlite3.Connection, folded: _FoldedPaper) -> None:
    """Store a folded paper again, under its old id unless another paper has it since."""
    row = dict(folded.row)
    if connection.execute("SELECT 1 FROM paper WHERE id = ?", (row["id"],)).fetchone():
        del row["id"]
    cursor = connection.execute(
        f"INSERT INTO paper ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    connection.executemany(
        "INSERT INTO paper_tag (paper_id, tag) VALUES (?, ?)",
        [(cursor.lastrowid, tag) for tag in folded.tags],
    )


def _tag_pairs(connection: sqlite3.Connection, paper_ids: Sequence[int]) -> set[tuple[int, str]]:
    """The (paper id, tag) pairs the papers have."""
    rows = connection.execute(
        "SELECT paper_id, tag FROM paper_tag WHERE paper_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(paper_ids)),),
    )
    return {(paper_id, tag) for paper_id, tag in rows}


def _values_of(
    connection: sqlite3.Connection,
    paper_ids: Sequence[int],
    columns: tuple[str, ...],
    unless: str | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """The papers' values of `columns`, leaving out those whose first column is `unless` (a
    change that would set it to that changes nothing there)."""
    query = (
        f"SELECT id, {', '.join(columns)} FROM paper WHERE id IN (SELECT value FROM json_each(?))"
    )
    if unless is None:
        rows = connection.execute(query, (json.dumps(list(paper_ids)),))
    else:
        rows = connection.execute(
            f"{query} AND {columns[0]} != ?", (json.dumps(list(paper_ids)), unless)
        )
    return [(row[0], dict(zip(columns, row[1:], strict=True))) for row in rows]


def _batches(drafts: Iterator[Draft], size: int) -> Iterator[list[Draft]]:
    while batch := list(itertools.islice(drafts, size)):
        yield batch


class _ExportSlice(NamedTuple):
    """A piece of an export: the papers (ids in order) and the keys made up for those without."""

    path: Path
    format_name: str
    ids: Sequence[int]
    made_up_keys: dict[int, str]


def _export_slice(work: _ExportSlice) -> list[str]:
    """The entries of a slice of an export, on a connection of its own: this may run in a
    worker process, where the library's connections must not be touched.

    A list, not one text: a text of megabytes per slice, made, sent and freed again and again,
    costs the kernel fresh pages each time (300,000 page faults and 1.2 s at 100,000 papers).
    """
    connection = storage.connect(work.path)
    try:
        # Put in order here: SQLite would sort the rows, abstracts and all, in a temporary table.
        found = {
            row[0]: row
            for row in connection.execute(
                f"SELECT p.id, {_EXPORT_SELECT} FROM paper p "
                "WHERE p.id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(work.ids)),),
            )
        }
    finally:
        connection.close()
    keyed: list[ExportRow] = [
        (work.made_up_keys.get(row[0], row[1]), *row[2:])
        for row in (found[paper_id] for paper_id in work.ids if paper_id in found)
    ]
    return list(exporter(work.format_name).entries(keyed))


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _papers(count: int) -> str:
    """ "1 paper", "3 papers": how many a change was made to, as its undo says."""
    return "1 paper" if count == 1 else f"{count} papers"


def _clean_tags(tags: Iterable[str]) -> list[str]:
    return sorted({tag.strip() for tag in tags if tag.strip()})


def _macros_defined(source: ImportSource) -> int:
    from readlist.formats.bibtex import collect_macros

    return len(collect_macros(source.pieces()))


def _nothing_found(format_name: str, result: Findings) -> str:
    if result.problems:
        return f"no paper could be read ({len(result.problems)} record(s) skipped)"
    what = {"bibtex": "no BibTeX entries", "arxiv": "no arXiv ids"}.get(
        format_name, "no papers found"
    )
    return f"{what}; nothing imported"
