"""The library file: creation, WAL, schema versions, the upgrade from version 1, bad files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from readlist import storage
from readlist.errors import LibraryError
from readlist.library import FileReport, Library
from readlist.models import Draft, Status
from readlist.schema import METADATA
from readlist.storage import PAGE_SIZE, SCHEMA_VERSION, backup_path

V1_SCRIPT = Path(__file__).parent / "fixtures" / "library_v1.sql"


def test_new_library_is_wal_with_foreign_keys_and_current_schema(library_path: Path) -> None:
    Library(library_path).close()
    connection = sqlite3.connect(library_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _indexes(library_path) == {
        "ix_paper_added",
        "ix_paper_listed",
        "ix_paper_status",
        "ix_paper_title_norm",
        "ix_paper_import_id",
        "ix_paper_tag_tag",
    }


def _indexes(path: Path) -> set[str]:
    """The library's own indexes (not SQLite's automatic ones for keys)."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
        )
        return {row[0] for row in rows}
    finally:
        connection.close()


def test_version_1_library_is_upgraded_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(V1_SCRIPT.read_text())
    connection.close()

    with Library(path) as library:
        papers = {paper.id: paper for paper in library.papers()}
        assert papers[1].title.startswith("Neural Tangent Kernel")
        assert papers[1].authors == ["Arthur Jacot", "Franck Gabriel", "Clément Hongler"]
        assert papers[1].status is Status.READ
        assert papers[1].tags == ["theory", "to-read-again"]
        assert papers[1].note == ""
        library.set_note(1, "the kernel stays constant in the infinite-width limit")
        assert library.get(1).note.startswith("the kernel")

    backup = backup_path(path, 1)
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM paper").fetchone()[0] == 2
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    fresh = tmp_path / "fresh.sqlite"
    Library(fresh).close()
    assert _indexes(path) == _indexes(fresh)
    assert _tables(path) == _tables(fresh)


def _version_1_library(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(V1_SCRIPT.read_text())
    connection.close()
    return path


@pytest.mark.parametrize("kind", ["new", "version 1"])
def test_two_readlists_opening_one_library_at_once_both_open_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # The app and `readlist import` started together, on a library not made or not upgraded
    # yet: both read the file's version before either changes it.
    path = tmp_path / "library.sqlite"
    if kind == "version 1":
        _version_1_library(path)
    both_read = threading.Barrier(2, timeout=30)
    first_read = threading.local()
    read_version = storage._schema_version

    def read_then_wait_for_the_other(connection: sqlite3.Connection, at: Path) -> int:
        version = read_version(connection, at)
        if not getattr(first_read, "done", False):
            first_read.done = True
            both_read.wait()
        return version

    monkeypatch.setattr(storage, "_schema_version", read_then_wait_for_the_other)
    errors: list[str] = []

    def open_library() -> None:
        try:
            Library(path).close()
        except LibraryError as error:
            errors.append(error.message)

    threads = [threading.Thread(target=open_library) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    opened = sqlite3.connect(path)
    assert opened.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    # So that the app reads while an import writes; the version-1 file came without it.
    assert opened.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    if kind == "version 1":
        backup = sqlite3.connect(backup_path(path, 1))
        assert backup.execute("PRAGMA user_version").fetchone()[0] == 1


def test_an_upgrade_waits_for_another_writer_and_says_when_it_gave_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.storage.BUSY_SECONDS", 0.2)
    path = _version_1_library(tmp_path / "old.sqlite")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LibraryError) as raised:
            Library(path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert raised.value.message == (
        f"{path}: busy, another program has been writing to it for 0.2 s "
        "(database is locked); try again when it is done"
    )
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    with Library(path) as library:
        assert library.counts().total == 2


def test_a_library_a_large_import_holds_waits_then_says_it_is_busy(
    library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library(library_path) as library:
        library.add_drafts([(FileReport("one"), [Draft("Attention Is All You Need")])])
    monkeypatch.setattr("readlist.storage.BUSY_SECONDS", 0.2)
    # A large import writing through a rollback journal (`rollback_journal`): the app opened
    # meanwhile reads, but cannot put the file back in WAL mode...
    importer = sqlite3.connect(library_path, isolation_level=None)
    importer.execute("PRAGMA journal_mode = DELETE")
    importer.execute("BEGIN IMMEDIATE")
    try:
        with Library(library_path) as app_side:
            # ...and once the import's pages no longer fit in memory, it holds the file whole.
            importer.execute("COMMIT")
            importer.execute("BEGIN EXCLUSIVE")
            with pytest.raises(LibraryError) as reading:
                app_side.counts()
            with pytest.raises(LibraryError) as opening:
                Library(library_path)
            importer.execute("ROLLBACK")
            assert app_side.counts().total == 1
    finally:
        importer.close()
    busy = (
        f"{library_path}: busy, another program has been writing to it for 0.2 s "
        "(database is locked); try again when it is done"
    )
    assert (reading.value.message, opening.value.message) == (busy, busy)


def _tables(path: Path) -> dict[str, str]:
    """Each table's columns, as SQLite lists them: one an upgrade added reads like one a new
    library was created with."""
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {name: _columns(connection, name) for name in names}
    finally:
        connection.close()


def _columns(connection: sqlite3.Connection, table: str) -> str:
    rows = connection.execute(f"PRAGMA table_info({table})").fetchall()
    return ", ".join(
        f"{name} {kind} {'NOT NULL' if not_null else ''}" for _, name, kind, not_null, *_ in rows
    )


def test_library_from_a_newer_readlist_is_refused_untouched(library_path: Path) -> None:
    sqlite3.connect(library_path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = library_path.read_bytes()
    with pytest.raises(LibraryError, match="newer readlist"):
        Library(library_path)
    assert library_path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 not a database at all" * 100, "not an SQLite file"),
        ("folder", "is a folder"),
        # As `--db /dev/null`: SQLite would fail half-way with "disk I/O error".
        ("pipe", "a device or a pipe, not a library file"),
    ],
)
def test_not_a_library_is_refused(tmp_path: Path, content: bytes | str, message: str) -> None:
    path = tmp_path / "library.sqlite"
    if content == "folder":
        path.mkdir()
    elif content == "pipe":
        os.mkfifo(path)
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(LibraryError, match=message):
        Library(path)


def test_a_library_that_cannot_be_created_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk part-way through the tables, as SQLAlchemy reports it.
    def disk_full(*_args: object) -> None:
        raise OperationalError("CREATE TABLE paper", {}, sqlite3.OperationalError("disk is full"))

    monkeypatch.setattr(METADATA, "create_all", disk_full)
    path = tmp_path / "library.sqlite"

    with pytest.raises(LibraryError) as raised:
        Library(path)

    assert raised.value.message == f"{path}: cannot create the library (disk is full)"
    assert list(tmp_path.iterdir()) == []


def test_another_applications_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE things (x)")
    with pytest.raises(LibraryError, match="not a readlist library"):
        Library(path)


def test_a_library_in_a_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    Library(folder / "library.sqlite").close()
    # As root, permissions do not stop a write; the immutable flag does, where it exists.
    locked = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if locked.returncode != 0:
        pytest.skip("no chattr +i here to make a folder that even root cannot write")
    try:
        for path in (folder / "library.sqlite", folder / "new.sqlite"):
            with pytest.raises(LibraryError) as raised:
                Library(path)
            assert raised.value.message.endswith("; its folder must be writable")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
