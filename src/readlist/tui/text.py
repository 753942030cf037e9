"""Paper text made safe to draw: control characters and bidi marks become visible symbols, never
terminal codes."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters, and the marks that reorder text (a title could show "txt.exe" as
"exe.txt"): the same set the CLI shows instead of obeying."""
_WHITESPACE_RUN = re.compile(r"[\t\n\r]+")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        # U+2400 "Control Pictures" mirror C0: ESC shows as ␛, BEL as ␇.
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with tabs as spaces and other control characters as visible symbols; newlines kept."""
    return editable(text.replace("\t", "    "))


def editable(text: str) -> str:
    """`text` as a text area edits it: control characters as visible symbols; tabs and newlines
    kept, since a text area draws them itself."""
    return _CONTROL.sub(_picture, text.replace("\r\n", "\n"))


def one_line(text: str) -> str:
    """`text` on one line: line breaks and tabs become single spaces, control characters symbols."""
    return visible(_WHITESPACE_RUN.sub(" ", text))
