"""arXiv ids and URLs in, metadata from the arXiv API (Atom) filled in."""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

from readlist.errors import ArxivUnavailable, ReadlistError
from readlist.formats import ImportContext, WholeTextImporter
from readlist.models import Draft, ParseResult, Problem, canonical_arxiv_id, canonical_doi
from readlist.paths import cache_dir

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    import httpx

ARXIV_API_ENV = "READLIST_ARXIV_API"
"""Environment variable overriding the API base URL (tests point it at a local server)."""
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_DELAY_ENV = "READLIST_ARXIV_DELAY"
"""Environment variable overriding the pause between two requests, in seconds."""
DEFAULT_DELAY = 3.0
"""arXiv asks API clients to wait 3 seconds between consecutive requests."""
BATCH_SIZE = 100
"""Ids asked for in one request; arXiv's guideline keeps result pages this small."""
TIMEOUT = 10.0
"""Seconds to wait for arXiv to connect or answer."""
ANSWER_DEADLINE = 30.0
"""Seconds one whole answer may take: TIMEOUT bounds each wait for the next bytes, so a server
sending a few bytes at a time would otherwise hold the command for as long as it likes."""
ATTEMPTS = 2
"""Tries per request: a dropped connection, a server error (5xx) or a 429 is worth one more."""
RETRY_AFTER_LIMIT = 30.0
"""The longest `Retry-After` readlist waits out before trying again; asked to wait longer, it
gives up at once and the ids wait for a later refresh."""

_ID = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?"
_PREFIX = (
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org)?/(?:abs|pdf|html|format)/"
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/"
    r"|(?:https?://)?(?:www\.)?alphaxiv\.org/(?:abs/|overview/)?"
    r"|(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:)?10\.48550/arxiv\."
    r"|arxiv:"
)
_SUFFIX = r"(?:\.pdf)?/?(?:[?#]\S*)?"
_ID_TOKEN = re.compile(rf"(?:{_PREFIX})?{_ID}{_SUFFIX}", re.IGNORECASE)
"""One whole token naming an arXiv paper, in any spelling users paste."""
_ATTEMPT_TOKEN = re.compile(
    rf"(?:{_PREFIX})\S*|\d{{4}}\.\d+(?:v\d*)?|[a-z][a-z-]*(?:\.[a-z]{{2}})?/\d+(?:v\d*)?",
    re.IGNORECASE,
)
"""A token meant as an arXiv id or link that is not a well-formed one ("2403.123")."""
_CATEGORY_TOKEN = re.compile(r"\[[a-z-]+(?:\.[a-z-]+)?\]", re.IGNORECASE)
"""`[cs.CL]`, which arXiv prints after an id ("arXiv:2403.12345 [cs.CL]")."""
_TOKEN_TEXT = re.compile(r"[^\s,;]+")
"""A token: what lies between spaces, commas and semicolons."""
_PREFIX_SPACE = re.compile(r"\b(arxiv|doi):\s+", re.IGNORECASE)
"""`arXiv: 2403.12345` is one reference, not two tokens."""
_WRAPPING = "<>()[]{}\"'"
_ID_HINT = "expected e.g. 2403.12345, arXiv:2403.12345v2 or hep-th/9901001"


class _Kind(Enum):
    ID = "id"
    MALFORMED = "malformed"
    CATEGORY = "category"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    arxiv_id: str | None = None


def _plausible_new_id(arxiv_id: str) -> bool:
    """True when a new-style id has a real month from April 2007 (when the scheme began) to
    this month, and the digit count of its era (5 from 2015)."""
    yymm, number = arxiv_id.split(".")
    month = int(yymm[2:])
    five_digit_era = int(yymm) >= 1501
    this_month = int(date.today().strftime("%y%m"))
    return (
        1 <= month <= 12
        and 704 <= int(yymm) <= this_month
        and len(number) == (5 if five_digit_era else 4)
    )


def _classify(raw: str) -> _Token:
    if _CATEGORY_TOKEN.fullmatch(raw):
        return _Token(_Kind.CATEGORY, raw)
    text = raw.strip(_WRAPPING + ".:")
    match = _ID_TOKEN.fullmatch(text)
    arxiv_id = canonical_arxiv_id(match["id"]) if match else None
    if arxiv_id is not None and ("/" in arxiv_id or _plausible_new_id(arxiv_id)):
        return _Token(_Kind.ID, text, arxiv_id)
    if match or _ATTEMPT_TOKEN.fullmatch(text):
        return _Token(_Kind.MALFORMED, text)
    return _Token(_Kind.OTHER, text)


def _tokens(line: str) -> Iterator[_Token]:
    """The tokens of one line up to a `#` comment, one at a time: a line of prose is given up
    at its first word, not split whole (a 20 MB line took 21 s to be refused)."""
    for match in _TOKEN_TEXT.finditer(_PREFIX_SPACE.sub(r"\1:", line)):
        raw = match.group()
        if raw.startswith("#"):
            return
        yield _classify(raw)


def _content_lines(text: str) -> Iterator[tuple[int, list[_Token]]]:
    """(1-based line number, tokens) for every line that is neither blank nor a comment."""
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = list(_tokens(line))
        if tokens:
            yield number, tokens


def looks_like_id_list(text: str) -> bool:
    """True when every line that is not blank or a `#` comment holds only arXiv ids or paper
    links (arXiv, Hugging Face, alphaXiv, arXiv DOIs), malformed attempts at one included."""
    found_id = False
    for line in text.splitlines():
        for token in _tokens(line):
            if token.kind is _Kind.OTHER:
                return False
            found_id = found_id or token.kind in (_Kind.ID, _Kind.MALFORMED)
    return found_id


class ArxivIdImporter(WholeTextImporter):
    """Reads arXiv ids and URLs in every spelling; the drafts wait for metadata."""

    def parse_text(self, text: str, context: ImportContext) -> ParseResult:
        """One draft per distinct id, titled `arXiv:ID` until the API fills it in."""
        result = ParseResult()
        first_line: dict[str, int] = {}
        repeats = 0
        for number, tokens in _content_lines(text):
            where = f"line {number}"
            for token in tokens:
                if token.kind is _Kind.MALFORMED:
                    result.problems.append(
                        Problem(where, f"{token.text!r} is not a valid arXiv id ({_ID_HINT})")
                    )
            other_text = " ".join(t.text for t in tokens if t.kind is _Kind.OTHER)
            if other_text:
                shown = other_text if len(other_text) <= 60 else other_text[:57] + "..."
                result.problems.append(Problem(where, f"not an arXiv id or link: {shown!r}"))
            for token in tokens:
                if token.arxiv_id is None:
                    continue
                if token.arxiv_id in first_line:
                    repeats += 1
                    continue
                first_line[token.arxiv_id] = number
                result.drafts.append(_waiting_draft(token.arxiv_id, number))
        if repeats:
            result.notes.append(f"{repeats} repeated arXiv id(s) imported once")
        return result


def _waiting_draft(arxiv_id: str, line: int) -> Draft:
    return Draft(
        title=f"arXiv:{arxiv_id}",
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        needs_metadata=True,
        line=line,
    )


# ---- the arXiv API ---------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_MALFORMED_ID_ERROR = re.compile(r"incorrect id format for (?P<id>\S+)", re.IGNORECASE)
_ERRNO_PREFIX = re.compile(r"^\[Errno [^]]*\]\s*")


def fetch_metadata(
    arxiv_ids: Sequence[str], *, api_url: str | None = None, delay: float | None = None
) -> dict[str, Draft]:
    """Metadata for canonical ids from the arXiv API, in batches; raises ArxivUnavailable,
    which holds the metadata of the batches before the failure.

    Ids arXiv does not know, or calls malformed, are left out of the result; an entry without a
    title comes as a draft still needing metadata, to be asked for again. `api_url` and
    `delay` default to `READLIST_ARXIV_API` and `READLIST_ARXIV_DELAY`, read at each call.
    """
    import httpx

    requested = list(dict.fromkeys(_request_id(raw) for raw in arxiv_ids if _sendable(raw)))
    if not requested:
        return {}
    url = _checked_url(api_url or os.environ.get(ARXIV_API_ENV) or DEFAULT_ARXIV_API)
    pause = _delay_from_env() if delay is None else delay
    found: dict[str, Draft] = {}
    with httpx.Client(
        timeout=TIMEOUT, headers={"User-Agent": _user_agent()}, follow_redirects=True
    ) as client:
        session = _Session(client, url, pause)
        try:
            for start in range(0, len(requested), BATCH_SIZE):
                found.update(session.fetch_batch(requested[start : start + BATCH_SIZE]))
        except ArxivUnavailable as error:
            # A rate limit often strikes a few batches in: what came is worth storing.
            error.found = found
            raise
    return found


def _sendable(raw: str) -> bool:
    # A comma or space would split one id into several in `id_list`.
    return _TOKEN_TEXT.fullmatch(raw.strip()) is not None


def _request_id(raw: str) -> str:
    """The id as arXiv expects it; one not well-formed is sent as given, for arXiv to judge."""
    return canonical_arxiv_id(raw) or raw.strip()


def _checked_url(url: str) -> str:
    """The API base URL, refused in one line when it is no http(s) URL (a mistyped
    `READLIST_ARXIV_API`): httpx fails on some with an exception of its own, a traceback."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ReadlistError(f"{ARXIV_API_ENV} must be an http or https URL, not {url!r}")
    return url


def _delay_from_env() -> float:
    raw = os.environ.get(ARXIV_DELAY_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_DELAY
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise ReadlistError(f"{ARXIV_DELAY_ENV} must be a number of seconds, not {raw!r}")
    return seconds


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        readlist_version = version("readlist")
    except PackageNotFoundError:
        readlist_version = "dev"
    return f"readlist/{readlist_version} (terminal reading list; arXiv API client)"


REQUEST_TIMES_FILE = "arxiv-requests.json"
"""In the cache folder: when each API URL was last asked (seconds since the epoch), by any
readlist process, so the pause holds between commands run one after another."""
_this_process_times: dict[str, float] = {}
"""The same, kept by this process alone where the file cannot be used."""


@contextmanager
def _request_times() -> Iterator[dict[str, float]]:
    """When each API URL was last asked, read and written back under a lock; this process's own
    record where the system has no `fcntl` locks or the cache folder takes no file."""
    try:
        import fcntl

        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / REQUEST_TIMES_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except (ImportError, OSError):
        yield _this_process_times
        return
    with os.fdopen(descriptor, "r+", encoding="utf-8", errors="replace") as stream:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX)
            times = _parsed_times(stream.read())
        except OSError:
            # A file system that takes no locks (some network ones): this process's alone.
            yield _this_process_times
            return
        yield times
        # Not written is only a pause shorter than asked for, not worth stopping for.
        with suppress(OSError):
            stream.seek(0)
            stream.truncate()
            stream.write(json.dumps(times))


def _parsed_times(text: str) -> dict[str, float]:
    """The times in the file; none from one damaged or written by something else."""
    try:
        times = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(times, dict):
        return {}
    return {
        url: float(when)
        for url, when in times.items()
        if isinstance(when, int | float) and math.isfinite(when)
    }


class _Session:
    """Requests to one API base URL, spaced by `delay` seconds, each retried once."""

    def __init__(self, client: httpx.Client, url: str, delay: float) -> None:
        self._client = client
        self._url = url
        self._delay = delay

    def fetch_batch(self, batch: list[str]) -> dict[str, Draft]:
        """Drafts for one batch; ids arXiv calls malformed are dropped and the rest asked again."""
        remaining = batch
        while remaining:
            status, feed = self._get_feed(remaining)
            malformed, unexplained = _errors(feed, remaining)
            if unexplained:
                raise ArxivUnavailable(f"arXiv refused the request ({unexplained})")
            if malformed:
                remaining = [arxiv_id for arxiv_id in remaining if arxiv_id not in malformed]
                continue
            if status != 200:
                raise ArxivUnavailable(f"arXiv could not be reached (HTTP {status})")
            return dict(_drafts(feed))
        return {}

    def _get_feed(self, batch: list[str]) -> tuple[int, Element]:
        """The status and parsed Atom feed for one request, tried again once after a failure."""
        import httpx

        params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
        failure = ""
        pause = self._delay
        for _attempt in range(ATTEMPTS):
            self._wait_turn(pause)
            try:
                status, retry_after, content = self._get(params)
            except httpx.TransportError as error:
                failure = _transport_reason(error)
                continue
            except _TooSlow:
                failure = f"no whole answer within {ANSWER_DEADLINE:g} s"
                continue
            finally:
                self._answered()
            if status >= 500 or status == 429:
                failure = f"HTTP {status}"
                if retry_after > RETRY_AFTER_LIMIT:
                    failure += f", asked to wait {retry_after:g} s"
                    break
                pause = max(self._delay, retry_after)
                continue
            return status, _parse_feed(content, status)
        raise ArxivUnavailable(f"arXiv could not be reached ({failure})")

    def _get(self, params: dict[str, str]) -> tuple[int, float, bytes]:
        """The status, `Retry-After` seconds (0 without one) and body of one request; raises
        _TooSlow past ANSWER_DEADLINE."""
        deadline = time.monotonic() + ANSWER_DEADLINE
        with self._client.stream("GET", self._url, params=params) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if time.monotonic() > deadline:
                    raise _TooSlow
            return response.status_code, _seconds(response.headers.get("Retry-After")), bytes(body)

    def _wait_turn(self, pause: float) -> None:
        """Sleep until `pause` seconds after the last request to the URL (by this process or
        another) ended, having taken the turn after it: another process asking meanwhile
        waits for this request."""
        with _request_times() as times:
            now = time.time()
            # A time further ahead than the pause (the clock was set back) is not waited for.
            turn = min(max(now, times.get(self._url, -math.inf) + pause), now + pause)
            times[self._url] = turn
        if turn > now:
            time.sleep(turn - now)

    def _answered(self) -> None:
        """Note that a request ended now; the next waits its pause from here, so arXiv sees it."""
        with _request_times() as times:
            times[self._url] = max(times.get(self._url, 0.0), time.time())


def _seconds(retry_after: str | None) -> float:
    """A `Retry-After` of seconds; 0 for none, or for the rarer HTTP-date form."""
    try:
        return max(0.0, float(retry_after or 0))
    except ValueError:
        return 0.0


class _TooSlow(Exception):
    """An answer still coming in at ANSWER_DEADLINE."""


def _transport_reason(error: Exception) -> str:
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return f"no answer within {TIMEOUT:g} s"
    reason = _ERRNO_PREFIX.sub("", str(error)).strip().rstrip(".")
    return (reason[:1].lower() + reason[1:]) if reason else type(error).__name__


def _parse_feed(content: bytes, status: int) -> Element:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    not_a_feed = ArxivUnavailable(f"arXiv's answer was not an Atom feed (HTTP {status})")
    try:
        feed = fromstring(content)
    except (ParseError, DefusedXmlException):
        raise not_a_feed from None
    if feed.tag != f"{_ATOM}feed":
        raise not_a_feed
    return feed


def _errors(feed: Element, requested: list[str]) -> tuple[set[str], str | None]:
    """Ids the feed's `Error` entries call malformed, and the first error naming no requested id."""
    malformed: set[str] = set()
    unexplained = None
    for entry in feed.iterfind(f"{_ATOM}entry"):
        if "/api/errors" not in _text(entry, f"{_ATOM}id"):
            continue
        message = _text(entry, f"{_ATOM}summary") or "an unexplained error"
        match = _MALFORMED_ID_ERROR.search(message)
        if match and match["id"] in requested:
            malformed.add(match["id"])
        elif unexplained is None:
            unexplained = message
    return malformed, unexplained


def _drafts(feed: Element) -> Iterator[tuple[str, Draft]]:
    for entry in feed.iterfind(f"{_ATOM}entry"):
        draft = _entry_draft(entry)
        if draft is not None and draft.arxiv_id is not None:
            yield draft.arxiv_id, draft


def _entry_draft(entry: Element) -> Draft | None:
    """A draft for one Atom entry; None for an entry without an arXiv abstract-page id."""
    entry_id = _text(entry, f"{_ATOM}id")
    match = re.search(r"arxiv\.org/abs/(\S+)", entry_id, re.IGNORECASE)
    arxiv_id = canonical_arxiv_id(match.group(1)) if match else None
    if arxiv_id is None:
        return None
    fields = {"eprint": arxiv_id, "archiveprefix": "arXiv"}
    primary = entry.find(f"{_ARXIV}primary_category")
    if primary is not None and primary.get("term"):
        fields["primaryclass"] = primary.get("term", "")
    published = _text(entry, f"{_ATOM}published")
    doi = _text(entry, f"{_ARXIV}doi")
    title = _title_text(_text(entry, f"{_ATOM}title"))
    return Draft(
        title=title or f"arXiv:{arxiv_id}",
        authors=[
            name
            for author in entry.iterfind(f"{_ATOM}author")
            if (name := _text(author, f"{_ATOM}name"))
        ],
        year=int(published[:4]) if published[:4].isdigit() else None,
        venue=_text(entry, f"{_ARXIV}journal_ref") or None,
        abstract=_text(entry, f"{_ATOM}summary") or None,
        arxiv_id=arxiv_id,
        doi=canonical_doi(doi) if doi else None,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        fields=fields,
        # A paper without a title cannot be told from others or cited: it waits for a refresh.
        needs_metadata=not title,
    )


def _text(element: Element, path: str) -> str:
    """The child's text with runs of whitespace (arXiv's hard wraps) collapsed; "" if absent."""
    child = element.find(path)
    if child is None or child.text is None:
        return ""
    return " ".join(child.text.split())


_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def _title_text(title: str) -> str:
    """A title with its TeX (`$\\alpha$`, `\\"o`) turned into characters, where it has any.

    Titles whose `$` do not pair up, or whose TeX pylatexenc cannot read, are kept as typed:
    a half-converted title is worse than the TeX.
    """
    if "\\" not in title and "$" not in title:
        return title
    if len(_UNESCAPED_DOLLAR.findall(title)) % 2:
        return title
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalkerError

    try:
        # In TeX `%` starts a comment; in a title it is a percent sign ("90% accuracy").
        converted = LatexNodes2Text().latex_to_text(
            _UNESCAPED_PERCENT.sub(r"\\%", title), tolerant_parsing=False
        )
    except LatexWalkerError:
        return title
    return " ".join(converted.split()) or title


IMPORTER = ArxivIdImporter()
