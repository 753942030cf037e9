"""The command line: a thin Typer layer over `readlist.library.Library`.

Every `ReadlistError` becomes one line on stderr and exit status 1; stdout carries only data.
Heavy modules (the app, importers, exporters) load inside the commands that need them.
"""

from __future__ import annotations

import logging
import shutil
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from readlist.errors import ExportError, ReadlistError
from readlist.library import Library, PaperFilter, SortKey
from readlist.models import Paper, Status
from readlist.paths import default_library_path

if TYPE_CHECKING:
    from readlist.library import FileReport, ImportReport, ImportSource

app = typer.Typer(
    name="readlist",
    help="Keep your reading list of papers: import listings, BibTeX and arXiv ids; triage; export BibTeX.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class StatusChoice(StrEnum):
    """`--status` values."""

    READ = "read"
    UNREAD = "unread"


DbOption = Annotated[
    # A string: as a Path, an empty name would be "." and refused as a folder.
    str | None,
    typer.Option(
        "--db",
        metavar="FILE",
        help="Library file (default: $READLIST_DB, else the user data folder).",
    ),
]
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", metavar="TAG", help="Only papers with this tag (repeatable)."),
]
StatusOption = Annotated[
    StatusChoice | None, typer.Option("--status", help="Only read or unread papers.")
]
SearchOption = Annotated[
    str | None, typer.Option("--search", metavar="QUERY", help="Fuzzy search; best match first.")
]


class _State:
    """Options given before the command (`readlist --db F list`)."""

    db: str | None = None


_state = _State()


def _library_path(db: str | None) -> Path:
    chosen = db if db is not None else _state.db
    if chosen is None:
        return default_library_path()
    if not chosen:
        raise ReadlistError("the library file name given to --db is empty")
    return Path(chosen).expanduser()


@contextmanager
def _open_library(db: str | None, *, existing: bool = True) -> Iterator[Library]:
    """The library; one that does not exist yet only for a command that adds papers (an empty
    library made for `list` would pass a mistyped `--db` off as a library that lost its papers)."""
    path = _library_path(db)
    if existing and not path.exists():
        raise ReadlistError(
            f"{path}: no library there; `readlist import FILE` makes one (or check --db and "
            "READLIST_DB)"
        )
    with Library(path) as library:
        yield library


def _filter(tags: list[str] | None, status: StatusChoice | None, search: str | None) -> PaperFilter:
    return PaperFilter(
        tags=tuple(tags or ()),
        status=Status(status.value) if status else None,
        search=search,
    )


@app.callback(invoke_without_command=True)
def main_callback(
    context: typer.Context,
    db: DbOption = None,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Open a throwaway demo library built from sample_data/."),
    ] = False,
) -> None:
    """With no command, open the full-screen app on the library."""
    _state.db = db
    if context.invoked_subcommand is not None:
        if demo:
            raise ReadlistError("--demo opens the app; it takes no command")
        return
    from readlist.tui import run

    if demo:
        from readlist.demo import demo_library

        with demo_library() as path:
            run(path)
        return
    run(_library_path(db))


@app.command("import")
def import_command(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH", help="Files to import; - reads standard input."),
    ],
    format_name: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="bibtex, listing or arxiv (default: detected)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import papers from listing-page text, BibTeX or arXiv ids/URLs."""
    from readlist.formats import check_format_name
    from readlist.library import ImportSource

    check_format_name(format_name)
    sources = []
    failed = False
    for number, raw_path in enumerate(paths):
        if raw_path == "-" and "-" in paths[:number]:
            _error("-: standard input is read once; it was named before")
            failed = True
            continue
        try:
            sources.append(ImportSource.from_path(raw_path))
        except ReadlistError as error:
            _error(error.message)
            failed = True
    with _open_library(db, existing=False) as library:
        report = _run_import(library, sources, format_name)
    for file_report in report.files:
        if file_report.error:
            _error(file_report.error)
            failed = True
            continue
        typer.echo(_printable(_summary_line(file_report)))
        for line in file_report.skipped:
            typer.echo(f"  skipped {_printable(line)}")
        for note in file_report.notes:
            typer.echo(f"  note: {_printable(note)}")
    if failed:
        raise typer.Exit(1)


def _run_import(
    library: Library, sources: list[ImportSource], format_name: str | None
) -> ImportReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # Transient and on stderr: the bar shows while a large import runs, then leaves only the
    # summary; never when stderr is a file or pipe, where it would leave a blank line behind.
    # Redrawn as each batch is stored, not by Rich's refresh thread: beside a thread, a big
    # BibTeX file is not split on worker processes (`parallel.ordered_map`), a third slower.
    console = Console(stderr=True)
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
        disable=not console.is_terminal or not _worth_a_progress_bar(sources),
    ) as progress:
        task = progress.add_task("import", total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total, refresh=True)

        return library.import_sources(sources, format_name=format_name, progress=advance)


def _worth_a_progress_bar(sources: list[ImportSource]) -> bool:
    """Whether the import may take more than a moment: 2 MB or more, or piped in, when how much
    will come is unknown (the bar is transient, so a short one leaves nothing behind)."""
    return any(source.streamed for source in sources) or (
        sum(source.size for source in sources) >= 2_000_000
    )


def _summary_line(report: FileReport) -> str:
    parts = [f"{report.new} new"]
    if report.merged:
        parts.append(f"{report.merged} merged")
    if report.unchanged:
        parts.append(f"{report.unchanged} already in the library")
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    if report.waiting:
        parts.append(f"{report.waiting} waiting for arXiv metadata")
    return f"{report.source} ({report.format}): {', '.join(parts)}"


@app.command("export")
def export_command(
    output: Annotated[
        # A string: as a Path, an empty name would be "." and refused as a folder.
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to this file (default, or -: stdout)."
        ),
    ] = None,
    tag: TagOption = None,
    status: StatusOption = None,
    search: SearchOption = None,
    db: DbOption = None,
) -> None:
    """Export papers as BibTeX for LaTeX."""
    if output == "":
        raise ExportError("the output file name is empty; name a file, or - for standard output")
    paper_filter = _filter(tag, status, search)
    with _open_library(db) as library:
        if output is not None and output != "-":
            library.write_bibtex(Path(output), paper_filter)
            return
        # closing(): the stream ends (and its workers with it) before the library closes, even
        # when the reader of stdout goes away mid-way (`readlist export | head`).
        with closing(library.bibtex_chunks(paper_filter)) as chunks, _standard_output() as out:
            out.writelines(chunks)


@app.command("list")
def list_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON array, one object per paper.")
    ] = False,
    tag: TagOption = None,
    status: StatusOption = None,
    search: SearchOption = None,
    sort: Annotated[SortKey, typer.Option("--sort", help="Order of the papers.")] = SortKey.ADDED,
    db: DbOption = None,
) -> None:
    """List papers as a table, or as JSON for scripts."""
    paper_filter = _filter(tag, status, search)
    with _open_library(db) as library:
        if as_json:
            with closing(library.iter_json(paper_filter, sort)) as objects:
                _write_json(objects)
        else:
            with closing(library.iter_papers(paper_filter, sort)) as papers:
                _write_table(papers)


def _write_json(objects: Iterable[str]) -> None:
    """A JSON array streamed one object per line: readable, greppable, never all in memory."""
    with _standard_output() as out:
        separator = "[\n"
        for text in objects:
            out.write(separator)
            out.write(text)
            separator = ",\n"
        out.write("[]\n" if separator == "[\n" else "\n]\n")


@contextmanager
def _standard_output() -> Iterator[TextIO]:
    """Standard output for a long text, with a 1 MiB buffer: writing the JSON of 100,000 papers
    (185 MB) through the default 8 KiB one takes 0.3-0.5 s, through this 0.16 s. Always UTF-8:
    a title in any script is written whole whatever the locale says."""
    if sys.stdout is None:
        raise ReadlistError("there is no standard output to write to (it is closed)")
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        # Not a file (a test runner's capture): it buffers in memory anyway.
        yield sys.stdout
        return
    sys.stdout.flush()
    with open(descriptor, "w", encoding="utf-8", buffering=1 << 20, closefd=False) as out:
        yield out


def _write_table(papers: Iterable[Paper]) -> None:
    """Plain fixed-width columns, streamed: fast at 100,000 rows, and safe for any title.
    Lines are cut to a terminal's width; into a pipe or file (`| grep`) they go whole."""
    with _standard_output() as out:
        fitted = _cut_to(shutil.get_terminal_size().columns) if out.isatty() else None
        out.write(f"{'id':>6}  read  year  title\n")
        for paper in papers:
            mark = "✓" if paper.status is Status.READ else " "
            year = str(paper.year) if paper.year else (paper.listed or "")[:4]
            tags = f"  [{_printable(', '.join(paper.tags))}]" if paper.tags else ""
            waiting = " (waiting for arXiv)" if paper.needs_metadata else ""
            line = f"{paper.id:>6}  {mark:^4}  {year:4}  {_printable(paper.title)}{waiting}{tags}"
            out.write((fitted(line) if fitted else line) + "\n")


def _cut_to(columns: int) -> Callable[[str], str]:
    """Cuts a line to `columns` of a terminal: by the cells its characters take, since a CJK
    character takes two and a line cut by characters would wrap."""
    from rich.cells import cell_len, set_cell_size

    def fitted(line: str) -> str:
        if len(line) * 2 <= columns or cell_len(line) <= columns:
            return line
        return set_cell_size(line, columns - 1) + "…"

    return fitted


def _printable(text: str) -> str:
    """Text from papers and files with its control characters shown, never obeyed: an escape
    sequence in a title or a BibTeX key would otherwise recolour, clear or retitle the terminal."""
    return text if text.isprintable() else text.translate(_VISIBLE)


_VISIBLE = str.maketrans(
    {
        **{code: chr(0x2400 + code) for code in range(0x20)},  # ␛ for ESC, ␉ for a tab...
        0x7F: "␡",
        # C1 controls (0x9B starts a sequence like ESC [ does) and the marks that reorder text.
        **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},
        **{code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    }
)


PaperIdArgument = Annotated[
    # Ids are SQLite integers: a bigger number is no paper's, and cannot even be looked up.
    int,
    typer.Argument(
        metavar="ID", help="The paper's id (see `readlist list`).", min=1, max=2**63 - 1
    ),
]


@app.command("tag")
def tag_command(
    paper_id: PaperIdArgument,
    tags: Annotated[list[str], typer.Argument(metavar="TAG", help="Tags to add.")],
    db: DbOption = None,
) -> None:
    """Add tags to a paper."""
    with _open_library(db) as library:
        library.tag([paper_id], _given_tags(tags))


def _given_tags(tags: list[str]) -> list[str]:
    # `tag 1 ""` would otherwise do nothing and say nothing.
    if not any(tag.strip() for tag in tags):
        raise ReadlistError("a tag cannot be empty")
    return tags


@app.command("untag")
def untag_command(
    paper_id: PaperIdArgument,
    tags: Annotated[list[str], typer.Argument(metavar="TAG", help="Tags to remove.")],
    db: DbOption = None,
) -> None:
    """Remove tags from a paper."""
    with _open_library(db) as library:
        library.untag([paper_id], _given_tags(tags))


@app.command("mark")
def mark_command(
    paper_id: PaperIdArgument,
    status: Annotated[StatusChoice, typer.Argument(help="read or unread.", case_sensitive=False)],
    db: DbOption = None,
) -> None:
    """Mark a paper read or unread."""
    with _open_library(db) as library:
        library.mark([paper_id], Status(status.value))


@app.command("refresh")
def refresh_command(db: DbOption = None) -> None:
    """Fetch arXiv metadata for papers imported while arXiv was out of reach."""
    with _open_library(db) as library:
        waiting = len(library.waiting_for_metadata())
        if not waiting:
            typer.echo("no paper is waiting for arXiv metadata")
            return
        report = library.refresh()
    typer.echo(f"filled in {report.merged} of {waiting}; {report.waiting} still waiting")
    for note in report.notes:
        typer.echo(f"  note: {_printable(note)}")
    if report.error:
        _error(report.error)
        raise typer.Exit(1)


def _error(message: str) -> None:
    typer.echo(f"readlist: {_printable(message)}", err=True)


class _Interrupted(ReadlistError):
    """Ctrl+C. Not a KeyboardInterrupt, which Typer turns into a silent exit."""


def _interrupt(_signal: int, _frame: object) -> None:
    raise _Interrupted("interrupted")


def main() -> None:
    """The `readlist` command."""
    # Parsers log what they skip; readlist reports skipped records itself, and stray log lines
    # on stderr would land in the middle of the app's screen.
    for noisy in ("bibtexparser", "pylatexenc"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app()
    except _Interrupted:
        _error("interrupted; changes already written are kept")
        sys.exit(130)
    except ReadlistError as error:
        _error(error.message)
        sys.exit(1)


if __name__ == "__main__":
    main()
