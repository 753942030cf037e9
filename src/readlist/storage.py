"""The library file: connections, schema versions and their upgrades (tables are in `schema`)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from readlist.errors import LibraryError

SCHEMA_VERSION = 4
"""Stored in SQLite's `user_version`; raise it with each upgrade step below."""

BUSY_SECONDS = 30.0
"""How long a write waits for another writer (the app, a second import) to finish."""
_LOCK_POLL_MS = 100
"""How long one of `begin_writing`'s waits for the write lock lasts, in milliseconds."""

PAGE_SIZE = 8192
"""Bytes per database page in a new library file (older files keep theirs)."""


def _add_note_column(connection: sqlite3.Connection) -> None:
    connection.execute("ALTER TABLE paper ADD COLUMN note VARCHAR NOT NULL DEFAULT ''")


def _drop_unused_indexes(connection: sqlite3.Connection) -> None:
    # No query used them (see schema.PaperRow); each cost every insert.
    for column in ("year", "arxiv_id", "doi"):
        connection.execute(f"DROP INDEX IF EXISTS ix_paper_{column}")


def _add_preamble_table(connection: sqlite3.Connection) -> None:
    # As SQLModel creates schema.BibtexPreambleRow in a new file.
    connection.execute(
        "CREATE TABLE bibtex_preamble (\n\tid INTEGER NOT NULL, \n\ttext VARCHAR NOT NULL, "
        "\n\tPRIMARY KEY (id), \n\tUNIQUE (text)\n)"
    )


UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    # version the file is at -> the step that brings it to the next version
    1: _add_note_column,
    2: _drop_unused_indexes,
    3: _add_preamble_table,
}


def connect(path: Path) -> sqlite3.Connection:
    """A connection to a prepared library file, set up the way every reader and writer needs."""
    # isolation_level=None: the library issues BEGIN/COMMIT itself, so writers can BEGIN IMMEDIATE.
    # mode=rw: a library deleted or moved while the app runs must not come back as an empty file.
    try:
        connection = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.OperationalError as error:
        gone = "" if path.exists() else "; was it moved or deleted?"
        raise LibraryError(f"{path}: cannot open the library ({error}){gone}") from None
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        # Reads the schema: waits while a large import holds the file (`rollback_journal`).
        connection.execute("PRAGMA synchronous = NORMAL")
        # 64 MiB of page cache: index inserts for a large import otherwise thrash a 2 MiB default.
        connection.execute("PRAGMA cache_size = -65536")
    except sqlite3.OperationalError as error:
        connection.close()
        if is_busy(error):
            raise busy(path, error) from None
        raise LibraryError(f"{path}: cannot open the library ({error})") from None
    return connection


def prepare_library(path: Path) -> bool:
    """Create the schema in a new file, or upgrade an older one after writing a backup beside it;
    whether this made the library."""
    if path.is_dir():
        raise LibraryError(f"{path}: is a folder, not a library file")
    existed = path.exists()
    if existed and not path.is_file():
        raise LibraryError(f"{path}: a device or a pipe, not a library file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise LibraryError(
            f"{path}: cannot open the library ({error}){_folder_hint(path)}"
        ) from None
    try:
        version = _schema_version(connection, path)
        if version == 0 and _has_tables(connection):
            # A library's tables come with its version, in one transaction: tables alone are
            # another application's, unless another readlist made the library just now.
            version = _schema_version(connection, path)
            if version == 0:
                raise LibraryError(f"{path}: an SQLite file that is not a readlist library")
        created = version == 0
        if created:
            try:
                _create_schema(connection, path)
            except LibraryError:
                # The tables come in one transaction, so none were made; nor is the file left.
                connection.close()
                if not existed:
                    for leftover in (path, *companions(path)):
                        leftover.unlink(missing_ok=True)
                raise
        elif version > SCHEMA_VERSION:
            raise LibraryError(
                f"{path}: written by a newer readlist (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade readlist"
            )
        elif version < SCHEMA_VERSION:
            _upgrade(connection, path)
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # Made while another readlist had it open, or written by another program.
            _use_wal(connection)
    finally:
        connection.close()
    return created


def begin_writing(connection: sqlite3.Connection, path: Path) -> None:
    """Take the write lock (BEGIN IMMEDIATE), waiting up to `BUSY_SECONDS` for another writer
    in short waits: SQLite's own wait runs in C, where Ctrl+C does not reach it for 30 s."""
    deadline = time.monotonic() + BUSY_SECONDS
    connection.execute(f"PRAGMA busy_timeout = {_LOCK_POLL_MS}")
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise LibraryError(f"{path}: cannot write to the library ({error})") from None
                if time.monotonic() > deadline:
                    raise busy(path, error) from None
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")


@contextmanager
def rollback_journal(connection: sqlite3.Connection) -> Iterator[None]:
    """Write a large import through a rollback journal rather than the WAL, when no other
    connection has the library open (else, or if the switch fails, it stays in WAL mode).

    A rollback journal keeps only the pages a transaction changes that the file had before, and
    new papers go to new pages: they are written once, where WAL writes them to the log and then
    again into the file. 100,000 papers store in half the time. Readers that open the library
    meanwhile wait for the import, so only imports too large to read through use it.
    """
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        switched = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    except sqlite3.OperationalError:  # another connection has the file open
        switched = False
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    if not switched:
        yield
        return
    # NORMAL is safe in WAL mode only: with a rollback journal, a power cut could damage the file.
    connection.execute("PRAGMA synchronous = FULL")
    try:
        yield
    finally:
        connection.execute("PRAGMA synchronous = NORMAL")
        _use_wal(connection)


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


def busy(path: Path, error: sqlite3.Error) -> LibraryError:
    """The error for a read or write that waited `BUSY_SECONDS` for another writer and gave up."""
    return LibraryError(
        f"{path}: busy, another program has been writing to it for {BUSY_SECONDS:g} s "
        f"({error}); try again when it is done"
    )


def _folder_hint(path: Path) -> str:
    # A WAL library makes its -wal and -shm files beside it, even to be read.
    return "" if os.access(path.parent, os.W_OK) else "; its folder must be writable"


def _schema_version(connection: sqlite3.Connection, path: Path) -> int:
    try:
        row = connection.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
            raise LibraryError(f"{path}: not an SQLite file, so not a readlist library") from None
        if is_busy(error):
            # A large import holds the file whole while it writes (`rollback_journal`).
            raise busy(path, error) from None
        # Unreadable, or a library cut short or hurt by a disk: SQLite's words say which.
        raise LibraryError(
            f"{path}: cannot open the library ({error}){_folder_hint(path)}"
        ) from None
    return int(row[0])


def _has_tables(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])


def _create_schema(connection: sqlite3.Connection, path: Path) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import create_engine

    from readlist.schema import METADATA

    try:
        # Set before the first write, which fixes it for the file's life: a paper row with its
        # abstract and BibTeX fields takes 2-4 KB, and 8 KiB pages cut the CPU time of a large
        # import's inserts by a fifth against the 4 KiB default.
        connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        _use_wal(connection)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": BUSY_SECONDS, "isolation_level": None},
        )
        # One transaction under the write lock: another readlist making the same new library
        # at the same moment waits for it, then finds the tables there and makes none.
        event.listen(engine, "begin", lambda begun: begun.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            with engine.begin() as transaction:
                METADATA.create_all(transaction)
                transaction.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        finally:
            engine.dispose()
    except sqlite3.Error as error:
        raise LibraryError(f"{path}: cannot create the library ({error})") from None
    except DBAPIError as error:
        raise LibraryError(f"{path}: cannot create the library ({error.orig})") from None


def _use_wal(connection: sqlite3.Connection) -> None:
    """Put the library in WAL mode, where the app reads while an import writes. The switch
    needs the file to itself and fails at once, without waiting, when another connection has
    it (another readlist making the same new library): then that one's switch, or the next
    connection's, does it. A file that cannot be written stays as it is, and readable."""
    with suppress(sqlite3.OperationalError):
        connection.execute("PRAGMA journal_mode = WAL")


def companions(path: Path) -> tuple[Path, Path]:
    """The write-ahead log and shared-memory files SQLite keeps beside a library in WAL mode."""
    return path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a library at schema `version` goes before it is upgraded."""
    return path.with_name(f"{path.name}.schema{version}.bak")


def _upgrade(connection: sqlite3.Connection, path: Path) -> None:
    # The write lock first: another readlist opening the library at the same moment must not
    # back it up or upgrade it a second time.
    begin_writing(connection, path)
    try:
        # Read again under the lock: the other readlist may have upgraded it while this waited.
        version = _schema_version(connection, path)
        if version < SCHEMA_VERSION:
            backup = _write_backup(path, version)
            try:
                while version < SCHEMA_VERSION:
                    UPGRADES[version](connection)
                    version += 1
                    connection.execute(f"PRAGMA user_version = {version}")
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                raise LibraryError(
                    f"{path}: upgrade failed ({error}); the library is unchanged, a copy is in "
                    f"{backup.name}"
                ) from None
    finally:
        # Also ends the transaction that found nothing to do.
        if connection.in_transaction:
            connection.execute("ROLLBACK")


def _write_backup(path: Path, version: int) -> Path:
    backup = backup_path(path, version)
    try:
        # Through a connection of its own: a backup through the one holding the write lock
        # would wait for that lock for ever.
        with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(backup)) as copy:
            source.backup(copy)
    except (OSError, sqlite3.Error) as error:
        raise LibraryError(f"{path}: cannot write the backup {backup.name} ({error})") from None
    return backup
