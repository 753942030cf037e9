"""What the screen looks like: the main screen, the help panel and a search (SVG baselines)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from readlist.library import Library
from readlist.tui.app import ReadlistApp
from tui.conftest import Settle

SnapCompare = Callable[..., bool]


def steady(settle: Settle) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Before the shot: every worker done, and no blinking cursor to catch mid-blink."""

    async def prepare(pilot: Pilot[None]) -> None:
        for text_box in pilot.app.screen.query(Input):
            text_box.cursor_blink = False
        await settle(pilot)

    return prepare


def test_main_screen(
    filled: Library, library_path: Path, settle: Settle, snap_compare: SnapCompare
) -> None:
    assert snap_compare(
        ReadlistApp(library_path), terminal_size=(100, 30), run_before=steady(settle)
    )


def test_wide_main_screen_with_the_hostile_paper_selected(
    filled: Library, library_path: Path, settle: Settle, snap_compare: SnapCompare
) -> None:
    assert snap_compare(
        ReadlistApp(library_path),
        press=["j", "j"],
        terminal_size=(140, 30),
        run_before=steady(settle),
    )


def test_help_screen(
    filled: Library, library_path: Path, settle: Settle, snap_compare: SnapCompare
) -> None:
    assert snap_compare(
        ReadlistApp(library_path),
        press=["question_mark"],
        terminal_size=(120, 40),
        run_before=steady(settle),
    )


def test_search(
    filled: Library, library_path: Path, settle: Settle, snap_compare: SnapCompare
) -> None:
    async def search(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"atention")
        await steady(settle)(pilot)

    assert snap_compare(ReadlistApp(library_path), terminal_size=(100, 30), run_before=search)
