"""The header line: papers shown of all, unread, the active filter, sort and search."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from readlist.library import Counts
from readlist.tui.text import one_line


class StatusBar(Static):
    """One line of counts and the view's settings."""

    def show(
        self,
        *,
        shown: int,
        counts: Counts,
        filter_name: str,
        sort_name: str,
        query: str,
        indexing: bool,
        marked: int,
    ) -> None:
        """Redraw from the current view (`indexing`: the search does not see the last change
        yet)."""
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append("readlist ", "bold")
        line.append(f" {shown:,}/{counts.total:,} shown · {counts.unread:,} unread")
        line.append(f" · {one_line(filter_name)} · sort: {sort_name}")
        if query:
            line.append(" · search: ")
            line.append(one_line(query), "bold")
            if indexing:
                line.append(" (index still updating)")
        if marked:
            line.append(f" · {marked} marked", "bold")
        self.update(line)
