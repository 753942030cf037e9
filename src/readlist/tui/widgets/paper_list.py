"""The paper list: a Line-API scroll view that draws only the visible rows, so 100,000 papers open
as fast as 100. It holds the ordered ids and fetches papers for the visible window on demand."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from readlist.library import Library
from readlist.models import Paper, Status
from readlist.search import highlight_positions
from readlist.tui.bindings import bindings
from readlist.tui.keys import LIST_KEYS
from readlist.tui.text import one_line

_CACHED_PAPERS = 2_000
"""Papers kept in memory: a few screens around the cursor, whatever the library's size."""
_DATE_WIDTH = 10
_TAGS_WIDTH = 18
_NARROW = 70
"""Below this many columns the tags column is left out, so titles stay readable."""


class PaperList(ScrollView, can_focus=True):
    """Every paper in view, one line each: marked, read mark, title, year or listing date, tags."""

    BINDINGS = bindings(LIST_KEYS)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--match",
        "paper-list--date",
        "paper-list--tags",
        "paper-list--marked",
    }
    HELP = "The papers in view. `space` marks papers so `r`, `t`, `T` and `e` act on all of them."

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    """Row of the selected paper."""

    @dataclass
    class Highlighted(Message):
        """The selected paper changed (None: the list is empty)."""

        paper_id: int | None

    @dataclass
    class MarksChanged(Message):
        """Papers were marked or unmarked."""

        marked: int

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._library = library
        self._ids: list[int] = []
        self._papers: OrderedDict[int, Paper] = OrderedDict()
        self.marked: set[int] = set()
        """Ids of the papers `space` marked."""
        self.query_text = ""
        """The search whose matches are highlighted in titles."""
        self.tags_column = True
        """Whether rows keep a column for tags: a library without tags gives its titles the room."""

    @property
    def paper_ids(self) -> Sequence[int]:
        """The ids in view, in order."""
        return self._ids

    @property
    def current_id(self) -> int | None:
        """The selected paper's id."""
        return self._ids[self.cursor] if self._ids else None

    def current_paper(self) -> Paper | None:
        """The selected paper, fetched if needed."""
        return None if not self._ids else self._paper_at(self.cursor)

    def show(self, paper_ids: list[int], *, query: str, select: int | None = None) -> None:
        """Show these papers; keep `select` selected if it is among them, else stay on the row."""
        self._ids = paper_ids
        self.query_text = query
        self.virtual_size = Size(self.scrollable_content_region.width, len(paper_ids))
        row = self.cursor
        if select is not None:
            with suppress(ValueError):
                row = paper_ids.index(select)
        self.cursor = max(0, min(row, len(paper_ids) - 1))
        self.refresh()

    def select_first(self) -> None:
        """Select the first paper (the best match, after a search)."""
        self.cursor = 0

    def forget(self, paper_ids: Iterable[int] | None = None) -> None:
        """Drop cached papers that changed (all when None) so the next draw reads them again."""
        if paper_ids is None:
            self._papers.clear()
        else:
            for paper_id in paper_ids:
                self._papers.pop(paper_id, None)
        self.refresh()

    def _paper_at(self, row: int) -> Paper | None:
        paper_id = self._ids[row]
        paper = self._papers.get(paper_id)
        if paper is None:
            self._fetch_window(row)
            paper = self._papers.get(paper_id)
        else:
            self._papers.move_to_end(paper_id)
        return paper

    def _fetch_window(self, row: int) -> None:
        """Read the papers of a screen above and below `row` in one query."""
        height = max(self.size.height, 1)
        start = max(0, row - height)
        wanted = [
            paper_id
            for paper_id in self._ids[start : row + 2 * height]
            if paper_id not in self._papers
        ]
        for paper in self._library.get_many(wanted):
            self._papers[paper.id] = paper
        while len(self._papers) > _CACHED_PAPERS:
            self._papers.popitem(last=False)

    # ---- drawing -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Draw screen line `y`: the paper at that row of the scrolled list, or blank."""
        scroll_y = self.scroll_offset.y
        row = scroll_y + y
        width = self.scrollable_content_region.width
        if row >= len(self._ids):
            return Strip.blank(width, self.rich_style)
        paper = self._paper_at(row)
        if paper is None:
            return Strip.blank(width, self.rich_style)
        line = self._row_text(paper, width)
        if row == self.cursor:
            line.stylize(self.get_component_rich_style("paper-list--cursor"))
        return Strip(line.render(self.app.console), width).simplify()

    def _row_text(self, paper: Paper, width: int) -> Text:
        base = self.rich_style
        unread = paper.status is Status.UNREAD
        line = Text(style=base, no_wrap=True, overflow="ellipsis", end="")
        if paper.id in self.marked:
            line.append("▌", self.get_component_rich_style("paper-list--marked"))
        else:
            line.append(" ")
        if unread:
            line.append("● ", self.get_component_rich_style("paper-list--unread"))
        else:
            line.append("✓ ", self.get_component_rich_style("paper-list--read"))
        date = str(paper.year) if paper.year else (paper.listed or "")
        tags = " ".join(f"#{one_line(tag)}" for tag in paper.tags)
        tags_width = _TAGS_WIDTH if self.tags_column and width >= _NARROW else 0
        title_width = max(width - 3 - (_DATE_WIDTH + 1) - (tags_width + 1 if tags_width else 0), 1)
        title = self._title_text(one_line(paper.title), unread)
        title.truncate(title_width, overflow="ellipsis", pad=True)
        line.append_text(title)
        line.append(" ")
        line.append(
            date.rjust(_DATE_WIDTH)[:_DATE_WIDTH], self.get_component_rich_style("paper-list--date")
        )
        if tags_width:
            tags_text = Text(" " + tags, style=self.get_component_rich_style("paper-list--tags"))
            tags_text.truncate(tags_width + 1, overflow="ellipsis")
            line.append_text(tags_text)
        line.truncate(width, overflow="ellipsis", pad=True)
        return line

    def _title_text(self, title: str, unread: bool) -> Text:
        text = Text(title, style=Style(bold=True) if unread else "", no_wrap=True, end="")
        if self.query_text:
            match_style = self.get_component_rich_style("paper-list--match")
            for position in highlight_positions(self.query_text, title):
                text.stylize(match_style, position, position + 1)
        return text

    # ---- moving ------------------------------------------------------------------------

    def watch_cursor(self, old_row: int, row: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current_id))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._ids))
        # A smaller window would otherwise leave the selected row (the one the detail pane
        # shows) out of sight.
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        self.scroll_to_region(
            Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True
        )

    def _move_to(self, row: int) -> None:
        if self._ids:
            self.cursor = max(0, min(row, len(self._ids) - 1))

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self._ids) - 1)

    def action_page_down(self) -> None:
        self._move_to(self.cursor + max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        self._move_to(self.cursor - max(self.size.height - 1, 1))

    def action_details(self) -> None:
        self.screen.set_focus(self.screen.query_one("#detail"))

    def action_toggle_mark(self) -> None:
        paper_id = self.current_id
        if paper_id is None:
            return
        self.marked.symmetric_difference_update({paper_id})
        self.post_message(self.MarksChanged(len(self.marked)))
        self._move_to(self.cursor + 1)
        self.refresh()

    def clear_marks(self) -> None:
        """Unmark every paper."""
        self.marked.clear()
        self.post_message(self.MarksChanged(0))
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self._move_to(self.scroll_offset.y + offset.y)
