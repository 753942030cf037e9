"""arXiv ids in every spelling, metadata from a local replay of the arXiv API, and `refresh`."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from arxiv_server import DROP, REPLAY, ArxivReplayServer, Outcome, Trickle
from conftest import ARXIV_RECORDINGS, REPO, SAMPLE_DATA, SEEDS
from hypothesis import given
from hypothesis import strategies as st

from readlist.errors import ArxivUnavailable, ReadlistError
from readlist.formats import ImportContext, arxiv
from readlist.formats import parse as parse_text
from readlist.formats.arxiv import (
    ARXIV_API_ENV,
    ARXIV_DELAY_ENV,
    fetch_metadata,
    looks_like_id_list,
)
from readlist.library import ImportSource, Library
from readlist.models import Paper, Status, canonical_arxiv_id

FIXTURES = REPO / "tests" / "fixtures" / "arxiv"
"""Hand-written feeds for what the recordings lack: TeX and markup-like text in titles."""


@pytest.fixture(autouse=True)
def no_arxiv_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests do not wait arXiv's 3 s between requests unless they check that pause, nor for a
    request of an earlier test."""
    monkeypatch.setenv(ARXIV_DELAY_ENV, "0")
    monkeypatch.setattr(arxiv, "_this_process_times", {})


@pytest.fixture
def arxiv_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivReplayServer]:
    """A running replay of the arXiv API, with `READLIST_ARXIV_API` pointing at it."""
    with ArxivReplayServer(ARXIV_RECORDINGS, FIXTURES) as server:
        monkeypatch.setenv(ARXIV_API_ENV, server.url)
        yield server


@pytest.fixture
def arxiv_offline(monkeypatch: pytest.MonkeyPatch) -> str:
    """`READLIST_ARXIV_API` pointing at a port where nothing listens any more."""
    server = ArxivReplayServer(ARXIV_RECORDINGS).start()
    server.stop()
    monkeypatch.setenv(ARXIV_API_ENV, server.url)
    return server.url


def parse(text: str) -> tuple[list[str], list[str], list[str]]:
    """(canonical ids, "where: reason" problems, notes) the importer makes of `text`."""
    result = parse_text(text, "arxiv", ImportContext())
    ids = [draft.arxiv_id or "" for draft in result.drafts]
    problems = [f"{problem.where}: {problem.reason}" for problem in result.problems]
    return ids, problems, result.notes


def by_arxiv_id(library: Library) -> dict[str, Paper]:
    return {paper.arxiv_id or "": paper for paper in library.papers()}


# ---- reading ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("2403.12345", "2403.12345"),
        ("arXiv:2403.12345v2", "2403.12345"),
        ("arxiv: 2403.12345", "2403.12345"),
        ("https://arxiv.org/abs/2403.12345v3", "2403.12345"),
        ("http://export.arxiv.org/abs/2403.12345", "2403.12345"),
        ("https://arxiv.org/pdf/2403.12345v1.pdf", "2403.12345"),
        ("https://arxiv.org/pdf/2403.12345", "2403.12345"),
        ("/pdf/2403.12345v1.pdf", "2403.12345"),
        ("https://arxiv.org/html/2403.12345v2#S3", "2403.12345"),
        ("/html/2403.12345v1/", "2403.12345"),
        ("arxiv.org/abs/2403.12345?context=cs", "2403.12345"),
        ("<https://arxiv.org/abs/2403.12345>.", "2403.12345"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("arXiv:hep-th/9901001v2", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("https://arxiv.org/abs/math.GT/0309136v1", "math/0309136"),
        ("https://huggingface.co/papers/2403.12345", "2403.12345"),
        ("huggingface.co/papers/2403.12345", "2403.12345"),
        ("https://www.alphaxiv.org/abs/2403.12345", "2403.12345"),
        ("alphaxiv.org/overview/2403.12345v1", "2403.12345"),
        ("10.48550/arXiv.2403.12345", "2403.12345"),
        ("https://doi.org/10.48550/arXiv.2403.12345", "2403.12345"),
        ("doi: 10.48550/arXiv.2403.12345", "2403.12345"),
        ("0704.0001", "0704.0001"),
    ],
)
def test_every_spelling_users_paste_names_one_canonical_id(spelling: str, expected: str) -> None:
    ids, problems, _ = parse(spelling + "\n")

    assert (ids, problems) == ([expected], [])
    assert looks_like_id_list(spelling)


def test_an_id_list_keeps_each_paper_once_in_first_seen_order() -> None:
    text = (
        "# to read this week\n"
        "\n"
        "2403.12345, https://arxiv.org/abs/hep-th/9901001v2  huggingface.co/papers/2402.00007\n"
        "arXiv:2403.12345v3 [cs.CL]   # the survey again\n"
        "https://arxiv.org/pdf/2402.00007v1.pdf;1706.03762\n"
    )

    result = parse_text(text, "arxiv", ImportContext())

    drafts = [(d.arxiv_id, d.line, d.title, d.url, d.needs_metadata) for d in result.drafts]
    assert drafts == [
        ("2403.12345", 3, "arXiv:2403.12345", "https://arxiv.org/abs/2403.12345", True),
        ("hep-th/9901001", 3, "arXiv:hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001", True),
        ("2402.00007", 3, "arXiv:2402.00007", "https://arxiv.org/abs/2402.00007", True),
        ("1706.03762", 5, "arXiv:1706.03762", "https://arxiv.org/abs/1706.03762", True),
    ]
    assert result.problems == []
    assert result.notes == ["2 repeated arXiv id(s) imported once"]


def test_malformed_ids_are_reported_by_line_and_the_rest_still_reads() -> None:
    text = (
        "2403.12345\n"
        "2403.123 https://arxiv.org/abs/2403.123456\n"
        "2413.12345, 1402.12345, 0808.05394\n"
        # Before the scheme began (April 2007), and a month still to come.
        "0703.1234 9912.12345\n"
        "arXiv:banana hep-th/99010\n"
        "2402.00007\n"
    )

    ids, problems, _ = parse(text)

    assert ids == ["2403.12345", "2402.00007"]
    hint = "(expected e.g. 2403.12345, arXiv:2403.12345v2 or hep-th/9901001)"
    assert problems == [
        f"line 2: '2403.123' is not a valid arXiv id {hint}",
        f"line 2: 'https://arxiv.org/abs/2403.123456' is not a valid arXiv id {hint}",
        f"line 3: '2413.12345' is not a valid arXiv id {hint}",
        f"line 3: '1402.12345' is not a valid arXiv id {hint}",
        f"line 3: '0808.05394' is not a valid arXiv id {hint}",
        f"line 4: '0703.1234' is not a valid arXiv id {hint}",
        f"line 4: '9912.12345' is not a valid arXiv id {hint}",
        f"line 5: 'arXiv:banana' is not a valid arXiv id {hint}",
        f"line 5: 'hep-th/99010' is not a valid arXiv id {hint}",
    ]
    assert looks_like_id_list(text)


def test_text_beside_ids_is_reported_when_the_user_forces_the_arxiv_format() -> None:
    ids, problems, _ = parse("2403.12345 see the appendix\n")

    assert ids == ["2403.12345"]
    assert problems == ["line 1: not an arXiv id or link: 'see the appendix'"]


@pytest.mark.parametrize(
    "text",
    [
        "See arXiv:2403.12345 for the proof.\n",
        "2403.12345\nAttention Is All You Need\n",
        "https://arxiv.org/list/cs.CL/recent\n",
        "https://huggingface.co/papers?date=2024-03-14\n",
        "# only a comment\n\n",
        "3.14 2.71\n",
        "[cs.CL]\n",
    ],
)
def test_prose_and_other_links_are_not_an_id_list(text: str) -> None:
    assert not looks_like_id_list(text)


def test_real_listing_pages_are_not_taken_for_id_lists() -> None:
    pages = sorted(SEEDS.glob("*.txt"))
    assert pages, "the seed listing pages are missing"
    for page in pages:
        assert not looks_like_id_list(page.read_text(encoding="utf-8")), page.name


def test_the_sample_id_file_is_detected_and_read_whole() -> None:
    text = (SAMPLE_DATA / "arxiv-ids.txt").read_text(encoding="utf-8")

    ids, problems, _ = parse(text)

    assert looks_like_id_list(text)
    assert problems == []
    assert ids == ["1605.08386", "astro-ph/0601001", "1111.2011", "1707.08567", "cond-mat/0607501"]


_PIECES = st.sampled_from(
    ["2403.12345", "v2", "arXiv:", "https://arxiv.org/abs/", "/pdf/", ".pdf", "hep-th/", "9901001",
     "huggingface.co/papers/", "10.48550/arXiv.", "#", ",", " ", "\n", "[cs.CL]", "2403.123", "x"]
)  # fmt: skip


@given(st.lists(_PIECES | st.text(max_size=5), max_size=20).map("".join))
def test_any_text_reads_without_raising_into_distinct_canonical_ids(text: str) -> None:
    result = parse_text(text, "arxiv", ImportContext())

    ids = [draft.arxiv_id for draft in result.drafts]
    assert all(arxiv_id and canonical_arxiv_id(arxiv_id) == arxiv_id for arxiv_id in ids)
    assert len(set(ids)) == len(ids)
    assert all(problem.where.startswith("line ") for problem in result.problems)
    if looks_like_id_list(text):
        assert not any("not an arXiv id or link" in p.reason for p in result.problems)


# ---- the arXiv API -----------------------------------------------------------------------


def test_metadata_of_a_new_style_id(arxiv_server: ArxivReplayServer) -> None:
    draft = fetch_metadata(["1605.08386"])["1605.08386"]

    assert draft.title == "Heat-bath random walks with Markov bases"
    assert draft.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert draft.year == 2016
    assert draft.abstract is not None
    assert draft.abstract.startswith("Graphs on lattice points are studied")
    assert draft.abstract.endswith("is an expander in fixed dimension.")
    assert (draft.arxiv_id, draft.url) == ("1605.08386", "https://arxiv.org/abs/1605.08386")
    assert (draft.doi, draft.venue) == (None, None)
    assert draft.fields == {
        "primaryclass": "math.CO",
        "eprint": "1605.08386",
        "archiveprefix": "arXiv",
    }
    assert not draft.needs_metadata


def test_metadata_of_an_old_style_id_with_a_journal_ref(arxiv_server: ArxivReplayServer) -> None:
    draft = fetch_metadata(["astro-ph/0601001"])["astro-ph/0601001"]

    assert draft.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert draft.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert draft.year == 2006
    assert draft.venue == "ActaAstron.56:1-50,2006"
    assert draft.abstract is not None
    assert draft.abstract.startswith("We derive the frequencies of hot Jupiters")
    assert "V_max<17.5" in draft.abstract
    assert draft.url == "https://arxiv.org/abs/astro-ph/0601001"
    assert draft.fields["primaryclass"] == "astro-ph"


def test_legacy_layout_titles_and_abstracts_are_unwrapped(
    arxiv_server: ArxivReplayServer,
) -> None:
    found = fetch_metadata(["1111.2011", "cond-mat/0607501"])

    murray, melko = found["1111.2011"], found["cond-mat/0607501"]
    assert murray.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert murray.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert (murray.year, murray.doi) == (2011, "10.1103/physrevb.85.115117")
    assert murray.venue == "Phys. Rev. B 85, 115117 (2012)"
    assert murray.abstract is not None
    assert murray.abstract.startswith("Theoretical description of anisotropic systems, such as")
    assert "\n" not in murray.abstract
    assert "  " not in murray.abstract
    assert melko.title == (
        "A striped supersolid phase and the search for deconfined quantum criticality in "
        "hard-core bosons on the triangular lattice"
    )
    assert (melko.year, melko.url) == (2006, "https://arxiv.org/abs/cond-mat/0607501")
    assert melko.fields["primaryclass"] == "cond-mat.str-el"


def test_unknown_ids_are_left_out_and_non_ascii_names_kept(
    arxiv_server: ArxivReplayServer,
) -> None:
    found = fetch_metadata(["0808.05394", "1707.08567"])

    assert list(found) == ["1707.08567"]
    authors = found["1707.08567"].authors
    assert len(authors) == 34
    assert authors[0] == "Kees A. Schouhamer Immink"
    assert "Dirk Wübben" in authors
    assert fetch_metadata(["0000.0000"]) == {}


def test_ids_arxiv_calls_malformed_are_dropped_and_the_rest_asked_again(
    arxiv_server: ArxivReplayServer,
) -> None:
    found = fetch_metadata(["abc", "1605.08386"])

    assert list(found) == ["1605.08386"]
    assert [request.id_list for request in arxiv_server.requests] == [
        ["abc", "1605.08386"],
        ["1605.08386"],
    ]
    assert fetch_metadata(["abc"]) == {}


def test_tex_in_titles_becomes_characters_unless_broken_and_markup_stays_literal(
    arxiv_server: ArxivReplayServer,
) -> None:
    found = fetch_metadata(["2401.00001", "2401.00002", "2401.00003"])

    tex, markup, broken = found["2401.00001"], found["2401.00002"], found["2401.00003"]
    assert tex.title == "Sparse α-expansions reach 90% of the 𝒪(n) bound"
    assert tex.authors == ["Zoë Ødegård-Brontë", "Kwame Mensah"]
    assert (tex.year, tex.doi) == (2023, "10.5555/readlist.fixture.1")
    assert tex.abstract == (
        "A made-up abstract for readlist's tests, wrapped over three lines the way older feeds "
        "wrap them, with TeX kept: $\\alpha < 1$."
    )
    assert (
        markup.title == "[bold]Markup[/bold] in titles is data: a $5 budget for [HOSPITAL] triage"
    )
    assert markup.authors == ["[i]Ada[/i] Quill"]
    assert (
        markup.abstract == "Square brackets such as [red]this[/red] must reach the user as typed."
    )
    assert broken.title == "Broken TeX such as $\\frac{1}$ stays as typed"
    assert len(arxiv_server.requests) == 1


def test_requests_name_readlist_and_ask_for_at_most_100_ids(
    arxiv_server: ArxivReplayServer,
) -> None:
    ids = [f"2401.{number:05d}" for number in range(100, 350)]

    found = fetch_metadata(ids)

    assert found == {}
    requests = arxiv_server.requests
    assert [len(request.id_list) for request in requests] == [100, 100, 50]
    assert [request.max_results for request in requests] == ["100", "100", "50"]
    assert [i for request in requests for i in request.id_list] == ids
    assert all(request.user_agent.startswith("readlist/") for request in requests)


@pytest.mark.parametrize("cache_folder", ["usable", "a file"])
def test_consecutive_requests_are_spaced_by_the_delay(
    arxiv_server: ArxivReplayServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cache_folder: str,
) -> None:
    if cache_folder == "a file":
        # Where the times cannot be kept for other processes, this one still keeps the pause.
        not_a_folder = tmp_path / "cache"
        not_a_folder.write_text("")
        monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    ids = [f"2401.{number:05d}" for number in range(100, 350)]

    fetch_metadata(ids, delay=0.2)

    arrivals = [request.received for request in arxiv_server.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(gaps) == 2
    assert min(gaps) >= 0.2


def test_the_pause_holds_between_the_id_files_of_one_import(
    library: Library, arxiv_server: ArxivReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARXIV_DELAY_ENV, "0.2")

    library.import_sources(
        [ImportSource("a.txt", b"1605.08386\n"), ImportSource("b.txt", b"1707.08567\n")]
    )
    library.import_sources([ImportSource("c.txt", b"astro-ph/0601001\n")])

    arrivals = [request.received for request in arxiv_server.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(gaps) == 2
    assert min(gaps) >= 0.2


def test_arxivs_three_second_pause_is_the_default(
    arxiv_server: ArxivReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ARXIV_DELAY_ENV)
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)

    fetch_metadata([f"2401.{number:05d}" for number in range(100, 250)])

    assert len(arxiv_server.requests) == 2
    assert len(pauses) == 1
    assert 2.5 < pauses[0] <= 3.0


def test_a_delay_that_is_not_a_number_is_a_one_line_error(
    arxiv_server: ArxivReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARXIV_DELAY_ENV, "soon")

    with pytest.raises(ReadlistError) as raised:
        fetch_metadata(["1605.08386"])

    assert str(raised.value) == "READLIST_ARXIV_DELAY must be a number of seconds, not 'soon'"


@pytest.mark.parametrize(
    "api_url", ["http://[::1", "http://", "ftp://arxiv.org/api", "arxiv.org/api"]
)
def test_an_api_url_that_is_not_http_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, api_url: str
) -> None:
    monkeypatch.setenv(ARXIV_API_ENV, api_url)

    with pytest.raises(ReadlistError) as raised:
        fetch_metadata(["1605.08386"])

    assert str(raised.value) == f"READLIST_ARXIV_API must be an http or https URL, not {api_url!r}"


@pytest.mark.parametrize("first_failure", [503, (429, b"Rate exceeded."), DROP])
def test_one_failed_request_is_tried_again(
    arxiv_server: ArxivReplayServer, first_failure: Outcome
) -> None:
    arxiv_server.fail_next(first_failure)

    found = fetch_metadata(["1605.08386"])

    assert found["1605.08386"].title == "Heat-bath random walks with Markov bases"
    assert len(arxiv_server.requests) == 2


def test_a_retry_after_is_waited_out_before_the_retry(
    arxiv_server: ArxivReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    arxiv_server.fail_next((503, b"busy", {"Retry-After": "20"}))

    found = fetch_metadata(["1605.08386"])

    assert list(found) == ["1605.08386"]
    assert len(pauses) == 1
    assert 19.5 < pauses[0] <= 20


def test_a_retry_after_too_long_to_wait_gives_up_at_once(
    arxiv_server: ArxivReplayServer,
) -> None:
    arxiv_server.fail_next((429, b"Rate exceeded.", {"Retry-After": "3600"}))

    with pytest.raises(ArxivUnavailable) as raised:
        fetch_metadata(["1605.08386"])

    assert str(raised.value) == "arXiv could not be reached (HTTP 429, asked to wait 3600 s)"
    assert len(arxiv_server.requests) == 1


ERROR_FEED = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/</id>
  <title>arXiv Search Results</title>
  <entry>
    <id>https://arxiv.org/api/errors#max_results_too_large</id>
    <title>Error</title>
    <summary>max_results must not exceed 2000</summary>
  </entry>
</feed>
"""
"""An error arXiv could send that names no id: nothing to drop, so the request fails."""


@pytest.mark.parametrize(
    ("failures", "message"),
    [
        ((503, 502), "arXiv could not be reached (HTTP 502)"),
        (
            (DROP, DROP),
            "arXiv could not be reached (server disconnected without sending a response)",
        ),
        ((404,), "arXiv's answer was not an Atom feed (HTTP 404)"),
        (
            ((200, b"<!doctype html><p>Sign in to the hotel Wi-Fi</p>"),),
            "arXiv's answer was not an Atom feed (HTTP 200)",
        ),
        (((400, ERROR_FEED),), "arXiv refused the request (max_results must not exceed 2000)"),
    ],
)
def test_arxiv_failing_twice_is_one_actionable_line(
    arxiv_server: ArxivReplayServer, failures: tuple[Outcome, ...], message: str
) -> None:
    arxiv_server.fail_next(*failures)

    with pytest.raises(ArxivUnavailable) as raised:
        fetch_metadata(["1605.08386"])

    assert str(raised.value) == message


def test_a_server_trickling_its_answer_is_given_up_on(
    arxiv_server: ArxivReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each piece comes well within the read timeout; the whole answer would take 10 s.
    monkeypatch.setattr(arxiv, "ANSWER_DEADLINE", 0.5)
    feed = (ARXIV_RECORDINGS / "id_list_1605.08386.xml").read_bytes()
    arxiv_server.fail_next(Trickle(feed, 20, 0.1), Trickle(feed, 20, 0.1))

    with pytest.raises(ArxivUnavailable) as raised:
        fetch_metadata(["1605.08386"])

    assert str(raised.value) == "arXiv could not be reached (no whole answer within 0.5 s)"
    assert len(arxiv_server.requests) == 2


def test_arxiv_unreachable_says_why(arxiv_offline: str) -> None:
    with pytest.raises(ArxivUnavailable) as raised:
        fetch_metadata(["1605.08386"])

    assert str(raised.value) == "arXiv could not be reached (connection refused)"


# ---- through the library -----------------------------------------------------------------

MIXED_IDS = (
    b"# papers from the reading group\n"
    b"https://arxiv.org/abs/1605.08386v1, arXiv:astro-ph/0601001\n"
    b"1111.2011v2 https://arxiv.org/pdf/cond-mat/0607501v2.pdf\n"
    b"https://huggingface.co/papers/1707.08567\n"
    b"https://www.alphaxiv.org/abs/1605.08386  10.48550/arXiv.1111.2011\n"
)


def test_importing_ids_fills_in_arxiv_metadata(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    report = library.import_sources([ImportSource("ids.txt", MIXED_IDS)], format_name="arxiv")

    (file_report,) = report.files
    assert (file_report.format, file_report.new, file_report.waiting) == ("arxiv", 5, 0)
    assert file_report.skipped == []
    papers = by_arxiv_id(library)
    assert sorted(papers) == [
        "1111.2011",
        "1605.08386",
        "1707.08567",
        "astro-ph/0601001",
        "cond-mat/0607501",
    ]
    heat_bath = papers["1605.08386"]
    assert heat_bath.title == "Heat-bath random walks with Markov bases"
    assert heat_bath.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert heat_bath.year == 2016
    assert heat_bath.key == "stanley2016heat"
    assert not heat_bath.needs_metadata
    assert papers["astro-ph/0601001"].year == 2006
    assert papers["1111.2011"].venue == "Phys. Rev. B 85, 115117 (2012)"
    assert papers["cond-mat/0607501"].authors == ["R. G. Melko", "A. Del Maestro", "A. A. Burkov"]
    assert "Dirk Wübben" in papers["1707.08567"].authors
    assert len(arxiv_server.requests) == 1


def test_importing_the_same_papers_again_adds_nothing(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    library.import_sources([ImportSource("ids.txt", MIXED_IDS)], format_name="arxiv")
    again = b"arXiv:1605.08386v2\nhttps://arxiv.org/abs/astro-ph/0601001\n"

    report = library.import_sources([ImportSource("more.txt", again)], format_name="arxiv")

    assert report.new == 0
    assert report.files[0].unchanged == 2
    assert library.counts().total == 5


def test_offline_ids_wait_and_refresh_fills_them_in(
    library_path: Path, arxiv_offline: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library(library_path) as library:
        report = library.import_sources([ImportSource("ids.txt", MIXED_IDS)], format_name="arxiv")

        (file_report,) = report.files
        assert (file_report.new, file_report.waiting) == (5, 5)
        assert file_report.notes == [
            "2 repeated arXiv id(s) imported once",
            "arXiv could not be reached (connection refused); 5 arXiv id(s) kept, waiting for "
            "metadata (run `readlist refresh` later)",
        ]
        waiting = by_arxiv_id(library)
        assert waiting["1605.08386"].title == "arXiv:1605.08386"
        assert waiting["1605.08386"].url == "https://arxiv.org/abs/1605.08386"
        assert all(paper.needs_metadata for paper in waiting.values())

    # A later session, with arXiv back: the file kept every id.
    with ArxivReplayServer(ARXIV_RECORDINGS) as server, Library(library_path) as library:
        monkeypatch.setenv(ARXIV_API_ENV, server.url)
        refreshed = library.refresh()

        assert (refreshed.merged, refreshed.waiting) == (5, 0)
        papers = by_arxiv_id(library)
        assert len(papers) == 5
        assert papers["1605.08386"].title == "Heat-bath random walks with Markov bases"
        assert papers["1605.08386"].key == "stanley2016heat"
        assert not any(paper.needs_metadata for paper in papers.values())
        assert library.refresh().merged == 0


def test_ids_of_papers_the_library_describes_ask_arxiv_nothing(
    library: Library, arxiv_offline: str
) -> None:
    # arXiv is out of reach: a request would leave a "waiting" note the library has no use for.
    bibtex = b"@misc{known, title = {Known Paper}, eprint = {2401.00001}, archivePrefix = {arXiv}}"
    library.import_sources([ImportSource("known.bib", bibtex)])

    report = library.import_sources([ImportSource("ids.txt", b"arXiv:2401.00001v2\n")])

    (file_report,) = report.files
    # Merged: the id brings the paper its arXiv link.
    assert (file_report.new, file_report.merged, file_report.waiting) == (0, 1, 0)
    assert file_report.notes == []
    assert library.waiting_for_metadata() == []


def test_an_id_arxiv_does_not_know_stays_waiting_with_a_note(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    data = b"1605.08386\n2402.99999\n"

    report = library.import_sources([ImportSource("ids.txt", data)], format_name="arxiv")

    (file_report,) = report.files
    assert (file_report.new, file_report.waiting) == (2, 1)
    assert file_report.notes == ["arXiv has no paper 2402.99999; kept, waiting for metadata"]
    unknown = by_arxiv_id(library)["2402.99999"]
    assert (unknown.title, unknown.needs_metadata) == ("arXiv:2402.99999", True)
    assert library.refresh().waiting == 1
    assert library.waiting_for_metadata() == ["2402.99999"]


def test_a_malformed_id_is_skipped_and_the_others_imported(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    report = library.import_sources(
        [ImportSource("ids.txt", b"1605.08386\n2403.123\n")], format_name="arxiv"
    )

    (file_report,) = report.files
    assert file_report.new == 1
    assert file_report.skipped == [
        "line 2: '2403.123' is not a valid arXiv id "
        "(expected e.g. 2403.12345, arXiv:2403.12345v2 or hep-th/9901001)"
    ]


HEAT_BATH_BIBTEX = b"""@article{stanley_heat-bath_2016,
  title = {Heat-bath random walks with {Markov} bases},
  author = {Stanley, Caprice and Windisch, Tobias},
  journal = {Advances in Applied Mathematics},
  year = {2018},
}
"""


def _bibtex_and_waiting_records_of_one_paper(library_path: Path) -> tuple[int, int]:
    """With arXiv out of reach, the library gets the BibTeX record of a paper, tagged, and the
    same paper's arXiv id, tagged, read and noted: (BibTeX paper's id, waiting paper's id)."""
    with Library(library_path) as library:
        library.import_sources([ImportSource("thesis.bib", HEAT_BATH_BIBTEX)])
        library.import_sources([ImportSource("ids.txt", b"1605.08386\n")], format_name="arxiv")
        papers = {paper.title: paper for paper in library.papers()}
        bibtex_id = papers["Heat-bath random walks with Markov bases"].id
        waiting_id = papers["arXiv:1605.08386"].id
        library.tag([bibtex_id], ["thesis"])
        library.tag([waiting_id], ["mcmc", "thesis"])
        library.mark([waiting_id], Status.READ)
        library.set_note(waiting_id, "compare with Diaconis-Sturmfels")
    return bibtex_id, waiting_id


@pytest.mark.parametrize("way", ["refresh", "import again"])
def test_a_waiting_paper_the_library_had_already_folds_into_it(
    library_path: Path, arxiv_offline: str, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    bibtex_id, waiting_id = _bibtex_and_waiting_records_of_one_paper(library_path)

    with ArxivReplayServer(ARXIV_RECORDINGS) as server, Library(library_path) as library:
        monkeypatch.setenv(ARXIV_API_ENV, server.url)
        if way == "refresh":
            report = library.refresh()
        else:
            (report,) = library.import_sources(
                [ImportSource("again.txt", b"arXiv:1605.08386v1\n")], format_name="arxiv"
            ).files

        assert report.merged == 1
        assert report.notes[-1] == (
            "arXiv 1605.08386 is a paper the library had already; merged into it"
        )
        (paper,) = library.papers()
        assert paper.id == bibtex_id
        assert paper.arxiv_id == "1605.08386"
        assert paper.key == "stanley_heat-bath_2016"
        assert paper.venue == "Advances in Applied Mathematics"
        assert paper.tags == ["mcmc", "thesis"]
        assert paper.status is Status.READ
        assert paper.note == "compare with Diaconis-Sturmfels"

        assert library.undo() is not None
        papers = {paper.id: paper for paper in library.papers()}
        assert sorted(papers) == [bibtex_id, waiting_id]
        assert (papers[bibtex_id].arxiv_id, papers[bibtex_id].tags) == (None, ["thesis"])
        assert (papers[bibtex_id].status, papers[bibtex_id].note) == (Status.UNREAD, "")
        waiting = papers[waiting_id]
        assert (waiting.title, waiting.needs_metadata) == ("arXiv:1605.08386", True)
        assert (waiting.tags, waiting.status) == (["mcmc", "thesis"], Status.READ)
        assert waiting.note == "compare with Diaconis-Sturmfels"


def test_a_refresh_stopped_by_arxiv_part_way_keeps_what_came(
    library_path: Path, arxiv_offline: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = ["1605.08386", *(f"2401.{number:05d}" for number in range(100, 200))]
    with Library(library_path) as library:
        library.import_sources([ImportSource("ids.txt", "\n".join(ids).encode())])
        assert len(library.waiting_for_metadata()) == 101

    with ArxivReplayServer(ARXIV_RECORDINGS) as server, Library(library_path) as library:
        monkeypatch.setenv(ARXIV_API_ENV, server.url)
        # The first batch of 100 comes; then arXiv limits the rate, twice.
        server.fail_next(REPLAY, (429, b"Rate exceeded."), (429, b"Rate exceeded."))

        report = library.refresh()

        assert (report.merged, report.waiting) == (1, 100)
        assert report.error == (
            "arXiv could not be reached (HTTP 429); run `readlist refresh` again later"
        )
        assert report.notes == []
        assert (
            by_arxiv_id(library)["1605.08386"].title == "Heat-bath random walks with Markov bases"
        )
        assert len(library.waiting_for_metadata()) == 100


def test_an_import_stopped_by_arxiv_part_way_keeps_what_came(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    ids = ["1605.08386", *(f"2401.{number:05d}" for number in range(100, 200))]
    arxiv_server.fail_next(REPLAY, 503, 503)

    (report,) = library.import_sources([ImportSource("ids.txt", "\n".join(ids).encode())]).files

    assert (report.new, report.waiting) == (101, 100)
    assert report.notes[-1] == (
        "arXiv could not be reached (HTTP 503); 100 arXiv id(s) kept, waiting for metadata "
        "(run `readlist refresh` later)"
    )
    assert library.waiting_for_metadata() == ids[1:]


def test_a_batch_arxiv_does_not_know_is_one_note_not_a_hundred(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    unknown = [f"2402.{number:05d}" for number in range(100, 200)]
    data = "\n".join(["1605.08386", *unknown]).encode()

    (report,) = library.import_sources([ImportSource("ids.txt", data)], format_name="arxiv").files

    assert (report.new, report.waiting) == (101, 100)
    assert report.notes == [
        "arXiv has no paper for 100 ids (2402.00100, 2402.00101, 2402.00102 and 97 more); "
        "kept, waiting for metadata"
    ]
    assert library.refresh().notes == [
        "arXiv has no paper for 100 ids (2402.00100, 2402.00101, 2402.00102 and 97 more); "
        "still waiting"
    ]


def _feed_of_2402_00004(title: str) -> bytes:
    """An answer for 2402.00004, with `title` as its title element (none if empty)."""
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/replayed</id>
  <entry>
    <id>http://arxiv.org/abs/2402.00004v1</id>
    <published>2024-02-01T00:00:00Z</published>
    {title}
    <author><name>Ada Example</name></author>
  </entry>
</feed>
""".encode()


def test_an_entry_without_a_title_stays_waiting_until_a_refresh_brings_one(
    library: Library, arxiv_server: ArxivReplayServer
) -> None:
    arxiv_server.fail_next((200, _feed_of_2402_00004("")))

    (report,) = library.import_sources([ImportSource("ids.txt", b"2402.00004\n")]).files

    assert (report.new, report.waiting) == (1, 1)
    assert report.notes == ["arXiv sent no title for 2402.00004; kept, waiting for metadata"]
    waiting = by_arxiv_id(library)["2402.00004"]
    assert (waiting.title, waiting.needs_metadata) == ("arXiv:2402.00004", True)

    arxiv_server.fail_next((200, _feed_of_2402_00004("<title>  </title>")))
    again = library.refresh()
    assert (again.merged, again.waiting) == (0, 1)
    assert again.notes == ["arXiv sent no title for 2402.00004; still waiting"]

    arxiv_server.fail_next((200, _feed_of_2402_00004("<title>Sparse Routing</title>")))
    assert (library.refresh().merged, library.waiting_for_metadata()) == (1, [])
    filled = by_arxiv_id(library)["2402.00004"]
    assert (filled.title, filled.authors, filled.key) == (
        "Sparse Routing",
        ["Ada Example"],
        "example2024sparse",
    )
