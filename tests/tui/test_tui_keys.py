"""Every key of the app, pressed in a headless terminal, checked against the library file."""

from __future__ import annotations

import io
import sqlite3
import sys
import threading
from pathlib import Path

import pytest
from rich.text import Text
from textual import events
from textual.widgets import HelpPanel, Input, Label, Static, TextArea
from textual.widgets._footer import FooterKey

from readlist.config import Config
from readlist.library import FileReport, Library
from readlist.models import Draft, Status
from readlist.search import SearchIndex
from readlist.tui.app import ReadlistApp
from readlist.tui.clipboard import copy_to_system_clipboard
from readlist.tui.screens.main import MainScreen
from readlist.tui.widgets.detail import ABSTRACT_SHOWN
from readlist.tui.widgets.paper_list import PaperList
from tui.conftest import Settle
from tui.papers import (
    HOSTILE_TAG,
    HOSTILE_TAG_SHOWN,
    HOSTILE_TITLE,
    TITLES_NEWEST_FIRST,
    fixture_drafts,
)


def paper_list(app: ReadlistApp) -> PaperList:
    return app.screen.query_one(PaperList)


def current_title(app: ReadlistApp) -> str:
    paper = paper_list(app).current_paper()
    assert paper is not None
    return paper.title


def shown_titles(app: ReadlistApp) -> list[str]:
    return [paper.title for paper in app.library.get_many(paper_list(app).paper_ids)]


def detail_text(app: ReadlistApp) -> str:
    content = app.screen.query_one("#detail-text", Static).content
    assert isinstance(content, Text)
    return content.plain


def notifications(app: ReadlistApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def paper(library: Library, title: str) -> int:
    return next(p.id for p in library.papers() if p.title == title)


async def test_opens_with_every_paper_newest_first(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST
        assert current_title(app) == "Attention Is All You Need"
        assert "Ashish Vaswani, Noam Shazeer" in detail_text(app)
        status = app.screen.query_one("#status", Static).content
        assert isinstance(status, Text)
        assert "5/5 shown · 5 unread · all · sort: added" in status.plain


async def test_moving_keys_select_the_paper_the_detail_pane_shows(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "down")
        assert current_title(app) == TITLES_NEWEST_FIRST[2]
        assert "Mallory Eve" in detail_text(app)
        await pilot.press("k")
        assert current_title(app) == TITLES_NEWEST_FIRST[1]
        await pilot.press("up")
        assert current_title(app) == TITLES_NEWEST_FIRST[0]
        await pilot.press("G")
        assert current_title(app) == TITLES_NEWEST_FIRST[-1]
        await pilot.press("g")
        assert current_title(app) == TITLES_NEWEST_FIRST[0]
        await pilot.press("pagedown")
        assert current_title(app) == TITLES_NEWEST_FIRST[-1]
        await pilot.press("pageup")
        assert current_title(app) == TITLES_NEWEST_FIRST[0]
        await pilot.press("end")
        assert current_title(app) == TITLES_NEWEST_FIRST[-1]
        await pilot.press("home")
        assert current_title(app) == TITLES_NEWEST_FIRST[0]


async def test_enter_focuses_details_and_escape_returns(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert app.focused is app.screen.query_one("#detail")
        await pilot.press("escape")
        assert app.focused is paper_list(app)


async def test_click_selects_a_paper(filled: Library, library_path: Path, settle: Settle) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click(PaperList, offset=(10, 3))
        assert current_title(app) == TITLES_NEWEST_FIRST[3]


async def test_search_ranks_with_typos_and_escape_shows_everything_again(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G", "slash", *"residul lerning")
        await settle(pilot)
        assert shown_titles(app)[0] == "Deep Residual Learning for Image Recognition"
        assert len(shown_titles(app)) < 5
        await pilot.press("enter")
        assert app.focused is paper_list(app)
        assert current_title(app) == "Deep Residual Learning for Image Recognition"
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST
        assert app.screen.query_one("#search", Input).value == ""


async def test_the_selected_result_stays_selected_when_the_search_runs_again(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"networks", "enter", "j")
        await settle(pilot)
        assert len(shown_titles(app)) > 2
        chosen = current_title(app)
        assert chosen != shown_titles(app)[0]
        # Each rebuilds the search index, which runs the search again.
        for keys in (["ctrl+r"], ["t", "x", "enter"]):
            await pilot.press(*keys)
            await settle(pilot)
            assert current_title(app) == chosen
        app.post_message(events.AppFocus())
        await settle(pilot)
        assert current_title(app) == chosen


async def test_a_result_a_half_built_index_left_out_is_selected_again_once_it_is_back(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    # After a change the index is built again, abstracts last: meanwhile the search runs again
    # without them, and a paper found by its abstract alone is out of the results for a while.
    titles_only = SearchIndex(filled.search_documents())
    whole = SearchIndex(filled.search_documents())
    whole.index_abstracts()
    by_title = {hit.paper_id for hit in titles_only.rank("networks")}
    by_abstract = next(
        hit.paper_id for hit in whole.rank("networks") if hit.paper_id not in by_title
    )
    chosen = filled.get(by_abstract).title
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"networks", "enter")
        await settle(pilot)
        while current_title(app) != chosen:
            await pilot.press("j")

        for index in (titles_only, whole):
            app.screen.post_message(MainScreen.IndexReady(index))
            await settle(pilot)

        assert current_title(app) == chosen


async def test_escape_in_the_results_clears_the_search_after_the_details(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"residual", "enter", "enter")
        await settle(pilot)
        await pilot.press("escape")  # from the details back to the results
        assert app.focused is paper_list(app)
        assert len(shown_titles(app)) < 5
        await pilot.press("escape")
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST
        assert app.screen.query_one("#search", Input).value == ""
        assert app.focused is paper_list(app)


async def test_a_search_without_results_says_how_to_clear_it(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"qqqqxxxxzzzz")
        await settle(pilot)
        assert shown_titles(app) == []
        assert detail_text(app).startswith("No paper matches the search. Press escape")


def status_text(app: ReadlistApp) -> str:
    content = app.screen.query_one("#status", Static).content
    assert isinstance(content, Text)
    return content.plain


async def test_a_search_run_while_the_index_catches_up_says_so(
    filled: Library,
    library_path: Path,
    settle: Settle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The index that takes in the new tag is slow to build, as at 100,000 papers.
        built = threading.Event()
        documents = Library.search_documents

        def slow_documents(library: Library) -> object:
            built.wait(timeout=30)
            return documents(library)

        monkeypatch.setattr(Library, "search_documents", slow_documents)
        await pilot.press("t", *"fresh", "enter", "slash", *"fresh")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(1000):
            if screen.indexing and screen.search_query == "fresh" and not paper_list(app).paper_ids:
                break
            await pilot.pause()
        assert "search: fresh (index still updating)" in status_text(app)
        assert "No paper matches the search yet: its index is still updating" in detail_text(app)
        built.set()
        await settle(pilot)
        assert "(index still updating)" not in status_text(app)
        assert shown_titles(app) == ["Attention Is All You Need"]


async def test_down_in_the_search_box_goes_to_the_best_match(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"vaswani")
        await settle(pilot)
        await pilot.press("down")
        assert app.focused is paper_list(app)
        assert current_title(app) == "Attention Is All You Need"


async def test_r_toggles_read_and_u_undoes(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    attention = paper(filled, "Attention Is All You Need")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert filled.get(attention).status is Status.READ
        assert "Status: read" in detail_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert filled.get(attention).status is Status.UNREAD
        await pilot.press("r", "u")
        await settle(pilot)
        assert filled.get(attention).status is Status.UNREAD
        assert "Undid: mark 1 paper read" in notifications(app)


async def test_space_marks_papers_for_a_bulk_read(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "j", "space", "r")
        await settle(pilot)
        read = {p.title for p in filled.papers() if p.status is Status.READ}
        assert read == {TITLES_NEWEST_FIRST[0], TITLES_NEWEST_FIRST[2]}
        await pilot.press("u")
        await settle(pilot)
        assert notifications(app)[-1] == "Undid: mark 2 papers read"
        assert all(p.status is Status.UNREAD for p in filled.papers())


async def test_a_narrow_status_line_still_shows_the_marks(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    # The keys act on the marked papers, not the selected one: the count must stay in sight.
    app = ReadlistApp(library_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "slash", *"listing only", "enter")
        await settle(pilot)
        shown = app.screen.query_one("#status", Static).render_line(0).text
        assert "2 marked" in shown


async def test_marks_the_search_hides_are_still_acted_on_and_said(
    filled: Library,
    library_path: Path,
    settle: Settle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    marked = set(TITLES_NEWEST_FIRST[:2])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "slash", *"listing only", "enter")
        await settle(pilot)
        assert marked.isdisjoint(shown_titles(app))
        said = "2 marked papers (2 hidden by the search)"
        await pilot.press("r")
        await settle(pilot)
        assert {p.title for p in filled.papers() if p.status is Status.READ} == marked
        assert notifications(app)[-1] == f"Read: {said}"
        await pilot.press("t", *"x", "enter")
        await settle(pilot)
        assert {p.title for p in filled.papers() if "x" in p.tags} == marked
        await pilot.press("T")
        assert said in str(app.screen.query_one(Label).content)
        await pilot.press("x", "enter")
        await settle(pilot)
        assert notifications(app)[-1] == f"Removed x from {said}"
        await pilot.press("e")
        assert f"Export {said}" in str(app.screen.query_one(Label).content)
        await pilot.press("enter")
        await settle(pilot)
        exported = (tmp_path / "readlist.bib").read_text(encoding="utf-8")
        assert "vaswani2017attention" in exported
        assert "Deep Residual" in exported
        assert "Listing Only Paper" not in exported


async def test_t_adds_tags_with_completion_and_capital_t_removes_one(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    residual = paper(filled, "Deep Residual Learning for Image Recognition")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "t", *"vision, tra")
        await pilot.press("right")
        assert app.screen.query_one(Input).value == "vision, transformers"
        await pilot.press("enter")
        await settle(pilot)
        assert filled.get(residual).tags == ["transformers", "vision"]
        await pilot.press("T", *"vision", "enter")
        await settle(pilot)
        assert filled.get(residual).tags == ["transformers"]
        assert "Tags: transformers" in detail_text(app)


def refuse_writes(monkeypatch: pytest.MonkeyPatch, *methods: str) -> None:
    """Make these library writes fail as SQLite does on a read-only file: not a ReadlistError."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database\nsecond line")

    for method in methods:
        monkeypatch.setattr(Library, method, refuse)


async def test_a_failed_write_is_said_in_one_line(
    filled: Library, library_path: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_writes(monkeypatch, "mark", "tag")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("t", "x", "enter")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        said = "OperationalError: attempt to write a readonly database second line"
        assert [said in error and "\n" not in error for error in errors] == [True, True]
        assert isinstance(app.screen, MainScreen)


async def test_a_note_that_fails_to_save_stays_in_its_editor(
    filled: Library, library_path: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    attention = paper(filled, "Attention Is All You Need")
    with monkeypatch.context() as writes:
        refuse_writes(writes, "set_note")
        app = ReadlistApp(library_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("n", *"precious words", "ctrl+s")
            await settle(pilot)
            assert "attempt to write a readonly database" in notifications(app)[-1]
            assert app.screen.query_one(TextArea).text == "precious words"
            # Still unsaved: Escape asks first here too.
            await pilot.press("escape")
            assert app.screen.query_one(TextArea).text == "precious words"
            writes.undo()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert filled.get(attention).note == "precious words"


async def test_a_tag_with_control_codes_is_completed_and_removed_as_shown(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    attention = paper(filled, "Attention Is All You Need")
    filled.tag([attention], [HOSTILE_TAG])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        answer = app.screen.query_one(Input)
        answer.insert_text_at_cursor("␛")  # as pasted: the pilot has no key for it
        await pilot.pause()
        await pilot.press("right")
        assert answer.value == HOSTILE_TAG_SHOWN
        await pilot.press("enter")
        await settle(pilot)
        assert filled.get(attention).tags == ["nlp", "transformers"]
        assert notifications(app)[-1] == f"Removed {HOSTILE_TAG_SHOWN} from 1 paper"


async def test_untag_with_many_tags_names_a_few_and_completes_them_all(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    attention = paper(filled, "Attention Is All You Need")
    filled.tag([attention], [f"topic{number:03}" for number in range(300)])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        answer = app.screen.query_one(Input)
        assert app.screen.region.contains_region(answer.region)
        assert answer.region.height == answer.outer_size.height
        question = str(app.screen.query_one(Label).content)
        assert question.endswith("(nlp, topic000, topic001, topic002, topic003 … 297 more)")
        await pilot.press(*"topic25")
        await pilot.press("right")
        assert answer.value == "topic250"


async def test_keys_for_a_paper_say_why_they_do_nothing_when_none_is_in_view(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzzqqqq", "enter")
        await settle(pilot)
        assert paper_list(app).paper_ids == []
        for key in ("r", "t", "T", "n", "y", "Y", "o"):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert notifications(app) == ["No paper in view to act on"], key


async def test_escape_in_a_prompt_changes_nothing(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "t", *"never")
        await pilot.press("escape")
        await settle(pilot)
        assert "never" not in filled.all_tags()
        assert isinstance(app.screen, MainScreen)


async def test_f_filters_unread_read_tag_and_last_import_with_search(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("f", "enter")  # the menu opens on "all"; first entry is "unread"
        await settle(pilot)
        await pilot.press("f", "home", "enter")
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST[1:]
        await pilot.press("f", "home", "down", "enter")
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST[:1]
        await pilot.press("f", "end", "enter")  # the last entry: tag "transformers"
        await settle(pilot)
        assert shown_titles(app) == ["Attention Is All You Need"]
        await pilot.press("f", "home", "down", "down", "down", "enter")  # last import
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST
        await pilot.press("slash", *"residual")
        await settle(pilot)
        assert shown_titles(app)[0] == "Deep Residual Learning for Image Recognition"
        await pilot.press("escape", "f", "home", "down", "enter")  # read, with a search
        await settle(pilot)
        await pilot.press("slash", *"residual")
        await settle(pilot)
        assert shown_titles(app) == []


async def test_s_cycles_the_sort(filled: Library, library_path: Path, settle: Settle) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # listing date: the only listed paper first
        await settle(pilot)
        assert shown_titles(app)[0] == "Listing Only Paper"
        await pilot.press("s")  # year, newest first
        await settle(pilot)
        assert shown_titles(app)[:2] == [
            "Graph Networks Without Identifiers",
            HOSTILE_TITLE,
        ]
        await pilot.press("s")  # title, ignoring case and punctuation: "bold hostile..."
        await settle(pilot)
        assert shown_titles(app)[:3] == [
            "Attention Is All You Need",
            HOSTILE_TITLE,
            "Deep Residual Learning for Image Recognition",
        ]
        await pilot.press("s")
        await settle(pilot)
        assert shown_titles(app) == TITLES_NEWEST_FIRST


async def test_n_saves_a_note_that_shows_and_is_searched(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    attention = paper(filled, "Attention Is All You Need")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"reread section 3", "enter", *"[b]ok")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert filled.get(attention).note == "reread section 3\n[b]ok"
        assert "reread section 3\n[b]ok" in detail_text(app)
        await pilot.press("G", "slash", *"reread section")
        await settle(pilot)
        assert shown_titles(app)[0] == "Attention Is All You Need"


async def test_escape_asks_before_leaving_a_changed_note_unsaved(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    attention = paper(filled, "Attention Is All You Need")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"an hour of thoughts", "escape")
        assert app.screen.query_one(TextArea).text == "an hour of thoughts"
        assert notifications(app)[-1] == (
            "This note has unsaved changes: ctrl+s saves them, escape again leaves without them"
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert filled.get(attention).note == ""
        await pilot.press("n", "escape")
        assert isinstance(app.screen, MainScreen)


async def test_a_long_title_leaves_the_note_room_to_write(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    filled.add_drafts([(FileReport("long"), [Draft("A Survey of Surveys " * 20, ["Ann Long"])])])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert str(app.screen.query_one(".dialog-title", Label).content).startswith(
            "Note on A Survey of Surveys"
        )
        assert app.screen.query_one(TextArea).size.height >= 8


async def test_the_app_opens_where_it_quit_on_each_library(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")  # the newest read: the unread filter keeps the four others
        await settle(pilot)
        await pilot.press("f", "home", "enter", "s", "s", "s")  # unread, by title
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        left_on = paper_list(app).current_id
        titles = shown_titles(app)
        assert len(titles) == 4
        await pilot.press("q")

    reopened = ReadlistApp(library_path)
    async with reopened.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "4/5 shown · 4 unread · unread · sort: title" in status_text(reopened)
        assert shown_titles(reopened) == titles
        assert paper_list(reopened).current_id == left_on
    # Another library opens as it always did.
    other = ReadlistApp(library_path.with_name("other.sqlite"))
    async with other.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "all · sort: added" in status_text(other)


async def test_a_library_the_app_makes_is_named_once(
    tmp_path: Path, filled: Library, library_path: Path, settle: Settle
) -> None:
    # A first run, or a mistyped --db: the user sees where the papers will be kept.
    new_path = tmp_path / "elsewhere" / "mine.sqlite"
    for path, said in ((new_path, [f"New library {new_path}"]), (library_path, [])):
        app = ReadlistApp(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert [n for n in notifications(app) if n.startswith("New library")] == said


async def test_a_note_edits_with_its_control_codes_as_symbols_never_as_terminal_codes(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    attention = paper(filled, "Attention Is All You Need")
    filled.set_note(attention, "see \x1b[31mred\x1b[0m")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        note = app.screen.query_one(TextArea)
        assert note.text == "see ␛[31mred␛[0m"
        # Saved unchanged as shown, the note keeps what it held.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert filled.get(attention).note == "see \x1b[31mred\x1b[0m"
        await pilot.press("n")
        note = app.screen.query_one(TextArea)
        app.post_message(events.Paste("\tbell\x07\r\n"))  # as the terminal sends a paste
        await settle(pilot)
        assert note.text == "\tbell␇\nsee ␛[31mred␛[0m"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert filled.get(attention).note == "\tbell␇\nsee ␛[31mred␛[0m"


async def test_y_copies_the_arxiv_link_through_the_terminal_without_a_clipboard(
    filled: Library, library_path: Path, settle: Settle, no_clipboard: None
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "https://arxiv.org/abs/1706.03762"
        assert notifications(app)[-1] == (
            "Copied arXiv link https://arxiv.org/abs/1706.03762 through the terminal (OSC 52): "
            "no system clipboard here"
        )


@pytest.mark.parametrize(
    ("row", "kind", "link"),
    [
        (1, "DOI link", "https://doi.org/10.1109/cvpr.2016.90"),
        (3, "link", "https://example.org/listing-only"),
        (
            4,
            "title search link",
            "https://scholar.google.com/scholar?q=%22Graph+Networks+Without+Identifiers%22",
        ),
    ],
)
async def test_y_copies_the_best_link_and_says_which(
    filled: Library,
    library_path: Path,
    settle: Settle,
    no_clipboard: None,
    row: int,
    kind: str,
    link: str,
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*["j"] * row, "y")
        await settle(pilot)
        assert app.clipboard == link
        assert notifications(app)[-1].startswith(f"Copied {kind} {link}")


async def test_capital_y_copies_the_citation_key(
    filled: Library, library_path: Path, settle: Settle, no_clipboard: None
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == "vaswani2017attention"


async def test_o_opens_the_link_in_the_browser(
    filled: Library, library_path: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def open_in_browser(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", open_in_browser)
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://arxiv.org/abs/1706.03762"]


async def test_i_with_a_missing_file_says_why_and_keeps_running(
    filled: Library,
    library_path: Path,
    settle: Settle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", *"no.bib", "enter")
        await settle(pilot)
        assert notifications(app)[-1] == "no.bib: no such file"
        assert isinstance(app.screen, MainScreen)
        assert len(filled.ids()) == 5


async def test_i_refuses_standard_input_which_is_the_terminal_here(
    filled: Library, library_path: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Standard input with papers on it: reading it would show as papers added; in a real
    # terminal it swallowed every key until the app was killed.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BIBTEX.encode())))
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", "minus", "enter")
        await settle(pilot)
        assert notifications(app)[-1].startswith("-: the app has no standard input to read")
        assert len(filled.ids()) == 5


async def test_i_without_a_clipboard_says_so(
    filled: Library, library_path: Path, settle: Settle, no_clipboard: None
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", "enter")
        await settle(pilot)
        assert notifications(app)[-1].startswith("no clipboard to read here")


async def test_ctrl_r_shows_papers_another_readlist_added(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        with Library(library_path) as other:
            other.add_drafts([(FileReport("cli"), [Draft("Added Elsewhere", ["Someone"], 2024)])])
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert shown_titles(app)[0] == "Added Elsewhere"
        assert filled.get(paper(filled, "Attention Is All You Need")).status is Status.READ


async def test_question_mark_shows_every_key_with_its_tooltip(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        await settle(pilot)
        assert not app.screen.query(HelpPanel)


async def test_command_palette_runs_the_same_actions(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    attention = paper(filled, "Attention Is All You Need")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Read")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert filled.get(attention).status is Status.READ


async def test_keys_remapped_in_the_config(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path, config=Config(keys={"readlist.toggle_read": "x"}))
    attention = paper(filled, "Attention Is All You Need")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert filled.get(attention).status is Status.UNREAD
        await pilot.press("x")
        await settle(pilot)
        assert filled.get(attention).status is Status.READ


async def test_q_quits(filled: Library, library_path: Path, settle: Settle) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_hostile_text_shows_literally(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        text = detail_text(app)
        assert "[bold]Hostile[/bold] title ␛[31mred" in text
        assert "[HOSPITAL] patients with $^{2}$ markers␇" in text
        hostile_row = paper_list(app).render_line(2).text
        assert "[bold]Hostile[/bold] title ␛[31m" in hostile_row
        assert "\x1b" not in hostile_row


async def test_titles_take_the_tags_column_until_a_paper_has_a_tag(
    library: Library, library_path: Path, settle: Settle
) -> None:
    library.add_drafts([(FileReport("fixture"), fixture_drafts())])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        assert (
            "Deep Residual Learning for Image Recognition " in paper_list(app).render_line(1).text
        )
        await pilot.press("t", *"vision", "enter")
        await settle(pilot)
        row = paper_list(app).render_line(1).text
        assert "Deep Residual" in row
        assert "#vision" in row


async def test_a_huge_abstract_shows_its_start_and_how_much_is_left_out(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    # A broken entry can hold a whole page as its abstract; drawn whole, each visit to the paper
    # held up the keys for seconds.
    abstract = "word " * 80_000
    huge = Draft("Huge Abstract", ["Big Writer"], 2020, abstract=abstract)
    filled.add_drafts([(FileReport("huge"), [huge])])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert current_title(app) == "Huge Abstract"
        shown = detail_text(app)
        assert "word word" in shown
        left_out = len(abstract.strip()) - ABSTRACT_SHOWN
        assert f"… {left_out:,} more characters of the abstract, not shown here" in shown
        assert len(shown) < 2 * ABSTRACT_SHOWN


async def test_layout_stacks_below_110_columns_and_reflows(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-narrow")
        list_region = paper_list(app).region
        detail_region = app.screen.query_one("#detail").region
        assert detail_region.y > list_region.y
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        assert not app.screen.has_class("-narrow")
        assert app.screen.query_one("#detail").region.x > paper_list(app).region.x


BIBTEX = """@article{knuth1984literate,
  title = {Literate Programming},
  author = {Knuth, Donald E.},
  journal = {The Computer Journal},
  year = {1984},
}
"""


async def test_the_footer_shows_help_and_quit_in_80_columns(
    filled: Library, library_path: Path, settle: Settle
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = {key.description: key.region for key in app.screen.query(FooterKey)}
        palette = app.screen.query_one(".-command-palette", FooterKey).region
        for description in ("Help", "Quit"):
            assert keys[description].right <= palette.x, description


async def test_the_selected_paper_stays_in_sight_when_the_terminal_shrinks(
    library: Library, library_path: Path, settle: Settle
) -> None:
    drafts = [Draft(f"Paper number {number}", ["Some One"], 2000 + number) for number in range(60)]
    library.add_drafts([(FileReport("many"), drafts)])
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("pagedown")
        papers = paper_list(app)
        assert papers.cursor > 20
        await pilot.resize_terminal(40, 10)
        await settle(pilot)
        top = papers.scroll_offset.y
        assert top <= papers.cursor < top + papers.scrollable_content_region.height
        assert current_title(app) in detail_text(app)


async def test_i_imports_a_file_and_shows_the_new_papers_at_once(
    filled: Library,
    library_path: Path,
    settle: Settle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.bib").write_text(BIBTEX, encoding="utf-8")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", *"k.bib", "enter")
        await settle(pilot)
        assert shown_titles(app)[0] == "Literate Programming"
        assert notifications(app)[-1].startswith("k.bib: 1 new")
        assert "Literate Programming" in {p.title for p in filled.papers()}
        await pilot.press("f", "home", "down", "down", "down", "enter")  # the last import
        await settle(pilot)
        assert shown_titles(app) == ["Literate Programming"]
        await pilot.press("u")
        await settle(pilot)
        assert "Literate Programming" not in {p.title for p in filled.papers()}


async def test_tab_completes_the_path_to_import(
    filled: Library, library_path: Path, settle: Settle, tmp_path: Path
) -> None:
    (tmp_path / "listings").mkdir()
    (tmp_path / "listings" / "knuth.bib").write_text(BIBTEX, encoding="utf-8")
    (tmp_path / "listings" / "knuth-notes.txt").write_text("", encoding="utf-8")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        # Each Tab completes as far as the names agree: the folder, then "knuth", then ".bib".
        for typed in (f"{tmp_path}/lis", "k", "."):
            await pilot.press(*typed)
            await settle(pilot)
            await pilot.press("tab")
        assert app.screen.query_one(Input).value == f"{tmp_path}/listings/knuth.bib"
        await pilot.press("enter")
        await settle(pilot)
        assert notifications(app)[-1].startswith(f"{tmp_path}/listings/knuth.bib: 1 new")


async def test_i_imports_a_file_dropped_on_the_terminal_quoted_or_escaped(
    filled: Library, library_path: Path, settle: Settle, tmp_path: Path
) -> None:
    # A file dragged onto a terminal comes as 'path' or path\ with\ escapes, as a shell takes it.
    dropped = tmp_path / "my refs.bib"
    dropped.write_text(BIBTEX, encoding="utf-8")
    escaped = str(dropped).replace(" ", "\\ ")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for typed in (f"'{dropped}' ", escaped):
            await pilot.press("i", *typed, "enter")
            await settle(pilot)
            assert notifications(app)[-1].startswith(f"{dropped}: "), typed
        assert "Literate Programming" in {p.title for p in filled.papers()}
        # Several files dragged at once come in one import.
        second = tmp_path / "more refs.txt"
        second.write_text("Mixtral of Experts\nVision Transformers Need Registers\n")
        await pilot.press("i", *f"'{dropped}' '{second}' ", "enter")
        await settle(pilot)
        assert notifications(app)[-1] == (
            f"{dropped}: 0 new, 0 updated, 1 known; {second}: 2 new, 0 updated, 0 known"
        )


async def test_i_imports_bibtex_from_the_clipboard(
    filled: Library,
    library_path: Path,
    settle: Settle,
    monkeypatch: pytest.MonkeyPatch,
    xdisplay: str,
) -> None:
    monkeypatch.setenv("DISPLAY", xdisplay)
    assert copy_to_system_clipboard(BIBTEX)
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", "enter")
        await settle(pilot)
        assert notifications(app)[-1].startswith("clipboard: 1 new")
        assert shown_titles(app)[0] == "Literate Programming"


async def test_e_exports_the_marked_papers_to_bibtex(
    filled: Library,
    library_path: Path,
    settle: Settle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "e", "enter")
        await settle(pilot)
        exported = (tmp_path / "readlist.bib").read_text(encoding="utf-8")
        assert "vaswani2017attention" in exported
        assert "Deep Residual" in exported
        assert "Listing Only Paper" not in exported
        assert notifications(app)[-1] == f"Exported 2 papers to {tmp_path / 'readlist.bib'}"


async def test_e_asks_before_replacing_a_file_that_exists(
    filled: Library, library_path: Path, settle: Settle, tmp_path: Path
) -> None:
    thesis = tmp_path / "thesis.bib"
    thesis.write_text("@book{mine, title = {Years of work}}\n", encoding="utf-8")
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e", "ctrl+u", *str(thesis), "enter")
        await settle(pilot)
        question = app.screen.query_one(".dialog-title", Label).content
        assert str(question) == f"{thesis} already exists: enter replaces it, or name another file"
        await pilot.press("escape")
        await settle(pilot)
        assert thesis.read_text(encoding="utf-8") == "@book{mine, title = {Years of work}}\n"
        await pilot.press("e", "ctrl+u", *str(thesis), "enter", "enter")
        await settle(pilot)
        assert "vaswani2017attention" in thesis.read_text(encoding="utf-8")
        assert notifications(app)[-1] == f"Exported 5 papers to {thesis}"


async def test_e_to_an_unwritable_place_says_why_and_keeps_running(
    filled: Library, library_path: Path, settle: Settle, tmp_path: Path
) -> None:
    app = ReadlistApp(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e", "ctrl+u", *"/no/such/dir/x.bib", "enter")
        await settle(pilot)
        assert notifications(app)[-1] == "/no/such/dir/x.bib: folder /no/such/dir does not exist"
        assert isinstance(app.screen, MainScreen)
