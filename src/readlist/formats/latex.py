"""LaTeX in BibTeX values to readable Unicode, and plain text back to LaTeX that classic bibtex takes.

Reading is fast for what bibliographies really contain (accents, `\\&`, `{BERT}`, `\\emph{..}`,
`$\\alpha$`) and hands only the rare leftover macro to pylatexenc, which costs about a millisecond
a call and is slow on long plain text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexencode import UnicodeToLatexEncoder

_TEX_MARKERS = ("\\", "{", "}", "$", "~", "--", "``", "''")
"""What makes a value more than plain text; checked with `in`, which beats a regex scan."""

_ACCENT_MARKS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_ACCENT = re.compile(
    r"""\\(?:(?P<symbol>[`'^"~=.])|(?P<word>[uvHckrdb])(?![A-Za-z]))\s*"""
    r"(?:\{\s*(?P<braced>\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(?P<bare>\\[ij](?![A-Za-z])|[A-Za-z]))"
)
"""An accent command on one letter: `\\"o`, `\\"{o}`, `\\r{A}`, `\\c c`, `\\'\\i`."""

_SYMBOLS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    # pylatexenc turns these into nothing, which would cost a title its words.
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "slash": "/",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textendash": "–",
    "textemdash": "—",
    "textellipsis": "…",
    "ldots": "…",
    "dots": "…",
    "texttimes": "×",
    "textregistered": "®",
    "texttrademark": "™",
    "textcopyright": "©",
    "copyright": "©",
    "textdegree": "°",
    "textbullet": "•",
    "textperiodcentered": "·",
    "textdollar": "$",
    "textsterling": "£",
    "pounds": "£",
    "texteuro": "€",
    "euro": "€",
    "S": "§",
    "P": "¶",
    "relax": "",
    "protect": "",
}
"""Macros without arguments and what they print."""

_GLUED = frozenset(
    name for name, text in _SYMBOLS.items() if len(text) == 1 and (text.isalpha() or text == "/")
)
"""Symbols that sit inside words, where TeX's eating of the spaces after a control word matters:
`and\\slash or` is "and/or", `Gro\\ss e` is "Große". Words like `\\TeX and` keep the space
their authors meant, although TeX would eat it."""

_ESCAPES = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    "\\": " ",
    "|": "‖",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "/": "",
    "-": "",
    "@": "",
}
"""Control symbols: `\\&` prints `&`, `\\\\` breaks a line, `\\-` is a hyphenation hint."""

_TEXT_OF_ARGUMENT = frozenset(
    "emph textbf textit textsc textrm textsf texttt textup textsl textmd textnormal text mbox "
    "hbox url path mathrm mathit mathbf mathsf mathtt mathnormal operatorname boldsymbol "
    "ensuremath uppercase MakeUppercase lowercase MakeLowercase textsuperscript textsubscript "
    "NoCaseChange nocase".split()
)
"""Macros whose one argument is the text to show."""

_DROP_WITH_ARGUMENT = frozenset({"noopsort", "SortNoop", "sortnoop", "hspace", "vspace", "label"})
"""Macros that print nothing, argument included: `\\noopsort{a}` only steers sorting."""

_CONTROL = re.compile(r"\\(?:[A-Za-z]+\*?|.)|\$\$?", re.DOTALL)
"""Where an island of TeX starts: a control sequence or math."""

_DASHES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"))


def latex_to_text(value: str) -> str:
    """A BibTeX value as readable Unicode on one line: `{\\"U}ber {BERT} --- $\\alpha$` -> `Über BERT — α`."""
    try:
        return _latex_to_text(value)
    except RecursionError:
        # Each command's argument is read a call deeper: hundreds of nested `\emph{` (as a
        # generator gone wrong writes them) must still show their words.
        return one_line(_without_commands(value))


def _latex_to_text(value: str) -> str:
    if not any(marker in value for marker in _TEX_MARKERS):
        return one_line(value)
    pieces: list[str] = []
    position = 0
    for start, end in _islands(value):
        pieces.append(_plain(value[position:start]))
        pieces.append(_island_text(value[start:end]))
        position = end
    pieces.append(_plain(value[position:]))
    return one_line("".join(pieces))


def one_line(text: str) -> str:
    """`text` with each run of whitespace one space and none at either end: `" ".join(text.split())`,
    without splitting the many values that are already so (a long abstract costs ~10 µs a split)."""
    if text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    if text.isascii():
        # Single characters are found at memchr speed; these are all ASCII whitespace but " ".
        if (
            "\n" in text
            or "\t" in text
            or "\r" in text
            or "\x0b" in text
            or "\x0c" in text
            or "\x1c" in text
            or "\x1d" in text
            or "\x1e" in text
            or "\x1f" in text
            or "  " in text
        ):
            return " ".join(text.split())
        return text
    # Every whitespace character but the space is unprintable.
    if text.isprintable() and "  " not in text:
        return text
    return " ".join(text.split())


def _plain(text: str) -> str:
    """Text between islands: braces only group, `~` is a space, dashes and quotes are ligatures."""
    # Each replacement only where its character occurs: a test for one character is far
    # cheaper than a replace that finds nothing.
    if "{" in text:
        text = text.replace("{", "")
    if "}" in text:
        text = text.replace("}", "")
    if "~" in text:
        text = text.replace("~", " ")
    if "-" in text or "`" in text or "'" in text:
        for tex, character in _DASHES:
            if tex in text:
                text = text.replace(tex, character)
    return text


def _islands(value: str) -> list[tuple[int, int]]:
    """Spans of `value` that hold TeX commands with their arguments, or math, in order."""
    spans: list[tuple[int, int]] = []
    position = 0
    length = len(value)
    while position < length:
        # Islands start at a backslash or a dollar; `str.find` gets there far faster than a
        # regular-expression search, which tries each character of a long abstract in turn.
        backslash = value.find("\\", position)
        dollar = value.find("$", position)
        if backslash < 0 and dollar < 0:
            break
        start = dollar if backslash < 0 or 0 <= dollar < backslash else backslash
        match = _CONTROL.match(value, start)
        if match is None:  # a backslash ending the value
            position = start + 1
            continue
        token = match.group()
        if token.startswith("$"):
            close = value.find(token, match.end())
            end = len(value) if close < 0 else close + len(token)
        elif token[1:] in _ACCENT_MARKS:
            accent = _ACCENT.match(value, start)
            end = accent.end() if accent else _after_arguments(value, match.end(), limit=1)
        elif token[1:].isalpha():
            end = _after_arguments(value, match.end())
            if end == match.end() and token[1:] in _GLUED:
                end = _after_spaces(value, end)
        else:
            end = match.end()
        spans.append((start, end))
        position = end
    return spans


def _after_spaces(value: str, position: int) -> int:
    """Where the spaces at `position` end."""
    while position < len(value) and value[position] in " \t\n":
        position += 1
    return position


def _after_arguments(value: str, position: int, limit: int = 9) -> int:
    """Where the braced arguments (at most `limit`) following a control word end, spaces
    before each allowed."""
    end = position
    for _ in range(limit):
        probe = end
        while probe < len(value) and value[probe] in " \t\n":
            probe += 1
        if probe >= len(value) or value[probe] != "{":
            return end
        closing = _matching_brace(value, probe)
        if closing < 0:
            return end
        end = closing + 1
        if closing == probe + 1:
            # `\\LaTeX{} {\\'e}`: an empty group ends a control word, and what follows is text.
            return end
    return end


def _matching_brace(value: str, opening: int) -> int:
    """The index of the `}` closing the `{` at `opening`, or -1 when it is never closed."""
    depth = 0
    index = opening
    while index < len(value):
        character = value[index]
        if character == "\\":
            index += 2
            continue
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


@lru_cache(maxsize=8192)
def _island_text(island: str) -> str:
    """One island as text; islands repeat a lot in a file, hence the cache."""
    if island.startswith("$"):
        return _latex_to_text(island.strip("$"))
    accent = _ACCENT.fullmatch(island)
    if accent:
        return _accented(accent)
    if island[1:2] in _ACCENT_MARKS and island[2:3] in "{ ":
        # An accent over a group that is itself TeX: `\~{\^{e}}` is "ễ".
        inner = _latex_to_text(island[2:])
        return unicodedata.normalize("NFC", inner[:1] + _ACCENT_MARKS[island[1]] + inner[1:])
    if len(island) == 2 and island[1] in _ESCAPES:
        return _ESCAPES[island[1]]
    name, arguments = _split_command(island)
    if name in _SYMBOLS and all(not argument.strip() for argument in arguments):
        return _SYMBOLS[name]
    if name in _DROP_WITH_ARGUMENT and arguments:
        return "".join(_latex_to_text(extra) for extra in arguments[1:])
    if name in _TEXT_OF_ARGUMENT and len(arguments) == 1:
        return _latex_to_text(arguments[0])
    if name == "href" and len(arguments) == 2:
        return _latex_to_text(arguments[1])
    return _with_pylatexenc(island)


def _accented(accent: re.Match[str]) -> str:
    """The letter an `_ACCENT` match spells."""
    mark = _ACCENT_MARKS[accent.group("symbol") or accent.group("word")]
    letter = (accent.group("braced") or accent.group("bare")).lstrip("\\")
    # A dotless i or j under an accent is how TeX writes the accented i or j.
    return unicodedata.normalize("NFC", letter + mark)


def _split_command(island: str) -> tuple[str, list[str]]:
    """`\\emph{a}{b}` -> ("emph", ["a", "b"])."""
    match = re.match(r"\\([A-Za-z]+)\*?", island)
    if match is None:
        return "", []
    arguments: list[str] = []
    position = match.end()
    while True:
        while position < len(island) and island[position] in " \t\n":
            position += 1
        if position >= len(island) or island[position] != "{":
            break
        closing = _matching_brace(island, position)
        arguments.append(island[position + 1 : closing])
        position = closing + 1
    return match.group(1), arguments


def _with_pylatexenc(island: str) -> str:
    """What pylatexenc makes of an island no rule above knows."""
    # An unescaped % would start a TeX comment and swallow the rest of the island.
    escaped = re.sub(r"(?<!\\)%", r"\\%", island)
    try:
        return str(_converter().latex_to_text(escaped))
    except Exception:
        # pylatexenc 2.10 raises IndexError and friends on some macros (`\href` with odd
        # arguments); the words must still reach the user, so keep them without the commands.
        return _without_commands(island)


def _without_commands(tex: str) -> str:
    """`tex` with accents applied and other control words, math shifts and grouping braces
    removed: the words, where reading the TeX failed."""
    return _plain(re.sub(r"\\[A-Za-z]+\*?|(?<!\\)\$", "", _ACCENT.sub(_accented, tex)))


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    """pylatexenc's converter, built on first use: importing it costs ~90 ms."""
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


_SPECIAL_CHARACTERS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
"""ASCII characters TeX would read as commands; `{` and `}` become macros because classic bibtex
counts even escaped braces, and one alone would unbalance the field."""


_SPECIAL = re.compile("[" + re.escape("".join(_SPECIAL_CHARACTERS)) + "]")
_NON_ASCII = re.compile(r"([^\x00-\x7f])")
"""A non-ASCII character, captured: `split` gives it between the ASCII text around it."""


def text_to_latex(text: str) -> str:
    """Plain Unicode text as a BibTeX value: TeX specials escaped, non-ASCII as `{\\"u}` escapes."""
    # `in` finds a character at memchr speed where a regular-expression scan takes ~8 µs for an
    # abstract, and most values hold no special or only `%`: the abstracts of 100k papers take
    # 0.2 s, not 1 s. Replacing character by character (or str.translate with a dict) costs
    # seconds per 150 MB of abstracts.
    if "\\" in text or "{" in text or "}" in text:
        # Escapes hold backslashes and braces: replaced one special after another, these would
        # be escaped again, so here one pass replaces every special.
        text = _SPECIAL.sub(lambda match: _SPECIAL_CHARACTERS[match.group()], text)
    else:
        for character in "%&#_$~^":
            if character in text:
                text = text.replace(character, _SPECIAL_CHARACTERS[character])
    return non_ascii_to_latex(text)


def non_ascii_to_latex(tex: str) -> str:
    """TeX (or plain text) with its non-ASCII characters as TeX escapes, `ü` -> `{\\"u}`, and
    nothing else touched. Classic bibtex counts bytes: it abbreviates `Jürgen` to half a `ü`."""
    if tex.isascii():
        return tex
    # Split and mapped in C, where `sub` called a Python function for each character: a
    # paper's authors (four such characters in the benchmark library) take 6% fewer
    # instructions, its whole entry 2% fewer.
    pieces = _NON_ASCII.split(unicodedata.normalize("NFC", tex))
    pieces[1::2] = map(_non_ascii_to_latex, pieces[1::2])
    return "".join(pieces)


_LIGATURES = {"–": "--", "—": "---"}
"""Dashes as TeX spells them: bibtex styles read `--` in page ranges, not `\\textendash`."""


@lru_cache(maxsize=4096)
def _non_ascii_to_latex(character: str) -> str:
    if character in _LIGATURES:
        return _LIGATURES[character]
    # Characters pylatexenc cannot spell (CJK, emoji) stay as they are: bibtex passes bytes on.
    return str(_encoder().unicode_to_latex(character))


@lru_cache(maxsize=1)
def _encoder() -> UnicodeToLatexEncoder:
    """pylatexenc's encoder for non-ASCII characters only, each wrapped in braces."""
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_warning=False,
    )
