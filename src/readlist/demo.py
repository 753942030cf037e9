"""The demo library: a throwaway copy built from `sample_data/`, never the user's own library."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from readlist.errors import ArxivUnavailable, ReadlistError
from readlist.library import Library, PaperFilter, SortKey
from readlist.models import Draft, Status


def sample_data_dir() -> Path:
    """`sample_data/` of an installed wheel (packaged inside readlist) or of a source checkout."""
    packaged = Path(__file__).parent / "sample_data"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "sample_data"
    if checkout.is_dir():
        return checkout
    raise ReadlistError("sample_data/ not found; run the demo from a readlist checkout")


def _offline(arxiv_ids: object) -> dict[str, Draft]:
    # The demo must open at once and anywhere, so it never waits on the network.
    raise ArxivUnavailable("the demo works offline")


def build_demo_library(path: Path) -> None:
    """Import every sample file into a new library at `path`, then triage a few papers."""
    from readlist.library import ImportSource

    files = sorted(
        p for p in sample_data_dir().rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    with Library(path, fetch_arxiv=_offline) as library:
        library.import_sources([ImportSource(f.name, f.read_bytes()) for f in files])
        # A library someone has used: some papers read, some tagged.
        ordered = library.ids(PaperFilter(), SortKey.TITLE)
        library.mark(ordered[::4], Status.READ)
        library.tag(ordered[1::5], ["to-discuss"])
        library.tag(ordered[2::7], ["survey"])


@contextmanager
def demo_library() -> Iterator[Path]:
    """A fresh demo library in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="readlist-demo-") as folder:
        path = Path(folder) / "demo.sqlite"
        build_demo_library(path)
        yield path
