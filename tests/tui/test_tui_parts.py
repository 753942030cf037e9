"""The app's plain parts: visible text, links, the desktop clipboard."""

from __future__ import annotations

import shutil

import pytest

from readlist.library import Library
from readlist.models import Paper
from readlist.tui.clipboard import copy_to_system_clipboard, paste_from_system_clipboard
from readlist.tui.links import paper_link
from readlist.tui.text import one_line, visible


def test_control_characters_become_visible_symbols() -> None:
    assert visible("\x1b[31mred\x07 bell\x7f\x9b") == "␛[31mred␇ bell␡\\x9b"
    assert visible("two\nlines\ttab") == "two\nlines    tab"
    assert one_line("a\n\tb\r\nc [bold]") == "a b c [bold]"


def test_marks_that_reorder_text_show_as_their_code_points() -> None:
    # As the CLI shows them: "\u202e" would otherwise show "txt.exe" as "exe.txt".
    assert one_line("a\u202etxt.exe\u2066b\u2069") == "a\\u202etxt.exe\\u2066b\\u2069"
    assert visible("\u202a\u202d\u2067\u2068") == "\\u202a\\u202d\\u2067\\u2068"


def _paper(library: Library, title: str) -> Paper:
    return next(paper for paper in library.papers() if paper.title == title)


def test_links_prefer_arxiv_then_url_then_doi_then_a_title_search(filled: Library) -> None:
    assert paper_link(_paper(filled, "Attention Is All You Need")).url == (
        "https://arxiv.org/abs/1706.03762"
    )
    assert paper_link(_paper(filled, "Listing Only Paper")).kind == "link"
    deep = paper_link(_paper(filled, "Deep Residual Learning for Image Recognition"))
    assert (deep.kind, deep.url) == ("DOI link", "https://doi.org/10.1109/cvpr.2016.90")
    search = paper_link(_paper(filled, "Graph Networks Without Identifiers"))
    assert search.kind == "title search link"
    assert search.url.endswith("?q=%22Graph+Networks+Without+Identifiers%22")


def test_no_desktop_clipboard_is_reported_not_raised(no_clipboard: None) -> None:
    assert copy_to_system_clipboard("x") is False
    assert paste_from_system_clipboard() is None


@pytest.mark.skipif(shutil.which("xclip") is None, reason="xclip is not installed")
def test_a_dead_display_fails_quietly(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":99999")
    assert copy_to_system_clipboard("x") is False
    assert capfd.readouterr().err == ""


@pytest.mark.skipif(shutil.which("xclip") is None, reason="xclip is not installed")
def test_copy_and_paste_through_x(monkeypatch: pytest.MonkeyPatch, xdisplay: str) -> None:
    monkeypatch.setenv("DISPLAY", xdisplay)
    assert copy_to_system_clipboard("https://arxiv.org/abs/1706.03762 — ü")
    assert paste_from_system_clipboard() == "https://arxiv.org/abs/1706.03762 — ü"
