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
        line.append(f" {shown:,}/{counts.total:,} shown")
        # Next to the count, not last, where a narrow terminal cut it off: keys act on the marked
        # papers instead of the selected one, so their count must stay in sight.
        if marked:
            line.append(f" · {marked} marked", "bold")
        line.append(f" · {counts.unread:,} unread · {one_line(filter_name)} · sort: {sort_name}")
        if query:
            line.append(" · search: ")
            line.append(one_line(query), "bold")
            if indexing:
                line.append(" (index still updating)")
        self.update(line)
