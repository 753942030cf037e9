"""The pure helpers the library calls once per new paper: title normalisation and citation keys."""

from __future__ import annotations

import pytest

from readlist.models import (
    CitationKeys,
    Identity,
    ascii_fold,
    citation_key_stem,
    normalise_title,
    one_work,
)


@pytest.mark.parametrize(
    ("title", "normalised"),
    [
        ("Attention Is All You Need", "attention is all you need"),
        (
            "  BERT: Pre-training of Deep_Bidirectional  Transformers!  ",
            "bert pre training of deep bidirectional transformers",
        ),
        ("GPT-4 (2023) -- a Report", "gpt 4 2023 a report"),
        ("Tab\tand\nnew line", "tab and new line"),
        ("?!", ""),
        ("Schrödinger’s Cat: Naïve Café", "schrodinger s cat naive cafe"),
        ("Straße ΣΑΣ", "strasse σασ"),
    ],
)
def test_normalise_title_keeps_only_lower_case_words(title: str, normalised: str) -> None:
    assert normalise_title(title) == normalised


def test_ascii_fold_drops_accents_and_spells_letters_without_a_decomposition() -> None:
    assert ascii_fold("Dürst Ærø Łukasz Straße đ") == "Durst AEro Lukasz Strasse d"
    assert ascii_fold("李小龍") == ""


@pytest.mark.parametrize(
    ("authors", "year", "title", "stem"),
    [
        (["Ashish Vaswani"], 2017, "Attention Is All You Need", "vaswani2017attention"),
        (["Vaswani, Ashish"], 2017, "The Attention Paper", "vaswani2017attention"),
        (["van der Berg, Jan"], None, "Towards 3 Big Models", "vanderbergbig"),
        (["Jan van der Berg"], 2020, "On the 2020 Data", "berg2020data"),
        (["Ñúñez-García, José"], 2021, "Ærø Maps", "nunezgarcia2021aero"),
        (["李小龍"], 2020, "The Of", "the2020"),
        (["  "], 2020, "12 of 34", "122020"),
        ([], 2018, "The Annotated Transformer", "annotated2018"),
        ([], None, "", "paper"),
        ([], None, "the_theory of the9 things", "theory"),
    ],
)
def test_citation_key_stem_is_surname_year_and_first_telling_word(
    authors: list[str], year: int | None, title: str, stem: str
) -> None:
    assert citation_key_stem(authors, year, title) == stem


def test_claimed_keys_get_the_first_free_suffix_whatever_their_case() -> None:
    keys = CitationKeys(["Smith2020", "smith2020b"])
    claimed = [keys.claim(wanted) for wanted in ["smith2020", "SMITH2020", "smith2020", "jones"]]
    assert claimed == ["smith2020a", "SMITH2020c", "smith2020d", "jones"]
    assert "JONES" in keys
    assert "smith2020e" not in keys


def test_suffixes_run_past_z_like_spreadsheet_columns() -> None:
    keys = CitationKeys()
    claimed = [keys.claim("wang2023learning") for _ in range(29)]
    assert claimed[:2] == ["wang2023learning", "wang2023learninga"]
    assert claimed[-3:] == ["wang2023learningz", "wang2023learningaa", "wang2023learningab"]


@pytest.mark.parametrize(
    ("first", "second", "one"),
    [
        (["LeCun, Yann", "Bengio, Yoshua"], ["Goodfellow, Ian", "Bengio, Yoshua"], False),
        (["Yann Le Cun"], ["LeCun, Yann"], True),
        (["Martin King Jr."], ["King, Jr., Martin"], True),
        (["Jürgen Schmidhuber"], ["Schmidhuber, Jürgen"], True),
        (["Rami Al Rfou"], ["Al-Rfou, Rami"], True),
        (["ATLAS Collaboration"], ["CMS Collaboration"], False),
        (["王小明"], ["王小明"], True),
        (["Иванов, Иван"], ["Иван Иванов"], True),
    ],
)
def test_one_work_needs_the_same_first_author_however_it_is_written(
    first: list[str], second: list[str], one: bool
) -> None:
    assert one_work(Identity(None, None, first), Identity(None, None, second)) is one


def test_one_work_tells_titles_apart_by_ids_without_authors() -> None:
    assert not one_work(Identity("1706.03762", None, []), Identity("1810.04805", None, []))
    assert not one_work(Identity(None, "10.1/a", []), Identity(None, "10.1/b", []))
    assert one_work(Identity(None, "10.1/a", ["Ann Lee"]), Identity(None, "10.2/b", ["Lee, A."]))
