"""The desktop clipboard, used without ever writing to the terminal Textual draws on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

_TOOL_TIMEOUT_SECONDS = 5


def copy_to_system_clipboard(text: str) -> bool:
    """Put `text` on the desktop clipboard, else in tmux's paste buffer when the app runs in tmux;
    False when there is neither (then use OSC 52).

    On X11 and Wayland the copy tool runs with its output discarded: pyperclip lets xclip
    print "Can't open display" onto fd 2, where Textual draws, and reports success anyway.
    """
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        return any(_run_copy_tool(command, text) for command in _unix_copy_commands())
    import pyperclip

    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return False
    return True


def _unix_copy_commands() -> list[list[str]]:
    commands = []
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
        commands.append(["wl-copy"])
    if os.environ.get("DISPLAY"):
        if shutil.which("xclip"):
            commands.append(["xclip", "-selection", "clipboard"])
        if shutil.which("xsel"):
            commands.append(["xsel", "--clipboard", "--input"])
    if os.environ.get("TMUX") and shutil.which("tmux"):
        # tmux drops an app's OSC 52 unless its set-clipboard option is on (by default it is
        # not); its own paste buffer always works, and -w passes the text on to the terminal's
        # clipboard whenever tmux may set it.
        commands.append(["tmux", "load-buffer", "-w", "-"])
    return commands


def _run_copy_tool(command: list[str], text: str) -> bool:
    try:
        # Not capture_output: xclip forks a child that keeps serving the selection and would
        # hold the pipes open, so `run` would never return.
        completed = subprocess.run(
            command,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=_TOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


def paste_from_system_clipboard() -> str | None:
    """The desktop clipboard's text, else tmux's paste buffer when the app runs in tmux; None when
    there is neither to read."""
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        for command in _unix_paste_commands():
            try:
                # `-o` does not fork, so capturing its output is safe (unlike the copy).
                completed = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=_TOOL_TIMEOUT_SECONDS,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired):
                continue
            if completed.returncode == 0:
                return completed.stdout.decode("utf-8", errors="replace")
        return None
    import pyperclip

    try:
        return pyperclip.paste()
    except pyperclip.PyperclipException:
        return None


def _unix_paste_commands() -> list[list[str]]:
    commands = []
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-paste"):
        commands.append(["wl-paste", "--no-newline"])
    if os.environ.get("DISPLAY"):
        if shutil.which("xclip"):
            commands.append(["xclip", "-selection", "clipboard", "-o"])
        if shutil.which("xsel"):
            commands.append(["xsel", "--clipboard", "--output"])
    if os.environ.get("TMUX") and shutil.which("tmux"):
        # Where a copy goes in tmux without a desktop: its paste buffer.
        commands.append(["tmux", "save-buffer", "-"])
    return commands
