"""How the app does on a 100,000-paper library, in a real terminal (tmux, its own socket).

Measures: process start to the first screen showing the list; search keystroke to redraw (the
typed character, and the ranked results); the app's peak memory; and, as a baseline, how long a
stock Textual DataTable needs to show the same 100,000 rows (headless). Run:

    .venv/bin/python bench/bench_tui.py [--papers 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from readlist.library import FileReport, Library
from readlist.models import Draft

READLIST = Path(sys.executable).with_name("readlist")
WORDS = (
    "attention transformer graph neural network diffusion model language vision learning deep "
    "residual sparse efficient scaling laws retrieval augmented generation contrastive robust "
    "federated reinforcement policy optimisation protein folding molecular quantum causal "
    "inference bayesian variational autoencoder adversarial benchmark dataset evaluation"
).split()
QUERY = "difusion modl"
"""Typed one character at a time, typos included, as a user searches."""


def build_library(path: Path, papers: int) -> int:
    """A library of about `papers` generated papers with realistic title lengths, in one import;
    returns how many it holds (papers with the same title merge, as they would for a user)."""
    rng = random.Random(4)
    drafts = [
        Draft(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11))).capitalize(),
            [f"Author {rng.randint(1, 5000)}", f"Writer {rng.randint(1, 5000)}"],
            rng.randint(1990, 2025),
            abstract=" ".join(rng.choice(WORDS) for _ in range(60)),
            arxiv_id=f"{rng.randint(10, 25):02d}{rng.randint(1, 12):02d}.{number:05d}",
        )
        for number in range(papers)
    ]
    with Library(path) as library:
        library.add_drafts([(FileReport("bench"), drafts)])
        return library.counts().total


class Terminal:
    """One tmux server on a private socket, running readlist in a 120x40 window."""

    def __init__(self, socket: Path) -> None:
        self._base = ["tmux", "-S", str(socket), "-f", "/dev/null"]
        self._environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            [*self._base, *args],
            check=True,
            capture_output=True,
            text=True,
            env=self._environment,
        ).stdout

    def start(self, *command: str) -> float:
        """Start `command` (readlist by default); returns the monotonic time just before the
        process was asked for."""
        started = time.monotonic()
        self.tmux(
            "new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
            "-e", "LANG=C.UTF-8", "-e", "PYTHONDONTWRITEBYTECODE=", "-e", "DISPLAY=",
            "--", *command,
        )  # fmt: skip
        return started

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def wait(self, *done: str, timeout: float = 60.0) -> float:
        """The monotonic time at which all of `done` first were on screen."""
        end = time.monotonic() + timeout
        while not all(text in (shot := self.screen()) for text in done):
            if time.monotonic() > end:
                raise SystemExit(f"{done!r} never showed:\n{shot}")
        return time.monotonic()

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}"))

    def stop(self) -> None:
        subprocess.run([*self._base, "kill-server"], check=False, capture_output=True)


def first_screen(library: Path, papers: int, socket: Path) -> float:
    """Seconds from asking for the process to the list on screen."""
    terminal = Terminal(socket)
    try:
        started = terminal.start(str(READLIST), "--db", str(library))
        # The counts, a list row and the footer (drawn last): a capture can catch half a frame.
        return terminal.wait(f"{papers:,}/{papers:,} shown", "● ", "palette") - started
    finally:
        terminal.stop()


def typing(library: Path, papers: int, socket: Path) -> tuple[list[float], list[float], int]:
    """Per keystroke: seconds until the character shows, and until the ranked results show;
    plus the app's peak resident memory in kB."""
    terminal = Terminal(socket)
    echo: list[float] = []
    results: list[float] = []
    try:
        terminal.start(str(READLIST), "--db", str(library))
        terminal.wait(f"{papers:,}/{papers:,} shown")
        terminal.tmux("send-keys", "-t", "b", "/")
        time.sleep(2)  # let the search index finish building: typing starts on an idle app
        for typed, sent in _typing(terminal):
            echo.append(time.monotonic() - sent)
            results.append(terminal.wait(f"search: {typed}") - sent)
        peak_kb = _peak_memory_kb(terminal.pid())
    finally:
        terminal.stop()
    return echo, results, peak_kb


def _typing(terminal: Terminal) -> Iterator[tuple[str, float]]:
    """Type `QUERY` a key at a time; after each key has changed the screen, yield what has been
    typed and when the key was sent."""
    for length in range(1, len(QUERY) + 1):
        typed = QUERY[:length]
        before = terminal.screen()
        sent = time.monotonic()
        terminal.tmux("send-keys", "-t", "b", "-l", QUERY[length - 1])
        if typed.endswith(" "):
            # A trailing space draws nothing a screen capture can see; the next key will.
            continue
        while terminal.screen() == before:
            if time.monotonic() - sent > 10:
                raise SystemExit(f"typing {typed!r} changed nothing:\n{before}")
        yield typed, sent


_INPUT_ONLY_APP = """
from textual.app import App, ComposeResult
from textual.widgets import Input


class InputOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="type here")


InputOnly().run()
"""


def echo_baseline(socket: Path) -> list[float]:
    """Per keystroke, seconds until the character shows in a Textual app holding one `Input` and
    nothing else, measured as `typing` does: the floor tmux, the screen captures and Textual
    set on this machine."""
    terminal = Terminal(socket)
    try:
        terminal.start(sys.executable, "-c", _INPUT_ONLY_APP)
        terminal.wait("type here")
        return [time.monotonic() - sent for _, sent in _typing(terminal)]
    finally:
        terminal.stop()


def _peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def datatable_baseline(library_path: Path) -> float:
    """Seconds for a stock DataTable, headless, to show every paper (Text cells, no markup)."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    with Library(library_path) as library:
        rows = [
            (Text(paper.title), str(paper.year or ""), ", ".join(paper.tags))
            for paper in library.papers()
        ]

    class Baseline(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("title", "year", "tags")
            table.add_rows(rows)

    async def measure() -> float:
        started = time.monotonic()
        app = Baseline()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
        return time.monotonic() - started

    return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--library", type=Path, help="an existing library to measure instead of building one"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        library = arguments.library or Path(folder) / "bench.sqlite"
        started = time.monotonic()
        if arguments.library:
            with Library(library) as existing:
                papers = existing.counts().total
        else:
            papers = build_library(library, arguments.papers)
        print(f"library: {papers:,} papers built in {time.monotonic() - started:.1f} s")
        # A socket per run: a killed tmux server lingers a moment on its socket.
        sockets = (Path(folder) / f"tmux{run}.sock" for run in range(arguments.runs + 3))
        first_screen(library, papers, next(sockets))  # warm-up: compiles modules, fills caches
        openings = [first_screen(library, papers, next(sockets)) for _ in range(arguments.runs)]
        print(
            f"first screen: median {statistics.median(openings):.2f} s, "
            f"max {max(openings):.2f} s over {arguments.runs} runs (aim <= 1.5 s)"
        )
        echo, results, peak_kb = typing(library, papers, next(sockets))
        print(
            f"search keystroke -> character drawn: median {statistics.median(echo) * 1000:.0f} ms, "
            f"max {max(echo) * 1000:.0f} ms (aim <= 50 ms)"
        )
        floor = echo_baseline(next(sockets))
        print(
            f"baseline, keystroke -> character drawn in a Textual app with one Input: median "
            f"{statistics.median(floor) * 1000:.0f} ms, max {max(floor) * 1000:.0f} ms"
        )
        print(
            f"search keystroke -> ranked results drawn: median "
            f"{statistics.median(results) * 1000:.0f} ms, max {max(results) * 1000:.0f} ms"
        )
        print(f"app peak memory (VmHWM): {peak_kb / 1024:.0f} MB (aim < 400 MB)")
        baseline = datatable_baseline(library)
        print(f"baseline, stock DataTable headless first screen: {baseline:.1f} s")


if __name__ == "__main__":
    main()
