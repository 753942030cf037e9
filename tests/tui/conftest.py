"""Fixtures for the app's tests: a small library of real and hostile papers, and a way to wait
until the app has finished what a key started."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Awaitable, Callable, Iterator

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
    """A session without a clipboard to copy to (no X11, no Wayland, not in tmux)."""
    for variable in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(variable, raising=False)


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


@pytest.fixture(scope="session")
def xdisplay() -> Iterator[str]:
    """A private X server (Xvfb) with a real clipboard, for as long as the tests run."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as ready:
        number = ready.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)
