"""Search ranking on a realistic corpus: the ~450 distinct papers of the five seed listing pages."""

from __future__ import annotations

import itertools
import re
import threading
from functools import cache
from pathlib import Path

import pytest
from conftest import SEEDS

from readlist.library import FileReport, Library, PaperFilter
from readlist.models import Draft
from readlist.search import SearchDocument, SearchIndex, fold, highlight_positions

_PAGE_CHROME = {
    "new",
    "Subscribe",
    "byAK and the research community",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
}
_DATE_LINE = re.compile(r"[A-Z][a-z]{2} \d{1,2}")


def _seed_papers(page: Path) -> dict[str, str]:
    """Title -> abstract for one seed page: a short title line followed by a long abstract line.

    The real listing importer is written elsewhere; this reads just enough for search tests.
    """
    lines = []
    for raw in page.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        # One page glues the "Subscribe" button to the first title.
        if line.startswith("Subscribe") and line != "Subscribe":
            line = line.removeprefix("Subscribe")
        if line and line not in _PAGE_CHROME and not _DATE_LINE.fullmatch(line):
            lines.append(line)
    return {
        title: abstract
        for title, abstract in itertools.pairwise(lines)
        if len(title) <= 250 < len(abstract)
    }


ATTENTION = "Attention Is All You Need"
OMNI_SCALE = "Learning Generalisable Omni-Scale Representations for Person Re-Identification"
MATRYOSHKA = "Matryoshka Representation Learning"
HOSTILE = "[bold]Sparse[/bold] Probes for [HOSPITAL] Records"
GAN = "Generative Adversarial Nets"
MAXOUT = "Maxout Networks"
AEVB = "Auto-Encoding Variational Bayes"
INPARS = "InPars: Data Augmentation for Information Retrieval using Large Language Models"
EXTRA_PAPERS = {
    ATTENTION: (
        "Ana Vásquez, Noor Ødegaard",
        "A sequence model built only from attention layers, with no recurrence at all.",
        "",
    ),
    HOSTILE: ("Kim Lee", "Probing clinical notes with sparse linear probes.", "to-read"),
    GAN: (
        "Ian J. Goodfellow, Jean Pouget-Abadie, Mehdi Mirza",
        "Two models play a game: one makes samples, the other tells them from real data.",
        "",
    ),
    MAXOUT: ("Ian J. Goodfellow, David Warde-Farley", "A unit that keeps its largest input.", ""),
    AEVB: ("Diederik P. Kingma, Max Welling", "Inference with a reparameterised gradient.", ""),
}
"""Papers of our own beside the seeds: a famous title to mistype, one with markup in it, and
papers well known by an author's name or an acronym of their title."""
AUTHORS = {OMNI_SCALE: "Zoë Sørensen, Łukasz Dvořák", MATRYOSHKA: "Zoë Sørensen, Priya Raman"}
TAGS = {MATRYOSHKA: "embeddings to-read", OMNI_SCALE: "re-id"}


@cache
def corpus() -> tuple[SearchDocument, ...]:
    """The seed papers (distinct titles), a few given authors and tags, plus `EXTRA_PAPERS`."""
    papers: dict[str, str] = {}
    for page in sorted(SEEDS.glob("*.txt")):
        for title, abstract in _seed_papers(page).items():
            papers.setdefault(title, abstract)
    documents = [
        SearchDocument(
            paper_id=1000 + number,
            title=title,
            authors=AUTHORS.get(title, ""),
            venue="",
            abstract=abstract,
            note="",
            tags=TAGS.get(title, ""),
        )
        for number, (title, abstract) in enumerate(papers.items())
    ]
    for number, (title, (authors, abstract, tags)) in enumerate(EXTRA_PAPERS.items()):
        documents.append(SearchDocument(number, title, authors, "", abstract, "", tags))
    return tuple(documents)


@cache
def index() -> SearchIndex:
    """The corpus indexed in full, abstracts included, as the app has it once its worker is done."""
    built = SearchIndex(corpus())
    assert built.index_abstracts()
    return built


def titles(query: str, limit: int | None = None, searched: SearchIndex | None = None) -> list[str]:
    """The titles `query` finds, best first, in `searched` or else the fully indexed corpus."""
    by_id = {document.paper_id: document.title for document in corpus()}
    return [by_id[hit.paper_id] for hit in (searched or index()).rank(query, limit)]


def test_corpus_is_the_seed_pages() -> None:
    assert len(corpus()) > 400
    assert OMNI_SCALE in {document.title for document in corpus()}


def test_a_mistyped_title_finds_the_paper_first() -> None:
    assert titles("atention is al you ned")[0] == ATTENTION


def test_a_half_remembered_fragment_finds_the_paper() -> None:
    assert titles("omni-scale re-id")[0] == OMNI_SCALE


def test_an_author_surname_finds_their_papers_whatever_the_accents() -> None:
    assert set(titles("sorensen")) == {OMNI_SCALE, MATRYOSHKA}
    assert set(titles("Sørensen")) == {OMNI_SCALE, MATRYOSHKA}
    assert titles("dvorak") == [OMNI_SCALE]
    assert titles("lukasz") == [OMNI_SCALE]


def test_a_tag_finds_the_tagged_papers_first() -> None:
    # "Read-ME: ..." has the word too, in its title, so it follows the papers with the tag.
    assert set(titles("to-read")[:2]) == {MATRYOSHKA, HOSTILE}


def test_a_word_only_in_an_abstract_finds_the_paper_below_title_matches() -> None:
    # "OSNet" appears only in the omni-scale paper's abstract, never in a title.
    assert titles("osnet") == [OMNI_SCALE]
    found = titles("matryoshka")
    assert found[0] == MATRYOSHKA
    hits = index().rank("matryoshka")
    assert hits[0].score > max((hit.score for hit in hits[1:]), default=0)


def test_metadata_finds_papers_at_once_and_abstract_words_once_they_are_indexed() -> None:
    fresh = SearchIndex(corpus())
    assert not fresh.abstracts_indexed
    assert titles("omni-scale re-id", searched=fresh)[0] == OMNI_SCALE
    assert set(titles("sorensen", searched=fresh)) == {OMNI_SCALE, MATRYOSHKA}
    assert titles("to-read", searched=fresh)[:2] == titles("to-read")[:2]
    assert titles("osnet", searched=fresh) == []
    assert fresh.index_abstracts()
    assert fresh.abstracts_indexed
    assert titles("osnet", searched=fresh) == [OMNI_SCALE]


def test_indexing_abstracts_stops_when_asked_and_goes_on_later() -> None:
    fresh = SearchIndex(corpus())
    asked: list[None] = []

    def after_one_step() -> bool:
        asked.append(None)
        return len(asked) > 1

    assert not fresh.index_abstracts(should_stop=after_one_step)
    assert not fresh.abstracts_indexed
    assert titles("osnet", searched=fresh) == []
    assert fresh.index_abstracts()
    assert titles("osnet", searched=fresh) == [OMNI_SCALE]
    assert titles("recurrence", searched=fresh) == titles("recurrence")


def test_queries_run_while_abstracts_are_indexed_in_another_thread() -> None:
    fresh = SearchIndex(corpus())
    indexing = threading.Thread(target=fresh.index_abstracts)
    indexing.start()
    found_while_indexing: list[set[str]] = []
    while indexing.is_alive() or not found_while_indexing:
        found_while_indexing.append(set(titles("sorensen", searched=fresh)))
    indexing.join()
    assert all(found == {OMNI_SCALE, MATRYOSHKA} for found in found_while_indexing)
    assert titles("osnet", searched=fresh) == [OMNI_SCALE]


def test_title_words_outrank_the_same_words_in_an_abstract() -> None:
    found = titles("neural tangent kernel")
    assert found[0].startswith("Neural Tangent Kernel")


def test_case_accents_and_punctuation_do_not_matter() -> None:
    expected = titles("learning generalisable omni scale")
    assert expected[0] == OMNI_SCALE
    assert titles("LEARNING  Generalisable, OMNI-scale!!") == expected
    assert titles("léarning génèralisable omni scale") == expected


@pytest.mark.parametrize(
    "query",
    [
        "sourdough bread recipe",
        "quantum chromodynamics lattice gauge",
        "zxqvw",
        "medieval tax records of flanders",
        "kubernetes helm chart",
    ],
)
def test_a_query_with_no_real_match_returns_nothing(query: str) -> None:
    assert titles(query) == []


def test_one_wrong_word_is_forgiven_in_a_long_query_only() -> None:
    assert titles("sparse probes for hospital spreadsheets")[0] == HOSTILE
    assert titles("sourdough hospital records") == []


def test_a_wrong_word_beside_an_authors_name_finds_their_papers() -> None:
    # Goodfellow's papers have no "discriminator", and his adversarial one no "networks".
    assert set(titles("goodfellow discriminator")) == {GAN, MAXOUT}
    assert GAN in titles("goodfellow adversarial networks")
    assert set(titles("sorensen transformers")) == {OMNI_SCALE, MATRYOSHKA}


def test_papers_missing_a_word_come_below_those_with_every_word() -> None:
    # A seed paper cites Goodfellow and says "adversarial" in its abstract.
    found = titles("goodfellow adversarial")
    assert len(found) == 3
    assert (found[0], found[-1]) == (GAN, MAXOUT)
    hits = index().rank("goodfellow adversarial")
    assert hits[-1].score < hits[-2].score


@pytest.mark.parametrize(
    "query",
    [
        "sourdough learning",
        "kubernetes transformers",
        "hospital sourdough",
        "medieval attention",
        # "well" starts the name "Welling", but names no one.
        "well sourdough",
    ],
)
def test_a_wrong_word_beside_a_common_word_finds_nothing(query: str) -> None:
    assert titles(query) == []


def test_a_year_is_not_forgiven_beside_an_authors_name() -> None:
    # Kingma's is the only paper with the word "variational" and a name, but it is not from 2016.
    assert titles("kingma 2016") == []


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("batch normalisation", "PowerNorm: Rethinking Batch Normalization in Transformers"),
        ("generalizable omni-scale", OMNI_SCALE),
        (
            "optimisation generalisation dilemma",
            "Rich Feature Construction for the Optimization-Generalization Dilemma",
        ),
    ],
)
def test_a_british_or_american_spelling_finds_the_title_spelt_the_other_way(
    query: str, title: str
) -> None:
    # Both spellings are in the corpus ("Generalizable" in other titles, "normalisation" in an
    # abstract), so neither looks like a typo.
    assert title in titles(query)[:3]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        (
            "generative pretraining speech",
            "Generative Pre-Training for Speech with Autoregressive Predictive Coding",
        ),
        (
            "fewshot traffic prediction",
            "STDA-Meta: A Meta-Learning Framework for Few-Shot Traffic Prediction",
        ),
        ("unsupervised pre-training", "On the Provable Advantage of Unsupervised Pretraining"),
    ],
)
def test_a_compound_written_whole_or_hyphenated_finds_the_other_spelling(
    query: str, title: str
) -> None:
    assert title in titles(query)[:3]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("gan", GAN),
        ("gans", GAN),
        ("goodfellow gan", GAN),
        ("llm", INPARS),
        ("inpars llm", INPARS),
        ("aevb", AEVB),
        ("vae kingma", AEVB),
    ],
)
def test_an_acronym_of_title_words_finds_the_paper(query: str, title: str) -> None:
    # Neither title nor abstract has the acronym; the letters start consecutive title words,
    # hyphenated ones too ("Auto-Encoding": a, e).
    assert title in titles(query)


def test_an_acronym_ranks_below_the_word_itself_and_needs_consecutive_initials() -> None:
    found = titles("gan")
    assert found.index("Diffusion Models Beat GANs on Image Classification") < found.index(GAN)
    assert titles("goodfellow gan")[0] == GAN
    assert GAN not in titles("nag")
    assert GAN not in titles("gn")


def test_acronyms_work_before_the_abstracts_are_indexed() -> None:
    fresh = SearchIndex(corpus())
    assert GAN in titles("gan", searched=fresh)
    assert titles("goodfellow gan", searched=fresh)[0] == GAN


PASTED_REFERENCES = [
    # APA, its long author list cut short by an ellipsis.
    "Vaswani, A., Shazeer, N., Parmar, N., ... & Polosukhin, I. (2017). Attention is all you "
    "need. In Advances in neural information processing systems.",
    # IEEE, numbered.
    '[12] A. Vaswani, N. Shazeer, N. Parmar et al., "Attention is all you need," in Proc. '
    "NeurIPS, 2017, pp. 5998–6008.",
    # ACL (natbib's author-year styles read the same).
    "Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit, Llion Jones, Aidan N. Gomez, "
    "Łukasz Kaiser, and Illia Polosukhin. 2017. Attention is all you need. In Advances in Neural "
    "Information Processing Systems, pages 5998–6008.",
    # Google Scholar's MLA.
    'Vaswani, Ashish, et al. "Attention is all you need." Advances in neural information '
    "processing systems 30 (2017).",
    # A reference written in a sentence: no style to read, but its details are not required.
    "Vaswani et al. (2017) Attention is all you need",
]


@pytest.mark.parametrize("reference", PASTED_REFERENCES)
def test_a_pasted_reference_finds_its_paper_whoever_the_library_says_wrote_it(
    reference: str,
) -> None:
    # The corpus gives this paper other authors and no venue or year: only the title counts.
    assert titles(reference)[0] == ATTENTION


def test_a_pasted_reference_with_a_mistyped_title_finds_its_paper() -> None:
    reference = (
        "Goodfellow, I., Pouget-Abadie, J., Mirza, M., Xu, B., Warde-Farley, D., Ozair, S., "
        "Courville, A., & Bengio, Y. (2014). Generative adversarial networks. In NeurIPS "
        "(pp. 2672-2680)."
    )
    assert titles(reference)[0] == GAN


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("attention's", ATTENTION),
        ("variational bayes's", AEVB),
        ("Bayes’s", AEVB),
    ],
)
def test_a_possessive_needs_no_word_s(query: str, title: str) -> None:
    assert title in titles(query)[:5]


def _with_typo(title: str) -> str:
    """The title with one letter dropped from its longest word, as a hurried user types it."""
    words = title.split()
    longest = max(range(len(words)), key=lambda position: len(words[position]))
    word = words[longest]
    words[longest] = word[: len(word) // 2] + word[len(word) // 2 + 1 :]
    return " ".join(words)


def test_recall_every_mistyped_title_finds_its_paper_near_the_top() -> None:
    documents = corpus()
    found_in_top_three = 0
    for document in documents:
        top = [hit.paper_id for hit in index().rank(_with_typo(document.title), limit=3)]
        found_in_top_three += document.paper_id in top
    assert found_in_top_three / len(documents) >= 0.97


def test_precision_unrelated_titles_find_nothing() -> None:
    unrelated = [
        "Sourdough Fermentation Schedules for Home Bakers",
        "A History of Lighthouse Keeping in Brittany",
        "Tax Reform and Dairy Cooperatives",
        "Knitting Patterns of the Shetland Isles",
    ]
    assert [query for query in unrelated if titles(query)] == []


def test_hits_come_best_first_and_limit_is_respected() -> None:
    hits = index().rank("contrastive learning")
    assert len(hits) > 10
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert index().rank("contrastive learning", limit=5) == hits[:5]


def test_an_empty_or_punctuation_query_finds_nothing() -> None:
    assert titles("") == []
    assert titles("  -- !! ") == []


def test_markup_in_titles_is_plain_text() -> None:
    assert titles("hospital records")[0] == HOSTILE
    assert titles("bold sparse probes")[0] == HOSTILE


def test_an_index_built_in_one_thread_ranks_in_others() -> None:
    built = SearchIndex(corpus()[:50])
    built.index_abstracts()
    expected = built.rank("learning")
    results: list[list[int]] = []

    def search() -> None:
        results.append([hit.paper_id for hit in built.rank("learning")])

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[hit.paper_id for hit in expected]] * 4


def test_an_empty_library_finds_nothing() -> None:
    empty = SearchIndex([])
    assert empty.rank("attention") == []
    assert empty.index_abstracts()
    assert empty.rank("attention") == []


def _highlighted(query: str, text: str) -> str:
    positions = set(highlight_positions(query, text))
    return "".join(ch.upper() if i in positions else ch.lower() for i, ch in enumerate(text))


def test_highlight_marks_the_matched_characters() -> None:
    assert _highlighted("omni-scale re-id", "Omni-Scale Re-Identification") == (
        "OMNI-SCALE RE-IDentification"
    )
    assert _highlighted("sorensen", "Zoë Sørensen") == "zoë SØRENSEN"
    # A typo highlights the letters it shares with the word, not the missing one.
    assert _highlighted("atention", "Attention") == "ATtENTION"
    assert highlight_positions("zzz", "Attention") == []
    assert highlight_positions("", "Attention") == []


def test_highlight_marks_the_initials_an_acronym_stands_for() -> None:
    assert _highlighted("gan", "generative adversarial nets") == "Generative Adversarial Nets"
    assert _highlighted("llms", "using large language models") == "using Large Language Models"
    assert _highlighted("goodfellow gan", "generative nets") == "generative nets"


def test_highlight_positions_index_the_original_text() -> None:
    text = "Straße [bold] Æther"
    positions = highlight_positions("strasse aether", text)
    assert "".join(text[i] for i in positions) == "StraßeÆther"


def test_fold_drops_case_and_accents() -> None:
    assert fold("Sørensen, É. Łukasz ÆTHER") == "sorensen, e. lukasz aether"


def test_library_search_ranks_stored_papers(library: Library) -> None:
    drafts = [
        Draft(title=ATTENTION, authors=["Ana Vásquez"], year=2017),
        Draft(title=OMNI_SCALE, authors=["Zoë Sørensen"], abstract="We build OSNet."),
        Draft(title="Sourdough for Beginners", authors=["Pat Baker"]),
    ]
    library.add_drafts([(FileReport("seed.bib"), drafts)])
    found = library.papers(PaperFilter(search="atention is al you ned"))
    assert [paper.title for paper in found][:1] == [ATTENTION]
    assert library.papers(PaperFilter(search="kubernetes helm")) == []


def test_library_search_finds_words_only_in_abstracts(library: Library) -> None:
    # Needs `Library.ids` to call `SearchIndex.index_abstracts()` before ranking.
    drafts = [Draft(title=OMNI_SCALE, authors=["Zoë Sørensen"], abstract="We build OSNet.")]
    library.add_drafts([(FileReport("seed.bib"), drafts)])
    assert [paper.title for paper in library.papers(PaperFilter(search="osnet"))] == [OMNI_SCALE]


def test_a_pasted_reference_prefers_the_paper_its_authors_and_year_name(library: Library) -> None:
    drafts = [
        Draft(title=ATTENTION, authors=["Cem Subakan", "Mirco Ravanelli"], year=2021),
        Draft(title=ATTENTION, authors=["Ashish Vaswani", "Noam Shazeer"], year=2017),
        Draft(title="Sourdough for Beginners", authors=["Pat Baker"], year=2017),
    ]
    library.add_drafts([(FileReport("seed.bib"), drafts)])
    found = library.papers(PaperFilter(search=PASTED_REFERENCES[0]))
    assert [(paper.title, paper.year) for paper in found] == [(ATTENTION, 2017), (ATTENTION, 2021)]


def test_a_surname_and_a_year_find_the_paper(library: Library) -> None:
    adam = "Adam: A Method for Stochastic Optimization"
    drafts = [
        Draft(title=adam, authors=["Diederik P. Kingma", "Jimmy Ba"], year=2014, venue="CoRR"),
        Draft(title="Auto-Encoding Variational Bayes", authors=["Diederik P. Kingma"], year=2013),
    ]
    library.add_drafts([(FileReport("seed.bib"), drafts)])
    assert [paper.title for paper in library.papers(PaperFilter(search="kingma 2014"))] == [adam]
