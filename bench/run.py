"""Measure readlist at scale, each figure beside a baseline measured in the same run.

`python bench/run.py [--papers N] [--quick]` generates a library with `generate.py` (cached in
`bench/out/`), runs every step in a child process of its own (so peak memory is that step's), and
writes the Markdown table to `bench/out/results.md` as well as printing it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import generate

from readlist.models import ascii_fold

if TYPE_CHECKING:
    from readlist.search import SearchIndex

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
QUICK_PAPERS = 2_000
SEARCH_QUERIES = 20

Figures = dict[str, Any]
"""What a step measured: seconds, counts, or "unavailable" with the reason."""


def _drafts(papers: int) -> list[Any]:
    """The generated papers as importer drafts, for the steps that skip parsing."""
    from readlist.models import Draft

    venues = {**generate.JOURNALS, **generate.BOOKTITLES}
    return [
        Draft(
            title=paper.title,
            authors=list(paper.authors),
            year=paper.year,
            venue=venues[paper.venue_macro],
            abstract=paper.abstract,
            arxiv_id=paper.arxiv_id,
            doi=paper.doi,
            entry_type="article",
        )
        for paper in generate.generate_papers(papers)
    ]


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


READLIST = Path(sys.executable).parent / "readlist"
"""The real command, so figures include start-up as a user sees it."""


def _readlist(*args: str, stdout: Path | None = None) -> float:
    """Seconds the real `readlist` command takes, from process start to exit."""
    with stdout.open("wb") if stdout else open(os.devnull, "wb") as target:
        start = time.perf_counter()
        subprocess.run([str(READLIST), *args], stdout=target, check=True)
        return time.perf_counter() - start


def _import_step(source: Path) -> Figures:
    """`readlist import FILE` into a fresh library."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "lib.sqlite"
        seconds = _readlist("--db", str(database), "import", str(source))
        from readlist.library import Library

        with Library(database) as library:
            return {"seconds": seconds, "papers": library.counts().total}


def step_bibtex_import(work: Path, papers: int) -> Figures:
    """Import the generated BibTeX file."""
    return _import_step(work / "library.bib")


def step_bibtex_baseline(work: Path, papers: int) -> Figures:
    """bibtexparser alone parsing the same file."""
    from bibtexparser.entrypoint import parse_string

    text = (work / "library.bib").read_text(encoding="utf-8")
    start = time.perf_counter()
    parsed = parse_string(text)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "papers": len(parsed.entries),
        "problems": len(parsed.failed_blocks),
    }


def step_listing_import(work: Path, papers: int) -> Figures:
    """Import the generated listing text."""
    return _import_step(work / "listing.txt")


def step_listing_baseline(work: Path, papers: int) -> Figures:
    """Raw sqlite3 `executemany` of the same rows into a table like readlist's, one transaction."""
    from readlist.models import normalise_title

    rows = [
        (paper.title, normalise_title(paper.title), "[]", paper.abstract, "2024-03-14", "listing")
        for paper in generate.generate_papers(papers)
    ]
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "raw.sqlite", isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(
            "CREATE TABLE paper (id INTEGER PRIMARY KEY, title TEXT, title_norm TEXT, "
            "authors TEXT, abstract TEXT, listed TEXT, source TEXT)"
        )
        connection.execute("CREATE INDEX paper_title_norm ON paper (title_norm)")

        seconds = _stored_in_one_transaction(
            connection,
            "INSERT INTO paper (title, title_norm, authors, abstract, listed, source) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.close()
    return {"seconds": seconds, "papers": len(rows)}


def step_schema_baseline(work: Path, papers: int) -> Figures:
    """Raw sqlite3 `executemany` of the same rows, with a citation key, into readlist's own
    tables, indexes and settings: what storing costs before any parsing or merging."""
    from readlist import storage
    from readlist.models import CitationKeys, citation_key_stem, normalise_title

    keys = CitationKeys()
    rows = [
        (
            paper.title,
            normalise_title(paper.title),
            paper.abstract,
            keys.claim(citation_key_stem([], None, paper.title)),
        )
        for paper in generate.generate_papers(papers)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "library.sqlite"
        storage.prepare_library(path)
        connection = storage.connect(path)
        connection.execute("INSERT INTO import_batch (id, started, sources) VALUES (1, '', '')")

        seconds = _stored_in_one_transaction(
            connection,
            "INSERT INTO paper (title, title_norm, abstract, citation_key, authors, fields, "
            "status, added, listed, source, needs_metadata, import_id, note) "
            "VALUES (?, ?, ?, ?, '[]', '{}', 'unread', '2026-01-01T00:00:00+00:00', "
            "'2024-03-14', 'listing', 0, 1, '')",
            rows,
        )
        connection.close()
    return {"seconds": seconds, "papers": len(rows)}


def _stored_in_one_transaction(
    connection: sqlite3.Connection, insert: str, rows: list[tuple[Any, ...]]
) -> float:
    """Seconds sqlite3's `executemany` of `insert` over `rows` takes, in one transaction."""

    def store() -> None:
        connection.execute("BEGIN")
        connection.executemany(insert, rows)
        connection.execute("COMMIT")

    return _timed(store)


def step_store(work: Path, papers: int) -> Figures:
    """`Library.add_drafts` of ready drafts (no parsing); leaves the library the next steps read."""
    from readlist.library import FileReport, Library

    drafts = _drafts(papers)
    path = work / "library.sqlite"
    for stale in work.glob("library.sqlite*"):
        stale.unlink()
    with Library(path) as library:
        seconds = _timed(lambda: library.add_drafts([(FileReport("generated"), drafts)]))
        return {"seconds": seconds, "papers": library.counts().total}


def step_select_baseline(work: Path, papers: int) -> Figures:
    """Raw sqlite3 select of every paper row, the floor for listing and export."""
    connection = sqlite3.connect(work / "library.sqlite")
    start = time.perf_counter()
    rows = connection.execute("SELECT * FROM paper").fetchall()
    seconds = time.perf_counter() - start
    connection.close()
    return {"seconds": seconds, "papers": len(rows)}


def step_list_json(work: Path, papers: int) -> Figures:
    """`readlist list --json` of the whole library."""
    output = work / "list.json"
    seconds = _readlist("--db", str(work / "library.sqlite"), "list", "--json", stdout=output)
    # Counted line by line: loading 190 MB of JSON here would inflate this step's peak memory.
    with output.open(encoding="utf-8") as lines:
        count = sum(1 for line in lines if line.startswith("{"))
    return {"seconds": seconds, "papers": count, "bytes": output.stat().st_size}


def step_export_bibtex(work: Path, papers: int) -> Figures:
    """`readlist export` of the whole library."""
    output = work / "export.bib"
    seconds = _readlist("--db", str(work / "library.sqlite"), "export", "-o", str(output))
    with output.open(encoding="utf-8") as lines:
        entries = sum(1 for line in lines if line.startswith("@"))
    return {"seconds": seconds, "papers": entries, "bytes": output.stat().st_size}


def search_queries(papers: int) -> list[str]:
    """Twenty queries a user might type about the generated library: mistyped and partial titles,
    surnames with and without accents, method names, topics, and two that match nothing."""
    # The same count as the library: the generator's name pool, hence every paper, depends on it.
    chosen = list(itertools.islice(generate.generate_papers(papers), 10))
    queries = [
        chosen[0].title.lower(),
        _mistyped(chosen[1].title),
        _mistyped(chosen[2].title),
        " ".join(chosen[3].title.split()[:3]),
        " ".join(chosen[4].title.split()[-3:]),
        chosen[5].title.split(":")[0],
        chosen[6].authors[0].split()[-1],
        ascii_fold(chosen[7].authors[-1].split()[-1]),
        f"{chosen[8].authors[0].split()[-1]} {chosen[8].title.split()[-1]}",
        "Sørensen",
        "muller",
        "diffusion protein",
        "reinforcement learning policy",
        "hallucination",
        "point cloud segmentation",
        "contrastive self-supervised",
        "graph neural networks molecule",
        "atention transformer",
        "sourdough bread recipe",
        "quantum chromodynamics lattice gauge",
    ]
    assert len(queries) == SEARCH_QUERIES
    return queries


def _mistyped(title: str) -> str:
    """The title with one letter dropped from its longest word."""
    words = title.split()
    longest = max(range(len(words)), key=lambda position: len(words[position]))
    word = words[longest]
    words[longest] = word[: len(word) // 2] + word[len(word) // 2 + 1 :]
    return " ".join(words)


def _quantiles(seconds: list[float]) -> Figures:
    ordered = sorted(seconds)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    }


def _rank_queries(index: SearchIndex, papers: int) -> tuple[list[float], list[int]]:
    """Seconds per query and hits per query, ranking the 20 queries (limit 50) twice."""
    seconds: list[float] = []
    hits: list[int] = []
    for _run in range(2):
        for query in search_queries(papers):
            start = time.perf_counter()
            found = index.rank(query, limit=50)
            seconds.append(time.perf_counter() - start)
            hits.append(len(found))
    return seconds, hits[:SEARCH_QUERIES]


def step_search(work: Path, papers: int) -> Figures:
    """Load the documents, index their metadata and rank the queries, then index the abstracts
    (timing its longest step, the longest a query waits) and rank the queries again."""
    from readlist.library import Library
    from readlist.search import SearchIndex

    with Library(work / "library.sqlite") as library:
        load = time.perf_counter()
        documents = library.search_documents()
        load = time.perf_counter() - load
    build = time.perf_counter()
    index = SearchIndex(documents)
    build = time.perf_counter() - build
    early_seconds, early_hits = _rank_queries(index, papers)
    steps: list[float] = []

    def note_step() -> bool:
        steps.append(time.perf_counter())
        return False

    abstracts = time.perf_counter()
    index.index_abstracts(should_stop=note_step)
    abstracts = time.perf_counter() - abstracts
    longest_step = max(
        (later - earlier for earlier, later in itertools.pairwise(steps)), default=0.0
    )
    seconds, hits = _rank_queries(index, papers)
    return {
        "load": load,
        "build": build,
        "abstracts": abstracts,
        "longest_step": longest_step,
        **_quantiles(seconds),
        "hits": hits,
        "metadata_only": {**_quantiles(early_seconds), "hits": early_hits},
    }


def step_search_baseline(work: Path, papers: int) -> Figures:
    """Plain rapidfuzz WRatio over every pre-processed title, limit 50: the naive search."""
    from rapidfuzz import fuzz, process, utils

    from readlist.library import Library

    with Library(work / "library.sqlite") as library:
        titles = [utils.default_process(document.title) for document in library.search_documents()]
    seconds: list[float] = []
    for query in search_queries(papers):
        processed = utils.default_process(query)
        start = time.perf_counter()
        process.extract(processed, titles, scorer=fuzz.WRatio, processor=None, limit=50)
        seconds.append(time.perf_counter() - start)
    return _quantiles(seconds)


STEPS: dict[str, Callable[[Path, int], Figures]] = {
    "bibtex_import": step_bibtex_import,
    "bibtex_baseline": step_bibtex_baseline,
    "listing_import": step_listing_import,
    "listing_baseline": step_listing_baseline,
    "schema_baseline": step_schema_baseline,
    "store": step_store,
    "select_baseline": step_select_baseline,
    "list_json": step_list_json,
    "export_bibtex": step_export_bibtex,
    "search": step_search,
    "search_baseline": step_search_baseline,
}
"""Every step, in the order run; `store` must come before the steps reading its library."""


def _measure(step: str, work: Path, papers: int) -> Figures:
    """Run `step` in a child of a fresh process, so its memory is that step's alone.

    Peak memory is the larger of the biggest single process's peak RSS and the most the step's
    whole process tree held at once (PSS summed, sampled every 20 ms): a BibTeX import has
    worker processes, and their memory counts too.
    """
    command = [sys.executable, __file__, "--step", step, "--work", str(work)]
    with subprocess.Popen(
        [*command, "--papers", str(papers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        peaks: list[int] = []

        def sample() -> None:
            while child.poll() is None:
                peaks.append(_tree_pss_kb(child.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = child.communicate()
        sampler.join()
        tree_peak_kb = max(peaks, default=0)
    if child.returncode != 0:
        last_line = (stderr.strip().splitlines() or ["no output"])[-1]
        return {"failed": last_line}
    figures: Figures = json.loads(stdout.strip().splitlines()[-1])
    # Linux reports ru_maxrss in KiB.
    largest_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["peak_mb"] = max(largest_kb, tree_peak_kb) / 1024
    return figures


def _tree_pss_kb(pid: int) -> int:
    """Proportional set size of `pid` and all its descendants, in KiB (0 for what has ended)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
        )
        pending.extend(int(child) for child in children)
    return total


def _run_all(work: Path, papers: int) -> dict[str, Figures]:
    results: dict[str, Figures] = {}
    for step in STEPS:
        completed = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                step,
                "--work",
                str(work),
                "--papers",
                str(papers),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = completed.stdout.strip().splitlines()
        results[step] = (
            json.loads(lines[-1]) if lines else {"failed": completed.stderr.strip()[-200:]}
        )
        print(f"  {step}: done", file=sys.stderr)
    return results


def _rate(figures: Figures) -> float | None:
    if "seconds" not in figures or not figures["seconds"]:
        return None
    return float(figures["papers"]) / float(figures["seconds"])


def _cell(figures: Figures, text: Callable[[Figures], str]) -> str:
    if "unavailable" in figures:
        return f"not available ({figures['unavailable']})"
    if "failed" in figures:
        return f"failed: {figures['failed']}"
    return text(figures)


def _per_second(figures: Figures) -> str:
    rate = _rate(figures)
    return f"{figures['seconds']:.2f} s, {rate:,.0f} papers/s" if rate else "-"


def _milliseconds(figures: Figures) -> str:
    return f"median {figures['median'] * 1000:.1f} ms, p95 {figures['p95'] * 1000:.1f} ms"


def table(results: dict[str, Figures], papers: int) -> str:
    """The Markdown table of every figure beside its baseline."""

    def peak(*steps: str) -> str:
        values = [results[step].get("peak_mb") for step in steps]
        return " / ".join(f"{value:.0f}" if value else "-" for value in values)

    def ratio(step: str, baseline: str) -> str:
        ours, theirs = results[step], results[baseline]
        if "seconds" not in ours or "seconds" not in theirs:
            return "-"
        return f"{ours['seconds'] / theirs['seconds']:.2f}x"

    search, naive = results["search"], results["search_baseline"]
    search_cell = _cell(
        search,
        lambda f: (
            f"{_milliseconds(f)}; index build {f['build']:.2f} s for metadata "
            f"(+ {f['load']:.2f} s reading documents), then {f['abstracts']:.2f} s for abstracts "
            f"in steps of at most {f['longest_step'] * 1000:.0f} ms; "
            f"before abstracts {_milliseconds(f['metadata_only'])}"
        ),
    )
    search_ratio = "-"
    if "median" in search and "median" in naive:
        search_ratio = f"{search['median'] / naive['median']:.2f}x"
    rows = [
        (
            f"Import {papers:,} BibTeX entries",
            _cell(results["bibtex_import"], _per_second),
            "bibtexparser alone: " + _cell(results["bibtex_baseline"], _per_second),
            ratio("bibtex_import", "bibtex_baseline") + " (aim <= 1.5x)",
            peak("bibtex_import", "bibtex_baseline"),
        ),
        (
            f"Import {papers:,} listing entries",
            _cell(results["listing_import"], _per_second),
            "sqlite3 executemany: "
            + _cell(results["listing_baseline"], _per_second)
            + "; the same into readlist's tables: "
            + _cell(results["schema_baseline"], _per_second),
            "aim >= 50,000 papers/s",
            peak("listing_import", "listing_baseline"),
        ),
        (
            f"Store {papers:,} drafts (`Library.add_drafts`)",
            _cell(results["store"], _per_second),
            "sqlite3 executemany: " + _cell(results["listing_baseline"], _per_second),
            ratio("store", "listing_baseline"),
            peak("store", "listing_baseline"),
        ),
        (
            "`readlist list --json`",
            _cell(results["list_json"], _per_second),
            "sqlite3 select: " + _cell(results["select_baseline"], _per_second),
            "aim >= 50,000 papers/s",
            peak("list_json", "select_baseline"),
        ),
        (
            "BibTeX export",
            _cell(results["export_bibtex"], _per_second),
            "sqlite3 select: " + _cell(results["select_baseline"], _per_second),
            "aim >= 50,000 papers/s",
            peak("export_bibtex", "select_baseline"),
        ),
        (
            f"Search, {SEARCH_QUERIES} queries x 2, limit 50",
            search_cell,
            "WRatio over all titles: " + _cell(naive, _milliseconds),
            search_ratio + " (aim <= 50 ms median)",
            peak("search", "search_baseline"),
        ),
    ]
    header = (
        f"## readlist benchmarks, {papers:,} papers\n\n"
        "| Step | readlist | Baseline (same run) | Ratio / aim | Peak memory MB (ours / baseline) |\n"
        "|---|---|---|---|---|\n"
    )
    return header + "".join(f"| {' | '.join(row)} |\n" for row in rows)


def _prepared(papers: int) -> Path:
    """The folder with the generated files for `papers`, generating them on first use."""
    work = OUT / f"data-{papers}"
    if not (work / "listing.txt").exists():
        print(f"generating {papers:,} papers in {work}", file=sys.stderr)
        generate.write(papers, work)
    return work


def main(arguments: list[str] | None = None) -> None:
    """Command line: run every step (default), or one (`--step`, used by the harness itself)."""
    parser = argparse.ArgumentParser(description="Measure readlist at scale.")
    parser.add_argument("--papers", type=int, default=100_000, help="library size")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PAPERS:,} papers")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(arguments)
    papers = QUICK_PAPERS if options.quick else options.papers
    if options.step:
        print(json.dumps(STEPS[options.step](options.work, papers)))
        return
    if options.measure:
        print(json.dumps(_measure(options.measure, options.work, papers)))
        return
    work = _prepared(papers)
    results = _run_all(work, papers)
    report = table(results, papers)
    (OUT / "results.md").write_text(report, encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
