"""The Textual app: opens a library and shows the main screen."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen

from readlist.config import Config
from readlist.library import Library
from readlist.tui.keys import LIST_KEYS, MAIN_KEYS, KeySpec
from readlist.tui.screens.dialogs import TextDialog
from readlist.tui.screens.main import MainScreen
from readlist.tui.widgets.paper_list import PaperList


class ReadlistApp(App[None]):
    """A keyboard-driven reading list over one library file."""

    CSS_PATH = "readlist.tcss"
    TITLE = "readlist"

    def __init__(self, library: Library | Path, *, config: Config | None = None) -> None:
        super().__init__()
        self._owns_library = not isinstance(library, Library)
        self.library = library if isinstance(library, Library) else Library(library)
        """The library every screen reads and changes."""
        self._config = config or Config()

    def on_mount(self) -> None:
        self.set_keymap(self._config.keys)
        self.push_screen(MainScreen(self.library))

    def on_unmount(self) -> None:
        if self._owns_library:
            self.library.close()

    def on_key(self, event: events.Key) -> None:
        # A key already on its way to the list when the key before it opened a dialog bubbles
        # up here unused; it was typed for the dialog.
        if isinstance(self.screen, TextDialog) and self.screen.take_key(event):
            event.stop()

    def on_app_focus(self, event: events.AppFocus) -> None:
        # Another readlist (the CLI importing, say) may have changed the file meanwhile.
        if isinstance(self.screen, MainScreen):
            self.screen.reload(reindex=True)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands plus one per key of the main screen, so the palette finds them."""
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        papers = screen.query_one(PaperList)
        targets: list[tuple[DOMNode, KeySpec]] = [(screen, spec) for spec in MAIN_KEYS]
        targets.extend((papers, spec) for spec in LIST_KEYS)
        for target, spec in targets:
            yield SystemCommand(
                spec.description, spec.tooltip, partial(self.run_action, spec.action, target)
            )
