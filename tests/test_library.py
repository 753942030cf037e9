"""The library API on a real SQLite file: adding, merging, changing, filtering, undo."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from readlist.errors import LibraryError, PaperNotFound
from readlist.library import FileReport, ImportSource, Library, PaperFilter, SortKey
from readlist.models import Draft, Status


def add(library: Library, *drafts: Draft, source: str = "test") -> FileReport:
    report = FileReport(source)
    library.add_drafts([(report, list(drafts))])
    return report


def test_papers_persist_in_the_file(library_path: Path) -> None:
    with Library(library_path) as library:
        add(library, Draft("Attention Is All You Need", ["Ashish Vaswani", "Noam Shazeer"], 2017))
    with Library(library_path) as reopened:
        (paper,) = reopened.papers()
    assert paper.title == "Attention Is All You Need"
    assert paper.authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert paper.key == "vaswani2017attention"
    assert paper.status is Status.UNREAD


def test_what_a_paper_lacks_is_stored_as_null_and_filled_by_a_later_import(
    library_path: Path,
) -> None:
    with Library(library_path) as library:
        add(library, Draft("Universal Sentence Encoder"))
        with sqlite3.connect(library_path) as connection:
            (row,) = connection.execute(
                "SELECT year, venue, abstract, arxiv_id, doi, url, code_url, entry_type, listed, "
                "read_at, status, note, needs_metadata FROM paper"
            )
        assert row == (None,) * 10 + ("unread", "", 0)
        report = add(library, Draft("Universal Sentence Encoder", venue="arXiv", year=2018))
        assert report.merged == 1
        (paper,) = library.papers()
    assert (paper.venue, paper.year) == ("arXiv", 2018)


def test_duplicates_merge_by_arxiv_id_doi_and_title(library: Library) -> None:
    add(
        library,
        Draft("Deep Residual Learning for Image Recognition", arxiv_id="1512.03385"),
        Draft("BERT", doi="10.18653/v1/n19-1423"),
        Draft("Universal Sentence Encoder"),
    )
    report = add(
        library,
        Draft("Deep residual learning (arXiv version)", arxiv_id="1512.03385", year=2015),
        Draft("BERT: Pre-training of Deep Bidirectional Transformers", doi="10.18653/v1/n19-1423"),
        Draft("universal sentence ENCODER.", abstract="We present models for encoding sentences."),
        Draft("Universal Sentence Encoder"),
    )
    # The BERT record adds nothing the library lacks (titles are never overwritten).
    assert (report.new, report.merged, report.unchanged) == (0, 2, 2)
    papers = {paper.title: paper for paper in library.papers()}
    assert len(papers) == 3
    assert papers["Deep Residual Learning for Image Recognition"].year == 2015
    assert (
        papers["Universal Sentence Encoder"].abstract == "We present models for encoding sentences."
    )


def test_works_that_share_a_title_stay_apart_unless_their_records_agree(
    library: Library,
) -> None:
    lecun = Draft(
        "Deep learning", ["LeCun, Yann", "Bengio, Yoshua"], 2015, doi="10.1038/nature14539"
    )
    goodfellow = Draft("Deep Learning", ["Goodfellow, Ian", "Bengio, Yoshua"], 2016, venue="MIT")
    schmidhuber = Draft("Deep learning", ["Schmidhuber, Jürgen"], 2015, doi="10.4249/sch.32832")
    report = add(library, lecun, goodfellow, schmidhuber)
    assert report.new == 3
    # The same works again, as other records of them: a listing without authors, a preprint
    # whose authors are written first-name-first, a record naming one author.
    report = add(
        library,
        Draft("Deep Learning", ["Yann LeCun", "Geoffrey Hinton"], arxiv_id="1501.00001"),
        Draft("Deep learning.", ["Jürgen Schmidhuber"], abstract="An overview."),
        Draft("Deep  Learning", ["Ian J. Goodfellow"], url="https://deeplearningbook.org"),
    )
    assert (report.new, report.merged) == (0, 3)
    papers = {paper.authors[0]: paper for paper in library.papers()}
    assert len(papers) == 3
    assert papers["LeCun, Yann"].arxiv_id == "1501.00001"
    assert papers["Schmidhuber, Jürgen"].abstract == "An overview."
    assert papers["Goodfellow, Ian"].url == "https://deeplearningbook.org"
    # Without authors, a title alone is one paper unless arXiv ids or DOIs say otherwise.
    report = add(
        library,
        Draft("Introduction", doi="10.1/a"),
        Draft("Introduction", doi="10.1/b"),
        Draft("Introduction"),
        Draft("Preface", arxiv_id="2401.00001"),
        Draft("Preface", ["Jane Doe"], arxiv_id="2401.00002"),
    )
    assert (report.new, report.unchanged) == (4, 1)


def test_merge_never_overwrites_what_the_user_set(library: Library) -> None:
    add(library, Draft("Universal Sentence Encoder", abstract="first abstract"))
    (paper_id,) = library.ids()
    library.tag([paper_id], ["nlp"])
    library.mark([paper_id], Status.READ)
    library.set_note(paper_id, "read in the train")
    add(library, Draft("Universal Sentence Encoder", abstract="another abstract", year=2018))
    paper = library.get(paper_id)
    assert (paper.tags, paper.status, paper.note) == (["nlp"], Status.READ, "read in the train")
    assert paper.abstract == "first abstract"
    assert paper.year == 2018


def test_a_paper_read_by_its_source_is_stored_read_only_when_new(library: Library) -> None:
    add(library, Draft("Universal Sentence Encoder"))
    (known,) = library.ids()
    add(library, Draft("Universal Sentence Encoder", read=True), Draft("GloVe", read=True))
    glove = next(paper for paper in library.papers() if paper.title == "GloVe")
    assert library.get(known).status is Status.UNREAD
    assert glove.status is Status.READ
    assert library.ids(PaperFilter(status=Status.READ)) == [glove.id]


def test_same_paper_twice_in_one_source_is_stored_once(library: Library) -> None:
    report = add(
        library,
        Draft("Gradual Test-Time Adaptation"),
        Draft("Gradual Test-Time Adaptation", year=2023),
    )
    assert (report.new, report.unchanged) == (1, 1)
    assert [paper.year for paper in library.papers()] == [2023]


def test_undo_takes_back_a_paper_two_sources_of_one_import_share(library: Library) -> None:
    report = library.add_drafts(
        [
            (FileReport("first.bib"), [Draft("Sparse Routing", ["Ada Lovelace"])]),
            (
                FileReport("second.bib"),
                [Draft("Sparse Routing", year=2024), Draft("Dense Routing")],
            ),
        ]
    )
    assert [(file.new, file.merged) for file in report.files] == [(1, 0), (1, 1)]
    assert library.counts().total == 2
    library.undo()
    assert library.counts().total == 0


def test_keys_are_unique_readable_and_kept(library: Library) -> None:
    add(
        library,
        Draft("Attention Is All You Need", ["Vaswani, Ashish"], 2017),
        Draft("Attention is not explanation", ["Sarthak Vaswani"], 2017),
        Draft("The Annotated Transformer", year=2018),
        Draft("Imported", key="Smith:2020:Imported"),
    )
    keys = sorted(paper.key or "" for paper in library.papers())
    assert keys == [
        "Smith:2020:Imported",
        "annotated2018",
        "vaswani2017attention",
        "vaswani2017attentiona",
    ]


def test_a_bibtex_key_replaces_the_key_readlist_made_up_for_the_same_paper(
    library: Library,
) -> None:
    title = "Stop Tuning the Warmup: A Scale-Free Learning-Rate Schedule"
    library.add_drafts([(FileReport("listing"), [Draft(title), Draft("Another Paper")])])
    made_up = library.papers()[-1].key

    def bibtex(key: str) -> Draft:
        return Draft(title, ["Felix Braun"], 2026, key=key, entry_type="inproceedings")

    merged = library.add_drafts([(FileReport("warm.bib"), [bibtex("braun2026warmup")])])
    # Once the paper has BibTeX, its key is the user's: a second BibTeX key does not move it,
    # it becomes an alias.
    again = library.add_drafts([(FileReport("other.bib"), [bibtex("braun2026stop")])])

    assert merged.files[0].merged == 1
    assert merged.files[0].notes == [
        f"key braun2026warmup from the BibTeX replaces {made_up}, made up before"
    ]
    assert again.files[0].notes == [
        "entry braun2026stop is the same paper as braun2026warmup; exported as braun2026warmup, "
        "braun2026stop in ids"
    ]
    assert {paper.title: paper.key for paper in library.papers()} == {
        title: "braun2026warmup",
        "Another Paper": "another",
    }


def test_imported_key_already_used_by_another_work_is_renamed_and_said(library: Library) -> None:
    add(library, Draft("One work", key="smith2020"))
    report = add(library, Draft("A different work", key="smith2020"))
    assert sorted(paper.key or "" for paper in library.papers()) == ["smith2020", "smith2020a"]
    assert any("smith2020a" in note for note in report.notes)


def test_filters_combine_and_sorts_order(library: Library) -> None:
    add(
        library,
        Draft("Beta paper", year=2019, listed="2026-03-12"),
        Draft("Alpha paper", year=2021, listed="2026-03-14"),
        Draft("Gamma paper", year=2020),
    )
    ids = {paper.title: paper.id for paper in library.papers()}
    library.tag([ids["Beta paper"], ids["Alpha paper"]], ["vision"])
    library.mark([ids["Alpha paper"]], Status.READ)
    titles = [p.title for p in library.papers(PaperFilter(tags=("vision",), status=Status.UNREAD))]
    assert titles == ["Beta paper"]
    assert [p.title for p in library.papers(sort=SortKey.TITLE)] == [
        "Alpha paper",
        "Beta paper",
        "Gamma paper",
    ]
    assert [p.title for p in library.papers(sort=SortKey.YEAR)] == [
        "Alpha paper",
        "Gamma paper",
        "Beta paper",
    ]
    assert [p.title for p in library.papers(sort=SortKey.LISTED)][:2] == [
        "Alpha paper",
        "Beta paper",
    ]
    assert library.counts().unread == 2
    assert library.all_tags() == ["vision"]


def test_search_filter_ranks_best_match_first(library: Library) -> None:
    add(
        library,
        Draft("Attention Is All You Need"),
        Draft("Attention Is Not All You Need: Pure Attention Loses Rank"),
        Draft("Deep Residual Learning for Image Recognition"),
    )
    titles = [p.title for p in library.papers(PaperFilter(search="atention is al you ned"))]
    assert titles[0] == "Attention Is All You Need"
    assert "Deep Residual Learning for Image Recognition" not in titles


def test_undo_takes_back_status_tags_note_and_import(library: Library) -> None:
    add(library, Draft("First"))
    (paper_id,) = library.ids()
    library.mark([paper_id], Status.READ)
    library.tag([paper_id], ["a", "b"])
    library.set_note(paper_id, "note")
    add(library, Draft("Second"), Draft("First", year=1999))
    assert library.counts().total == 2
    assert library.undo() == "import of test"
    assert library.counts().total == 1
    assert library.get(paper_id).year is None
    assert library.undo() == "edit note"
    assert library.get(paper_id).note == ""
    assert library.undo() == "tag 1 paper with a, b"
    assert library.get(paper_id).tags == []
    assert library.undo() == "mark 1 paper read"
    assert library.get(paper_id).status is Status.UNREAD


def test_undo_takes_back_only_its_own_change_not_another_readlists(library_path: Path) -> None:
    with Library(library_path) as app, Library(library_path) as cli:
        add(app, Draft("Attention Is All You Need"))
        (paper_id,) = app.ids()
        cli.tag([paper_id], ["before"])

        app.mark([paper_id], Status.READ)
        app.tag([paper_id], ["mine"])
        add(app, Draft("attention is all you need", abstract="Transformers."))
        cli.tag([paper_id], ["theirs"])
        cli.set_note(paper_id, "their note")
        cli.mark([paper_id], Status.UNREAD)
        cli.mark([paper_id], Status.READ)

        assert app.undo() == "import of test"
        assert app.undo() == "tag 1 paper with mine"
        assert app.undo() == "mark 1 paper read"
        (paper,) = app.papers()
    assert paper.abstract is None
    assert paper.tags == ["before", "theirs"]
    assert paper.note == "their note"
    assert paper.status is Status.UNREAD


def test_undo_leaves_alone_a_new_paper_that_got_an_undone_papers_id(
    library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seconds = itertools.count()
    monkeypatch.setattr(
        "readlist.library._now", lambda: f"2026-01-01T00:00:{next(seconds):02d}+00:00"
    )
    with Library(library_path) as app, Library(library_path) as other:
        add(app, Draft("Attention Is All You Need"))
        (paper_id,) = app.ids()
        other.set_note(paper_id, "a note on attention")
        other.tag([paper_id], ["nlp"])
        app.undo()
        add(app, Draft("A Different Paper"))
        assert app.ids() == [paper_id]  # SQLite gave the deleted paper's id again
        app.set_note(paper_id, "my note on the new paper")
        app.tag([paper_id], ["nlp"])

        assert other.undo() == "tag 1 paper with nlp"
        assert other.undo() == "edit note"
        (paper,) = app.papers()
    assert (paper.title, paper.note, paper.tags) == (
        "A Different Paper",
        "my note on the new paper",
        ["nlp"],
    )


def test_undoing_a_merge_takes_out_only_the_fields_and_alias_it_added(
    library_path: Path,
) -> None:
    def bib(key: str, extra: str) -> ImportSource:
        text = (
            f"@inproceedings{{{key}, title = {{Deep Residual Learning}}, author = {{He, Kaiming}},"
        )
        return ImportSource(f"{key}.bib", f"{text} {extra}}}".encode())

    with Library(library_path) as app, Library(library_path) as other:
        app.import_sources([bib("he2016", "year = 2016")])
        app.import_sources([bib("he2016deep", "pages = {770--778}")])
        other.import_sources([bib("He_2016_CVPR", "publisher = {IEEE}")])

        assert app.undo() == "import of he2016deep.bib"
        (paper,) = app.papers()
    assert paper.fields["ids"] == "He_2016_CVPR"
    assert paper.fields["publisher"] == "IEEE"
    assert "pages" not in paper.fields


def test_changing_a_missing_paper_says_which(library: Library) -> None:
    with pytest.raises(PaperNotFound, match="no paper with id 42"):
        library.tag([42], ["x"])


def test_a_second_library_object_sees_changes_at_once(library_path: Path) -> None:
    with Library(library_path) as app_side, Library(library_path) as cli_side:
        add(cli_side, Draft("Written by the CLI"))
        assert [paper.title for paper in app_side.papers()] == ["Written by the CLI"]
        app_side.mark(app_side.ids(), Status.READ)
        assert cli_side.counts().unread == 0


def _many_papers(count: int) -> list[Draft]:
    return [
        Draft(f"Paper number {n} on sparse routing", abstract="More words. " * 60)
        for n in range(count)
    ]


def test_a_large_import_writes_its_papers_once_and_the_library_stays_in_wal_mode(
    library_path: Path,
) -> None:
    with Library(library_path) as library:
        add(library, *_many_papers(5_000))
        # Straight into the file: through the write-ahead log, every page would be written twice.
        wal = library_path.with_name(f"{library_path.name}-wal")
        assert library_path.stat().st_size > 4_000_000
        assert not wal.exists() or wal.stat().st_size < 100_000
        assert not library_path.with_name(f"{library_path.name}-journal").exists()
        with sqlite3.connect(library_path) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert library.counts().total == 5_000


def test_a_large_import_while_the_app_has_the_library_open_stores_everything(
    library_path: Path,
) -> None:
    with Library(library_path) as app_side, Library(library_path) as cli_side:
        assert app_side.counts().total == 0
        add(cli_side, *_many_papers(3_000))
        assert app_side.counts().total == 3_000


def test_papers_another_writer_stored_meanwhile_are_merged_not_doubled(library_path: Path) -> None:
    # Two imports at once (two terminals, or the app and the CLI): the second must see what the
    # first committed while it was reading its file.
    paper = Draft("Attention Is All You Need", arxiv_id="1706.03762")
    other = Draft("Deep Residual Learning", key="he2016deep")
    with Library(library_path) as mine, Library(library_path) as theirs:

        def read_slowly(drafts: list[Draft]) -> Iterator[Draft]:
            theirs.add_drafts([(FileReport("theirs"), [Draft(paper.title, arxiv_id="1706.03762")])])
            yield from drafts

        first = mine.add_drafts([(FileReport("one"), [other])])
        second = mine.add_drafts(
            [(FileReport("two"), read_slowly([paper])), (FileReport("three"), read_slowly([paper]))]
        )

        assert first.files[0].new == 1
        assert [report.new for report in second.files] == [0, 0]
        assert mine.counts().total == 2
        assert sorted(str(p.key) for p in mine.papers()) == ["attention", "he2016deep"]


def test_a_writer_that_holds_the_library_too_long_is_one_error(
    library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.storage.BUSY_SECONDS", 0.2)
    with Library(library_path) as library:
        library.add_drafts([(FileReport("one"), [Draft("Attention Is All You Need")])])
        other = sqlite3.connect(library_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(LibraryError) as raised:
                library.tag(library.ids(), ["nlp"])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert raised.value.message == (
            f"{library_path}: busy, another program has been writing to it for 0.2 s "
            "(database is locked); try again when it is done"
        )
        library.tag(library.ids(), ["nlp"])
        assert library.papers()[0].tags == ["nlp"]


def test_a_write_the_disk_refuses_is_one_error_and_changes_nothing(library: Library) -> None:
    add(library, Draft("Attention Is All You Need"))
    connection = library._connection()
    # The file may grow no more: what a full disk (or a read-only file) does to a write.
    (pages,) = connection.execute("PRAGMA page_count").fetchone()
    connection.execute(f"PRAGMA max_page_count = {pages}")

    report = add(library, *(Draft(f"Paper number {n}", abstract="words " * 400) for n in range(50)))
    with pytest.raises(LibraryError) as raised:
        library.set_note(library.ids()[0], "a long note " * 10_000)

    full = f"{library.path}: cannot write to the library (database or disk is full)"
    assert (report.new, report.error, raised.value.message) == (0, full, full)
    (paper,) = library.papers()
    assert (paper.title, paper.note) == ("Attention Is All You Need", "")


def test_a_library_deleted_while_open_is_never_written_into_the_void(library_path: Path) -> None:
    with Library(library_path) as library:
        add(library, Draft("Attention Is All You Need"))
        for file in (library_path, *library_path.parent.glob(f"{library_path.name}-*")):
            file.unlink()

        with pytest.raises(LibraryError) as raised:
            library.tag(library.ids(), ["nlp"])
        assert raised.value.message == (
            f"{library_path}: the library file is gone; was it moved or deleted?"
        )
        # A thread that opens its own connection (the app's workers) gets no new empty file.
        with ThreadPoolExecutor(1) as pool, pytest.raises(LibraryError):
            pool.submit(library.counts).result()
        assert not library_path.exists()


def test_a_source_the_disk_refuses_is_reported_and_those_before_it_stay_undoable(
    library: Library,
) -> None:
    add(library, Draft("Attention Is All You Need"))
    connection = library._connection()
    (pages,) = connection.execute("PRAGMA page_count").fetchone()
    connection.execute(f"PRAGMA max_page_count = {pages + 4}")
    small = ImportSource("small.bib", b"@misc{small1, title = {A Small Paper}}")
    big = "".join(
        f"@misc{{big{n}, title = {{Big Paper {n}}}, abstract = {{{'words ' * 300}}}}}\n"
        for n in range(60)
    )

    report = library.import_sources([small, ImportSource("big.bib", big.encode())])

    assert [(f.new, f.error) for f in report.files] == [
        (1, None),
        (0, f"{library.path}: cannot write to the library (database or disk is full)"),
    ]
    assert len(library.papers()) == 2
    assert library.undo() == "import of small.bib, big.bib"
    assert [paper.title for paper in library.papers()] == ["Attention Is All You Need"]


def test_an_undo_the_library_refuses_can_be_tried_again(
    library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.storage.BUSY_SECONDS", 0.2)
    with Library(library_path) as library:
        add(library, Draft("Attention Is All You Need"))
        library.tag(library.ids(), ["nlp"])
        other = sqlite3.connect(library_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(LibraryError):
            library.undo()
        other.execute("ROLLBACK")
        other.close()

        assert library.undo() == "tag 1 paper with nlp"
        (paper,) = library.papers()
        assert paper.tags == []


def test_unreadable_sources_are_reported_and_nothing_is_written(
    library: Library, tmp_path: Path
) -> None:
    pdf = ImportSource("paper.pdf", b"%PDF-1.5\n%binary")
    latin1 = ImportSource("old.bib", "@misc{k, title={Caf\xe9}}".encode("latin-1"))
    empty = ImportSource("empty.txt", b"   \n")
    report = library.import_sources([pdf, latin1, empty])
    errors = [file_report.error for file_report in report.files]
    assert errors[0] == "paper.pdf: a PDF file, not text; export BibTeX or copy the page text"
    assert errors[1] is not None
    assert "not valid UTF-8 at byte 19" in errors[1]
    assert errors[2] == "empty.txt: empty, nothing to import"
    assert report.failed
    assert library.counts().total == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_a_file_with_a_byte_order_mark_is_decoded_by_it(library: Library, encoding: str) -> None:
    # Windows tools write UTF-16 (and a few UTF-32) with a byte-order mark.
    text = "\ufeff@misc{k, title = {Caf\u00e9 Society Revisited}, year = 2020}\n"
    data = text.encode(encoding) if encoding.endswith("be") else text[1:].encode(encoding)
    report = library.import_sources([ImportSource("windows.bib", data)])
    assert report.files[0].error is None
    assert [paper.title for paper in library.papers()] == ["Café Society Revisited"]


def test_a_file_that_vanishes_after_it_was_named_is_reported(
    library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{k, title = {Gone Before Reading}}\n")
    source = ImportSource.from_path(str(path))
    path.unlink()

    assert source.size == 0  # the progress bar asks first
    report = library.import_sources([source])
    assert report.files[0].error == f"{path}: cannot read (No such file or directory)"


def test_a_file_of_string_macros_alone_is_no_error_and_serves_the_others(library: Library) -> None:
    strings = ImportSource(
        "strings.bib", b'@string{neurips = "Advances in Neural Information Processing Systems"}\n'
    )
    uses = ImportSource(
        "refs.bib", b"@inproceedings{k, title={Paper}, booktitle=neurips, year=2020}\n"
    )
    report = library.import_sources([strings, uses])
    assert not report.failed
    assert report.files[0].notes == ["1 @string definition(s), no entries"]
    assert library.papers()[0].venue == "Advances in Neural Information Processing Systems"


def test_authors_display_as_people_write_names() -> None:
    from readlist.models import display_name

    assert display_name("Vaswani, Ashish") == "Ashish Vaswani"
    assert display_name("King, Jr., Martin Luther") == "Martin Luther King Jr."
    assert display_name("Ashish Vaswani") == "Ashish Vaswani"
    assert display_name("{Google DeepMind}") == "{Google DeepMind}"


def test_import_progress_knows_the_total_once_the_file_is_scanned(library: Library) -> None:
    entries = "".join(
        f"@article{{paper{n},\n  title = {{Paper Number {n}}},\n  year = 2024\n}}\n\n"
        for n in range(4_500)
    )
    calls: list[tuple[int, int | None]] = []
    library.import_sources(
        [ImportSource("many.bib", entries.encode())],
        progress=lambda done, total: calls.append((done, total)),
    )
    # One call per batch of papers stored, each with the file's count of entries.
    assert calls == [(2_000, 4_500), (4_000, 4_500), (4_500, 4_500)]
