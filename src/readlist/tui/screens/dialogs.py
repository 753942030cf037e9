"""Dialogs: a one-line prompt (paths, tags), the filter menu and the note editor."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Footer, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from readlist.tui.bindings import bindings
from readlist.tui.keys import DIALOG_KEYS, NOTE_KEYS
from readlist.tui.text import editable, one_line


class TagSuggester(Suggester):
    """Completes the last of comma-separated tags from the tags already in use."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        """`value` with its last tag completed, or None."""
        head, _, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        for tag in self._tags:
            if tag.lower().startswith(typed.lower()) and tag != typed:
                return f"{head}{',' if head else ''}{last[: len(last) - len(typed)]}{tag}"
        return None


class TextDialog(ModalScreen[str | None]):
    """A dialog the user types into.

    Keys typed hard on the one that opened it (a paste, a fast typist, tmux send-keys) reach
    the screen before its field is mounted and focused, or the app after bubbling up from the
    list behind; its field takes every key it is given, so such a key would be lost.
    """

    def on_key(self, event: events.Key) -> None:
        if self.take_key(event):
            event.stop()

    def take_key(self, event: events.Key) -> bool:
        """Type a key the field did not get into it; False if it is not text."""
        raise NotImplementedError


class PathSuggester(Suggester):
    """Completes the last part of a path from the files and folders there, as far as they agree
    (as a shell does: never a guess between several), a folder with its slash so the next part
    completes in turn; hidden ones only once a dot is typed."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """`value` with its last part completed, or None."""
        folder, slash, start = value.rpartition("/")
        try:
            names = [
                entry.name + ("/" if entry.is_dir() else "")
                for entry in Path(folder + slash or ".").expanduser().iterdir()
                if entry.name.startswith(start) and (start or not entry.name.startswith("."))
            ]
        except OSError:
            return None
        # Character by character is what is wanted here: the names of one folder.
        agreed = os.path.commonprefix(names)  # noqa: RUF071
        return f"{value}{agreed[len(start) :]}" if len(agreed) > len(start) else None


class _AnswerInput(Input):
    """An input that answers on Enter in the order the keys came. Through the key bindings, Enter
    would reach the app only after the keys typed hard behind it, which the input meanwhile types
    into the answer ("rust", Enter, "j" answered "rustj")."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        if event.key == "tab" and self._suggestion:
            # Tab completes, as in a shell; the right arrow does too (Textual's own key).
            event.stop()
            event.prevent_default()
            self.action_end()
            self.action_cursor_right()
            return
        await super()._on_key(event)


class Prompt(TextDialog):
    """Asks for one line of text; Enter answers, Escape cancels (None)."""

    BINDINGS = bindings(DIALOG_KEYS)

    def __init__(
        self,
        question: str,
        *,
        value: str = "",
        placeholder: str = "",
        suggester: Suggester | None = None,
    ) -> None:
        super().__init__()
        self._question = question
        self._value = value
        self._placeholder = placeholder
        self._suggester = suggester

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._question), classes="dialog-title")
            yield _AnswerInput(
                self._value,
                placeholder=self._placeholder,
                suggester=self._suggester,
                id="answer",
            )
        yield Footer()

    @on(Input.Submitted)
    def answer(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def take_key(self, event: events.Key) -> bool:
        """Type a key the input did not get into it (Enter answers); False if not text."""
        answer = self.query_one("#answer", Input)
        if event.key == "enter":
            self.dismiss(answer.value)
        elif event.is_printable and event.character:
            answer.focus()
            answer.insert_text_at_cursor(event.character)
        else:
            return False
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """Which papers the list shows, besides the search."""

    name: str
    """How the status line names it: "all", "unread", "read", "tag ml", "last import"."""
    status: str | None = None
    tag: str | None = None
    last_import: bool = False


ALL = ViewFilter("all")


def filter_choices(tags: Sequence[str]) -> list[ViewFilter]:
    """The filters the menu offers: status filters, the last import, then one per tag."""
    return [
        ViewFilter("unread", status="unread"),
        ViewFilter("read", status="read"),
        ALL,
        ViewFilter("last import", last_import=True),
        *(ViewFilter(f"tag {tag}", tag=tag) for tag in tags),
    ]


class FilterMenu(ModalScreen[ViewFilter | None]):
    """Picks a filter from a short list."""

    BINDINGS = bindings(DIALOG_KEYS)

    def __init__(self, choices: Sequence[ViewFilter], current: ViewFilter) -> None:
        super().__init__()
        self._choices = list(choices)
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Show", classes="dialog-title")
            yield OptionList(
                *(Option(Text(one_line(choice.name))) for choice in self._choices), id="filters"
            )
        yield Footer()

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        if self._current in self._choices:
            menu.highlighted = self._choices.index(self._current)

    @on(OptionList.OptionSelected)
    def choose(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class _NoteArea(TextArea):
    """A text area whose pasted control characters become visible symbols: sent to the terminal
    as they are, an escape sequence would recolour the screen or break the dialog's frame."""

    async def _on_paste(self, event: events.Paste) -> None:
        # TextArea's own handler runs after this one and inserts the text as it then is.
        event.text = editable(event.text)

    async def _on_key(self, event: events.Key) -> None:
        # Through the key bindings, the save key would reach the dialog only after the keys typed
        # hard behind it were typed here ("skim it", Ctrl+S, "jk" saved "skim itjk"): it saves
        # here instead, in the order the keys came.
        if not event.is_printable:
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.binding.action == "save":
                event.stop()
                event.prevent_default()
                await self.app.run_action("save", active.node)
                return
        await super()._on_key(event)


class NoteEditor(TextDialog):
    """Edits a paper's note in a text area; Ctrl+S saves, Escape cancels (asking once first if
    the note changed). A note shows, and is saved, with its control characters as visible symbols
    (`editable`)."""

    BINDINGS = bindings((*DIALOG_KEYS, *NOTE_KEYS))

    def __init__(self, title: str, note: str, *, draft: str | None = None) -> None:
        """`draft`: text to edit in place of the saved `note` (one that could not be saved)."""
        super().__init__()
        self._title = title
        self._note = note
        self._draft = editable(note) if draft is None else draft
        self._warned = False
        """Whether Escape already said the changes would be lost: the next one leaves."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label(Text(f"Note on {one_line(self._title)}"), classes="dialog-title")
            yield _NoteArea(self._draft, id="note", soft_wrap=True, tab_behavior="focus")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def take_key(self, event: events.Key) -> bool:
        note = self.query_one(TextArea)
        if event.key == "enter":
            text = "\n"
        elif event.is_printable and event.character:
            text = event.character
        else:
            return False
        note.focus()
        note.insert(text)
        return True

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        # Escape is also how vim and most dialogs leave; a long note must not go with it unasked.
        if self.query_one(TextArea).text != editable(self._note) and not self._warned:
            self._warned = True
            self.notify(
                "This note has unsaved changes: ctrl+s saves them, escape again leaves without "
                "them",
                severity="warning",
            )
            return
        self.dismiss(None)
