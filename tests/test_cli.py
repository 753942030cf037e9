"""The command line as scripts and users meet it: exact one-line errors, exit codes, JSON."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from arxiv_server import REPLAY, ArxivReplayServer
from conftest import ARXIV_RECORDINGS, SAMPLE_DATA
from typer.testing import CliRunner

from readlist.cli import app
from readlist.errors import ReadlistError
from readlist.library import FileReport, Library
from readlist.models import Draft, Status

REPO = Path(__file__).resolve().parent.parent
JSON_KEYS = {
    "id", "title", "authors", "year", "venue", "abstract", "arxiv_id", "doi", "url", "code_url",
    "key", "tags", "status", "added", "listed",
}  # fmt: skip


def readlist(
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `readlist` command in a child process, as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "readlist", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def readlist_in_shell(
    arguments: str, *, memory_kib: int | None = None
) -> subprocess.CompletedProcess[str]:
    """`readlist ARGUMENTS` run by the shell, for pipes and redirections (`| head`, `<&-`),
    with at most `memory_kib` of memory if given."""
    limit = f"ulimit -v {memory_kib}; " if memory_kib else ""
    return subprocess.run(
        f"{limit}'{sys.executable}' -m readlist {arguments}",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def filled(library_path: Path) -> Path:
    with Library(library_path) as library:
        library.add_drafts(
            [
                (
                    FileReport("seed"),
                    [
                        Draft(
                            "Attention Is All You Need",
                            ["Ashish Vaswani"],
                            2017,
                            arxiv_id="1706.03762",
                        ),
                        Draft("[HOSPITAL] records \x1b[31mred", abstract="[bold]not bold[/bold]"),
                    ],
                )
            ]
        )
    return library_path


def test_list_json_has_the_documented_keys(filled: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(filled), "list", "--json"])
    assert result.exit_code == 0, result.output
    papers = json.loads(result.stdout)
    assert [set(paper) for paper in papers] == [JSON_KEYS, JSON_KEYS]
    by_title = {paper["title"]: paper for paper in papers}
    attention = by_title["Attention Is All You Need"]
    assert attention["authors"] == ["Ashish Vaswani"]
    assert attention["status"] == "unread"
    assert attention["tags"] == []
    assert attention["arxiv_id"] == "1706.03762"
    assert by_title["[HOSPITAL] records \x1b[31mred"]["abstract"] == "[bold]not bold[/bold]"


def test_tag_mark_untag_then_filter(filled: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(filled)]
    papers = json.loads(runner.invoke(app, ["list", "--json", *db]).stdout)
    paper_id = str(next(p["id"] for p in papers if p["title"].startswith("Attention")))
    assert runner.invoke(app, ["tag", paper_id, "nlp", "classic", *db]).exit_code == 0
    assert runner.invoke(app, ["mark", paper_id, "read", *db]).exit_code == 0
    assert runner.invoke(app, ["untag", paper_id, "classic", *db]).exit_code == 0
    kept = json.loads(
        runner.invoke(app, ["list", "--json", "--tag", "nlp", "--status", "read", *db]).stdout
    )
    assert [(p["title"], p["tags"], p["status"]) for p in kept] == [
        ("Attention Is All You Need", ["nlp"], "read")
    ]
    assert (
        json.loads(
            runner.invoke(app, ["list", "--json", "--status", "unread", "--tag", "nlp", *db]).stdout
        )
        == []
    )


def test_table_into_a_pipe_keeps_long_titles_whole(library_path: Path) -> None:
    title = "A Very Long Title " * 12 + "That Ends Here"
    with Library(library_path) as library:
        library.add_drafts([(FileReport("long"), [Draft(title)])])
    result = readlist("--db", str(library_path), "list")
    assert result.stdout.splitlines()[1].endswith(title)


def test_table_shows_markup_and_escapes_literally(filled: Path) -> None:
    result = CliRunner().invoke(app, ["list", "--db", str(filled)])
    assert result.exit_code == 0
    assert "[HOSPITAL] records ␛[31mred" in result.stdout
    assert "\x1b" not in result.stdout


def test_a_closed_or_ascii_only_standard_output_is_no_traceback(filled: Path) -> None:
    with Library(filled) as library:
        library.mark(library.ids(), Status.READ)
    for command in ("list", "list --json", "export"):
        closed = readlist_in_shell(f"--db '{filled}' {command} >&-")
        assert closed.returncode == 1, command
        assert closed.stderr == "readlist: there is no standard output to write to (it is closed)\n"
        # As a locale or PYTHONIOENCODING that cannot spell the ✓ of a read paper.
        ascii_only = readlist(
            "--db", str(filled), *command.split(), env={"PYTHONIOENCODING": "ascii"}
        )
        assert (ascii_only.returncode, ascii_only.stderr) == (0, ""), command
        assert "Attention Is All You Need" in ascii_only.stdout
    table = readlist("--db", str(filled), "list", env={"PYTHONIOENCODING": "ascii"})
    assert "   ✓    2017  Attention Is All You Need" in table.stdout


def test_readlist_db_environment_variable_is_used(filled: Path) -> None:
    result = readlist("list", "--json", env={"READLIST_DB": str(filled)})
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2


def test_import_report_and_tags_show_control_characters_never_obey_them(
    library_path: Path, tmp_path: Path
) -> None:
    # A skipped entry's key, a renamed key and a tag, each holding a sequence that would retitle,
    # clear or recolour the terminal; and a title with a C1 escape and a right-to-left override.
    hostile = tmp_path / "hostile.bib"
    hostile.write_text(
        "@article{x\x1b]0;PWNED\x07, title = {Broken { brace}, year = 2020}\n"
        "@article{dup\x1b[2J, title = {First Work}, year = 2020}\n"
        "@article{dup\x1b[2J, title = {Second Work}, year = 2021}\n"
        "@article{bidi, title = {Safe \u009b31m and \u202eevil}, year = 2022}\n",
        encoding="utf-8",
    )
    imported = readlist("--db", str(library_path), "import", str(hostile))
    papers = json.loads(readlist("--db", str(library_path), "list", "--json").stdout)
    tagged = readlist("--db", str(library_path), "tag", str(papers[0]["id"]), "red\x1b[31mtag")
    listed = readlist("--db", str(library_path), "list")

    assert imported.returncode == 0, imported.stderr
    assert tagged.returncode == 0, tagged.stderr
    assert "skipped entry x␛]0;PWNED␇" in imported.stdout
    assert "dup␛[2J" in imported.stdout
    assert "[red␛[31mtag]" in listed.stdout
    assert "Safe \\x9b31m and \\u202eevil" in listed.stdout
    for output in (imported.stdout, listed.stdout):
        assert not any(character in output for character in "\x1b\x07\x9b\u202e")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.bib", "readlist: {path}: no such file"),
        (lambda d: d, "readlist: {path}: is a folder; name the files in it"),
        (
            lambda d: _write(d / "paper.pdf", b"%PDF-1.4\n\x00\x01binary"),
            "readlist: {path}: a PDF file, not text; export BibTeX or copy the page text",
        ),
        (
            lambda d: _write(d / "page.gz", b"\x1f\x8b\x08\x00compressed"),
            "readlist: {path}: a gzip file, not text; export BibTeX or copy the page text",
        ),
        (
            lambda d: _write(d / "page.html", b"<!DOCTYPE html><html><body>x</body></html>"),
            "readlist: {path}: an HTML page; copy the page's text from the browser instead",
        ),
        (lambda d: _write(d / "empty.txt", b""), "readlist: {path}: empty, nothing to import"),
        # Endless: read until it shows what it is, never to its end.
        (lambda d: Path("/dev/zero"), "readlist: {path}: binary data, not text"),
        (
            lambda d: _write(d / "old.txt", "Caf\xe9 society".encode("latin-1")),
            "readlist: {path}: not valid UTF-8 at byte 3; save it as UTF-8 or declare its encoding in a 'coding:' line",
        ),
    ],
)
def test_bad_input_one_line_error_exit_1_library_untouched(
    filled: Path, tmp_path: Path, make: object, message: str
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    assert callable(make)
    path = make(inputs)
    before = _dump(filled)
    result = readlist("--db", str(filled), "import", str(path))
    assert result.returncode == 1
    assert result.stderr == message.format(path=path) + "\n"
    assert "Traceback" not in result.stdout + result.stderr
    assert _dump(filled) == before


def test_a_bad_byte_deep_in_a_big_file_refuses_the_whole_file(filled: Path, tmp_path: Path) -> None:
    # Papers are stored in batches as the file is read; the byte is met after several batches
    # were written, and the whole file must still go.
    entries = "".join(
        f"@article{{paper{n},\n  title = {{Paper {n} on Sparse Routing}},\n  year = 2024,\n"
        f"  abstract = {{{'More words. ' * 40}}}\n}}\n\n"
        for n in range(12_000)
    ).encode()
    bad_at = len(entries) - 100
    path = _write(tmp_path / "big.bib", entries[:bad_at] + b"\xe9" + entries[bad_at:])
    before = _dump(filled)
    result = readlist("--db", str(filled), "import", str(path))
    assert result.returncode == 1
    assert result.stderr == (
        f"readlist: {path}: not valid UTF-8 at byte {bad_at}; "
        "save it as UTF-8 or declare its encoding in a 'coding:' line\n"
    )
    assert _dump(filled) == before


def test_unknown_format_is_refused_before_reading(filled: Path, tmp_path: Path) -> None:
    result = readlist("--db", str(filled), "import", "--format", "ris", str(tmp_path / "x"))
    assert result.returncode == 1
    assert (
        result.stderr
        == "readlist: unknown import format 'ris' (choose from bibtex, arxiv, listing)\n"
    )


def test_changing_a_missing_paper_is_one_line(filled: Path) -> None:
    result = readlist("--db", str(filled), "tag", "999", "x")
    assert (result.returncode, result.stderr) == (1, "readlist: no paper with id 999\n")


def test_a_file_that_is_not_a_library_is_one_line(tmp_path: Path) -> None:
    bogus = _write(tmp_path / "notes.sqlite", b"just some notes, not a database" * 50)
    result = readlist("--db", str(bogus), "list")
    assert result.returncode == 1
    assert result.stderr == f"readlist: {bogus}: not an SQLite file, so not a readlist library\n"


@pytest.mark.parametrize("damage", ["pages overwritten", "cut short"])
def test_a_damaged_library_is_one_line_for_every_command(filled: Path, damage: str) -> None:
    # What a disk fault or a copy that stopped half-way leaves: the first pages still say
    # "SQLite", the rest is garbage or missing.
    data = filled.read_bytes()
    if damage == "cut short":
        filled.write_bytes(data[: len(data) // 2])
    else:
        filled.write_bytes(data[:16384] + b"\xff" * (len(data) - 16384))
    for command in ("list", "list --json", "export", "tag 1 x", "mark 1 read"):
        result = readlist("--db", str(filled), *command.split())
        assert result.returncode == 1, command
        assert result.stderr.startswith(f"readlist: {filled}: cannot "), command
        assert result.stderr.endswith(" (database disk image is malformed)\n"), command
        assert result.stderr.count("\n") == 1, command


def test_export_to_an_unwritable_place_is_one_line(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "refs.bib"
    result = readlist("--db", str(filled), "export", "-o", str(target))
    assert result.returncode == 1
    assert result.stderr == f"readlist: {target}: folder {target.parent} does not exist\n"


def test_import_from_a_pipe_reads_it_once_and_imports_everything(
    library_path: Path, tmp_path: Path
) -> None:
    # As `readlist import <(curl ...)`: a pipe gives its bytes once, and a file is read twice.
    pipe = tmp_path / "refs.pipe"
    os.mkfifo(pipe)
    bibtex = (SAMPLE_DATA / "bibtex" / "reading-group.bib").read_bytes()
    writer = threading.Thread(target=lambda: pipe.write_bytes(bibtex))
    writer.start()

    result = readlist("--db", str(library_path), "import", str(pipe))
    writer.join(timeout=30)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{pipe} (bibtex): 10 new\n"


def test_impossible_ids_and_a_closed_stdin_are_one_line_errors(filled: Path) -> None:
    for paper_id in ("99999999999999999999", "-5", "0"):
        result = readlist("--db", str(filled), "mark", "--", paper_id, "read")
        assert result.returncode == 2, paper_id
        assert "Invalid value for 'ID'" in result.stderr
        assert "Traceback" not in result.stderr
    closed = readlist_in_shell(f"--db '{filled}' import - <&-")
    assert closed.returncode == 1
    assert closed.stderr == "readlist: -: there is no standard input to read (it is closed)\n"
    twice = readlist("--db", str(filled), "import", "-", "-", stdin=b"@misc{k, title = {Piped In}}")
    assert twice.returncode == 1
    assert twice.stderr == "readlist: -: standard input is read once; it was named before\n"


def test_an_export_to_a_file_that_matches_no_paper_leaves_the_file(
    filled: Path, tmp_path: Path
) -> None:
    target = tmp_path / "refs.bib"
    assert readlist("--db", str(filled), "export", "-o", str(target)).returncode == 0
    exported = target.read_text()
    result = readlist("--db", str(filled), "export", "-o", str(target), "--tag", "thesys")
    assert result.returncode == 1
    assert result.stderr == f"readlist: {target}: no paper to export, nothing written\n"
    assert target.read_text() == exported
    assert exported.startswith("@")


def test_export_onto_the_library_itself_is_refused(filled: Path) -> None:
    before = _dump(filled)
    for target in (filled, filled.with_name(filled.name + "-wal")):
        result = readlist("--db", str(filled), "export", "-o", str(target))
        assert result.returncode == 1
        assert result.stderr == (
            f"readlist: {target}: that is the library itself; name another file\n"
        )
    assert _dump(filled) == before


def test_export_to_dash_is_standard_output(filled: Path, tmp_path: Path) -> None:
    folder = tmp_path / "here"
    folder.mkdir()
    result = readlist("--db", str(filled), "export", "-o", "-", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("@")
    assert list(folder.iterdir()) == []


def test_export_into_a_pipe_writes_into_it_and_leaves_the_pipe(
    filled: Path, tmp_path: Path
) -> None:
    # As `-o /dev/stdout` or `-o >(gzip > refs.bib.gz)`: replacing a device or pipe by a file
    # would, for `-o /dev/null` run as root, break /dev/null for the whole machine.
    pipe = tmp_path / "refs.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()

    result = readlist("--db", str(filled), "export", "-o", str(pipe))
    reader.join(timeout=30)

    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert received[0].decode().startswith("@")
    assert [path.name for path in pipe.parent.iterdir() if path.name.endswith(".tmp")] == []


def test_export_through_a_link_replaces_the_file_it_names_and_keeps_its_permissions(
    filled: Path, tmp_path: Path
) -> None:
    real = tmp_path / "synced" / "refs.bib"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    fresh = tmp_path / "fresh.bib"

    for target in (link, fresh):
        result = readlist("--db", str(filled), "export", "-o", str(target))
        assert result.returncode == 0, result.stderr

    assert link.is_symlink()
    assert real.read_text().startswith("@")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for command in ("import", "export", "list", "tag", "untag", "mark", "refresh"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        # Options name what they take, not the Python type behind them ("--db <str>").
        assert "--db FILE" in result.stdout, command
        assert "<str>" not in result.stdout, command


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _dump(path: Path) -> list[str]:
    return list(sqlite3.connect(path).iterdump())


def test_arxiv_ids_from_stdin_offline_then_refresh(library_path: Path) -> None:
    ids = b"arXiv:1605.08386v1\nhttps://arxiv.org/abs/astro-ph/0601001\n"
    closed_port = {
        "READLIST_ARXIV_API": "http://127.0.0.1:9/api/query",
        "READLIST_ARXIV_DELAY": "0",
    }
    offline = readlist("--db", str(library_path), "import", "-", stdin=ids, env=closed_port)
    assert offline.returncode == 0, offline.stderr
    assert "- (arxiv): 2 new, 2 waiting for arXiv metadata" in offline.stdout
    assert "arXiv could not be reached" in offline.stdout
    listed = readlist("--db", str(library_path), "list")
    assert listed.stdout.count("(waiting for arXiv)") == 2

    with ArxivReplayServer(ARXIV_RECORDINGS) as server:
        env = {"READLIST_ARXIV_API": server.url, "READLIST_ARXIV_DELAY": "0"}
        refreshed = readlist("--db", str(library_path), "refresh", env=env)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout == "filled in 2 of 2; 0 still waiting\n"
    papers = json.loads(
        readlist("--db", str(library_path), "list", "--json", "--sort", "title").stdout
    )
    assert [paper["title"] for paper in papers] == [
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina",
        "Heat-bath random walks with Markov bases",
    ]
    assert papers[1]["authors"] == ["Caprice Stanley", "Tobias Windisch"]
    assert papers[1]["key"] == "stanley2016heat"


def test_a_mistyped_arxiv_api_url_is_one_line_and_imports_nothing(filled: Path) -> None:
    before = _dump(filled)
    env = {"READLIST_ARXIV_API": "http://localhost:PORT/api/query"}

    result = readlist("--db", str(filled), "import", "-", stdin=b"2401.00001\n", env=env)

    assert result.returncode == 1
    assert result.stderr == (
        "readlist: READLIST_ARXIV_API must be an http or https URL, "
        "not 'http://localhost:PORT/api/query'\n"
    )
    assert _dump(filled) == before


def test_list_json_with_a_search_is_best_match_first(filled: Path) -> None:
    result = CliRunner().invoke(
        app, ["list", "--json", "--search", "atention is al you ned", "--db", str(filled)]
    )
    assert result.exit_code == 0
    assert [paper["title"] for paper in json.loads(result.stdout)] == ["Attention Is All You Need"]


@pytest.mark.parametrize(
    ("stop", "exit_code", "stderr"),
    [
        (signal.SIGKILL, -signal.SIGKILL, ""),
        (signal.SIGINT, 130, "readlist: interrupted; changes already written are kept\n"),
    ],
)
def test_an_import_stopped_midway_leaves_the_library_as_before(
    filled: Path, tmp_path: Path, stop: signal.Signals, exit_code: int, stderr: str
) -> None:
    page = tmp_path / "big-listing.txt"
    records = (
        f"Paper Number {n} on Sparse Routing\n\nWe study sparse routing in model {n}. "
        + "More words. " * 60
        for n in range(40_000)
    )
    page.write_text("Mar 14\n\n" + "\n\n".join(records) + "\n")
    before = _dump(filled)
    # A large import writes through a rollback journal into the file itself, else into the WAL.
    written = (filled, filled.with_name(filled.name + "-wal"))
    sizes = [path.stat().st_size if path.exists() else 0 for path in written]
    child = subprocess.Popen(
        [sys.executable, "-m", "readlist", "--db", str(filled), "import", str(page)],
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    while child.poll() is None and time.monotonic() < started + 60:
        # SIGKILL once the file or its write-ahead log grows, mid-write, the worst moment; Ctrl+C
        # is handled between Python steps, after a commit under way, so it comes a second in.
        if stop is signal.SIGKILL:
            writing = any(
                path.exists() and path.stat().st_size > size + 1_000_000
                for path, size in zip(written, sizes, strict=True)
            )
        else:
            writing = time.monotonic() > started + 1
        if writing:
            child.send_signal(stop)
            break
        time.sleep(0.01)
    _, error_output = child.communicate()
    assert child.returncode == exit_code, "the import finished before it could be stopped"
    assert error_output == stderr
    assert _dump(filled) == before


def test_an_export_stopped_midway_leaves_no_file_behind(library_path: Path, tmp_path: Path) -> None:
    with Library(library_path) as library:
        drafts = [
            Draft(f"Paper Number {n} on Sparse Routing", abstract="More words. " * 60)
            for n in range(40_000)
        ]
        library.add_drafts([(FileReport("many"), drafts)])
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "refs.bib"
    child = subprocess.Popen(
        [sys.executable, "-m", "readlist", "--db", str(library_path), "export", "-o", str(target)],
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    while child.poll() is None and time.monotonic() < started + 60:
        # Ctrl+C once the export has written a megabyte of its 30.
        if any(path.stat().st_size > 1_000_000 for path in folder.glob(".refs.bib.*")):
            child.send_signal(signal.SIGINT)
            break
        time.sleep(0.01)
    _, error_output = child.communicate()

    assert child.returncode == 130, "the export finished before it could be stopped"
    assert error_output == "readlist: interrupted; changes already written are kept\n"
    assert list(folder.iterdir()) == []


def test_output_cut_short_by_head_ends_quietly(library_path: Path) -> None:
    with Library(library_path) as library:
        drafts = [Draft(f"Paper {n}", abstract="Long abstract. " * 80) for n in range(2_000)]
        library.add_drafts([(FileReport("many"), drafts)])
    # Megabytes of output: far more than the pipe holds when `head` leaves.
    for command in ("list --json", "export", "list"):
        result = readlist_in_shell(f"--db '{library_path}' {command} | head -c 1")
        assert result.stderr == "", command


def test_a_refresh_arxiv_stops_part_way_stores_what_came_and_fails(library_path: Path) -> None:
    ids = "\n".join(["1605.08386", *(f"2401.{number:05d}" for number in range(100, 200))])
    closed_port = {"READLIST_ARXIV_API": "http://127.0.0.1:9/api/query"}
    readlist("--db", str(library_path), "import", "-", stdin=ids.encode(), env=closed_port)

    with ArxivReplayServer(ARXIV_RECORDINGS) as server:
        server.fail_next(REPLAY, 429, 429)
        env = {"READLIST_ARXIV_API": server.url, "READLIST_ARXIV_DELAY": "0"}
        refreshed = readlist("--db", str(library_path), "refresh", env=env)

    assert refreshed.returncode == 1
    assert refreshed.stdout == "filled in 1 of 101; 100 still waiting\n"
    assert refreshed.stderr == (
        "readlist: arXiv could not be reached (HTTP 429); run `readlist refresh` again later\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--json"],
        ["export"],
        ["tag", "1", "x"],
        ["mark", "1", "read"],
        ["refresh"],
    ],
)
def test_a_command_on_a_library_that_is_not_there_makes_none(
    tmp_path: Path, command: list[str]
) -> None:
    # A mistyped --db must not look like a library that lost its papers.
    typo = tmp_path / "libary.sqlite"

    result = readlist("--db", str(typo), *command)

    assert result.returncode == 1
    assert result.stderr == (
        f"readlist: {typo}: no library there; `readlist import FILE` makes one (or check --db "
        "and READLIST_DB)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_stops_a_command_waiting_for_another_writer(library_path: Path) -> None:
    with Library(library_path) as library:
        library.add_drafts([(FileReport("one"), [Draft("Layer Normalization")])])
    other = sqlite3.connect(library_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "readlist", "--db", str(library_path), "tag", "1", "x"],
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)  # well into the wait for the write lock, which lasts 30 s
        child.send_signal(signal.SIGINT)
        # A guard, not a timing: before, Ctrl+C took effect only when the 30 s were over.
        _, error_output = child.communicate(timeout=15)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert child.returncode == 130
    assert error_output == "readlist: interrupted; changes already written are kept\n"


@pytest.mark.parametrize("command", ["tag", "untag"])
def test_an_empty_tag_is_refused_not_ignored(library_path: Path, command: str) -> None:
    with Library(library_path) as library:
        library.add_drafts([(FileReport("one"), [Draft("Layer Normalization")])])

    result = readlist("--db", str(library_path), command, "1", "", "  ")

    assert (result.returncode, result.stderr) == (1, "readlist: a tag cannot be empty\n")


def test_a_status_is_read_in_any_case(library_path: Path) -> None:
    with Library(library_path) as library:
        library.add_drafts([(FileReport("one"), [Draft("Layer Normalization")])])

    result = readlist("--db", str(library_path), "mark", "1", "READ")

    assert result.returncode == 0, result.stderr
    with Library(library_path) as library:
        assert library.get(1).status is Status.READ


def test_a_blank_readlist_db_means_the_default_library(tmp_path: Path) -> None:
    result = readlist("list", env={"READLIST_DB": "  ", "XDG_DATA_HOME": str(tmp_path)})

    assert result.returncode == 1
    assert result.stderr.startswith(f"readlist: {tmp_path / 'readlist' / 'library.sqlite'}: ")


@pytest.mark.parametrize(
    "command",
    [
        ["import", str(SAMPLE_DATA / "bibtex" / "reading-group.bib")],
        ["export"],
        ["list"],
        ["tag", "1", "x"],
        ["untag", "1", "x"],
        ["mark", "1", "read"],
        ["refresh"],
    ],
)
def test_a_folder_named_as_the_library_is_one_line_however_it_is_named(
    tmp_path: Path, command: list[str]
) -> None:
    expected = (1, f"readlist: {tmp_path}: is a folder, not a library file\n")

    before_command = readlist("--db", str(tmp_path), *command)
    after_command = readlist(*command, "--db", str(tmp_path))
    from_environment = readlist(*command, env={"READLIST_DB": str(tmp_path)})

    for result in (before_command, after_command, from_environment):
        assert (result.returncode, result.stderr) == expected
    assert list(tmp_path.iterdir()) == []


def test_a_folder_named_as_the_library_of_the_app_is_refused_before_it_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.tui.app import ReadlistApp

    def opened(_app: ReadlistApp) -> None:
        raise AssertionError("the app opened")

    monkeypatch.setattr(ReadlistApp, "run", opened)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "papers"
    folder.mkdir()

    result = CliRunner().invoke(app, ["--db", str(folder)])

    assert result.exit_code == 1
    assert isinstance(result.exception, ReadlistError)
    assert result.exception.message == f"{folder}: is a folder, not a library file"


def test_an_empty_output_file_name_is_refused_as_empty(filled: Path, tmp_path: Path) -> None:
    result = readlist("--db", str(filled), "export", "-o", "", cwd=tmp_path)

    assert (result.returncode, result.stderr) == (
        1,
        "readlist: the output file name is empty; name a file, or - for standard output\n",
    )
    assert result.stdout == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == [filled.name]


@pytest.mark.parametrize("command", [["list"], ["import", "-"]])
def test_an_empty_library_file_name_is_refused_as_empty(tmp_path: Path, command: list[str]) -> None:
    result = readlist("--db", "", *command, cwd=tmp_path, stdin=b"2401.00001\n")

    assert (result.returncode, result.stderr) == (
        1,
        "readlist: the library file name given to --db is empty\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_standard_input_is_read_as_the_import_goes(filled: Path, tmp_path: Path) -> None:
    # As a file is: /dev/zero shows what it is in its first megabyte. (The memory limit stops
    # a reading of it whole from taking the machine's memory.)
    before = _dump(filled)
    endless = readlist_in_shell(f"--db '{filled}' import - < /dev/zero", memory_kib=1_000_000)
    assert (endless.returncode, endless.stderr) == (1, "readlist: -: binary data, not text\n")
    assert _dump(filled) == before
    # BibTeX is read more than once (macros and keys first): what came is read again.
    bibtex = (SAMPLE_DATA / "bibtex" / "reading-group.bib").read_bytes()
    piped = readlist("--db", str(tmp_path / "new.sqlite"), "import", "-", stdin=bibtex)
    assert (piped.returncode, piped.stdout) == (0, "- (bibtex): 10 new\n")


def test_the_progress_bar_shows_on_a_terminal_for_piped_input(tmp_path: Path) -> None:
    # How much a pipe holds is unknown until it is read: it may be a large import. A small file
    # is known to take a moment only, and shows no bar. (`script` gives the command a terminal.)
    paper = tmp_path / "paper.bib"
    paper.write_text("@misc{k, title = {Piped In}}\n")
    database = tmp_path / "lib.sqlite"

    readlist_command = f"'{sys.executable}' -m readlist --db '{database}' import"

    def on_a_terminal(shell: str) -> str:
        run = ["script", "-qec", shell, os.devnull]
        return subprocess.run(run, capture_output=True, text=True, check=True).stdout

    assert "importing" in on_a_terminal(f"cat '{paper}' | {readlist_command} -")
    assert "importing" not in on_a_terminal(f"{readlist_command} '{paper}'")


def test_a_big_bibtex_file_imported_on_a_terminal_is_still_split_on_a_worker(
    tmp_path: Path,
) -> None:
    # Beside a thread, no worker process is forked (`parallel.ordered_map`): the progress bar
    # must not run one to redraw itself, or an import on a terminal is a third slower.
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the file is split by the importing process itself")
    abstract = "We study sparse routing in mixtures of experts. " * 30
    entries = (
        f"@article{{paper{n},\n  title = {{Paper {n} on Sparse Routing}},\n"
        f"  author = {{Ada Lovelace and Alan Turing}},\n  year = {{2024}},\n"
        f"  abstract = {{{abstract}}}\n}}\n"
        for n in range(6_000)
    )
    big = tmp_path / "big.bib"
    big.write_text("\n".join(entries))
    assert big.stat().st_size > 9 << 20  # what readlist splits on workers
    database = tmp_path / "lib.sqlite"
    command = f"'{sys.executable}' -m readlist --db '{database}' import '{big}'"
    terminal = subprocess.Popen(
        ["script", "-qec", command, os.devnull], stdout=subprocess.PIPE, text=True
    )
    forked = False
    while terminal.poll() is None and not forked:
        forked = any(_children(pid) for pid in _readlist_processes(database))
        time.sleep(0.005)
    output, _ = terminal.communicate()
    assert terminal.returncode == 0
    assert "importing" in output
    assert "6000 new" in output
    assert forked


def _readlist_processes(database: Path) -> list[int]:
    """The readlist processes working on `database` (not the shell or `script` starting one)."""
    command = [sys.executable, "-m", "readlist", "--db", str(database)]
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            arguments = (folder / "cmdline").read_bytes().decode().split("\0")
        except OSError:  # ended meanwhile
            continue
        if arguments[: len(command)] == command:
            found.append(int(folder.name))
    return found


def _children(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "task" / str(pid) / "children").read_text().split()
    except OSError:
        return []


def test_the_arxiv_pause_holds_between_two_commands(library_path: Path) -> None:
    # As a script importing id files one after another: the second command waits its turn.
    with ArxivReplayServer(ARXIV_RECORDINGS) as server:
        env = {"READLIST_ARXIV_API": server.url, "READLIST_ARXIV_DELAY": "2"}
        for ids in (b"1605.08386\n", b"astro-ph/0601001\n"):
            result = readlist("--db", str(library_path), "import", "-", stdin=ids, env=env)
            assert (result.returncode, result.stderr) == (0, "")

    first, second = server.requests
    assert second.received - first.received >= 2
