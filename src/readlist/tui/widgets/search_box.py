"""The search box: fuzzy search live at every keystroke."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input

from readlist.tui.bindings import bindings
from readlist.tui.keys import SEARCH_KEYS


class SearchBox(Input):
    """An input whose every change searches; Enter or Down go to the results, Escape clears."""

    BINDINGS = bindings(SEARCH_KEYS)
    HELP = "Type to search titles, authors, tags, venues and notes; typos are forgiven."

    class Leave(Message):
        """The user is done with the search box and wants the results."""

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Leave())

    def action_results(self) -> None:
        self.post_message(self.Leave())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Leave())
