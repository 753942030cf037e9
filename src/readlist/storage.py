"""The library file: SQLModel tables, connection set-up, schema versions and their upgrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Field, SQLModel, create_engine

from readlist.errors import LibraryError


class PaperRow(SQLModel, table=True):
    """One paper; lists (authors, BibTeX fields) are JSON text, tags live in `paper_tag`."""

    __tablename__ = "paper"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    title_norm: str = Field(index=True)
    """`models.normalise_title(title)`: finds duplicates and orders the title sort."""
    authors: str = "[]"
    year: int | None = Field(default=None, index=True)
    venue: str | None = None
    abstract: str | None = None
    arxiv_id: str | None = Field(default=None, index=True)
    doi: str | None = Field(default=None, index=True)
    url: str | None = None
    code_url: str | None = None
    citation_key: str | None = Field(default=None, unique=True)
    entry_type: str | None = None
    fields: str = "{}"
    status: str = Field(default="unread", index=True)
    read_at: str | None = None
    added: str = Field(index=True)
    listed: str | None = Field(default=None, index=True)
    source: str | None = None
    needs_metadata: bool = False
    import_id: int | None = Field(default=None, index=True, foreign_key="import_batch.id")
    note: str = ""


class PaperTagRow(SQLModel, table=True):
    """A tag on a paper."""

    __tablename__ = "paper_tag"

    paper_id: int = Field(primary_key=True, foreign_key="paper.id", ondelete="CASCADE")
    tag: str = Field(primary_key=True, index=True)


class ImportBatchRow(SQLModel, table=True):
    """One `readlist import` (or import from the app): lets the app filter and undo by import."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    started: str
    sources: str
    """The imported sources' names, joined by newlines."""


SCHEMA_VERSION = 2
"""Stored in SQLite's `user_version`; raise it with each upgrade step below."""


def _add_note_column(connection: sqlite3.Connection) -> None:
    connection.execute("ALTER TABLE paper ADD COLUMN note VARCHAR NOT NULL DEFAULT ''")


UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    # version the file is at -> the step that brings it to the next version
    1: _add_note_column,
}


def _configure_connection(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is off so that SQLAlchemy's "begin" hook below decides
    # how each transaction starts (the pysqlite recipe from SQLAlchemy's SQLite dialect docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_transaction(connection: Any) -> None:
    # Writers take the write lock up front (IMMEDIATE): a deferred transaction that upgrades to a
    # writer later fails at once with "database is locked" instead of waiting its turn.
    if connection.get_execution_options().get("readlist_write"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def open_engine(path: Path) -> Engine:
    """An engine on the library file at `path`, created or upgraded to `SCHEMA_VERSION` first."""
    _prepare_file(path)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin_transaction)
    return engine


def _prepare_file(path: Path) -> None:
    """Create the schema in a new file, or upgrade an older one after writing a backup beside it."""
    if path.is_dir():
        raise LibraryError(f"{path}: is a folder, not a library file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise LibraryError(f"{path}: cannot open the library ({error})") from None
    try:
        version = _schema_version(connection, path)
        if version == 0:
            if _has_tables(connection):
                raise LibraryError(f"{path}: an SQLite file that is not a readlist library")
            connection.execute("PRAGMA journal_mode = WAL")
            _create_schema(path)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise LibraryError(
                f"{path}: written by a newer readlist (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade readlist"
            )
        elif version < SCHEMA_VERSION:
            _upgrade(connection, path, version)
    finally:
        connection.close()


def _schema_version(connection: sqlite3.Connection, path: Path) -> int:
    try:
        row = connection.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError:
        raise LibraryError(f"{path}: not an SQLite file, so not a readlist library") from None
    return int(row[0])


def _has_tables(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])


def _create_schema(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        SQLModel.metadata.create_all(engine)
    finally:
        engine.dispose()


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a library at schema `version` goes before it is upgraded."""
    return path.with_name(f"{path.name}.schema{version}.bak")


def _upgrade(connection: sqlite3.Connection, path: Path, version: int) -> None:
    backup = backup_path(path, version)
    try:
        copy = sqlite3.connect(backup)
        try:
            connection.backup(copy)
        finally:
            copy.close()
    except (OSError, sqlite3.Error) as error:
        raise LibraryError(f"{path}: cannot write the backup {backup.name} ({error})") from None
    try:
        connection.execute("BEGIN IMMEDIATE")
        while version < SCHEMA_VERSION:
            UPGRADES[version](connection)
            version += 1
            connection.execute(f"PRAGMA user_version = {version}")
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        connection.execute("ROLLBACK")
        raise LibraryError(
            f"{path}: upgrade failed ({error}); the library is unchanged, a copy is in "
            f"{backup.name}"
        ) from None
