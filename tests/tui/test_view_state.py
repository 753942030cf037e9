"""Where the app was on each library, kept between runs."""

from __future__ import annotations

from pathlib import Path

from readlist.paths import state_dir
from readlist.tui.screens.dialogs import ViewFilter
from readlist.tui.view_state import VIEWS_FILE, SavedView, load_view, save_view


def test_a_saved_place_comes_back_and_places_of_gone_libraries_are_dropped(
    tmp_path: Path,
) -> None:
    kept, gone = tmp_path / "kept.sqlite", tmp_path / "gone.sqlite"
    kept.touch()
    gone.touch()
    unread = SavedView("title", ViewFilter("unread", status="unread"), 7)
    save_view(gone, SavedView("added", ViewFilter("all"), None))
    gone.unlink()

    save_view(kept, unread)

    assert load_view(kept) == unread
    assert load_view(gone) is None
    assert str(gone) not in (state_dir() / VIEWS_FILE).read_text(encoding="utf-8")


def test_a_damaged_or_foreign_file_of_places_is_passed_over(tmp_path: Path) -> None:
    library = tmp_path / "library.sqlite"
    library.touch()
    views = state_dir() / VIEWS_FILE
    views.parent.mkdir(parents=True)
    for text in ("{not json", "[1, 2]", f'{{"{library}": {{"sort": "title"}}}}'):
        views.write_text(text, encoding="utf-8")
        assert load_view(library) is None

    save_view(library, SavedView("year", ViewFilter("all"), 3))

    assert load_view(library) == SavedView("year", ViewFilter("all"), 3)
