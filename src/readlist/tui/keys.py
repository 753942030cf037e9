"""Every key the app answers to, as plain data: the widgets build their bindings from it and
`readlist.config` checks a user's `[keys]` table against it, without importing Textual."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One remappable key: what it does and how the footer, help panel and palette describe it."""

    id: str
    """Stable name a user's config.toml refers to, e.g. "readlist.toggle_read"."""
    key: str
    """Default key(s) in Textual's names, comma-separated."""
    action: str
    """Action method (without `action_`) on the widget that owns the key."""
    description: str
    tooltip: str
    show: bool = False
    """Whether the footer shows it; the help panel and command palette show every key."""
    priority: bool = False
    """Handled before the focused widget sees the key, so the keys typed right after it go
    where it moved the focus (otherwise Textual may route them to the widget focused before)."""


LIST_KEYS = (
    KeySpec("readlist.down", "j,down", "cursor_down", "Down", "Move to the next paper"),
    KeySpec("readlist.up", "k,up", "cursor_up", "Up", "Move to the previous paper"),
    KeySpec("readlist.first", "g,home", "first", "First", "Jump to the first paper"),
    KeySpec("readlist.last", "G,end", "last", "Last", "Jump to the last paper"),
    KeySpec("readlist.page_up", "pageup", "page_up", "Page up", "Move one screen up"),
    KeySpec("readlist.page_down", "pagedown", "page_down", "Page down", "Move one screen down"),
    KeySpec(
        "readlist.details", "enter", "details", "Details", "Focus the detail pane to scroll it"
    ),
    KeySpec(
        "readlist.mark",
        "space",
        "toggle_mark",
        "Mark",
        "Mark or unmark the paper for a bulk read, tag, untag or export",
    ),
)
"""Keys of the paper list."""

MAIN_KEYS = (
    KeySpec("readlist.search", "slash", "search", "Search", "Fuzzy search as you type", True, True),
    KeySpec(
        "readlist.toggle_read",
        "r",
        "toggle_read",
        "Read",
        "Toggle read/unread (the marked papers, else this one)",
        True,
    ),
    KeySpec("readlist.tag", "t", "tag", "Tag", "Add tags (the marked papers, else this one)", True),
    KeySpec(
        "readlist.untag", "T", "untag", "Untag", "Remove a tag (the marked papers, else this one)"
    ),
    KeySpec(
        "readlist.filter",
        "f",
        "filter",
        "Filter",
        "Show unread, read, all, one tag or the last import",
        True,
    ),
    KeySpec(
        "readlist.sort", "s", "cycle_sort", "Sort", "Sort by added, listing date, year, title", True
    ),
    KeySpec("readlist.note", "n", "edit_note", "Note", "Edit this paper's note"),
    KeySpec("readlist.copy_link", "y", "copy_link", "Copy link", "Copy this paper's link", True),
    KeySpec("readlist.copy_key", "Y", "copy_key", "Copy key", "Copy this paper's citation key"),
    KeySpec("readlist.open", "o", "open_link", "Open", "Open this paper's link in the browser"),
    KeySpec(
        "readlist.import",
        "i",
        "import",
        "Import",
        "Import a file, or the clipboard (a listing page, BibTeX or arXiv ids)",
    ),
    KeySpec(
        "readlist.export",
        "e",
        "export",
        "Export",
        "Export the papers in view (or the marked ones) to a BibTeX file",
    ),
    KeySpec(
        "readlist.undo", "u", "undo", "Undo", "Undo the last change (status, tags, note, import)"
    ),
    KeySpec(
        "readlist.refresh",
        "ctrl+r,f5",
        "reload",
        "Refresh",
        "Reload papers another readlist added or changed",
    ),
    KeySpec("readlist.help", "question_mark", "help", "Help", "Show or hide every key", True),
    KeySpec("readlist.quit", "q", "quit", "Quit", "Quit readlist", True),
)
"""Keys of the main screen, active wherever the focus is except in text boxes."""

SEARCH_KEYS = (
    KeySpec(
        "readlist.search_clear",
        "escape",
        "clear_search",
        "Clear search",
        "Clear the search and show the whole list again",
        priority=True,
    ),
    KeySpec(
        "readlist.search_results",
        "enter,down",
        "results",
        "Results",
        "Go to the results, best match selected",
        priority=True,
    ),
)
"""Keys of the main screen that act only while the search box has the focus."""

DETAIL_KEYS = (KeySpec("readlist.back", "escape", "back", "Back", "Back to the paper list"),)
"""Keys of the detail pane."""

DIALOG_KEYS = (
    KeySpec(
        "readlist.cancel", "escape", "cancel", "Cancel", "Close without changing anything", True
    ),
)
"""Keys of every dialog (prompts, the filter menu, the note editor)."""

NOTE_KEYS = (KeySpec("readlist.save_note", "ctrl+s", "save", "Save", "Save the note", True),)
"""Keys of the note editor, besides the dialog keys."""

ALL_KEYS = (*LIST_KEYS, *MAIN_KEYS, *SEARCH_KEYS, *DETAIL_KEYS, *DIALOG_KEYS, *NOTE_KEYS)
BINDING_IDS = frozenset(spec.id for spec in ALL_KEYS)
"""The ids a `[keys]` table in config.toml may name."""
