"""BibTeX export: what `readlist export` writes must compile with classic bibtex, parse back with
bibtexparser, and give back every imported entry, key and field value."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bibtexparser.entrypoint import parse_string
from conftest import REPO, SAMPLE_DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.formats import ExportRow, ImportContext, parse
from readlist.formats.bibtex import (
    _NAME_FIELDS,
    _VERBATIM,
    EXPORTER,
    _author_value,
    _braced,
    _escaped,
    _name_value,
    _needs_protection,
    _protected_title,
    classic_names,
    collect_macros,
    protect_capitals,
)
from readlist.formats.latex import (
    _SPECIAL,
    _SPECIAL_CHARACTERS,
    _non_ascii_to_latex,
    text_to_latex,
)
from readlist.library import FileReport, ImportSource, Library, PaperFilter
from readlist.models import Draft, Paper, Status

FIXTURES = REPO / "tests" / "fixtures" / "bibtex"
FIXTURE_NAMES = sorted(path.name for path in FIXTURES.glob("*.bib") if path.name != "strings.bib")

HOSTILE_TITLE = "Q&A for 100% of $5 models_v2 [bold]"
GENERATED_DRAFTS = [
    Draft(
        title=HOSTILE_TITLE,
        authors=["Jörg Müller", "Zoë O'Neil", "Barnes and Noble", "others"],
        year=2024,
        abstract="Uses {braces}, a back\\slash, ~tilde^ and #hash.\n[HOSPITAL] stays.",
        arxiv_id="2401.09999",
        url="https://example.org/a b{c}",
        fields={"primaryclass": "cs.LG"},
    ),
    Draft(
        title="Deep Nets for Protein Design",
        authors=["Ana Ruiz", "Kim, Soo-ah"],
        year=2020,
        venue="Nature Machine Intelligence",
        doi="10.1038/s42256-020-0001-x",
    ),
    Draft(title="BERT and GPT-4 Read ImageNet Captions", authors=["Lee, Ann"], venue="ICLR 2023"),
    Draft(title="α-Nets: Ünïcödé Everywhere 你好", authors=[], year=2021),
    Draft(title="", arxiv_id="2402.00001", needs_metadata=True),
]


@dataclass(frozen=True)
class BibtexRun:
    """What classic bibtex made of an exported file."""

    exit_code: int
    log: str
    """check.blg"""
    bibliography: str
    """check.bbl"""

    def warned_keys(self) -> set[str]:
        """Keys of the entries bibtex warned about."""
        keys = set(re.findall(r'^Warning--entry type for "([^"]+)"', self.log, re.MULTILINE))
        keys |= set(re.findall(r"^Warning--.* in (\S+)$", self.log, re.MULTILINE))
        return keys


def run_bibtex(folder: Path, bibtex_text: str, style: str = "plain") -> BibtexRun:
    """Run `bibtex -terse` with a style (plain.bst) over `bibtex_text`, citing every entry."""
    if shutil.which("bibtex") is None:
        pytest.skip("the bibtex program is not installed (Debian: texlive-binaries texlive-base)")
    (folder / "refs.bib").write_text(bibtex_text, encoding="utf-8")
    (folder / "check.aux").write_text(
        f"\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n", encoding="ascii"
    )
    done = subprocess.run(
        ["bibtex", "-terse", "check"], cwd=folder, capture_output=True, timeout=60, check=False
    )
    log, bibliography = (
        (folder / name).read_text(encoding="utf-8", errors="replace")
        for name in ("check.blg", "check.bbl")
    )
    return BibtexRun(done.returncode, log, bibliography)


def export_bibtex(library: Library, paper_filter: PaperFilter | None = None) -> str:
    """The library's BibTeX export as one text."""
    return "".join(library.bibtex_chunks(paper_filter or PaperFilter()))


def as_exported(field_name: str, value: str) -> str:
    """An imported field's value as export writes it: non-ASCII characters and bare `%` escaped
    for classic bibtex, except in links, file names and keys; name lists in classic bibtex's
    form."""
    if field_name in _VERBATIM:
        return value
    if field_name in _NAME_FIELDS:
        value = classic_names(value)
    if field_name == "title":
        value = _protected_title(value)
    return _escaped(value)


def export_row(paper: Paper) -> ExportRow:
    """`paper` as the library stores it, to export papers held in memory."""
    return (
        paper.key,
        paper.entry_type,
        json.dumps(paper.fields),
        paper.title,
        json.dumps(paper.authors),
        paper.year,
        paper.venue,
        paper.abstract,
        paper.arxiv_id,
        paper.doi,
        paper.url,
    )


def import_fixtures(library: Library, *names: str) -> None:
    sources = [ImportSource(name, (FIXTURES / name).read_bytes()) for name in names]
    report = library.import_sources(sources)
    assert [file.error for file in report.files] == [None] * len(names)


def exported_and_compiled(library: Library, folder: Path, name: str) -> tuple[str, BibtexRun]:
    """Import one fixture, export the library and run classic bibtex over the export."""
    import_fixtures(library, name)
    exported = export_bibtex(library)
    return exported, run_bibtex(folder, exported)


def add_generated(library: Library) -> None:
    """Add papers that came without BibTeX (listing pages, arXiv) to the library."""
    drafts = [copy.deepcopy(draft) for draft in GENERATED_DRAFTS]
    library.add_drafts([(FileReport("generated"), drafts)])


def test_export_compiles_with_classic_bibtex(library: Library, tmp_path: Path) -> None:
    import_fixtures(library, "strings.bib", *FIXTURE_NAMES)
    add_generated(library)
    papers = library.papers()
    generated_keys = {paper.key or "" for paper in papers if paper.entry_type is None}

    text = export_bibtex(library)
    run = run_bibtex(tmp_path, text)

    assert run.exit_code == 0, run.log
    assert "error message" not in run.log
    exported_keys = re.findall(r"^@\w+\{([^,\n]+),$", text, re.MULTILINE)
    assert len(exported_keys) == len(papers)
    for key in exported_keys:
        assert f"\\bibitem{{{key}}}" in run.bibliography
    assert "arxiv2402_00001" in generated_keys | set(exported_keys)
    generated_exported = {key for key in exported_keys if key not in _imported_keys(library)}
    assert generated_exported
    assert run.warned_keys() & generated_exported == set()


def _imported_keys(library: Library) -> set[str]:
    return {paper.key for paper in library.papers() if paper.entry_type and paper.key}


def test_export_parses_with_bibtexparser_without_failed_blocks(library: Library) -> None:
    import_fixtures(library, "strings.bib", *FIXTURE_NAMES)
    add_generated(library)

    parsed = parse_string(export_bibtex(library))

    assert parsed.failed_blocks == []
    assert len(parsed.entries) == library.counts().total


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_round_trip_keeps_every_entry_key_and_field(library: Library, name: str) -> None:
    import_fixtures(library, name)
    papers = library.papers()

    exported = export_bibtex(library)
    reparsed = parse(exported, "bibtex", ImportContext())

    assert reparsed.problems == []
    by_key = {draft.key: draft for draft in reparsed.drafts}
    assert set(by_key) == {paper.key for paper in papers}
    for paper in papers:
        draft = by_key[paper.key]
        assert draft.entry_type == paper.entry_type
        assert draft.title == paper.title
        assert draft.authors == paper.authors
        for field_name, value in paper.fields.items():
            if field_name != "crossref":
                assert draft.fields[field_name] == as_exported(field_name, value), field_name


def test_raw_unicode_from_zotero_is_exported_as_classic_bibtex_reads_it(
    library: Library, tmp_path: Path
) -> None:
    zotero = """@inproceedings{muller_fast_2019,
\ttitle = {Fast {Graph} Kernels},
\tauthor = {Müller, Jürgen and Øster, Åse},
\tbooktitle = {Proceedings of {KDD} ’19},
\tpages = {785–794},
\tnote = {Über \\url{https://de.wikipedia.org/wiki/Über}},
\turl = {https://example.org/müller},
\tyear = {2019}
}
"""
    library.import_sources([ImportSource("zotero.bib", zotero.encode())])

    exported = export_bibtex(library)
    run = run_bibtex(tmp_path, exported, style="abbrv")

    assert "  url = {https://example.org/müller}" in exported
    assert '  note = {{\\"U}ber \\url{https://de.wikipedia.org/wiki/Über}}' in exported
    assert run.exit_code == 0, run.log
    # abbrv shortens first names: from raw UTF-8 it kept half a character.
    assert 'J.~M{\\"u}ller and {\\r{A}}.~{\\O}ster' in run.bibliography
    assert "pages 785--794" in run.bibliography
    (paper,) = library.papers()
    assert parse(exported, "bibtex", ImportContext()).drafts[0].authors == paper.authors


def test_preambles_come_back_first_and_latex_defines_their_commands_once(
    library: Library, tmp_path: Path
) -> None:
    knuth = """@string{sortfirst = "\\newcommand{\\noopsort}[1]{}"}
@preamble{ sortfirst # " \\newcommand{\\printfirst}[2]{#1}" }
@book{knuth68, title = {{\\noopsort{a}}The Art of Computer Programming},
  author = {Knuth, Donald E.}, publisher = {Addison-Wesley}, year = 1968}
"""
    other = """@preamble{"\\newcommand{\\noopsort}[1]{}"}
@misc{note1, title = {{\\noopsort{b}}Notes}, author = {Doe, Jane}, year = 2001}
"""
    first = library.import_sources([ImportSource("knuth.bib", knuth.encode())])
    library.import_sources([ImportSource("other.bib", other.encode())])
    exported = export_bibtex(library)

    assert exported.startswith(
        "@preamble{{\\providecommand{\\noopsort}[1]{} \\providecommand{\\printfirst}[2]{#1}}}\n"
        "@preamble{{\\providecommand{\\noopsort}[1]{}}}\n\n@"
    )
    run = run_bibtex(tmp_path, exported)
    assert run.exit_code == 0, run.log
    assert "\\providecommand{\\noopsort}" in run.bibliography
    # Read back, nothing is new; the import that brought a preamble takes it away on undo.
    again = library.import_sources([ImportSource("export.bib", exported.encode())])
    assert (again.new, export_bibtex(library)) == (0, exported)
    assert first.files[0].preambles
    library.undo()
    library.undo()
    library.undo()
    assert export_bibtex(library) == ""


def test_biblatex_extended_names_are_written_as_classic_bibtex_reads_them(
    library: Library, tmp_path: Path
) -> None:
    exported, run = exported_and_compiled(library, tmp_path, "betterbibtex.bib")

    assert "error message" not in run.log
    assert (
        "author = {Achterberg, Ines and van den Berg, Jan and Dupont, {\\'E}lodie and "
        "King, Jr., Martin Luther and {Garcia Lopez}, Ana}" in exported
    )
    assert "editor = {ter Hoek, Pieter}" in exported
    assert "Jan van~den Berg" in run.bibliography


def test_a_bare_percent_sign_does_not_cut_the_rest_of_the_line_from_the_bibliography(
    library: Library, tmp_path: Path
) -> None:
    # bibtex passes `%` on to LaTeX, which takes it for a comment and drops the rest of the line.
    exported, run = exported_and_compiled(library, tmp_path, "handwritten.bib")

    assert "100\\% coverage is not enough." in run.bibliography
    assert "Error falls by 5\\%-10\\% per round." in run.bibliography
    assert "\\url{https://example.org/a_b%20c}" in run.bibliography
    assert "abstract = {We reach 100\\% line coverage\nand still miss 30\\% of faults.}" in exported


def test_biblatex_entries_print_their_year_journal_and_place_with_classic_styles(
    library: Library, tmp_path: Path
) -> None:
    exported, run = exported_and_compiled(library, tmp_path, "biblatex.bib")

    assert "empty year" not in run.log
    assert "empty journal" not in run.log
    assert "{\\em Journal of Statistical Software}, 94, May 2020." in run.bibliography
    assert "Springer, New York, 2006." in run.bibliography
    assert "In {\\em Actes de TALN}, July 2019." in run.bibliography
    again = library.import_sources([ImportSource("again.bib", exported.encode())]).files[0]
    assert (again.new, again.merged, again.unchanged) == (0, 0, 4)


def test_a_scholar_conference_paper_written_as_an_article_prints_its_venue(
    library: Library, tmp_path: Path
) -> None:
    # Google Scholar writes a conference paper as @article with a booktitle and no journal;
    # plain.bst prints an article's venue from journal alone, so the proceedings went missing.
    scholar = """@article{lee2019graph,
  title={Graph attention for traffic forecasting},
  author={Lee, Min-jun and Okafor, Chidi},
  booktitle={Proceedings of the AAAI Conference on Artificial Intelligence},
  volume={33},
  pages={922--929},
  year={2019}
}

@article{kaplan2020scaling,
  title={Scaling laws for neural language models},
  author={Kaplan, Jared and McCandlish, Sam},
  journal={arXiv preprint arXiv:2001.08361},
  year={2020}
}
"""
    library.import_sources([ImportSource("scholar.bib", scholar.encode())])

    exported = export_bibtex(library)
    run = run_bibtex(tmp_path, exported)
    bibliography = " ".join(run.bibliography.split())

    assert run.exit_code == 0, run.log
    assert "Warning--" not in run.log
    assert (
        "In {\\em Proceedings of the AAAI Conference on Artificial Intelligence}, volume~33, "
        "pages 922--929, 2019." in bibliography
    )
    assert "@inproceedings{lee2019graph," in exported
    assert "@article{kaplan2020scaling," in exported
    # Its fields are written as they came, and reading the export back finds nothing new.
    (conference_paper,) = (paper for paper in library.papers() if paper.key == "lee2019graph")
    (reparsed,) = (
        draft
        for draft in parse(exported, "bibtex", ImportContext()).drafts
        if draft.key == "lee2019graph"
    )
    assert (reparsed.entry_type, reparsed.fields) == ("inproceedings", conference_paper.fields)
    again = library.import_sources([ImportSource("again.bib", exported.encode())]).files[0]
    assert (again.new, again.merged, again.unchanged, again.notes) == (0, 0, 2, [])
    assert export_bibtex(library) == exported
    # So is such a paper stored as an article, as readlist did before it read the fields.
    conference_paper.entry_type = "article"
    (entry,) = EXPORTER.entries([export_row(conference_paper)])
    assert entry.startswith("@inproceedings{lee2019graph,")


def test_bare_capitals_of_imported_titles_survive_classic_styles(
    library: Library, tmp_path: Path
) -> None:
    # IEEE Xplore writes titles without braces; plain.bst lower-cases all but the first letter.
    exported, run = exported_and_compiled(library, tmp_path, "ieee.bib")
    bibliography = " ".join(run.bibliography.split())

    assert (
        "{GraphSAGE++:} inductive representation learning on large graphs with 10$^{9}$ nodes."
        in bibliography
    )
    assert "Depth estimation for part {B} of the {KITTI} benchmark -- {A} revisit." in (
        bibliography
    )
    again = library.import_sources([ImportSource("again.bib", exported.encode())]).files[0]
    assert (again.new, again.merged, again.unchanged) == (0, 0, 2)


def test_a_lone_escaped_brace_does_not_swallow_the_entries_after_it(
    library: Library, tmp_path: Path
) -> None:
    # bibtexparser skips `\\{` counting braces; bibtex counts it, and read to the end of the
    # file looking for the brace that closes the value.
    exported, run = exported_and_compiled(library, tmp_path, "zotero-braces.bib")
    bibliography = " ".join(run.bibliography.split())

    assert "error message" not in run.log
    assert "the set \\textbraceleft{}x." in bibliography
    assert "Closing braces \\textbraceright{} without opening ones." in bibliography
    assert "note = {The pair \\{a, b\\} is written as it came}" in exported


def test_crossref_child_is_written_whole_without_the_crossref(library: Library) -> None:
    import_fixtures(library, "dblp.bib")

    exported = export_bibtex(library)

    child = exported[exported.index("@inproceedings{DBLP:conf/nips/OseiL22,") :]
    child = child[: child.index("\n}\n")]
    assert "crossref" not in child
    assert "  year = {2022}" in child
    assert "  booktitle = {Advances in Neural Information Processing Systems 35" in child


def test_identifiers_are_added_only_where_the_entry_lacks_them(library: Library) -> None:
    import_fixtures(library, "zotero.bib", "arxiv.bib")

    exported = export_bibtex(library)

    okafor = exported[exported.index("@misc{okafor_tabular_2024,") :]
    okafor = okafor[: okafor.index("\n}\n")]
    assert "  eprint = {2403.01234},\n  archiveprefix = {arXiv}" in okafor
    assert okafor.count("doi = ") == 1
    moreau = exported[exported.index("@misc{moreau2024diffusion,") :]
    moreau = moreau[: moreau.index("\n}\n")]
    assert moreau.count("eprint") == 1
    assert moreau.count("archiveprefix") == 1
    assert "archivePrefix" not in moreau


def test_generated_entry_escapes_special_characters_and_keeps_text_literal(
    library: Library,
) -> None:
    add_generated(library)

    exported = export_bibtex(library)

    assert r"  title = {{Q\&A} for 100\% of \$5 {models\_v2} [bold]}," in exported
    assert (
        r"  author = {J{\"o}rg M{\"u}ller and Zo{\"e} O'Neil and {Barnes and Noble} and others}"
        in exported
    )
    assert "[HOSPITAL] stays." in exported
    assert "  url = {https://example.org/a%20b%7Bc%7D}" in exported
    assert "  primaryClass = {cs.LG}" in exported
    reparsed = {draft.title: draft for draft in parse(exported, "bibtex", ImportContext()).drafts}
    hostile = reparsed[HOSTILE_TITLE]
    assert hostile.authors == ["Jörg Müller", "Zoë O'Neil", "Barnes and Noble", "others"]
    assert hostile.abstract == "Uses {braces}, a back\\slash, ~tilde^ and #hash. [HOSPITAL] stays."
    assert reparsed["α-Nets: Ünïcödé Everywhere 你好"].title == "α-Nets: Ünïcödé Everywhere 你好"


def test_generated_entry_types_follow_the_venue(library: Library) -> None:
    add_generated(library)

    exported = export_bibtex(library)

    assert "@article{ruiz2020deep,\n  title = {Deep Nets for Protein Design}," in exported
    assert "  journal = {Nature Machine Intelligence}," in exported
    assert "  howpublished = {ICLR 2023}" in exported
    assert "@misc{arxiv2402_00001,\n  howpublished = {arXiv:2402.00001}," in exported


def test_hand_edited_mistakes_bibtex_rejects_never_reach_the_export(
    library: Library, tmp_path: Path
) -> None:
    # What people type into a .bib by hand; bibtexparser takes each without a word.
    text = """@article{commented, title = {A Field Commented Out},
% year = {1999},
  author = {Ada Lovelace}, journal = {J}, year = {2020}}
@article{noted, title = {A Comment Line Before a Field},
  % the year is the workshop's
  author = {Ada Lovelace}, journal = {J}, year = {2021}}
@article{spaced key, title = {A Key With a Space}, author = {Ada Lovelace}, journal = {J},
  year = 2022}
@article{nameless, = {no name}, title = {A Field Without a Name}, author = {Ada Lovelace},
  journal = {J}, year = 2023}
@article{brace, title = "A Quoted } Brace", author = {Ada Lovelace}, journal = {J}, year = 2024}
@article{commas, title = {A Name With Three Commas}, author = {Smith, Jr., John, III and Doe, Jane},
  journal = {J}, year = 2019}
"""
    report = library.import_sources([ImportSource("hand.bib", text.encode())]).files[0]
    exported = export_bibtex(library)
    run = run_bibtex(tmp_path, exported)

    assert report.new == 5
    assert report.skipped == ["entry brace: unbalanced braces in field title (line 11)"]
    assert report.notes == [
        "entry spaced key: bibtex reads no such key; it is now spaced_key",
        "entry nameless: a field with no name is no field to bibtex; left out (line 9)",
        "entry commas: author 'Smith, Jr., John, III' has more commas than bibtex reads in a "
        "name; kept braced as one name",
    ]
    years = {paper.key: paper.year for paper in library.papers()}
    assert years == {
        "commented": 2020,
        "noted": 2021,
        "spaced_key": 2022,
        "nameless": 2023,
        "commas": 2019,
    }
    assert "author = {{Smith, Jr., John, III} and Doe, Jane}" in exported
    assert run.exit_code == 0, run.log
    assert "%" not in exported


def test_arxiv_only_paper_key_is_unique_within_the_output(library: Library) -> None:
    text = "@misc{arxiv2402_00001, title = {A Paper That Took the Key First}, year = 2020}\n"
    library.import_sources([ImportSource("taken.bib", text.encode())])
    library.add_drafts(
        [(FileReport("ids"), [Draft(title="", arxiv_id="2402.00001", needs_metadata=True)])]
    )

    exported = export_bibtex(library)

    keys = re.findall(r"^@\w+\{([^,]+),$", exported, re.MULTILINE)
    assert sorted(keys) == ["arxiv2402_00001", "arxiv2402_00001a"]


def test_capitals_that_matter_are_protected() -> None:
    assert protect_capitals("BERT for ImageNet in GPT-4 and Transformers") == (
        "{BERT} for {ImageNet} in {GPT-4} and Transformers"
    )
    assert protect_capitals("What I Learned in Part B of 3D Vision") == (
        "What {I} Learned in Part {B} of {3D} Vision"
    )
    assert protect_capitals("&GPT ÜBER alles") == r"{{\&GPT}} {{\"U}BER} alles"


MIXED_TITLE = (
    "What I Learned about BERT, iPhone 3D and Über-Nets for Q&A in 100% of $5 models_v2 "
    "[bold] (Part B) à la Mode ٣D ~x^2"
)


def test_title_words_keep_their_capitals_through_classic_bibtex(
    library: Library, tmp_path: Path
) -> None:
    library.add_drafts([(FileReport("mixed"), [Draft(title=MIXED_TITLE, authors=["Ann Lee"])])])

    exported = export_bibtex(library)
    run = run_bibtex(tmp_path, exported)

    assert run.exit_code == 0, run.log
    assert (
        r"  title = {What {I} Learned about {BERT,} {iPhone} {3D} and {{\"U}ber-Nets} for {Q\&A} "
        r"in 100\% of \$5 {models\_v2} [bold] (Part {B)} {\`a} la Mode {٣D} "
        r"{{\textasciitilde{}x\textasciicircum{}2}}},"
    ) in exported
    # plain.bst lower-cases a title but for its first letter and what braces hold.
    assert (
        r"What {I} learned about {BERT,} {iPhone} {3D} and {{\"U}ber-Nets} for {Q\&A} in 100\% of"
    ) in " ".join(run.bibliography.split())
    reparsed = parse(exported, "bibtex", ImportContext()).drafts
    assert [draft.title for draft in reparsed] == [MIXED_TITLE]


_WORDS = st.lists(
    st.one_of(
        st.sampled_from(["and", "AND", "And", "Andrew", "I", "B", "a", "3D", "3d", "٣D", "x²"]),
        st.sampled_from(["iPhone", "(B)", "B,", "&GPT", "ÜBER", "Über", "e\u0301cole", "K\u212a"]),
        st.text(
            alphabet=st.sampled_from(list("aZ9 ,.-'(){}\\%&#_$~^\t\n\x1fé\u0301ßł你ǅİ")),
            max_size=4,
        ),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(words=_WORDS, separator=st.sampled_from([" ", "  ", ""]))
def test_title_words_are_looked_at_as_one_by_one(words: list[str], separator: str) -> None:
    title = separator.join(words)

    one_by_one = " ".join(
        _braced(text_to_latex(word))
        if _needs_protection(word, first=index == 0)
        else text_to_latex(word)
        for index, word in enumerate(title.split(" "))
    )

    assert protect_capitals(title) == one_by_one


@settings(max_examples=300, deadline=None)
@given(names=st.lists(_WORDS.map(" ".join), max_size=5))
def test_author_list_is_escaped_as_name_by_name(names: list[str]) -> None:
    assert _author_value(names) == " and ".join(_name_value(name) for name in names)


def test_author_names_needing_braces_or_spacing_are_taken_one_by_one() -> None:
    assert _author_value(["Ann Lee", "Barnes and Noble"]) == "Ann Lee and {Barnes and Noble}"
    assert _author_value(["Ann  Lee", " Zoë\tKim "]) == r"Ann Lee and Zo{\"e} Kim"
    assert _author_value(["Ann Lee", "", "Kim"]) == "Ann Lee and  and Kim"
    assert _author_value(["Lee, Ann", "a, b, c, d"]) == "Lee, Ann and {a, b, c, d}"
    assert _author_value(["Lee, Ann", "Kim, Bo", "Roe, Cy"]) == "Lee, Ann and Kim, Bo and Roe, Cy"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(
            list("ab ,\\{}%&#_$~^\u00e9e\u0301\u212b\u00df\u0142\u4f60\U0001f642")
        )
    )
)
def test_text_to_latex_escapes_character_by_character(text: str) -> None:
    escaped = unicodedata.normalize(
        "NFC", _SPECIAL.sub(lambda match: _SPECIAL_CHARACTERS[match.group()], text)
    )
    by_character = "".join(
        character if character.isascii() else _non_ascii_to_latex(character)
        for character in escaped
    )

    assert text_to_latex(text) == by_character


def test_papers_and_stored_rows_export_alike(library: Library) -> None:
    import_fixtures(library, "strings.bib", *FIXTURE_NAMES)
    add_generated(library)

    from_papers = "".join(
        EXPORTER.entries(map(export_row, library.papers()), _imported_keys(library))
    )

    # traps.bib has a preamble, which opens the library's export.
    preamble = "@preamble{{\\providecommand{\\noopsort}[1]{}}}\n\n"
    assert preamble + from_papers == export_bibtex(library)


@pytest.mark.parametrize("in_workers", [False, True])
def test_export_in_small_slices_gives_the_same_bytes(
    library: Library, monkeypatch: pytest.MonkeyPatch, in_workers: bool
) -> None:
    import_fixtures(library, "strings.bib", *FIXTURE_NAMES)
    add_generated(library)
    # Keys made up in export order must not depend on where slices are cut: two waiting papers
    # whose made-up keys clash with a stored key and each other's stems.
    taken = "@misc{arxiv2402_00002, title = {Took the Key First}, year = 2020}\n"
    library.import_sources([ImportSource("taken.bib", taken.encode())])
    waiting = [Draft(title="", arxiv_id=f"2402.0000{n}", needs_metadata=True) for n in (2, 3)]
    library.add_drafts([(FileReport("ids"), waiting)])
    whole = export_bibtex(library)
    pools: list[ProcessPoolExecutor] = []

    def counted_pool(*args: Any, **kwargs: Any) -> ProcessPoolExecutor:
        pools.append(ProcessPoolExecutor(*args, **kwargs))
        return pools[-1]

    monkeypatch.setattr("readlist.library._EXPORT_SLICE", 3)
    if in_workers:  # as for a big export
        monkeypatch.setattr("readlist.library._PARALLEL_EXPORT_FROM", 0)
        monkeypatch.setattr("readlist.parallel._usable_cores", lambda: 2)
        monkeypatch.setattr("readlist.parallel.threading.active_count", lambda: 1)
        monkeypatch.setattr("readlist.parallel.ProcessPoolExecutor", counted_pool)
    sliced = export_bibtex(library)

    assert len(pools) == (1 if in_workers else 0)
    assert sliced == whole
    assert "@misc{arxiv2402_00002a,\n" in sliced
    assert "@misc{arxiv2402_00003,\n" in sliced


def test_filtered_export_keeps_the_papers_and_order_of_the_filter(library: Library) -> None:
    drafts = [
        Draft(title="Notes on Horses", abstract="A zebra passes by.", key="horses"),
        Draft(title="Zebra Stripes", key="stripes"),
        Draft(title="Savanna Walks", abstract="One zebra, far away.", key="savanna"),
        Draft(title="Lions", key="lions"),
    ]
    library.add_drafts([(FileReport("zoo"), drafts)])
    searched = PaperFilter(search="zebra")
    ids = library.ids()

    for paper_filter in (searched, PaperFilter(paper_ids=(ids[0], ids[2]))):
        exported = export_bibtex(library, paper_filter)

        keys = re.findall(r"^@\w+\{([^,]+),$", exported, re.MULTILINE)
        assert keys == [paper.key for paper in library.papers(paper_filter)]
    # Best match first: neither the order of adding nor its reverse.
    assert re.findall(r"^@\w+\{([^,]+),$", export_bibtex(library, searched), re.MULTILINE) == [
        "stripes",
        "horses",
        "savanna",
    ]


def test_same_library_gives_same_bytes_in_a_stable_layout(library: Library) -> None:
    import_fixtures(library, "scholar.bib", "arxiv.bib")
    add_generated(library)

    first = export_bibtex(library)
    second = export_bibtex(library)

    assert first == second
    entries = first.split("\n\n")
    assert len(entries) == library.counts().total
    for entry in entries:
        lines = entry.strip("\n").split("\n")
        assert lines[0].startswith("@")
        assert lines[-1] == "}"
        assert all(line.startswith("  ") and " = {" in line for line in lines[1:-1])


def test_the_key_of_a_merged_record_stays_citable_through_ids(library: Library) -> None:
    zotero = """
@article{he2016deep, title = {Deep Residual Learning for Image Recognition},
  author = {He, Kaiming and Zhang, Xiangyu}, journal = {CVPR}, year = {2016},
  doi = {10.1109/CVPR.2016.90}}
@inproceedings{he2016resnet, title = {Deep residual learning for image recognition},
  author = {Kaiming He}, booktitle = {CVPR}, pages = {770--778}, year = {2016}}
"""
    dblp = """
@inproceedings{DBLP:conf/cvpr/HeZRS16, author = {Kaiming He and Xiangyu Zhang},
  title = {Deep Residual Learning for Image Recognition}, booktitle = {CVPR},
  year = {2016}, doi = {10.1109/CVPR.2016.90}}
"""
    sources = [ImportSource("zotero.bib", zotero.encode()), ImportSource("dblp.bib", dblp.encode())]
    first = library.import_sources(sources)
    assert [(f.new, f.unchanged + f.merged) for f in first.files] == [(1, 1), (0, 1)]
    notes = [note for f in first.files for note in f.notes]
    assert notes == [
        "entry he2016resnet is the same paper as he2016deep; exported as he2016deep, "
        "he2016resnet in ids",
        "entry DBLP:conf/cvpr/HeZRS16 is the same paper as he2016deep; exported as "
        "he2016deep, DBLP:conf/cvpr/HeZRS16 in ids",
    ]
    (entry,) = parse_string(export_bibtex(library)).entries
    assert entry.key == "he2016deep"
    assert entry.fields_dict["ids"].value == "he2016resnet, DBLP:conf/cvpr/HeZRS16"
    # A conference record's fields would make the journal article one bibtex warns about.
    assert set(entry.fields_dict).isdisjoint({"booktitle", "pages"})
    again = library.import_sources(sources)
    assert [(f.new, f.merged, f.notes) for f in again.files] == [(0, 0, []), (0, 0, [])]


def test_a_paper_waiting_for_arxiv_still_waits_after_its_export_comes_back(
    library: Library, tmp_path: Path
) -> None:
    waiting = Draft(
        "arXiv:2101.00001",
        arxiv_id="2101.00001",
        url="https://arxiv.org/abs/2101.00001",
        needs_metadata=True,
    )
    library.add_drafts([(FileReport("ids.txt"), [waiting])])
    exported = ImportSource("export.bib", export_bibtex(library).encode())

    again = library.import_sources([exported])
    assert (again.files[0].new, again.files[0].merged) == (0, 0)
    assert library.waiting_for_metadata() == ["2101.00001"]

    with Library(tmp_path / "other.sqlite") as other:
        report = other.import_sources([exported])
        assert report.files[0].notes == [
            "entry arxiv2101_00001: only arXiv id 2101.00001; kept, waiting for metadata "
            "(run `readlist refresh`)"
        ]
        assert other.waiting_for_metadata() == ["2101.00001"]


def test_empty_library_exports_nothing(library: Library) -> None:
    assert export_bibtex(library) == ""


def paper_from(draft: Draft, paper_id: int) -> Paper:
    """The paper the library would store for a draft, without a database round trip."""
    return Paper(
        id=paper_id,
        title=draft.title,
        authors=draft.authors,
        year=draft.year,
        venue=draft.venue,
        abstract=draft.abstract,
        arxiv_id=draft.arxiv_id,
        doi=draft.doi,
        url=draft.url,
        code_url=draft.code_url,
        key=draft.key,
        entry_type=draft.entry_type,
        fields=dict(draft.fields),
        tags=[],
        status=Status.UNREAD,
        read_at=None,
        added="2024-01-01T00:00:00+00:00",
        listed=None,
        source="generated",
        needs_metadata=False,
    )


_PLAIN = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .,:;!?'/()[]<>*+=|@&")
    ),
    min_size=1,
    max_size=12,
)
_TEX = st.sampled_from(
    [
        r"{\"o}",
        r"\'{e}",
        r"\&",
        r"\%",
        r"$x^2$",
        r"$\alpha$",
        "{BERT}",
        "--",
        "~",
        "é",
        "ß",
        r"\LaTeX{}",
        r"\emph{key}",
        "#",
        '"',
        "%",
    ]
)
_VALUE = (
    st.lists(st.one_of(_PLAIN, _TEX), min_size=1, max_size=6)
    .map(lambda parts: " ".join(" ".join(parts).split()))
    .filter(lambda value: value.strip() != "")
)
_FIELD_NAMES = st.sampled_from(
    [
        "author",
        "journal",
        "booktitle",
        "year",
        "note",
        "pages",
        "abstract",
        "publisher",
        "volume",
        "keywords",
        "x-custom",
    ]
)
_ENTRY = st.fixed_dictionaries(
    {
        "entry_type": st.sampled_from(["article", "inproceedings", "misc", "online", "techreport"]),
        "title": _VALUE.filter(lambda value: any(character.isalpha() for character in value)),
        "fields": st.dictionaries(_FIELD_NAMES, _VALUE, max_size=5),
    }
)


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(_ENTRY, min_size=1, max_size=5))
def test_round_trip_property_over_generated_entries(entries: list[dict[str, object]]) -> None:
    blocks = []
    for number, entry in enumerate(entries):
        fields = {"title": entry["title"], **entry["fields"]}  # type: ignore[dict-item]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        blocks.append(f"@{entry['entry_type']}{{key{number},\n{body}\n}}\n")
    source = "\n".join(blocks)
    imported = parse(source, "bibtex", ImportContext(bibtex_macros=collect_macros([source])))
    assert imported.problems == []

    exported = "".join(
        EXPORTER.entries(export_row(paper_from(d, n)) for n, d in enumerate(imported.drafts))
    )
    reparsed = parse(exported, "bibtex", ImportContext())

    assert parse_string(exported).failed_blocks == []
    assert reparsed.problems == []
    assert [d.key for d in reparsed.drafts] == [d.key for d in imported.drafts]
    for before, after in zip(imported.drafts, reparsed.drafts, strict=True):
        assert after.entry_type == before.entry_type
        assert after.title == before.title
        assert {name: after.fields[name] for name in before.fields} == {
            name: as_exported(name, value) for name, value in before.fields.items()
        }


def test_demo_sample_data_imports_cleanly_and_compiles(library: Library, tmp_path: Path) -> None:
    sources = [
        ImportSource(path.name, path.read_bytes())
        for path in sorted((SAMPLE_DATA / "bibtex").glob("*.bib"))
    ]

    report = library.import_sources(sources)
    run = run_bibtex(tmp_path, export_bibtex(library))

    assert len(sources) == 2
    assert report.new == 14
    assert [line for file in report.files for line in file.skipped + file.notes] == []
    assert run.exit_code == 0, run.log
    # plain.bst knows no @software; every other demo entry is complete.
    assert run.warned_keys() == {"wolf2020transformers"}


def test_bare_month_macros_stay_bare_and_braced_months_stay_braced(
    library: Library, tmp_path: Path
) -> None:
    # Zotero and ADS write `month = jun`; a style prints the macro in its own language.
    zotero = """@article{bareMonth2017,
	title = {A Month Given as a Macro},
	author = {Lee, Ann},
	journal = {J},
	year = {2017},
	month = jun,
}

@article{upperMonth2018,
	title = {A Month Macro in Capitals},
	author = {Lee, Ann},
	journal = {J},
	year = {2018},
	month = SEP,
}

@article{bracedMonth2019,
	title = {A Month Given as Text},
	author = {Lee, Ann},
	journal = {J},
	year = {2019},
	month = {June},
}
"""
    redefined = """@string{oct = "Oktober"}
@article{redefinedMonth2020, title = {A Month Macro Redefined}, author = {Lee, Ann},
  journal = {J}, year = 2020, month = oct}
"""
    library.import_sources(
        [ImportSource("zotero.bib", zotero.encode()), ImportSource("de.bib", redefined.encode())]
    )

    exported = export_bibtex(library)
    run = run_bibtex(tmp_path, exported)

    months = dict(re.findall(r"^@\w+\{([^,]+),\n(?:  .*\n)*?  month = (.*?),?$", exported, re.M))
    assert months == {
        "bareMonth2017": "jun",
        "upperMonth2018": "sep",
        "bracedMonth2019": "{June}",
        "redefinedMonth2020": "{Oktober}",
    }
    assert "readlist" not in exported
    assert run.exit_code == 0, run.log
    assert run.warned_keys() == set()
    bibliography = " ".join(run.bibliography.split())
    for printed in ("June 2017", "September 2018", "June 2019", "Oktober 2020"):
        assert printed in bibliography
    papers = {paper.key: paper for paper in library.papers()}
    assert papers["bareMonth2017"].fields["month"] == "June"
    assert papers["bracedMonth2019"].fields["month"] == "June"
    again = library.import_sources([ImportSource("again.bib", exported.encode())]).files[0]
    assert (again.new, again.merged, again.unchanged) == (0, 0, 4)


def test_biblatex_eprints_get_the_classic_arxiv_fields_they_lack(library: Library) -> None:
    dblp = """@article{DBLP:journals/corr/abs-2303-08774,
  author       = {OpenAI},
  title        = {{GPT-4} Technical Report},
  journal      = {CoRR},
  volume       = {abs/2303.08774},
  year         = {2023},
  eprinttype    = {arXiv},
  eprint       = {2303.08774},
  biburl       = {https://dblp.org/rec/journals/corr/abs-2303-08774.bib}
}
"""
    zotero = """@online{leeRetrieval2024,
  title = {Retrieval for Everyone},
  author = {Lee, Ann},
  date = {2024-02-01},
  eprint = {2402.01234},
  eprinttype = {arxiv},
  eprintclass = {cs.CL},
  pubstate = {preprint}
}
"""
    scholar = """@article{witten1998anti,
  title={Anti de Sitter space and holography},
  author={Witten, Edward},
  journal={arXiv preprint hep-th/9802150},
  year={1998}
}
"""
    library.import_sources(
        [
            ImportSource(name, text.encode())
            for name, text in (("dblp.bib", dblp), ("zotero.bib", zotero), ("gs.bib", scholar))
        ]
    )

    exported = export_bibtex(library)

    arxiv_ids = {paper.key: paper.arxiv_id for paper in library.papers()}
    assert arxiv_ids == {
        "DBLP:journals/corr/abs-2303-08774": "2303.08774",
        "leeRetrieval2024": "2402.01234",
        "witten1998anti": "hep-th/9802150",
    }
    entries = {entry.lstrip("@").split(",", 1)[0]: entry for entry in exported.split("\n@")}
    assert "  eprinttype = {arXiv},\n  eprint = {2303.08774}," in exported
    assert entries["article{DBLP:journals/corr/abs-2303-08774"].endswith(
        "  archiveprefix = {arXiv}\n}\n"
    )
    assert entries["online{leeRetrieval2024"].endswith(
        "  archiveprefix = {arXiv},\n  primaryclass = {cs.CL},\n  year = {2024},\n  month = feb\n}\n"
    )
    assert entries["article{witten1998anti"].endswith(
        "  eprint = {hep-th/9802150},\n  archiveprefix = {arXiv}\n}\n"
    )


def test_entries_without_a_title_are_kept_and_exported_as_they_came(
    library: Library, tmp_path: Path
) -> None:
    # Valid BibTeX: letters, personal communications and edited volumes often have no title.
    text = """@misc{notitle1,
  author = {Knuth, Donald E.},
  howpublished = {Personal communication},
  year = {1990},
}

@book{notitle2,
  editor = {Smith, A.},
  booktitle = {Collected Works},
  year = {1991},
}

@misc{notitle3,
  author = {Lamport, Leslie},
  howpublished = {Personal communication},
  year = {1994},
}

@misc{notitle4,
  author = {Lamport, Leslie},
  year = {1995},
}

@book{works1991,
  title = {Collected Works},
  author = {Smith, A.},
  year = {1991},
}
"""
    report = library.import_sources([ImportSource("letters.bib", text.encode())]).files[0]
    exported = export_bibtex(library)
    run = run_bibtex(tmp_path, exported)

    assert (report.new, report.skipped) == (5, [])
    titles = {paper.key: paper.title for paper in library.papers()}
    assert titles == {
        "notitle1": "Untitled (notitle1): Personal communication",
        "notitle2": "Untitled (notitle2): Collected Works",
        "notitle3": "Untitled (notitle3): Personal communication",
        "notitle4": "Untitled (notitle4)",
        "works1991": "Collected Works",
    }
    assert (
        "@misc{notitle1,\n  author = {Knuth, Donald E.},\n"
        "  howpublished = {Personal communication},\n  year = {1990}\n}\n"
    ) in exported
    assert exported.count("title = ") == 2  # works1991's title and notitle2's booktitle
    assert run.exit_code == 0, run.log
    again = library.import_sources([ImportSource("again.bib", exported.encode())]).files[0]
    assert (again.new, again.merged, again.unchanged) == (0, 0, 5)


def test_reimporting_an_export_finds_every_paper_already_there(library: Library) -> None:
    # Export adds the identifiers an entry only implies; read back, they must be nothing new.
    scholar = """@article{kaplan2020scaling,
  title={Scaling laws for neural language models},
  author={Kaplan, Jared and McCandlish, Sam},
  journal={arXiv preprint arXiv:2001.08361},
  year={2020}
}

@misc{page2020,
  title = {A Page Cited by Its Address},
  author = {Page, Ann},
  howpublished = {\\url{https://example.org/some_page}},
  year = {2020},
}
"""
    import_fixtures(library, *FIXTURE_NAMES)
    library.import_sources([ImportSource("scholar.bib", scholar.encode())])
    exported = export_bibtex(library)

    again = library.import_sources([ImportSource("again.bib", exported.encode())]).files[0]

    assert (again.new, again.merged) == (0, 0)
    assert again.unchanged == library.counts().total
    assert export_bibtex(library) == exported
