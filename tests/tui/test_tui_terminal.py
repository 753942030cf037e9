"""The real `readlist` command in a real terminal (tmux), driven as a user would drive it."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from readlist.demo import build_demo_library
from readlist.library import FileReport, Library
from readlist.models import Draft, Status
from tui.papers import HOSTILE_TAG, HOSTILE_TAG_SHOWN

READLIST = Path(sys.executable).with_name("readlist")
"""The installed command, next to this interpreter."""
EXITED = "readlist exited with status "

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "tmux"], capture_output=True, check=False).returncode != 0,
    reason="tmux is not installed",
)


@dataclass
class Terminal:
    """A tmux server of the test's own, running one readlist in a 120x40 window."""

    home: Path
    """The app's HOME, where the tmux sockets live too."""
    starts: int = 0

    @property
    def socket(self) -> Path:
        # A socket per start: a killed server lingers a moment on its socket.
        return self.home / f"tmux{self.starts}.sock"

    def tmux(self, *args: str) -> str:
        command = ["tmux", "-S", str(self.socket), "-f", "/dev/null", *args]
        # The server passes its environment to the app; a COLUMNS or LINES from the test run
        # would override the window's real size.
        environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run(
            command, check=True, capture_output=True, text=True, env=environment
        ).stdout

    def start(self, library: Path, *, display: str = "") -> None:
        """Open `readlist --db LIBRARY` in a fresh tmux server, as the user's shell would."""
        self.run("--db", str(library), display=display)

    def run(self, *arguments: str, display: str = "") -> None:
        """Run `readlist ARGUMENTS...` in a fresh tmux server."""
        self.starts += 1
        environment = {
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "DISPLAY": display,
            # Compiled modules are reused between runs, so the app opens in a fraction of a second.
            "PYTHONDONTWRITEBYTECODE": "",
        }
        settings = [arg for name, value in environment.items() for arg in ("-e", f"{name}={value}")]
        # A shell around the app prints its exit status: tmux can leave an exited app a zombie
        # for seconds before it reports the pane dead.
        self.tmux(
            "new-session", "-d", "-s", "t", "-x", "120", "-y", "40", *settings,
            "--", "sh", "-c", f'"$@"; echo "{EXITED}$?"; sleep 600', "sh",
            str(READLIST), *arguments,
        )  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """The screen once every one of `texts` is on it; fails with the screen after `timeout`
        seconds. Wait for several: a capture can catch a frame half drawn."""
        end = time.monotonic() + timeout
        while not all(text in (shot := self.screen()) for text in texts):
            if time.monotonic() > end:
                raise AssertionError(f"{texts!r} not on screen:\n{shot}")
            time.sleep(0.05)
        return shot

    def wait_while(self, text: str, timeout: float = 20.0) -> None:
        """Until `text` has left the screen; fails with the screen after `timeout` seconds."""
        end = time.monotonic() + timeout
        while text in (shot := self.screen()):
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} still on screen:\n{shot}")
            time.sleep(0.05)

    def burst(self, key: str, text: str, last_key: str) -> None:
        """`key`, `text` and `last_key` in one tmux command, so they reach the app together, as
        from a fast typist or a paste, before anything `key` opens has drawn."""
        target = ("-t", "t")
        self.tmux(
            "send-keys", *target, key, ";", "send-keys", *target, "-l", text, ";",
            "send-keys", *target, last_key,
        )  # fmt: skip

    def type_then(self, text: str, *keys: str) -> None:
        """`text`, then the named `keys`, in one tmux command: typed hard, as a fast typist does."""
        target = ("-t", "t")
        self.tmux("send-keys", *target, "-l", text, ";", "send-keys", *target, *keys)

    def keys(self, *keys: str) -> None:
        """Named keys ("Enter", "Escape", "F5")."""
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        """Literal text, so words like "Enter" are typed, not pressed."""
        self.tmux("send-keys", "-t", "t", "-l", text)

    def exit_status(self, timeout: float = 10.0) -> int:
        """The app's exit status (128 + N for signal N), once it has ended."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            # A killed app leaves its screen behind, so the line may hold more than the status.
            if found := re.search(f"{EXITED}(\\d+)", self.transcript()):
                return int(found.group(1))
            time.sleep(0.05)
        raise AssertionError(f"the app did not quit:\n{self.screen()}")

    def transcript(self) -> str:
        """Everything the pane printed, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t")

    def app_pid(self) -> int:
        """The readlist process (the child of the pane's shell)."""
        shell = self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip()
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        return int(children[0])

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], check=False, capture_output=True
        )


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A tmux server for this test alone; killed (with whatever runs in it) afterwards."""
    opened = Terminal(tmp_path)
    try:
        yield opened
    finally:
        opened.close()


def ready_marker(total: int) -> str:
    return f"{total}/{total} shown"


def test_the_demo_opens_on_a_used_library_and_leaves_no_library_behind(
    terminal: Terminal, tmp_path_factory: pytest.TempPathFactory
) -> None:
    expected = tmp_path_factory.mktemp("expected") / "demo.sqlite"
    build_demo_library(expected)
    with Library(expected) as library:
        counts = library.counts()
    assert counts.total > 20
    assert 0 < counts.unread < counts.total

    terminal.run("--demo")
    terminal.wait_for(ready_marker(counts.total), f"{counts.unread} unread", "to-discuss")
    terminal.keys("q")
    assert terminal.exit_status() == 0
    # The user's own library (under the app's HOME) was never created.
    assert not list(terminal.home.rglob("*.sqlite*"))


def test_search_read_and_tag_are_kept_after_quitting(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5))
    terminal.keys("/")
    terminal.type("residul")
    terminal.wait_for("1/5 shown")
    terminal.keys("Enter", "r")
    terminal.wait_for("4 unread")
    terminal.keys("t")
    terminal.wait_for("Add tags to 1 paper")
    # Keys typed hard behind Enter must not join the tag.
    terminal.type_then("vision", "Enter", "j", "k")
    terminal.wait_for("#vision")
    terminal.keys("q")
    assert terminal.exit_status() == 0
    terminal.close()

    terminal.start(library_path)
    screen = terminal.wait_for(ready_marker(5), "Deep Residual", "#vision")
    # The list's rows are left of the detail pane's edge.
    rows = [line.split("▏")[0] for line in screen.splitlines()]
    row = next(row for row in rows if "Deep Residual" in row)
    assert "✓" in row
    assert "#vision" in row
    # The app opens on the paper it quit on: the detail pane shows it.
    assert "Deep Residual" in screen.split("▏", 1)[1].splitlines()[0]
    residual = next(p for p in filled.papers() if p.title.startswith("Deep Residual"))
    assert residual.status is Status.READ
    assert residual.tags == ["vision"]


def test_tags_typed_hard_on_the_tag_key_are_all_kept(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    before = {paper.id: (paper.tags, paper.status) for paper in filled.papers()}
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5))
    # "r" and "u" would read and undo on the list.
    terminal.burst("t", "rust", "Enter")
    terminal.wait_for("#rust")
    terminal.keys("q")
    assert terminal.exit_status() == 0
    after = {paper.id: (paper.tags, paper.status) for paper in filled.papers()}
    changed = {paper_id for paper_id in after if after[paper_id] != before[paper_id]}
    assert len(changed) == 1
    (paper_id,) = changed
    assert after[paper_id] == (sorted([*before[paper_id][0], "rust"]), before[paper_id][1])


def test_a_note_typed_hard_on_the_note_key_is_kept_whole(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5))
    terminal.burst("n", "read it again", "C-s")
    terminal.wait_for("read it again")
    terminal.keys("j", "n")
    terminal.wait_for("Note on")
    # Keys typed hard behind Ctrl+S must not join the note.
    terminal.type_then("skim it", "C-s", "j", "k")
    # The keys behind Ctrl+S may move the list or be dropped, so the pane may show either note:
    # wait for the library to hold the second note instead.
    end = time.monotonic() + 20
    while not any(paper.note for paper in filled.papers() if "skim" in paper.note):
        assert time.monotonic() < end, "the second note was never saved"
        time.sleep(0.05)
    terminal.keys("q")
    assert terminal.exit_status() == 0
    notes = sorted(paper.note for paper in filled.papers() if paper.note)
    assert notes == ["read it again", "skim it"]


def test_hostile_titles_show_literally(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5))
    terminal.keys("j", "j")
    screen = terminal.wait_for("Mallory Eve")
    assert "[bold]Hostile[/bold] title ␛[31mred" in screen
    assert "[HOSPITAL] patients with $^{2}$ markers␇" in screen


def test_control_codes_in_a_tag_show_as_symbols_and_never_reach_the_terminal(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    filled.tag([filled.ids()[0]], [HOSTILE_TAG])
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5), f"#{HOSTILE_TAG_SHOWN[:-1]}")
    terminal.keys("T")
    terminal.wait_for(f"({HOSTILE_TAG_SHOWN}, nlp, transformers)", f"  {HOSTILE_TAG_SHOWN}  ")
    terminal.keys("Escape")
    terminal.wait_while("Remove which tag")
    terminal.keys("f")
    terminal.wait_for(f"tag {HOSTILE_TAG_SHOWN}")
    terminal.keys("Down", "Down", "Enter")
    terminal.wait_for(f"1/5 shown · 5 unread · tag {HOSTILE_TAG_SHOWN} · sort")
    title = terminal.tmux("display-message", "-p", "-t", "t", "#{pane_title}")
    assert "PWNED" not in title


def test_copy_puts_the_link_on_the_x_clipboard(
    filled: Library, library_path: Path, terminal: Terminal, xdisplay: str
) -> None:
    terminal.start(library_path, display=xdisplay)
    terminal.wait_for(ready_marker(5))
    terminal.keys("y")
    terminal.wait_for("Copied arXiv link")
    # Read it while the app runs: the xclip process serving the selection dies with the pane.
    pasted = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"],
        env={**os.environ, "DISPLAY": xdisplay},
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    assert pasted.stdout == "https://arxiv.org/abs/1706.03762"


def test_copy_and_import_with_a_dead_display_use_the_tmux_buffer(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    # tmux drops an app's OSC 52 unless its set-clipboard option is on, as it is not by default.
    terminal.start(library_path, display=":99999")
    terminal.wait_for(ready_marker(5))
    terminal.keys("y")
    screen = terminal.wait_for("Copied arXiv link")
    assert "Can't open display" not in screen
    assert "OSC 52" not in screen
    assert ready_marker(5) in screen
    assert terminal.tmux("show-buffer") == "https://arxiv.org/abs/1706.03762"
    terminal.tmux("set-buffer", "--", "@book{knuth1984, title = {Literate Programming}}")
    terminal.keys("i")
    terminal.wait_for("Import a file")
    terminal.keys("Enter")
    terminal.wait_for("clipboard: 1 new")


def test_another_writer_neither_locks_nor_hides_its_papers(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5))
    other = sqlite3.connect(library_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    terminal.keys("r")  # waits for the other writer instead of failing
    time.sleep(0.5)  # hold the lock while the app asks for it: this is the situation under test
    other.execute("COMMIT")
    other.close()
    terminal.wait_for("4 unread")
    with Library(library_path) as second:
        second.add_drafts([(FileReport("cli"), [Draft("Imported From The CLI", [], 2024)])])
    terminal.keys("F5")
    screen = terminal.wait_for(ready_marker(6))
    assert "Imported From The CLI" in screen
    assert "database is locked" not in screen


def test_kill_9_keeps_every_change_already_shown(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    terminal.start(library_path)
    terminal.wait_for(ready_marker(5))
    terminal.keys("r")
    terminal.wait_for("4 unread")
    os.kill(terminal.app_pid(), signal.SIGKILL)
    assert terminal.exit_status() == 128 + signal.SIGKILL
    attention = next(p for p in filled.papers() if p.title == "Attention Is All You Need")
    assert attention.status is Status.READ


def test_a_bad_config_is_one_line_not_a_traceback(
    filled: Library, library_path: Path, terminal: Terminal
) -> None:
    config = terminal.home / "config" / "readlist" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[keys]\n"readlist.toggle_read" = 3\n', encoding="utf-8")
    terminal.start(library_path)
    assert terminal.exit_status() == 1
    printed = terminal.transcript()
    assert f"readlist: {config}, line 2: [keys] readlist.toggle_read must be a key name" in printed
    assert "Traceback" not in printed


def test_the_list_command_cuts_wide_titles_to_the_terminal(
    library_path: Path, terminal: Terminal
) -> None:
    with Library(library_path) as library:
        wide = "大規模言語モデルによる長文脈推論の評価と改善に関する研究" * 3
        library.add_drafts(
            [(FileReport("cjk.txt"), [Draft(title=wide), Draft(title="Layer Normalization")])]
        )

    terminal.run("--db", str(library_path), "list")
    screen = terminal.wait_for(EXITED)

    # One screen line, cut: a title cut by characters would wrap onto a second.
    (row,) = [line for line in screen.splitlines() if re.search("[\u3040-\u9fff]", line)]
    assert row.rstrip().endswith("…")
    assert "Layer Normalization" in screen
