"""A local stand-in for the arXiv API that replays recorded responses; usable without pytest.

Start it, point `READLIST_ARXIV_API` at `server.url`, and it answers `?id_list=...` queries from
the recordings in one or more folders (`ARXIV_RECORDINGS` in tests/conftest.py):

- a request for exactly the ids a recording answered gets that file, byte for byte;
- a request naming an id a recorded `Error` feed calls malformed gets that feed with HTTP 400,
  as arXiv refuses the whole request;
- any other request gets a feed assembled from the recorded entries of the ids it names (ids
  with no recorded entry are left out, as arXiv leaves out ids it does not know).

Every request is kept in `requests` (ids, User-Agent, arrival time) so tests can check batching,
the client's name and its pacing; `fail_next` makes the next requests fail first.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Final, Literal, cast
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from readlist.models import arxiv_id_in_link

DROP = None
"""A `fail_next` outcome: close the connection without answering."""
REPLAY: Final = "replay"
"""A `fail_next` outcome: answer as arXiv would, so that a later request fails."""


@dataclass(frozen=True, slots=True)
class Trickle:
    """A `fail_next` outcome: `body` with HTTP 200, `size` bytes every `pause` seconds, as a
    server that never stalls long enough for a read timeout."""

    body: bytes
    size: int
    pause: float


Answer = tuple[int, bytes] | tuple[int, bytes, dict[str, str]]
"""A status and body, and headers to send besides the content's type and length."""
Outcome = int | Answer | Trickle | Literal["replay"] | None
"""What `fail_next` makes a request get: an HTTP status, an `Answer`, a `Trickle`, `REPLAY` or
`DROP`."""

_ENTRY = re.compile(r"<entry>.*?</entry>", re.DOTALL)
_ENTRY_ID = re.compile(r"<id>([^<]*)</id>")
_MALFORMED_ID = re.compile(r"/api/errors#incorrect_id_format_for_(\S+)")
_QUERIED_IDS = re.compile(r"<title[^>]*>[^<]*id_list=([^&<]*)")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the server received."""

    id_list: list[str]
    """The ids asked for, in the order sent."""
    max_results: str | None
    user_agent: str
    received: float
    """`time.monotonic()` when it arrived."""


class ArxivReplayServer:
    """An HTTP server on 127.0.0.1 (a free port) answering like the arXiv API from recordings."""

    def __init__(self, *recordings: Path) -> None:
        self.requests: list[RecordedRequest] = []
        """Requests received so far, oldest first."""
        self._by_query: dict[frozenset[str], bytes] = {}
        self._entries: dict[str, str] = {}
        self._malformed: dict[str, bytes] = {}
        self._outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for folder in recordings:
            for path in sorted(folder.glob("*.xml")):
                self._load(path.read_bytes())

    def _load(self, body: bytes) -> None:
        text = body.decode("utf-8")
        answered: set[str] = set()
        for entry in _ENTRY.findall(text):
            entry_id = _ENTRY_ID.search(entry)
            assert entry_id is not None, "every recorded entry has an <id>"
            if malformed := _MALFORMED_ID.search(entry_id.group(1)):
                self._malformed[malformed.group(1)] = body
                answered.add(malformed.group(1))
            elif arxiv_id := arxiv_id_in_link(entry_id.group(1)):
                self._entries[arxiv_id] = entry
                answered.add(arxiv_id)
        queried = _QUERIED_IDS.search(text)
        if queried and queried.group(1):
            answered = set(queried.group(1).split(","))
        if answered:
            self._by_query[frozenset(answered)] = body

    @property
    def url(self) -> str:
        """The API base URL to put in `READLIST_ARXIV_API`."""
        assert self._server is not None, "start the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/query"

    def start(self) -> ArxivReplayServer:
        """Listen on a free port in a background thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.replay = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; the port then refuses connections. `url` stays readable."""
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._thread = None

    def __enter__(self) -> ArxivReplayServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def fail_next(self, *outcomes: Outcome) -> None:
        """Answer the next requests with these statuses (or answers), a `Trickle`, or `DROP`."""
        with self._lock:
            self._outcomes.extend(outcomes)

    def answer(self, query: str, user_agent: str) -> Answer | Trickle | None:
        """The status and body for one query string; None to drop the connection."""
        params = parse_qs(query)
        ids = [i for i in params.get("id_list", [""])[0].split(",") if i]
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    ids, params.get("max_results", [None])[0], user_agent, time.monotonic()
                )
            )
            outcome = self._outcomes.pop(0) if self._outcomes else REPLAY
        if not isinstance(outcome, str):  # REPLAY goes on to the recorded answer
            return (outcome, b"failure on request\n") if isinstance(outcome, int) else outcome
        for arxiv_id in ids:
            if arxiv_id in self._malformed:
                return 400, self._malformed[arxiv_id]
        recorded = self._by_query.get(frozenset(ids))
        if recorded is not None:
            return 200, recorded
        return 200, self._assembled_feed(ids)

    def _assembled_feed(self, ids: list[str]) -> bytes:
        entries = [self._entries[arxiv_id] for arxiv_id in ids if arxiv_id in self._entries]
        query = escape(f"id_list={','.join(ids)}&start=0&max_results={len(ids)}")
        body = "\n  ".join(entries)
        return (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "  <id>https://arxiv.org/api/replayed</id>\n"
            f"  <title>arXiv Query: {query}</title>\n"
            "  <updated>2026-04-12T22:00:00Z</updated>\n"
            f"  <opensearch:itemsPerPage>{len(ids)}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            f"  {body}\n"
            "</feed>\n"
        ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    replay: ArxivReplayServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        replay = cast(_Server, self.server).replay
        answer = replay.answer(urlsplit(self.path).query, self.headers.get("User-Agent", ""))
        if answer is None:
            self.close_connection = True
            return
        if isinstance(answer, Trickle):
            self._trickle(answer)
            return
        status, body, *headers = answer
        self.send_response(status)
        self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers[0].items() if headers else ():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, trickle: Trickle) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(trickle.body)))
        self.end_headers()
        try:
            for start in range(0, len(trickle.body), trickle.size):
                self.wfile.write(trickle.body[start : start + trickle.size])
                self.wfile.flush()
                time.sleep(trickle.pause)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting, as it should.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        # Tests read `requests`; a line per request on stderr would only bury failures.
        return
