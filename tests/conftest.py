"""Fixtures shared by every test: a real library file per test, and where the seed pages are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from readlist.library import Library

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
"""The real Hugging Face listing pages users paste (`../shared/seeds/` beside the checkout)."""
ARXIV_RECORDINGS = REPO.parent / "shared" / "arxiv-api"
"""Real recorded arXiv API responses, replayed by a local HTTP server in tests."""
SAMPLE_DATA = REPO / "sample_data"


@pytest.fixture(autouse=True)
def own_cache_and_state_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cache and state folders per test: when arXiv was last asked, and where the app was on a
    library when it quit, are no other test's, nor the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    """Where this test's library file lives (not created yet)."""
    return tmp_path / "library.sqlite"


@pytest.fixture
def library(library_path: Path) -> Iterator[Library]:
    """A fresh, empty library in a real SQLite file."""
    with Library(library_path) as opened:
        yield opened
