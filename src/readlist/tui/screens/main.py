"""The main screen: the paper list beside (or above) the detail pane, with search and every key."""

from __future__ import annotations

import asyncio
import shlex
import webbrowser
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState, get_current_worker

from readlist.errors import NothingToImport, ReadlistError, UnreadableInput
from readlist.library import Counts, ImportReport, ImportSource, Library, PaperFilter, SortKey
from readlist.models import Paper, Status
from readlist.search import SearchIndex
from readlist.tui.bindings import bindings
from readlist.tui.clipboard import copy_to_system_clipboard, paste_from_system_clipboard
from readlist.tui.keys import MAIN_KEYS, SEARCH_KEYS
from readlist.tui.links import paper_link
from readlist.tui.screens.dialogs import (
    ALL,
    FilterMenu,
    NoteEditor,
    PathSuggester,
    Prompt,
    TagSuggester,
    ViewFilter,
    filter_choices,
)
from readlist.tui.text import editable, one_line
from readlist.tui.view_state import SavedView, load_view, save_view
from readlist.tui.widgets.detail import PaperDetail
from readlist.tui.widgets.paper_list import PaperList
from readlist.tui.widgets.search_box import SearchBox
from readlist.tui.widgets.status_bar import StatusBar

SORT_ORDER = (SortKey.ADDED, SortKey.LISTED, SortKey.YEAR, SortKey.TITLE)
"""The order `s` cycles through."""
NARROW_WIDTH = 110
"""Below this many columns the detail pane goes under the list instead of beside it."""
COMPACT_FOOTER_WIDTH = 90
"""Below this many columns the footer closes up its spacing, so `? Help` and `q Quit` still fit
in 80 columns."""
DEFAULT_EXPORT = "readlist.bib"
_TAGS_NAMED = 5
"""Tags a question names before "… N more"."""
_FIRST_INDEX_DELAY = 0.5
"""Seconds the first search index waits, so the first frame is drawn without competition."""


def _tags_from(answer: str) -> list[str]:
    return [tag.strip() for tag in answer.split(",") if tag.strip()]


def _some_tags(tags: Sequence[str]) -> str:
    """The first few `tags` and how many more: all of them could push a prompt's field off
    screen (completion still offers every one)."""
    shown = ", ".join(one_line(tag) for tag in tags[:_TAGS_NAMED])
    more = len(tags) - _TAGS_NAMED
    return f"{shown} … {more} more" if more > 0 else shown


def _import_summary(report: ImportReport) -> str:
    parts = []
    for file in report.files:
        if file.error:
            parts.append(file.error)
            continue
        line = f"{file.source}: {file.new} new, {file.merged} updated, {file.unchanged} known"
        if file.skipped:
            line += f", {len(file.skipped)} skipped ({file.skipped[0]})"
        if file.waiting:
            line += f", {file.waiting} waiting for arXiv"
        parts.append(line)
    return "; ".join(parts)


def _dropped_paths(typed: str) -> list[str]:
    """The path `typed`, or the ones it quotes: files dragged onto a terminal come as shell
    words, 'my refs.bib' or my\\ refs.bib, and no file is named that."""
    if Path(typed).expanduser().exists():
        return [typed]
    try:
        words = shlex.split(typed)
    except ValueError:
        return [typed]
    if len(words) > 1 and not all(Path(word).expanduser().exists() for word in words):
        return [typed]  # a name mistyped: said as typed
    return words or [typed]


@dataclass(frozen=True, slots=True)
class Targets:
    """The papers a key acts on, and how to name them to the user ("3 marked papers")."""

    paper_ids: list[int]
    name: str


def _error_message(error: BaseException) -> str:
    """What went wrong, in one line: a user's error as it says, anything else (a bug) by its type."""
    if isinstance(error, ReadlistError):
        return one_line(error.message)
    return one_line(f"Unexpected error: {type(error).__name__}: {error}")


class MainScreen(Screen[None]):
    """Browse, search, triage, tag, annotate, import and export."""

    BINDINGS = bindings((*MAIN_KEYS, *SEARCH_KEYS))

    view_filter: reactive[ViewFilter] = reactive(ALL, init=False)
    """Which papers show, besides the search."""
    sort: reactive[SortKey] = reactive(SortKey.ADDED, init=False)
    search_query: reactive[str] = reactive("", init=False)
    """The fuzzy search typed in the search box ("" shows every paper the filter keeps)."""

    @dataclass
    class Loaded(Message):
        """The filter's papers were read from the library."""

        paper_ids: list[int]
        counts: Counts
        tags: list[str]

    @dataclass
    class IndexReady(Message):
        """The search index is built."""

        search: SearchIndex

    @dataclass
    class SearchDone(Message):
        """Papers matching `query`, best first."""

        query: str
        ranked: list[int]

    @dataclass
    class Copied(Message):
        """A copy finished; `system` is False when the desktop clipboard was missing."""

        text: str
        what: str
        system: bool

    def __init__(self, library: Library) -> None:
        super().__init__()
        self._library = library
        # One writer thread: changes reach the library in the order the keys were pressed, and a
        # second readlist holding the write lock makes the app wait there, not on screen.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readlist-writer")
        self._view_ids: list[int] = []
        self._view_set: frozenset[int] = frozenset()
        self._ranked: list[int] | None = None
        self._ranked_query: str | None = None
        """The search `_ranked` answers."""
        self._lost_selection: tuple[int, int | None] | None = None
        """The paper a rerun of the search left out (its index half rebuilt: abstracts come
        last) and the one selected in its place; while the user stays there, the next rerun
        goes back to it."""
        self._reopened_on: int | None = None
        """The paper selected when the app last quit on this library, until the first load."""
        self._search: SearchIndex | None = None
        self._counts = Counts(total=0, unread=0)
        self._tags: list[str] = []
        self._reindex = False
        self.indexing = False
        """True from a change of searchable text until the search index has caught up."""

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield SearchBox(
            placeholder="/ to search titles, authors, years, tags, venues, notes, abstracts",
            id="search",
        )
        with Container(id="panes"):
            yield PaperList(self._library, id="papers")
            yield PaperDetail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self._paper_list = self.query_one(PaperList)
        self.set_focus(self._paper_list)
        if (saved := load_view(self._library.path)) is not None:
            self._go_back_to(saved)
        # The first load runs here, not in a worker: it takes ~70 ms at 100,000 papers, and the
        # first frame then already shows the list.
        self._reindex = True
        self.post_message(self._read(self.view_filter, self.sort))
        if self._library.created:
            # Where the papers will be kept, and a mistyped --db shows itself at once.
            self.notify(f"New library {self._library.path}", markup=False)

    def on_unmount(self) -> None:
        self._writer.shutdown(wait=True)
        saved = SavedView(self.sort.value, self.view_filter, self._paper_list.current_id)
        save_view(self._library.path, saved)

    def _go_back_to(self, saved: SavedView) -> None:
        """Open on the sort, filter and paper the app quit on; a filter by a tag that is gone,
        or a sort this readlist does not know, is left as it is."""
        with suppress(ValueError):
            self.set_reactive(MainScreen.sort, SortKey(saved.sort))
        if saved.view_filter in filter_choices(self._library.all_tags()):
            self.set_reactive(MainScreen.view_filter, saved.view_filter)
        self._reopened_on = saved.paper_id

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.query_one(Footer).compact = event.size.width < COMPACT_FOOTER_WIDTH

    # ---- loading -----------------------------------------------------------------------

    def reload(self, *, reindex: bool = False) -> None:
        """Read the filter's papers again (and rebuild the search index if text changed)."""
        self._reindex = self._reindex or reindex
        self._load(self.view_filter, self.sort)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, view_filter: ViewFilter, sort: SortKey) -> None:
        loaded = self._read(view_filter, sort)
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    def _read(self, view_filter: ViewFilter, sort: SortKey) -> Loaded:
        paper_filter = PaperFilter(
            tags=(view_filter.tag,) if view_filter.tag else (),
            status=Status(view_filter.status) if view_filter.status else None,
            import_id=self._last_import() if view_filter.last_import else None,
        )
        paper_ids = self._library.ids(paper_filter, sort)
        return self.Loaded(paper_ids, self._library.counts(), self._library.all_tags())

    def _last_import(self) -> int:
        # No import yet: -1 matches no paper, which is what "the last import" holds.
        return self._library.last_import_id() or -1

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._view_ids = message.paper_ids
        self._view_set = frozenset(message.paper_ids)
        self._counts = message.counts
        self._tags = message.tags
        papers = self.query_one(PaperList)
        papers.tags_column = bool(message.tags)
        papers.marked.intersection_update(self._view_set)
        papers.forget()
        # The first load selects the paper the app quit on, if it is still in view.
        select, self._reopened_on = self._reopened_on or papers.current_id, None
        self._show(select=select)
        if self._reindex:
            self._reindex = False
            self.indexing = True
            self._update_status()
            if self._search is None:
                # Reading and indexing every paper's text takes seconds at 100,000 papers; started
                # at once it competed with the first frame (measured: 1.8 s against 1.1 s).
                self.set_timer(_FIRST_INDEX_DELAY, self._build_index)
            else:
                self._build_index()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _build_index(self) -> None:
        worker = get_current_worker()
        search = SearchIndex(self._library.search_documents())
        if worker.is_cancelled:
            return
        self.post_message(self.IndexReady(search))
        # Abstracts take seconds more at 100,000 papers; titles, authors, tags, venues and notes
        # are searchable meanwhile, and the search runs again once abstracts count too.
        if search.index_abstracts(should_stop=lambda: worker.is_cancelled):
            self.post_message(self.IndexReady(search))

    @on(IndexReady)
    def _index_ready(self, message: IndexReady) -> None:
        self._search = message.search
        self.indexing = False
        if self.search_query.strip():
            self._run_search(self.search_query)

    def _show(self, *, select: int | None) -> None:
        """Put the papers in view into the list: the search's ranking within the filter."""
        papers = self.query_one(PaperList)
        query = self.search_query.strip()
        if query and self._ranked is not None:
            shown = [paper_id for paper_id in self._ranked if paper_id in self._view_set]
        else:
            shown = self._view_ids
        papers.show(shown, query=query, select=select)
        self._update_status()

    def _update_status(self) -> None:
        self.query_one(StatusBar).show(
            shown=len(self.query_one(PaperList).paper_ids),
            counts=self._counts,
            filter_name=self.view_filter.name,
            sort_name=self.sort.value,
            query=self.search_query,
            indexing=self.indexing,
            marked=len(self.query_one(PaperList).marked),
        )

    def watch_view_filter(self) -> None:
        self.reload()

    def watch_sort(self) -> None:
        self.reload()

    # ---- searching ---------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search_query = event.value

    def watch_search_query(self, query: str) -> None:
        if not query.strip():
            self.workers.cancel_group(self, "search")
            self._ranked = None
            self._ranked_query = None
            self._show(select=self.query_one(PaperList).current_id)
        elif self._search is not None:
            # After the typed character is drawn: the search thread then competes for the GIL
            # with nothing the user is waiting to see.
            self.call_after_refresh(self._search_if_current, query)
        else:
            self._update_status()

    def _search_if_current(self, query: str) -> None:
        if query == self.search_query:
            self._run_search(query)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, query: str) -> None:
        assert self._search is not None
        ranked = [hit.paper_id for hit in self._search.rank(query)]
        # A newer keystroke cancelled this search: its results would only flash by.
        if not get_current_worker().is_cancelled:
            self.post_message(self.SearchDone(query, ranked))

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        if message.query != self.search_query:
            return
        # The same search run again (the index was rebuilt after a change) keeps the paper the
        # user is on; a new search starts at its best match.
        rerun = message.query == self._ranked_query
        self._ranked = message.ranked
        self._ranked_query = message.query
        papers = self.query_one(PaperList)
        if not rerun:
            self._lost_selection = None
            self._show(select=None)
            papers.select_first()
            return
        wanted = papers.current_id
        lost = self._lost_selection
        if lost is not None and lost[1] == wanted:
            wanted = lost[0]
        self._show(select=wanted)
        if wanted is None or papers.current_id == wanted:
            self._lost_selection = None
        else:
            self._lost_selection = (wanted, papers.current_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: this screen's workers fail only here.
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            self.notify(_error_message(error), severity="error", markup=False)

    # ---- following the list ------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self) -> None:
        self.query_one(PaperDetail).show(
            self.query_one(PaperList).current_paper(),
            searching=bool(self.search_query.strip()),
            indexing=self.indexing,
        )

    @on(PaperList.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_status()

    def _marked(self) -> Targets | None:
        """Every marked paper, shown or hidden by the search; None when none is marked."""
        # Marks outlive a search, so papers can be marked across several searches; the status
        # line counts them all, and the keys act on them all and say how many are hidden.
        papers = self.query_one(PaperList)
        if not papers.marked:
            return None
        paper_ids = [paper_id for paper_id in self._view_ids if paper_id in papers.marked]
        hidden = len(paper_ids) - sum(
            1 for paper_id in papers.paper_ids if paper_id in papers.marked
        )
        name = "1 marked paper" if len(paper_ids) == 1 else f"{len(paper_ids)} marked papers"
        if hidden:
            name += f" ({hidden} hidden by the search)"
        return Targets(paper_ids, name)

    def _targets(self) -> Targets | None:
        """The marked papers, else the selected one; None (and says so) when the view is empty."""
        if marked := self._marked():
            return marked
        current_id = self.query_one(PaperList).current_id
        if current_id is None:
            self._say_no_paper()
            return None
        return Targets([current_id], "1 paper")

    def _current_paper(self) -> Paper | None:
        """The selected paper; None (and says so) when the view is empty."""
        paper = self.query_one(PaperList).current_paper()
        if paper is None:
            self._say_no_paper()
        return paper

    def _say_no_paper(self) -> None:
        # A key that does nothing without a word looks broken.
        self.notify("No paper in view to act on", severity="warning")

    @staticmethod
    def _count(paper_ids: Sequence[int]) -> str:
        return "1 paper" if len(paper_ids) == 1 else f"{len(paper_ids)} papers"

    # ---- changes: all through one writer thread ----------------------------------------

    @work(group="change", exit_on_error=False)
    async def _change(
        self,
        change: Callable[[], str],
        reindex: bool = False,
        *,
        on_error: Callable[[], None] | None = None,
    ) -> None:
        """Run `change` on the writer thread, then say what it did and show the result.

        If it fails, `on_error` runs and the error is said like any failed worker's.
        """
        try:
            summary = await asyncio.get_running_loop().run_in_executor(self._writer, change)
        except Exception:
            if on_error is not None:
                on_error()
            raise
        self.notify(one_line(summary), markup=False)
        self.reload(reindex=reindex)

    def action_toggle_read(self) -> None:
        targets = self._targets()
        if targets is None:
            return
        paper_ids = targets.paper_ids

        def toggle() -> str:
            papers = self._library.get_many(paper_ids)
            status = (
                Status.UNREAD
                if all(paper.status is Status.READ for paper in papers)
                else Status.READ
            )
            self._library.mark(paper_ids, status)
            return f"{status.value.capitalize()}: {targets.name}"

        self._change(toggle)

    def action_tag(self) -> None:
        targets = self._targets()
        if targets is None:
            return

        def add(tags: list[str]) -> str:
            self._library.tag(targets.paper_ids, tags)
            return f"Tagged {targets.name}: {', '.join(tags)}"

        question = f"Add tags to {targets.name}, comma-separated"
        self._ask_for_tags(question, "tag, another tag", self._tags, add)

    def action_untag(self) -> None:
        targets = self._targets()
        if targets is None:
            return
        papers = self._library.get_many(targets.paper_ids)
        present = sorted({tag for paper in papers for tag in paper.tags})
        if not present:
            self.notify(f"No tags on {targets.name}", severity="warning")
            return

        def remove(tags: list[str]) -> str:
            self._library.untag(targets.paper_ids, tags)
            return f"Removed {', '.join(tags)} from {targets.name}"

        question = f"Remove which tag from {targets.name}? ({_some_tags(present)})"
        self._ask_for_tags(question, one_line(present[0]), present, remove)

    def _ask_for_tags(
        self,
        question: str,
        placeholder: str,
        known: Sequence[str],
        change: Callable[[list[str]], str],
    ) -> None:
        """Ask `question`, completing the `known` tags, then make `change` with the tags answered
        (none answered, no change)."""
        # Tags show with their control characters as symbols (never as terminal codes), and a
        # tag typed as shown names the tag itself; typed exactly as it is, it wins.
        by_shown = {one_line(tag): tag for tag in known} | {tag: tag for tag in known}

        def answered(answer: str | None) -> None:
            tags = [by_shown.get(tag, tag) for tag in _tags_from(answer or "")]
            if tags:
                self._change(partial(change, tags), reindex=True)

        prompt = Prompt(
            question, placeholder=placeholder, suggester=TagSuggester(list(map(one_line, known)))
        )
        self.app.push_screen(prompt, answered)

    def action_edit_note(self) -> None:
        paper = self._current_paper()
        if paper is None:
            return

        def save(note: str | None) -> None:
            # Unchanged as shown: a note whose control characters show as symbols stays as it was.
            if note is None or note == editable(paper.note):
                return

            def write() -> str:
                self._library.set_note(paper.id, note)
                return "Note saved"

            def reopen() -> None:
                # A note that could not be saved goes back to its editor instead of being lost.
                self.app.push_screen(NoteEditor(paper.title, paper.note, draft=note), save)

            self._change(write, reindex=True, on_error=reopen)

        self.app.push_screen(NoteEditor(paper.title, paper.note), save)

    def action_undo(self) -> None:
        def undo() -> str:
            undone = self._library.undo()
            return f"Undid: {undone}" if undone else "Nothing to undo"

        self._change(undo, reindex=True)

    def action_import(self) -> None:
        def start(answer: str | None) -> None:
            if answer is None:
                return
            path = answer.strip()
            self._change(lambda: self._import(path), reindex=True)

        self.app.push_screen(
            Prompt(
                "Import a file (BibTeX, a saved listing page, arXiv ids); leave empty to import "
                "what is on the clipboard",
                placeholder="path (tab completes), or empty for the clipboard",
                suggester=PathSuggester(),
            ),
            start,
        )

    def _import(self, path: str) -> str:
        if path == "-":
            # The CLI's "-" is standard input; the app's is the terminal, and reading it would
            # swallow every key, even the ones that quit.
            raise UnreadableInput(
                "-: the app has no standard input to read; save the text to a file and import "
                "its path, or copy it and leave the path empty"
            )
        if path:
            sources = [ImportSource.from_path(dropped) for dropped in _dropped_paths(path)]
        else:
            text = paste_from_system_clipboard()
            if text is None:
                raise UnreadableInput(
                    "no clipboard to read here (no DISPLAY or xclip, no tmux buffer); save the "
                    "text to a file and import its path"
                )
            sources = [ImportSource("clipboard", text.encode("utf-8"))]
        report = self._library.import_sources(sources)
        if report.failed and not report.new:
            raise NothingToImport(_import_summary(report))
        return _import_summary(report)

    def action_export(self) -> None:
        in_view = list(self.query_one(PaperList).paper_ids)
        targets = self._marked() or Targets(in_view, self._count(in_view))
        paper_ids = targets.paper_ids
        if not paper_ids:
            self.notify("No papers in view to export", severity="warning")
            return

        def start(answer: str | None, replacing: Path | None = None) -> None:
            if answer is None:
                return
            path = Path(answer.strip() or DEFAULT_EXPORT).expanduser().absolute()
            if path.exists() and path != replacing:
                # The name offered is the last export's, but a typed one could be any file.
                question = f"{path} already exists: enter replaces it, or name another file"
                self.app.push_screen(
                    Prompt(
                        question, value=answer.strip() or DEFAULT_EXPORT, suggester=PathSuggester()
                    ),
                    partial(start, replacing=path),
                )
                return
            self._change(lambda: self._export(paper_ids, path))

        self.app.push_screen(
            Prompt(
                f"Export {targets.name} to BibTeX file",
                value=DEFAULT_EXPORT,
                suggester=PathSuggester(),
            ),
            start,
        )

    def _export(self, paper_ids: list[int], path: Path) -> str:
        self._library.write_bibtex(path, PaperFilter(paper_ids=tuple(paper_ids)), self.sort)
        return f"Exported {self._count(paper_ids)} to {path}"

    # ---- view --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Search-box keys act only in the search box, where `/` types a slash instead; Escape
        also clears a search from its results (in the detail pane it goes back to them)."""
        searching = isinstance(self.focused, SearchBox)
        if action == "clear_search":
            return searching or (isinstance(self.focused, PaperList) and bool(self.search_query))
        if action == "results":
            return searching
        if action == "search":
            return not searching
        return True

    def action_clear_search(self) -> None:
        self.query_one(SearchBox).value = ""
        self.set_focus(self.query_one(PaperList))

    def action_results(self) -> None:
        self.set_focus(self.query_one(PaperList))

    def action_search(self) -> None:
        self.set_focus(self.query_one(SearchBox))

    def action_filter(self) -> None:
        def choose(choice: ViewFilter | None) -> None:
            if choice is not None:
                self.view_filter = choice

        self.app.push_screen(FilterMenu(filter_choices(self._tags), self.view_filter), choose)

    def action_cycle_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]

    def action_reload(self) -> None:
        self.reload(reindex=True)

    def action_help(self) -> None:
        if self.query("HelpPanel"):
            self.app.action_hide_help_panel()
        else:
            self.app.action_show_help_panel()

    def action_quit(self) -> None:
        self.app.exit()

    # ---- links and clipboard -----------------------------------------------------------

    def action_copy_link(self) -> None:
        paper = self._current_paper()
        if paper is not None:
            link = paper_link(paper)
            self._copy(link.url, link.kind)

    def action_copy_key(self) -> None:
        paper = self._current_paper()
        if paper is None:
            return
        if not paper.key:
            self.notify("This paper has no citation key yet", severity="warning")
            return
        self._copy(paper.key, "citation key")

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _copy(self, text: str, what: str) -> None:
        self.post_message(self.Copied(text, what, copy_to_system_clipboard(text)))

    @on(Copied)
    def _copied(self, message: Copied) -> None:
        shown = one_line(message.text)
        if message.system:
            self.notify(f"Copied {message.what} {shown}", markup=False)
        else:
            self.app.copy_to_clipboard(message.text)
            self.notify(
                f"Copied {message.what} {shown} through the terminal (OSC 52): "
                "no system clipboard here",
                markup=False,
            )

    def action_open_link(self) -> None:
        paper = self._current_paper()
        if paper is not None:
            link = paper_link(paper)
            self.notify(f"Opening {link.kind} {one_line(link.url)}", markup=False)
            self._open(link.url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open(self, url: str) -> None:
        if not webbrowser.open(url):
            self.app.call_from_thread(
                self.notify,
                f"No browser found to open {one_line(url)}",
                severity="error",
                markup=False,
            )
