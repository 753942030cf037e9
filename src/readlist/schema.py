"""The library's tables, declared with SQLModel; `storage` creates them in a new library file.

Only creating a library imports this module (and SQLModel, which costs most of a second of start-up);
day-to-day reads and writes go through `sqlite3` in `library`, on the same tables.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class PaperRow(SQLModel, table=True):
    """One paper; lists (authors, BibTeX fields) are JSON text, tags live in `paper_tag`.

    Indexed: what the app filters by (status, import batch) and the sorts an index can serve
    (added, title, listing date). Every other index would cost each insert and help no query:
    duplicates are found in memory, and the year sort needs a sort anyway (papers without a
    year go last).
    """

    __tablename__ = "paper"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    title_norm: str = Field(index=True)
    """`models.normalise_title(title)`: finds duplicates and orders the title sort."""
    authors: str = "[]"
    year: int | None = None
    venue: str | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
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


class BibtexPreambleRow(SQLModel, table=True):
    """An `@preamble` of an imported BibTeX file (TeX definitions its entries may use, such as
    `\\noopsort`), written back at the top of every BibTeX export."""

    __tablename__ = "bibtex_preamble"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(unique=True)


METADATA = SQLModel.metadata
"""The tables above, ready for `create_all`."""
