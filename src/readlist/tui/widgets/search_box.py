"""The search box: fuzzy search live at every keystroke."""

from __future__ import annotations

from textual.widgets import Input


class SearchBox(Input):
    """An input whose every change searches; its keys (Enter, Down, Escape) are the screen's."""

    HELP = "Type to search titles, authors, years, tags, venues and notes; typos are forgiven."
