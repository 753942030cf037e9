"""BibTeX import: the files Zotero, JabRef, DBLP, arXiv, Mendeley and Google Scholar write, and
the traps real bibliographies hold."""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SEEDS

from readlist.formats import ImportContext, detect_format, parse
from readlist.formats.bibtex import collect_macros, looks_like_bibtex, split_names
from readlist.formats.latex import latex_to_text
from readlist.library import ImportSource, Library, PaperFilter, SortKey
from readlist.models import Draft, ParseResult

FIXTURES = REPO / "tests" / "fixtures" / "bibtex"
TOOL_FILES = ("zotero.bib", "jabref.bib", "dblp.bib", "arxiv.bib", "mendeley.bib", "scholar.bib")


def _text(path: Path) -> str:
    """A file's text as an import decodes it (BOM, declared encoding)."""
    return "".join(ImportSource(path.name, path.read_bytes()).pieces())


def parse_files(*names: str) -> list[ParseResult]:
    """Parse fixture files as one import command does: macros of every file first."""
    texts = [_text(FIXTURES / name) for name in names]
    context = ImportContext()
    for text in texts:
        context.bibtex_macros.update(collect_macros([text]))
    return [parse(text, "bibtex", context) for text in texts]


def drafts_by_key(result: ParseResult) -> dict[str | None, Draft]:
    return {draft.key: draft for draft in result.drafts}


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        (
            "zotero.bib",
            [
                "lindqvist_sparse_2021",
                "okafor_tabular_2024",
                "garcia_lopez_what_2022",
                "tanaka_fastroute_2023",
                "hughes_wikiclaims_2022",
            ],
        ),
        ("jabref.bib", ["Haddad2020", "Nguyen2019", "Bianchi2023"]),
        (
            "dblp.bib",
            [
                "DBLP:conf/iclr/RahmanWZ23",
                "DBLP:journals/corr/abs-2105-01234",
                "DBLP:conf/nips/OseiL22",
                "DBLP:conf/nips/2022",
            ],
        ),
        ("arxiv.bib", ["moreau2024diffusion", "ferreira2019lattice"]),
        ("mendeley.bib", ["Abara2017", "Rossi2018"]),
        ("scholar.bib", ["kim2020retrieval", "schmidt2018residual", "castellano2015introduction"]),
    ],
)
def test_every_tool_export_imports_whole(name: str, keys: list[str]) -> None:
    (result,) = parse_files(name)

    # Crossref children come after the file is read, with their parents' fields.
    assert sorted(draft.key or "" for draft in result.drafts) == sorted(keys)
    assert result.problems == []
    assert looks_like_bibtex(_text(FIXTURES / name))


def test_zotero_entry_maps_to_every_draft_attribute() -> None:
    (result,) = parse_files("zotero.bib")
    draft = drafts_by_key(result)["lindqvist_sparse_2021"]

    assert draft.title == "Sparse Mixture-of-Experts Routing for Low-Resource Translation"
    assert draft.authors == ["Lindqvist, Åsa", "Nakamura, Kenji", "O'Brien, Siobhán"]
    assert draft.year == 2021
    assert draft.venue == "Transactions of the Association for Computational Linguistics"
    assert draft.doi == "10.1162/tacl_a_00412"
    assert draft.url == "https://example.org/tacl/article/view/4412"
    assert draft.entry_type == "article"
    assert draft.line == 2
    assert draft.abstract is not None
    assert draft.abstract.endswith("removed <i>before</i> convergence.")
    assert draft.fields["title"] == (
        "Sparse {Mixture}-of-{Experts} {Routing} for {Low}-{Resource} {Translation}"
    )
    assert draft.fields["month"] == "March"
    assert draft.fields["file"].startswith("Full Text PDF:files/8XK2/")


def test_odd_entry_types_are_kept_in_lower_case() -> None:
    zotero, jabref, traps = parse_files("zotero.bib", "jabref.bib", "traps.bib")
    types = {
        draft.key: draft.entry_type for draft in [*zotero.drafts, *jabref.drafts, *traps.drafts]
    }

    assert types["tanaka_fastroute_2023"] == "software"
    assert types["hughes_wikiclaims_2022"] == "dataset"
    assert types["Nguyen2019"] == "phdthesis"
    assert types["Bianchi2023"] == "online"
    assert types["webpage2022"] == "web_page"
    assert types["padded2018"] == "thesis"
    assert types["paren2019"] == "article"


def test_arxiv_id_is_found_in_every_spelling_tools_use() -> None:
    results = parse_files("arxiv.bib", "dblp.bib", "scholar.bib", "mendeley.bib", "zotero.bib")
    arxiv_ids = {draft.key: draft.arxiv_id for result in results for draft in result.drafts}

    assert arxiv_ids["moreau2024diffusion"] == "2402.05678"
    assert arxiv_ids["ferreira2019lattice"] == "hep-lat/0901234"
    assert arxiv_ids["DBLP:journals/corr/abs-2105-01234"] == "2105.01234"
    assert arxiv_ids["kim2020retrieval"] == "2007.01234"
    assert arxiv_ids["Abara2017"] == "1709.04321"
    assert arxiv_ids["okafor_tabular_2024"] == "2403.01234"
    assert arxiv_ids["schmidt2018residual"] is None


def test_mendeley_file_with_bom_and_crlf_reads_like_unix_text() -> None:
    raw = (FIXTURES / "mendeley.bib").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    unix_text = raw[3:].decode("utf-8").replace("\r\n", "\n")

    from_bytes = parse(
        "".join(ImportSource("mendeley.bib", raw).pieces()), "bibtex", ImportContext()
    )
    # Text pasted from elsewhere may still carry the BOM and CR characters.
    from_string = parse(raw.decode("utf-8"), "bibtex", ImportContext())
    from_unix = parse(unix_text, "bibtex", ImportContext())

    assert from_bytes.drafts == from_unix.drafts == from_string.drafts
    rossi = drafts_by_key(from_bytes)["Rossi2018"]
    assert rossi.title == "Beam Search Considered Harmful for Code_Summarisation"
    assert rossi.authors == ["Rossi, Marco", "Østergaard, Freja"]
    assert rossi.url == "http://www.example.org/anthology/D18-1999_paper.pdf"
    assert rossi.line == 19
    assert not any("\r" in value for value in rossi.fields.values())


def test_macro_defined_in_another_file_of_the_same_import_resolves(library: Library) -> None:
    sources = [
        ImportSource(name, (FIXTURES / name).read_bytes())
        for name in ("strings.bib", "uses-strings.bib")
    ]

    report = library.import_sources(sources)

    papers = {paper.key: paper for paper in library.papers()}
    tokenizers = papers["ivanova2022tokenizers"]
    assert tokenizers.venue == (
        "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics"
    )
    assert tokenizers.fields["month"] == "May~22--27,"
    assert tokenizers.year == 2022
    assert papers["hassan2023faithful"].venue == (
        "Transactions of the Association for Computational Linguistics"
    )
    assert papers["hassan2023faithful"].fields["month"] == "December"
    assert not any("not defined" in note for file in report.files for note in file.notes)


def test_macro_nobody_defines_stays_as_its_name_with_a_note() -> None:
    (result,) = parse_files("uses-strings.bib")

    draft = drafts_by_key(result)["hassan2023faithful"]
    assert draft.venue == "tacl"
    assert "@string tacl is not defined (used 1 time(s)); kept as the word tacl" in result.notes


def test_comments_preamble_and_commented_out_entries_are_not_entries() -> None:
    (result,) = parse_files("traps.bib")
    keys = {draft.key for draft in result.drafts}
    titles = {draft.title for draft in result.drafts}

    assert "commented2020" not in keys
    assert "inside" not in keys
    assert "Not an entry" not in titles
    assert result.problems == []
    assert result.preambles == ["\\providecommand{\\noopsort}[1]{}"]


def test_parenthesised_entry_with_upper_case_field_names() -> None:
    (result,) = parse_files("traps.bib")
    draft = drafts_by_key(result)["paren2019"]

    assert draft.title == "Parentheses Delimit This Entry"
    assert draft.authors == ["Wright, Orville", "Wright, Wilbur"]
    assert draft.venue == "Flight Letters"
    assert draft.year == 2019
    assert list(draft.fields) == ["title", "author", "journal", "year"]


def test_latex_is_shown_as_unicode_while_fields_keep_the_tex() -> None:
    (result,) = parse_files("traps.bib")
    draft = drafts_by_key(result)["accents2020"]

    assert draft.title == "Über die Schönheit von TeX und LaTeX: Typesetting & Layout"
    assert draft.authors == [
        "Müller, Jörg",
        "García, Lucía",
        "Kováč, Ivan",
        "Åberg, Lars",
        "Straßer, Anna",
        "Łukasiewicz, Jan",
        "andén, Per",
        "Åkesson, Karl",
    ]
    assert draft.venue == "Proc. of the Workshop on Input/Output — Text and Math"
    assert draft.fields["title"] == (
        r"{\"U}ber die {Sch{\"o}nheit} von {\TeX} und \LaTeX{}: Typesetting \& Layout"
    )
    assert draft.fields["pages"] == "1--10"


def test_math_and_nested_accents_keep_every_word() -> None:
    traps, jabref = parse_files("traps.bib", "jabref.bib")
    math = drafts_by_key(traps)["math2021"]

    assert math.title == "α-NAS: Searching in O(n^2) Time with ℓ_1 Penalties"
    assert math.abstract == (
        "We search architectures with a penalty λ ‖w‖_1 and find that 95% of cells are "
        "redundant; code in nas_tools."
    )
    assert math.authors == ["Zhou, Li", "Google Brain Team", "others"]
    assert drafts_by_key(jabref)["Nguyen2019"].authors == ["Nguyễn, Thi Mai"]
    assert drafts_by_key(jabref)["Nguyen2019"].venue == "Université de Montréal"


def test_an_empty_group_ends_a_command_and_the_words_after_it_stay() -> None:
    # pylatexenc, handed `\\LaTeX{} {\\'e}crit` whole, drops the logo.
    assert latex_to_text("\\LaTeX{} {\\'e}crit \\TeX{} {books}") == "LaTeX écrit TeX books"


def test_copyright_and_euro_signs_are_shown_not_dropped() -> None:
    assert latex_to_text("Data \\copyright{} 2020 by the authors, licensed for 5 \\euro") == (
        "Data © 2020 by the authors, licensed for 5 €"
    )


def test_a_url_field_of_several_addresses_gives_the_web_one() -> None:
    # EndNote puts a Web of Science record before the publisher's address, or alone.
    (result,) = parse_files("endnote.bib")
    by_key = drafts_by_key(result)

    assert by_key["RN12"].url == "https://onlinelibrary.wiley.com/doi/10.1111/ele.13400"
    assert by_key["RN15"].url is None
    assert by_key["RN15"].fields["url"] == "<Go to ISI>://WOS:000512345600007"


def test_text_from_papers_is_kept_literally() -> None:
    (result,) = parse_files("traps.bib")
    draft = drafts_by_key(result)["webpage2022"]

    assert draft.title == "[HOSPITAL] readmission dashboard [bold]"
    assert draft.url == "https://example.org/dash?id=7&view=full#top"


def test_author_split_keeps_an_unbraced_accent_after_and() -> None:
    # bibtexparser's own splitter makes this `{A}kesson`.
    assert split_names(r"Smith, John and \r{A}kesson, Karl") == ["Smith, John", "Åkesson, Karl"]
    assert split_names("Ann Lee AND\n  {Barnes and Noble} and Bo Ek and others") == [
        "Ann Lee",
        "Barnes and Noble",
        "Bo Ek",
        "others",
    ]
    assert split_names("Sandberg, Alexander and Andersson, Eva") == [
        "Sandberg, Alexander",
        "Andersson, Eva",
    ]
    assert split_names("  ") == []


def test_biblatex_extended_names_read_as_people_write_them() -> None:
    # Better BibTeX writes names with a particle or suffix in biblatex's key=value form.
    (result,) = parse_files("betterbibtex.bib")
    drafts = drafts_by_key(result)

    assert drafts["bergSparseAttentionPoint2020"].authors == [
        "Achterberg, Ines",
        "van den Berg, Jan",
        "Dupont, Élodie",
        "King, Jr., Martin Luther",
        "Garcia Lopez, Ana",
    ]
    assert drafts["ohareCodeLlamaFinetuning2024"].authors == ["O'Hare, Seán", "Kowalczyk, Łukasz"]


def test_padded_values_are_trimmed_and_date_gives_the_year() -> None:
    (result,) = parse_files("traps.bib")
    draft = drafts_by_key(result)["padded2018"]

    assert draft.title == "Padded Values Are Trimmed"
    assert draft.fields["title"] == "Padded Values Are Trimmed"
    assert draft.authors == ["Okoro, Ada"]
    assert draft.venue == "Lagos Institute of Technology"
    assert draft.year == 2018
    assert draft.fields["date"] == "2018-11-05"


def test_entry_without_key_is_kept_and_gets_a_readable_key(library: Library) -> None:
    (result,) = parse_files("traps.bib")
    keyless = [draft for draft in result.drafts if draft.key is None]
    assert [draft.title for draft in keyless] == ["An Entry Without a Key"]

    library.import_sources([ImportSource("traps.bib", (FIXTURES / "traps.bib").read_bytes())])

    (paper,) = [p for p in library.papers() if p.title == "An Entry Without a Key"]
    assert paper.key == "entry2017"


def test_one_key_for_two_works_keeps_both_and_merges_a_repeated_work() -> None:
    (result,) = parse_files("traps.bib")
    by_key = drafts_by_key(result)

    assert by_key["twice"].title == "The First Work With This Key"
    assert by_key["twicea"].title == "A Different Second Work"
    assert "Twice" not in by_key
    # The third entry repeats the first work (key differs only in case) and adds its DOI.
    assert by_key["twice"].doi == "10.1000/first.2015"
    assert "key twice used twice; the second is now twicea" in result.notes
    assert "entry Twice appears twice; the copies were merged" in result.notes


def test_one_key_for_two_works_of_one_title_keeps_both() -> None:
    text = """
@article{deep, title = {Deep learning}, author = {LeCun, Yann and Bengio, Yoshua},
  journal = {Nature}, year = {2015}, doi = {10.1038/nature14539}}
@book{deep, title = {Deep Learning}, author = {Goodfellow, Ian and Bengio, Yoshua},
  publisher = {MIT Press}, year = {2016}}
"""
    result = parse(text, "bibtex", ImportContext())
    assert [(draft.key, draft.authors[0]) for draft in result.drafts] == [
        ("deep", "LeCun, Yann"),
        ("deepa", "Goodfellow, Ian"),
    ]
    assert "key deep used twice; the second is now deepa" in result.notes


def test_conference_and_journal_versions_under_one_key_stay_two_entries(
    library: Library,
) -> None:
    # Same title and authors, but what the two copies say differs: merged, the journal version
    # was lost and its journal and volume were added to the conference paper.
    text = """
@inproceedings{smith2020, title = {Sparse Transformers for Long Documents},
  author = {Smith, Ann and Jones, Bo}, booktitle = {Proceedings of NeurIPS}, year = {2020},
  pages = {100--110}}
@article{smith2020, title = {Sparse Transformers for Long Documents},
  author = {Smith, Ann and Jones, Bo}, journal = {Journal of Machine Learning Research},
  year = {2021}, volume = {22}, pages = {1--40}}
@article{smith2020, title = {Sparse Transformers for Long Documents},
  author = {Smith, Ann and Jones, Bo}, journal = {Journal of Machine Learning Research},
  year = {2021}, volume = {22}, pages = {1--40},
  doi = {10.5555/jmlr.2021.22}}
"""
    result = parse(text, "bibtex", ImportContext())

    by_key = drafts_by_key(result)
    assert list(by_key) == ["smith2020", "smith2020a"]
    assert "journal" not in by_key["smith2020"].fields
    assert (by_key["smith2020a"].year, by_key["smith2020a"].venue) == (
        2021,
        "Journal of Machine Learning Research",
    )
    assert by_key["smith2020a"].doi == "10.5555/jmlr.2021.22"
    assert result.notes == [
        "key smith2020 used twice; the second is now smith2020a",
        "entry smith2020 appears twice; the copies were merged",
    ]
    # The library keeps one paper per work; the conference paper keeps its own fields.
    stored = library.import_sources([ImportSource("versions.bib", text.encode())])
    assert stored.files[0].notes[-1] == (
        "entry smith2020a (Journal of Machine Learning Research, 2021) differs from smith2020 "
        "(Proceedings of NeurIPS, 2020), the paper it was merged into: its journal, year, "
        "volume, pages were not kept"
    )
    (paper,) = library.papers()
    assert (paper.key, paper.year, paper.fields["pages"]) == ("smith2020", 2020, "100--110")
    assert "journal" not in paper.fields


def test_a_journal_version_merged_into_its_conference_paper_is_named_in_the_summary(
    library: Library,
) -> None:
    # One paper per work: the journal version of a conference paper, from another file, merges
    # into it, and its journal, volume and pages are not kept; the summary has to say so.
    conference = """@inproceedings{smith2020sparse, title = {Sparse Transformers for Long Documents},
  author = {Smith, Ann and Jones, Bo}, booktitle = {Proceedings of NeurIPS}, year = {2020},
  pages = {100--110}}
"""
    page = """### [Sparse Transformers for Long Documents](https://example.org/sparse)
Ann Smith, Bo Jones

We make transformers sparse.
"""
    journal = """@article{smith2021sparse, title = {Sparse transformers for long documents},
  author = {Smith, Ann and Jones, Bo}, journal = {Journal of Machine Learning Research},
  year = {2021}, volume = {22}, pages = {1--40}}
"""
    sources = [
        ImportSource("neurips.bib", conference.encode()),
        ImportSource("page.md", page.encode()),
        ImportSource("jmlr.bib", journal.encode()),
    ]

    report = library.import_sources(sources)

    assert [(file.new, file.merged) for file in report.files] == [(1, 0), (0, 1), (0, 1)]
    # The same title from a listing page is the same paper, and takes nothing away.
    assert report.files[1].notes == []
    assert report.files[2].notes == [
        "entry smith2021sparse is the same paper as smith2020sparse; exported as "
        "smith2020sparse, smith2021sparse in ids",
        "entry smith2021sparse (Journal of Machine Learning Research, 2021) differs from "
        "smith2020sparse (Proceedings of NeurIPS, 2020), the paper it was merged into: its "
        "journal, year, volume, pages were not kept",
    ]
    (paper,) = library.papers()
    assert (paper.key, paper.year, paper.venue) == (
        "smith2020sparse",
        2020,
        "Proceedings of NeurIPS",
    )
    assert (paper.fields["pages"], "journal" in paper.fields) == ("100--110", False)
    again = library.import_sources(sources[:2])
    assert [file.notes for file in again.files] == [[], []]


def test_crossref_parent_in_another_file_or_the_library_is_inherited(library: Library) -> None:
    children = """
@inproceedings{kid, title = {Child Paper}, author = {Roe, Quinn}, crossref = {conf18},
  pages = {1--2}}
@inproceedings{orphan, title = {Orphan Paper}, author = {Doe, Sam}, crossref = {nowhere}}
"""
    parent = """@proceedings{conf18, title = {Proceedings of Conf}, year = {2018},
  publisher = {ACM}}"""
    child_file = ImportSource("children.bib", children.encode())

    report = library.import_sources([child_file, ImportSource("parent.bib", parent.encode())])
    later = "@inproceedings{kid2, title = {Second Child}, author = {Poe, Ann}, crossref = {conf18}}"
    library.import_sources([ImportSource("later.bib", later.encode())])

    assert report.files[0].notes == [
        "entry orphan: crossref nowhere is in no file of this import and not in the library; "
        "the entry keeps only its own fields"
    ]
    inherited = {paper.key: (paper.year, paper.venue) for paper in library.papers()}
    assert inherited["kid"] == inherited["kid2"] == (2018, "Proceedings of Conf")
    assert inherited["orphan"] == (None, None)


def test_papers_of_one_proceedings_stay_apart_though_it_has_a_doi(library: Library) -> None:
    text = """
@proceedings{cvpr2016, title = {Proceedings of CVPR 2016}, year = {2016},
  publisher = {IEEE}, doi = {10.1109/CVPR.2016}, url = {https://cvpr2016.example.org}}
@inproceedings{paper1, title = {First Paper}, author = {Smith, John}, crossref = {cvpr2016}}
@inproceedings{paper2, title = {Second Paper}, author = {Jones, Anna}, crossref = {CVPR2016}}
"""
    report = library.import_sources([ImportSource("cvpr.bib", text.encode())])

    assert report.new == 3
    papers = {paper.key: paper for paper in library.papers()}
    assert (papers["paper1"].year, papers["paper1"].doi) == (2016, None)
    assert papers["cvpr2016"].doi == "10.1109/cvpr.2016"


def test_an_entry_of_only_an_arxiv_id_waits_under_its_key_one_with_more_is_kept(
    library: Library,
) -> None:
    text = """
@misc{waits, title = {arXiv:2401.12346}, eprint = {2401.12346}, archivePrefix = {arXiv}}
@misc{mine, title = {arXiv:2401.12345}, eprint = {2401.12345}, note = {must read}, year = 2024}
"""
    library.import_sources([ImportSource("ids.bib", text.encode())])

    assert library.waiting_for_metadata() == ["2401.12346"]
    papers = {paper.key: paper for paper in library.papers()}
    assert set(papers) == {"waits", "mine"}
    assert papers["mine"].fields["note"] == "must read"


def test_code_url_comes_from_a_code_or_github_field() -> None:
    (result,) = parse_files("traps.bib")

    assert drafts_by_key(result)["codeentry2024"].code_url == "https://github.com/example/small-big"


def test_crossref_child_inherits_from_its_parent_and_the_parent_stays() -> None:
    (result,) = parse_files("dblp.bib")
    by_key = drafts_by_key(result)
    child = by_key["DBLP:conf/nips/OseiL22"]

    assert child.year == 2022
    assert child.venue is not None
    assert child.venue.startswith("Advances in Neural Information Processing Systems 35")
    assert child.authors == ["Kwame Osei", "Hannah Lee"]
    assert child.fields["editor"].startswith("Sanmi Koyejo and")
    assert child.fields["pages"] == "1201--1213"
    assert child.fields["title"] == "Contrastive Pretraining Without Negatives"
    assert by_key["DBLP:conf/nips/2022"].entry_type == "proceedings"


def test_broken_entries_become_problems_and_the_rest_imports() -> None:
    (result,) = parse_files("broken.bib")

    # An entry without a title is valid BibTeX; it is kept (see the export tests).
    assert [draft.key for draft in result.drafts] == ["good1", "good2", "notitle", "good3", "good4"]
    problems = {problem.where: problem.reason for problem in result.problems}
    assert set(problems) == {
        "entry unbalanced",
        "entry missingcomma",
        "entry garbage",
        "entry unclosed",
    }
    assert "line 7" in problems["entry unbalanced"]
    assert "missing comma" in problems["entry missingcomma"]
    assert "line 19" in problems["entry missingcomma"]
    assert "file ends" in problems["entry unclosed"]


def test_broken_file_imports_its_good_entries_into_the_library(library: Library) -> None:
    source = ImportSource("broken.bib", (FIXTURES / "broken.bib").read_bytes())

    report = library.import_sources([source])

    assert report.new == 5
    assert len(report.files[0].skipped) == 4
    assert [paper.title for paper in library.papers(PaperFilter(), SortKey.TITLE)] == [
        "The First Good Entry",
        "The Fourth Good Entry",
        "The Second Good Entry",
        "The Third Good Entry",
        "Untitled (notitle)",
    ]


def test_entry_start_without_brace_is_reported_not_lost() -> None:
    text = "@article key1, title = {No Brace}\n\n@article{key2, title = {Fine}}\n"

    result = parse(text, "bibtex", ImportContext())

    assert [draft.key for draft in result.drafts] == ["key2"]
    assert [problem.where for problem in result.problems] == ["line 1"]


def test_a_broken_string_and_an_entry_without_key_are_named_for_what_they_are() -> None:
    text = """@string{acl = {Association for
@article{title = {Keyless}, year = {2021}}
@article{ok, title = {Fine}, year = 2020}
"""
    result = parse(text, "bibtex", ImportContext())

    assert [draft.key for draft in result.drafts] == ["ok"]
    assert [(problem.where, problem.reason) for problem in result.problems] == [
        ("@string acl", "a brace or quote is not closed before the next entry (line 1)"),
        ("line 2", "no citation key before the first field"),
    ]


def test_a_broken_comment_is_reported_by_line_not_as_an_entry() -> None:
    # The first word of a comment is no citation key.
    text = "@comment{unbalanced { comment}\n@article{ok, title = {Fine}, year = 2020}\n"

    result = parse(text, "bibtex", ImportContext())

    assert [draft.key for draft in result.drafts] == ["ok"]
    assert [problem.where for problem in result.problems] == ["line 1"]


def test_field_given_twice_keeps_the_first_value() -> None:
    text = "@article{k, title = {First Title}, Title = {Second Title}, year = 2001}\n"

    result = parse(text, "bibtex", ImportContext())

    assert [draft.title for draft in result.drafts] == ["First Title"]
    assert result.notes == ["entry k: field title given twice; the first value was kept"]


_CHUNK_TRAPS = """@string{dup = "First"}
@article{open1,
  title = {Never closed,
  year = 2020
@article{after_open, title = {After}, journal = later, year = 2001}
@string{dup = "Second"}
@string{later = dup # " x"}
@article(paren1, title = "Paren {Block} (x)", year = 1999)
@misc{nocomma title = {X}}
@article key_without_brace,
  title = {Lost}
@preamble{"\\newcommand{\\noop}[1]{}"}
@article{twice, title = {A}, title = {B}, year = 2000}
@article{twice, title = {Other}, year = 2000}
@article{child, crossref = {parent}, title = {Child}}
@article{parent, title = {Parent Proceedings}, year = 2010}
@article{badvalue, title = {T} junk, year = 2000}
@article{eofopen, title = {x}
"""
"""Blocks whose reading depends on their neighbours: a chunk boundary may fall between any two."""


@pytest.mark.parametrize(
    ("chunk_characters", "parallel"), [(1, False), (97, False), (4096, False), (97, True)]
)
def test_reading_in_chunks_gives_what_reading_whole_gives(
    monkeypatch: pytest.MonkeyPatch, chunk_characters: int, parallel: bool
) -> None:
    texts = [_text(path) for path in sorted(FIXTURES.glob("*.bib"))]
    texts.append(_CHUNK_TRAPS)
    texts.append("\n\n".join(texts))
    whole = [parse(text, "bibtex", ImportContext()) for text in texts]

    monkeypatch.setattr("readlist.formats.bibtex._CHUNK_CHARACTERS", chunk_characters)
    pools: list[ProcessPoolExecutor] = []

    def counted_pool(*args: Any, **kwargs: Any) -> ProcessPoolExecutor:
        pools.append(ProcessPoolExecutor(*args, **kwargs))
        return pools[-1]

    if parallel:  # chunks split by worker processes, as for big files
        monkeypatch.setattr("readlist.formats.bibtex._PARALLEL_FROM_CHARACTERS", 0)
        monkeypatch.setattr("readlist.parallel.threading.active_count", lambda: 1)
        monkeypatch.setattr("readlist.parallel.ProcessPoolExecutor", counted_pool)
    chunked = [parse(text, "bibtex", ImportContext()) for text in texts]
    assert len(pools) == (len(texts) if parallel else 0)

    assert chunked == whole
    traps = whole[-2]
    # Entries sharing a key and crossref children wait for the whole file, then come in order.
    assert [draft.key for draft in traps.drafts] == [
        "after_open",
        "paren1",
        "parent",
        "twice",
        "twicea",
        "child",
    ]
    assert [problem.where for problem in traps.problems] == [
        "entry open1",
        "entry nocomma",
        "line 10",
        "entry badvalue",
        "entry eofopen",
    ]
    assert "line 2" in traps.problems[0].reason
    assert "@string dup is defined again (line 6); the entries after it use the new value" in (
        traps.notes
    )
    assert "file ends" in traps.problems[-1].reason


def test_real_listing_pages_are_not_taken_for_bibtex() -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        assert not looks_like_bibtex(seed.read_text(encoding="utf-8")), seed.name
    assert not looks_like_bibtex("@akhaliq (AK) posted\n@misc is a type\nmail me@example.org{x}")
    assert detect_format((FIXTURES / "dblp.bib").read_text(encoding="utf-8")) == "bibtex"


def _generated_bibliography(entries: int) -> str:
    """A file like a big real one: abstracts, accents in names, braces and math in titles."""
    rng = random.Random(7)
    words = "learning sparse graph neural attention robust efficient scaling vision model".split()
    blocks = []
    for number in range(entries):
        title = " ".join(rng.choice(words) for _ in range(8))
        if number % 4 == 0:
            title = r"{BERT} and $\alpha$-" + title
        abstract = " ".join(rng.choice(words) for _ in range(150))
        if number % 3 == 0:
            abstract += r" as M{\"u}ller showed, with \emph{no} loss and 50\% fewer steps."
        blocks.append(
            f"@inproceedings{{key{number},\n"
            f"  title = {{{title}}},\n"
            f"  author = {{M{{\\\"u}}ller, Hans and Garc{{\\'\\i}}a, Ana and Li, Wei}},\n"
            f"  booktitle = {{Proceedings of Conference {number % 40}}},\n"
            f"  year = {{{2000 + number % 25}}},\n"
            f"  month = jan,\n"
            f"  doi = {{10.1000/x{number}}},\n"
            f"  url = {{https://example.org/p/{number}}},\n"
            f"  abstract = {{{abstract}}},\n"
            "}\n"
        )
    return "\n".join(blocks)


def test_a_large_generated_bibliography_reads_whole() -> None:
    # Its speed against bibtexparser alone is measured in bench/, not asserted here.
    text = _generated_bibliography(500)
    result = parse(text, "bibtex", ImportContext(bibtex_macros=collect_macros([text])))
    assert len(result.drafts) == 500
    assert result.problems == []
    assert result.drafts[0].title.startswith("BERT and α-")
    assert result.drafts[0].authors == ["Müller, Hans", "García, Ana", "Li, Wei"]


def test_tex_nested_deeper_than_python_recurses_keeps_its_words() -> None:
    # What a generator stuck in a loop writes; each group is a call deeper when read.
    title = "\\emph{" * 500 + "Deep" + "}" * 500 + r" and {\"U}ber"
    text = f"@article{{deep, title = {{{title}}}, author = {{Lee, Ann}}, year = 2000}}\n"

    result = parse(text, "bibtex", ImportContext())

    assert [draft.title for draft in result.drafts] == ["Deep and Über"]
    assert result.problems == []


def test_spaces_after_the_at_sign_and_before_the_brace_are_read_as_bibtex_reads_them() -> None:
    # Hand-kept files space entry openings out; classic bibtex skips the spaces, line breaks too.
    text = (
        "@ Article{atspace, title={At Space}, author={Space, Man}, journal={J}, year={2002}}\n"
        "@Article {spacebrace,\n  title = {Space Before the Brace},\n  year = 2003\n}\n"
        '@ STRING{ven = "Spaced Venue"}\n'
        "@InProceedings\n  {nextline,\n  title = {Brace on the Next Line},\n"
        "  booktitle = ven,\n  year = 2004\n}\n"
    )

    result = parse(text, "bibtex", ImportContext(bibtex_macros=collect_macros([text])))

    assert [(draft.key, draft.title, draft.line) for draft in result.drafts] == [
        ("atspace", "At Space", 1),
        ("spacebrace", "Space Before the Brace", 2),
        ("nextline", "Brace on the Next Line", 7),
    ]
    assert drafts_by_key(result)["nextline"].venue == "Spaced Venue"
    assert drafts_by_key(result)["nextline"].year == 2004
    assert result.problems == []
    assert result.notes == []


def test_a_redefined_string_applies_from_where_it_is_redefined() -> None:
    # bibtex reads a file in order: each entry uses the definition in force where it stands.
    text = """@string{ven = "First Venue"}
@article{r1, title = {R One}, author = {R, A}, journal = ven, year = 2001}

@STRING{Ven = "Second Venue"}
@article{r2, title = {R Two}, author = {R, B}, journal = ven, year = 2002}
"""

    result = parse(text, "bibtex", ImportContext(bibtex_macros=collect_macros([text])))

    venues = {draft.key: draft.venue for draft in result.drafts}
    assert venues == {"r1": "First Venue", "r2": "Second Venue"}
    assert result.problems == []
    assert result.notes == [
        "@string Ven is defined again (line 4); the entries after it use the new value"
    ]
