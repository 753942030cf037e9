"""Fixtures for the app's tests: a small library of real and hostile papers, and a way to wait
until the app has finished what a key started."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerState

from readlist.library import FileReport, Library
from readlist.tui.screens.main import MainScreen
from tui.papers import fixture_drafts


@pytest.fixture
def filled(library: Library) -> Library:
    """The test's library holding the fixture papers; the app opens the same file separately."""
    library.add_drafts([(FileReport("fixture"), fixture_drafts())])
    library.tag([library.ids()[0]], ["transformers", "nlp"])
    return library


@pytest.fixture
def no_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session without a desktop clipboard (no X11, no Wayland)."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


Settle = Callable[[Pilot[None]], Awaitable[None]]
"""Waits until the app is idle: see the `settle` fixture."""


@pytest.fixture
def settle() -> Settle:
    """Wait until every worker a key started, and the workers those started, have finished."""

    async def wait(pilot: Pilot[None]) -> None:
        for _ in range(100):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            busy = [
                worker
                for worker in pilot.app.workers
                if worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            ]
            screen = pilot.app.screen
            # The first search index starts on a timer, not as a worker: wait for it too.
            if isinstance(screen, MainScreen) and screen.indexing:
                await pilot.pause(0.05)
                continue
            if not busy:
                return
        raise AssertionError(f"workers still running: {busy}")

    return wait
