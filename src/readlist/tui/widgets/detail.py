"""The detail pane: everything about the selected paper, as plain text (never markup)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from readlist.models import Paper, Status, display_name
from readlist.tui.bindings import bindings
from readlist.tui.keys import DETAIL_KEYS
from readlist.tui.links import paper_link
from readlist.tui.text import one_line, visible

ABSTRACT_SHOWN = 10_000
"""Characters of an abstract the pane shows: arXiv caps abstracts at 1,920, but a broken entry
can hold a whole page, and drawing it whole held up every key for seconds."""


def describe(paper: Paper) -> Text:
    """The paper as the detail pane shows it: title, authors, venue and year, abstract, links..."""
    text = Text(end="")
    text.append(one_line(paper.title), "bold")
    text.append("\n")
    if paper.authors:
        text.append(one_line(", ".join(map(display_name, paper.authors))), "italic")
        text.append("\n")
    where = [
        one_line(part) for part in (paper.venue, str(paper.year) if paper.year else None) if part
    ]
    if paper.listed:
        where.append(f"listed {paper.listed}")
    if where:
        text.append(" · ".join(where), "dim")
        text.append("\n")
    text.append("\n")
    if paper.needs_metadata:
        text.append("Waiting for metadata from arXiv (readlist refresh).\n\n", "italic")
    if paper.abstract:
        abstract = paper.abstract.strip()
        text.append(visible(abstract[:ABSTRACT_SHOWN]))
        if len(abstract) > ABSTRACT_SHOWN:
            left_out = len(abstract) - ABSTRACT_SHOWN
            text.append(f" … {left_out:,} more characters of the abstract, not shown here", "dim")
        text.append("\n\n")
    link = paper_link(paper)
    _field(text, "Link", one_line(link.url))
    if paper.doi and link.kind != "DOI link":
        _field(text, "DOI", one_line(paper.doi))
    if paper.code_url:
        _field(text, "Code", one_line(paper.code_url))
    _field(text, "Tags", one_line(", ".join(paper.tags)) if paper.tags else "none")
    _field(text, "Key", one_line(paper.key) if paper.key else "none yet")
    _field(text, "Status", "read" if paper.status is Status.READ else "unread")
    if paper.note:
        text.append("\nNote\n", "bold")
        text.append(visible(paper.note))
    return text


def _field(text: Text, label: str, value: str) -> None:
    text.append(f"{label}: ", "bold")
    text.append(value)
    text.append("\n")


class PaperDetail(VerticalScroll, can_focus=True):
    """Scrollable details of one paper."""

    BINDINGS = bindings(DETAIL_KEYS)
    HELP = "Details of the selected paper. Scroll with the arrows; `escape` goes back to the list."

    def compose(self) -> ComposeResult:
        yield Static(id="detail-text", markup=False)

    def show(self, paper: Paper | None, *, searching: bool = False, indexing: bool = False) -> None:
        """Show `paper`, or a hint when nothing is selected (`searching`: a search is why;
        `indexing`: it does not see the last change yet)."""
        body = self.query_one("#detail-text", Static)
        if searching:
            if indexing:
                why = "No paper matches the search yet: its index is still updating."
            else:
                why = "No paper matches the search."
            hint = f"{why} Press escape to clear it, or f to change the filter."
        else:
            hint = "No paper here. Press i to import a file or what is on the clipboard (a listing page, BibTeX or arXiv ids), or f to change the filter."
        body.update(describe(paper) if paper else Text(hint, "dim"))
        self.scroll_home(animate=False)

    def action_back(self) -> None:
        self.screen.set_focus(self.screen.query_one("#papers"))
