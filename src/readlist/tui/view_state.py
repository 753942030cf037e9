"""Where the app was on each library when it quit (sort, filter, selected paper), so that it opens
there again: triage goes on from the paper it stopped at.

Kept in one JSON file in the user state folder, by library path. Losing it loses nothing but the
place, so a file that cannot be read or written is passed over in silence.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from readlist.paths import state_dir
from readlist.tui.screens.dialogs import ViewFilter

VIEWS_FILE = "views.json"


@dataclass(frozen=True, slots=True)
class SavedView:
    """The app's place on one library."""

    sort: str
    """A `SortKey` value."""
    view_filter: ViewFilter
    paper_id: int | None
    """The selected paper."""


def load_view(library_path: Path) -> SavedView | None:
    """Where the app was on this library when it last quit, if it was saved."""
    saved = _read_views(state_dir() / VIEWS_FILE).get(_library_key(library_path))
    if not isinstance(saved, dict):
        return None
    try:
        return SavedView(saved["sort"], ViewFilter(**saved["view_filter"]), saved["paper_id"])
    except (KeyError, TypeError):  # written by another readlist
        return None


def save_view(library_path: Path, view: SavedView) -> None:
    """Keep `view` for this library; places saved for libraries that are gone are dropped."""
    path = state_dir() / VIEWS_FILE
    views = {key: saved for key, saved in _read_views(path).items() if Path(key).exists()}
    views[_library_key(library_path)] = asdict(view)
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: two apps quitting at once leave one whole file.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".views-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(views, stream)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)


def _read_views(path: Path) -> dict[str, object]:
    try:
        views = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return views if isinstance(views, dict) else {}


def _library_key(library_path: Path) -> str:
    return str(library_path.resolve())
