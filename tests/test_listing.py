"""The listing importer on real pasted pages (the seeds), on fixtures of every other layout it
reads, and on texts that hold no papers at all."""

from __future__ import annotations

import gc
import itertools
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLE_DATA, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.formats import ImportContext, importer
from readlist.formats import parse as parse_text
from readlist.formats.listing import _PageReader, code_url_in, names_in, tex_to_text
from readlist.library import ImportSource, Library
from readlist.models import Draft, ParseResult, normalise_title

FIXTURES = Path(__file__).parent / "fixtures" / "listing"
TODAY = date(2025, 3, 18)
CONTEXT = ImportContext(today=TODAY)
SEED_PAGES = sorted(SEEDS.glob("*.txt"))
ABSTRACT_MIN = 300
"""Every abstract on the seed pages is longer than this and every title shorter."""


def parse(text: str, today: date = TODAY) -> ParseResult:
    return parse_text(text, "listing", ImportContext(today=today))


def parse_fixture(name: str) -> ParseResult:
    return parse((FIXTURES / name).read_text(encoding="utf-8"))


def titles(result: ParseResult) -> list[str]:
    return [draft.title for draft in result.drafts]


def by_title(result: ParseResult) -> dict[str, Draft]:
    return {draft.title: draft for draft in result.drafts}


def seed_records(page: Path) -> list[tuple[int, str, str]]:
    """(line, title, abstract) for each paper of a seed page, found without the importer: a
    paper is a short line whose next non-blank line is an abstract-length line."""
    lines = page.read_text(encoding="utf-8").splitlines()
    filled = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    records = []
    for (number, line), (_, following) in itertools.pairwise(filled):
        if len(line) < ABSTRACT_MIN <= len(following):
            # Layout (b) glues the page's "Subscribe" button onto the first title.
            title = line.removeprefix("Subscribe") if number <= 3 else line
            records.append((number, title, following))
    return records


@pytest.mark.parametrize(
    "path",
    [
        *SEED_PAGES,
        *sorted(FIXTURES.iterdir()),
        *sorted((SAMPLE_DATA / "listings").iterdir()),
    ],
    ids=lambda path: path.name,
)
def test_a_file_read_in_small_pieces_gives_what_its_whole_text_gives(
    monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    # Big files come in pieces of a megabyte: the listing reader splits each into lines and
    # looks for TeX and arXiv blocks in each, never in the whole text.
    whole = parse(path.read_text(encoding="utf-8"))
    monkeypatch.setattr("readlist.formats._PIECE_BYTES", 97)
    source = ImportSource(path.name, path.read_bytes())
    findings = ParseResult()

    drafts = list(importer("listing").read(source, CONTEXT, findings))

    assert len(list(source.pieces())) > 1
    assert drafts == whole.drafts
    assert findings.problems == whole.problems


# ---- the seed pages ------------------------------------------------------------------------


@pytest.mark.parametrize("page", SEED_PAGES, ids=lambda page: page.name[:3])
def test_every_seed_paper_comes_out_once_with_its_exact_title_and_abstract(page: Path) -> None:
    expected = seed_records(page)
    result = parse(page.read_text(encoding="utf-8"))

    assert len(expected) >= 50
    assert [(d.line, d.title, d.abstract) for d in result.drafts] == expected
    assert result.problems == []


def test_seed_counts_match_the_alternating_structure() -> None:
    counts = {page.name[:3]: len(parse(page.read_text()).drafts) for page in SEED_PAGES}
    # Non-blank lines minus page chrome, halved: 000 has 123 non-blank lines, 5 of them chrome.
    assert counts == {"000": 59, "001": 80, "002": 83, "003": 213, "004": 76}


def test_seed_chrome_is_never_a_title() -> None:
    chrome = re.compile(r"^(new|Subscribe.*|Get trending.*|byAK.*|[A-Z][a-z]{2} \d{1,2})$")
    for page in SEED_PAGES:
        for draft in parse(page.read_text()).drafts:
            assert not chrome.match(draft.title), (page.name, draft.title)
            assert not draft.title.startswith("Subscribe")


def test_glued_seed_title_loses_only_the_subscribe_button() -> None:
    first = parse((SEEDS / "003_10a685ef451fa504.txt").read_text()).drafts[0]

    assert first.title == (
        "Scaling Laws for Robust Comparison of Open Foundation Language-Vision Models and Datasets"
    )
    assert first.line == 3


@pytest.mark.parametrize(
    ("seed", "today", "listed"),
    [
        ("000_b5aec1e7c65de0d6.txt", date(2025, 3, 18), "2025-03-14"),
        ("001_df8b0cc33461d80d.txt", date(2025, 3, 17), "2025-03-17"),
        # "Mar 20" is still to come on 18 March 2025, so the page is from 2024.
        ("004_5eebb7bd1b300e6d.txt", date(2025, 3, 18), "2024-03-20"),
        ("003_10a685ef451fa504.txt", date(2025, 3, 18), None),
    ],
)
def test_page_date_becomes_every_papers_listing_date(
    seed: str, today: date, listed: str | None
) -> None:
    drafts = parse((SEEDS / seed).read_text(), today=today).drafts

    assert {draft.listed for draft in drafts} == {listed}


def test_seed_code_links_are_found_and_the_abstract_is_kept_unchanged() -> None:
    drafts = by_title(parse((SEEDS / "000_b5aec1e7c65de0d6.txt").read_text()))
    osnet = drafts["Learning Generalisable Omni-Scale Representations for Person Re-Identification"]

    assert osnet.code_url == "https://github.com/KaiyangZhou/deep-person-reid"
    assert osnet.abstract is not None
    assert osnet.abstract.endswith("https://github.com/KaiyangZhou/deep-person-reid.")


def test_seed_code_links_drop_trailing_punctuation_and_tex_leftovers() -> None:
    code_urls = {d.code_url for d in parse((SEEDS / "004_5eebb7bd1b300e6d.txt").read_text()).drafts}

    assert "https://github.com/Facico/Dynamic-Logit-Fusion" in code_urls
    assert "https://github.com/kleinzcy/Cr-KD-NCD" in code_urls
    assert "https://github.com/ihaeyong/PFNR.git" in code_urls
    # Project pages on github.io are not code hosts.
    assert not any(url and "github.io" in url for url in code_urls)


def test_seed_placeholder_in_brackets_stays_literal() -> None:
    text = (SEEDS / "001_df8b0cc33461d80d.txt").read_text()
    assert "[HOSPITAL]" in text
    abstracts = [d.abstract or "" for d in parse(text).drafts]

    assert sum("[HOSPITAL]'s clinical notes" in abstract for abstract in abstracts) == 1


def test_seed_titles_with_tex_and_by_are_kept_whole() -> None:
    found = titles(parse((SEEDS / "003_10a685ef451fa504.txt").read_text()))

    assert (
        "L$^{2}$NAS: Learning to Optimize Neural Architectures via Continuous-Action "
        "Reinforcement Learning"
    ) in found
    assert (
        "Maximizing Data Efficiency for Cross-Lingual TTS Adaptation by Self-Supervised "
        "Representation Mixing and Embedding Initialization"
    ) in found


def test_all_seeds_import_into_a_library_once_each_and_again_add_nothing(
    library: Library,
) -> None:
    sources = [ImportSource(page.name, page.read_bytes()) for page in SEED_PAGES]
    distinct = {normalise_title(title) for page in SEED_PAGES for _, title, _ in seed_records(page)}

    first = library.import_sources(sources, format_name="listing", context=CONTEXT)
    papers = library.papers()
    again = library.import_sources(sources, format_name="listing", context=CONTEXT)

    assert first.new == len(distinct) == len(papers)
    assert sorted(normalise_title(paper.title) for paper in papers) == sorted(distinct)
    assert all(paper.abstract for paper in papers)
    assert again.new == 0
    assert library.counts().total == len(distinct)


@pytest.mark.parametrize(
    ("sample", "count"),
    [("hugging-face-daily.txt", 8), ("arxiv-digest-cs-lg.txt", 4), ("workshop-accepted.md", 5)],
)
def test_demo_samples_import_every_paper(library: Library, sample: str, count: int) -> None:
    path = SAMPLE_DATA / "listings" / sample

    report = library.import_sources(
        [ImportSource(path.name, path.read_bytes())], format_name="listing", context=CONTEXT
    )

    assert report.new == count
    assert report.files[0].skipped == []


def test_arxiv_code_link_in_the_comments_field() -> None:
    digest = (SAMPLE_DATA / "listings" / "arxiv-digest-cs-lg.txt").read_text()
    bridges = by_title(parse(digest))["Schrödinger Bridges Between Point Clouds"]

    assert bridges.code_url == "https://github.com/example/pc-bridges"


# ---- Hugging Face pages with more chrome ---------------------------------------------------


def test_card_chrome_menus_badges_counts_and_usernames_are_dropped() -> None:
    result = parse_fixture("hf_cards_chrome.txt")

    assert titles(result) == [
        "Sparse Mixture Routing for Million-Token Context Windows",
        "Clinical Note Summaries with [HOSPITAL] Placeholders Preserved",
        "[bold] Claims in Scientific Figures: Detecting Overstated Captions",
        "Counting Objects in Drone Footage Without Box Labels",
    ]
    assert [d.line for d in result.drafts] == [19, 25, 31, 38]
    assert {d.listed for d in result.drafts} == {"2025-03-14"}
    assert all(d.abstract for d in result.drafts)


def test_card_code_links_from_hosts_and_code_labels() -> None:
    drafts = parse_fixture("hf_cards_chrome.txt").drafts

    assert [d.code_url for d in drafts] == [
        "https://github.com/example-lab/sparse-routing",
        "https://huggingface.co/spaces/example/note-summary",
        None,
        "https://example.org/drone-count/code",
    ]
    assert drafts[1].abstract is not None
    assert drafts[1].abstract.endswith("https://huggingface.co/spaces/example/note-summary).")
    assert "[HOSPITAL] and [DATE]" in drafts[1].abstract


def test_daily_cards_without_abstracts_take_the_title_line_of_each_card() -> None:
    result = parse_fixture("hf_daily_no_abstracts.txt")

    assert titles(result) == [
        "Long-Horizon Planning with Verifier-Guided Tree Search",
        "Layer Normalization Revisited",
        "Real-Time Relighting of Captured Faces on Mobile Hardware",
        "Shared Tokenizers for Code and Proof Languages",
    ]
    assert {d.listed for d in result.drafts} == {"2025-03-03"}


def test_layout_without_blank_lines_keeps_titles_that_start_with_by() -> None:
    result = parse_fixture("hf_glued_no_blank_lines.txt")

    assert titles(result) == [
        "Graph Rewiring Improves Message Passing on Sparse Molecules",
        "By Design: Constraint-Aware Layout Generation for Floor Plans",
        "Tokenizer-Free Speech Translation for Low-Resource Languages",
    ]
    assert result.drafts[1].abstract is not None
    assert result.drafts[1].abstract.startswith("By encoding room adjacency")


def hf_abstract(opening: str) -> str:
    """An abstract of Hugging Face length, starting with `opening`."""
    return (
        f"{opening} We evaluate the method on twelve benchmarks covering language modelling, "
        "retrieval and reasoning, and we show that it matches or improves on strong baselines "
        "while using less compute during training and inference. Our experiments also study "
        "how the gains change with model scale and data complexity, and we release the code."
    )


def test_titles_starting_with_a_lower_case_product_name_are_kept() -> None:
    page = (
        "Get trending papers in your email inbox!\n"
        f"SubscribexLSTM: Extended Long Short-Term Memory\n{hf_abstract('We extend LSTMs.')}\n"
        f"gzip Predicts Data-dependent Scaling Laws\n{hf_abstract('Compression predicts.')}\n"
        f"iVideoGPT: Interactive VideoGPTs are Scalable World Models\n{hf_abstract('Videos.')}\n"
    )

    assert titles(parse(page)) == [
        "xLSTM: Extended Long Short-Term Memory",
        "gzip Predicts Data-dependent Scaling Laws",
        "iVideoGPT: Interactive VideoGPTs are Scalable World Models",
    ]


# ---- arXiv ---------------------------------------------------------------------------------


def test_arxiv_new_page_imports_new_and_cross_lists_and_skips_replacements() -> None:
    result = parse_fixture("arxiv_new_labelled.txt")
    drafts = result.drafts

    assert [(d.arxiv_id, d.title) for d in drafts] == [
        ("2403.09001", "Calibrated Uncertainty for Tabular Foundation Models"),
        ("2403.09003", "Why [bold] Claims Need Error Bars"),
        ("2403.08877", "Self-Supervised Depth from Rolling-Shutter Video"),
    ]
    assert drafts[0].authors == ["Priya Raman", "Tomás Herrera", "Lin Zhou"]
    assert drafts[1].authors == ["Mara Lind", "Olu Adeyemi"]
    # "announced Fri, 15 Mar 24" over the page: the day the papers were listed.
    assert {d.listed for d in drafts} == {"2024-03-15"}
    assert drafts[0].url == "https://arxiv.org/abs/2403.09001"
    assert drafts[0].code_url == "https://github.com/example/tabcal"
    assert drafts[2].abstract is not None
    assert drafts[2].abstract.startswith("Rolling-shutter distortion")
    assert result.notes == ["2 replacements skipped (revised versions of older papers)"]
    assert [(p.where, p.reason) for p in result.problems] == [
        ("line 15", "arXiv:2403.09002 has no title")
    ]


def test_arxiv_new_page_of_today_gives_its_announcement_day() -> None:
    page = """Machine Learning (cs.LG)
Showing new listings for Friday, 15 March 2024

New submissions (showing 1 of 1 entries)

[1] arXiv:2403.09001 [pdf, html, other]
Title: Calibrated Uncertainty for Tabular Foundation Models
Authors: Priya Raman, Lin Zhou
Subjects: Machine Learning (cs.LG)
"""
    (draft,) = parse_text(page, "listing", ImportContext(today=date(2024, 3, 20))).drafts
    assert (draft.arxiv_id, draft.listed) == ("2403.09001", "2024-03-15")


def test_markdown_cards_saved_without_the_host_keep_their_paper_links() -> None:
    page = """## Daily Papers

### [Simple and Scalable Strategies to Continually Pre-train Large Language Models](/papers/2403.08763)

Adam Ibrahim, Benjamin Thérien

### [Quiet-STaR: Language Models Can Teach Themselves to Think Before Speaking](/abs/2403.09629v2)

### [\\[ICML 2024\\] gzip Predicts Data-dependent Scaling Laws](/papers/2405.16684#community)
"""
    drafts = parse_text(page, "listing", ImportContext()).drafts
    assert [(d.arxiv_id, d.url) for d in drafts] == [
        ("2403.08763", "https://huggingface.co/papers/2403.08763"),
        ("2403.09629", "https://arxiv.org/abs/2403.09629v2"),
        ("2405.16684", "https://huggingface.co/papers/2405.16684"),
    ]
    assert drafts[-1].title == "[ICML 2024] gzip Predicts Data-dependent Scaling Laws"


def test_title_lines_with_an_id_in_brackets_or_authors_after_a_dash() -> None:
    text = """Attention Is All You Need (1706.03762)
Deep Residual Learning for Image Recognition [1512.03385v3]
BERT: Pre-training of Deep Bidirectional Transformers — Jacob Devlin, Ming-Wei Chang, Kenton Lee
Self-Supervised Learning of Pretext-Invariant Representations - A Survey
- Mixtral of Experts — Albert Q. Jiang et al.
- **Vision Transformers Need Registers** - Timothée Darcet, Maxime Oquab, J. Mairal
Diffusion Models – Fast Sampling, High Fidelity
"""
    drafts = parse_text(text, "listing", ImportContext()).drafts
    assert [(d.title, d.arxiv_id, d.authors) for d in drafts] == [
        ("Attention Is All You Need", "1706.03762", []),
        ("Deep Residual Learning for Image Recognition", "1512.03385", []),
        (
            "BERT: Pre-training of Deep Bidirectional Transformers",
            None,
            ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee"],
        ),
        ("Self-Supervised Learning of Pretext-Invariant Representations - A Survey", None, []),
        ("Mixtral of Experts", None, ["Albert Q. Jiang"]),
        (
            "Vision Transformers Need Registers",
            None,
            ["Timothée Darcet", "Maxime Oquab", "J. Mairal"],
        ),
        ("Diffusion Models – Fast Sampling, High Fidelity", None, []),
    ]


def test_arxiv_list_page_without_labels_reads_title_and_author_lines_and_day_headings() -> None:
    drafts = parse_fixture("arxiv_list_unlabelled.txt").drafts

    assert [(d.arxiv_id, d.title, d.authors, d.listed) for d in drafts] == [
        (
            "2403.09101",
            "Contrastive Pretraining for Sensor Time Series",
            ["Ingrid Solberg", "Rahul Mehta", "Wei Chen"],
            "2024-03-15",
        ),
        ("2403.09102", "A Note on Learning-Rate Warmup", ["Felix Braun"], "2024-03-15"),
        (
            "2403.08950",
            "Pruning Vision Transformers by Token Importance",
            ["Amina Yusuf", "Jonas Berg"],
            "2024-03-14",
        ),
        (
            "math/0309136",
            "Knot Invariants from Quantum Groups, Revisited",
            ["Elena Petrova"],
            "2024-03-14",
        ),
    ]
    assert all(d.abstract is None for d in drafts)


def test_arxiv_digest_joins_wrapped_lines_and_turns_tex_into_unicode() -> None:
    result = parse_fixture("arxiv_digest.txt")
    bridges, proofs = result.drafts

    assert bridges.title == (
        "Schrödinger Bridges for α-Stable Noise: Sampling Heavy-Tailed Distributions with "
        "Diffusion Models"
    )
    assert bridges.authors == ["Ana Gómez", "Bernd Müller", "Chen Wei", "Dana Okafor"]
    assert bridges.arxiv_id == "2403.09201"
    assert bridges.line == 17
    assert bridges.abstract is not None
    assert bridges.abstract.startswith("Diffusion models assume Gaussian noise")
    assert "α-stable process" in bridges.abstract
    assert bridges.code_url == "https://github.com/example/stable-bridges"
    assert proofs.title == "Typesetting Proofs with TeX and Large Language Models"
    assert proofs.authors == ["Jean-Pierre Dubois", "Sofia Rossi"]
    assert proofs.abstract == (
        "We ask language models to write LaTeX for proofs and check the output with a proof "
        "assistant."
    )


def test_arxiv_digest_reports_a_block_without_title_and_counts_replacements() -> None:
    result = parse_fixture("arxiv_digest.txt")

    assert [(p.where, p.reason) for p in result.problems] == [
        ("line 48", "arXiv:2403.09203 has no title")
    ]
    assert result.notes == ["3 replacements skipped (revised versions of older papers)"]


def test_arxiv_ids_beside_titles_are_no_digest_blocks() -> None:
    # A digest block is `arXiv:ID` and then its fields; an id under or before a title line is
    # that title's.
    under = (
        "Attention Is All You Need\narXiv:1706.03762\n\n"
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding\n"
        "arXiv:1810.04805\n\n"
        "Deep Residual Learning for Image Recognition\narXiv:1512.03385\n"
    )
    before = (
        "arXiv:1706.03762 Attention Is All You Need\n"
        "arXiv:1810.04805 BERT: Pre-training of Deep Bidirectional Transformers for Language "
        "Understanding\n"
        "arXiv:1512.03385 Deep Residual Learning for Image Recognition\n"
    )
    expected = [
        ("Attention Is All You Need", "1706.03762"),
        (
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "1810.04805",
        ),
        ("Deep Residual Learning for Image Recognition", "1512.03385"),
    ]

    for text in (under, before):
        result = parse(text)
        assert [(d.title, d.arxiv_id) for d in result.drafts] == expected
        assert result.problems == []


def test_an_arxiv_abstract_page_gives_its_paper_without_the_page_furniture() -> None:
    labelled = (FIXTURES / "arxiv_abs_page.txt").read_text()
    # Without the hidden "Title:" and "Authors:" labels, as some browsers copy the page.
    unlabelled = labelled.replace("Title:", "").replace("Authors:", "")
    # Copied from the "[Submitted on ...]" line down, the id only in "Cite as:".
    from_submitted = labelled.replace("arXiv:2403.08763 (cs)\n", "")

    for text in (labelled, unlabelled, from_submitted):
        result = parse(text)
        assert [(d.title, d.authors, d.arxiv_id) for d in result.drafts] == [
            (
                "Simple and Scalable Strategies to Continually Pre-train Large Language Models",
                ["Adam Ibrahim", "Benjamin Thérien", "Kshitij Gupta", "Mats L. Richter"],
                "2403.08763",
            )
        ]
        assert result.drafts[0].abstract == (
            "Large language models (LLMs) are routinely pre-trained on billions of tokens, only "
            "to start the process over again once new data becomes available. We show that a "
            "simple combination of learning rate re-warming, re-decaying, and replay of previous "
            "data is sufficient to match the performance of fully re-training from scratch."
        )
        assert result.problems == []


def test_an_arxiv_id_cited_in_a_readme_is_no_paper() -> None:
    readme = (
        "# FlashKernels\n\nFast fused attention kernels for PyTorch.\n\n## Citation\n\n"
        "Please cite the FlashAttention paper:\narXiv:2205.14135\n"
        "Thanks for using this project!\n\n## License\n\nMIT\n"
    )

    assert parse(readme).drafts == []


# ---- Markdown, accepted lists, tables, plain titles ---------------------------------------


def test_markdown_cards_repeated_by_a_scraper_come_out_once() -> None:
    result = parse_fixture("markdown_cards_twice.md")
    routing, counting = result.drafts

    assert len(result.drafts) == 2
    assert routing.title == "Sparse Mixture Routing for Million-Token Context Windows"
    assert routing.authors == ["Mirela Ionescu", "Tariq Haddad", "Yuki Tanaka"]
    assert routing.arxiv_id == "2403.07001"
    assert routing.url == "https://huggingface.co/papers/2403.07001"
    assert routing.code_url == "https://github.com/example-lab/sparse-routing"
    assert counting.title == (
        "Counting Objects in Drone Footage Without Box Labels: A Density Approach With "
        "Temporal Consistency"
    )
    assert counting.authors == ["Kenji Watanabe", "Lucía Fernández"]


def test_newsletter_headings_and_side_links_are_not_papers() -> None:
    result = parse_fixture("newsletter.md")

    assert titles(result) == [
        "Tokenizer-Free Speech Translation for Low-Resource Languages",
        "Graph Rewiring Improves Message Passing on Sparse Molecules",
    ]
    assert result.drafts[0].authors == ["Amara Diallo", "Jonas Weber"]
    assert result.drafts[0].abstract == (
        "The model reads raw audio and writes characters in the target language, skipping "
        "transcription entirely."
    )
    assert result.drafts[1].url == "https://openreview.net/forum?id=Xy12AbCd"


def test_a_linked_thumbnail_above_a_card_is_no_paper() -> None:
    text = (
        "[![Image 2](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2403.08763.png)]"
        "(https://huggingface.co/papers/2403.08763)\n\n"
        "### [Simple and Scalable Strategies to Continually Pre-train Large Language Models]"
        "(https://huggingface.co/papers/2403.08763)\n"
    )

    assert [(d.title, d.arxiv_id) for d in parse(text).drafts] == [
        (
            "Simple and Scalable Strategies to Continually Pre-train Large Language Models",
            "2403.08763",
        )
    ]


def test_newsletter_cards_that_link_elsewhere_than_papers_are_not_papers() -> None:
    text = (
        "### [Vision Transformers Need Registers](https://arxiv.org/abs/2309.16588)\n\n"
        "Timothée Darcet, Maxime Oquab\n\n"
        "### [Sponsored: Track Every Experiment with Our Dashboard](https://example.com/?utm=nl)\n\n"
        "Log metrics, compare runs and share reports with your team. Used by thousands of machine "
        "learning teams to train better models faster.\n\n"
        "### [Join Our Discord Community Today](https://discord.gg/papers)\n\n"
        "### [Efficient Streaming Language Models with Attention Sinks]"
        "(https://openreview.net/forum?id=NG7sS51zVF)\n\n"
        "### [Read the Full Archive on Our Website](https://example.com/archive)\n"
    )

    assert titles(parse(text)) == [
        "Vision Transformers Need Registers",
        "Efficient Streaming Language Models with Attention Sinks",
    ]


def test_digest_headings_without_links_are_papers_when_authors_or_a_paper_link_follow() -> None:
    labelled = (
        "# Weekly ML Paper Digest\n\nHere are this week's papers.\n\n"
        "## 1. Mixture-of-Depths: Dynamically allocating compute in transformer-based language "
        "models\n\n"
        "**Authors:** David Raposo, Sam Ritter\n**Link:** https://arxiv.org/abs/2404.02258\n\n"
        "**Summary:** Tokens skip layers through a top-k router, which cuts the compute of a "
        "forward pass by half.\n\n"
        "### Why it matters\n\n"
        "Compute is usually spent evenly on every token; this paper shows it need not be.\n\n"
        "### Key takeaways\n\n- Routing tokens around blocks\n- Half the FLOPs\n"
    )
    unlabelled = (
        "### RT-2: Vision-Language-Action Models Transfer Web Knowledge to Robotic Control\n"
        "Anthony Brohan, Noah Brown, Justice Carbajal\narXiv: 2307.15818\n\n"
        "We study how vision-language models trained on Internet-scale data can be incorporated "
        "directly into end-to-end robotic control.\n\n"
        "#### Our take\nBig if true.\n"
    )
    id_first = (
        "## This week's papers\n\n"
        "### Simple and Scalable Strategies to Continually Pre-train Large Language Models\n"
        "arXiv:2403.08763 · cs.LG\nAdam Ibrahim, Benjamin Thérien\n"
    )

    mixture = parse(labelled).drafts
    assert [(d.title, d.authors, d.arxiv_id) for d in mixture] == [
        (
            "Mixture-of-Depths: Dynamically allocating compute in transformer-based language "
            "models",
            ["David Raposo", "Sam Ritter"],
            "2404.02258",
        )
    ]
    assert mixture[0].abstract is not None
    assert mixture[0].abstract.startswith("Tokens skip layers")
    rt2 = parse(unlabelled).drafts
    assert [(d.title, d.authors, d.arxiv_id) for d in rt2] == [
        (
            "RT-2: Vision-Language-Action Models Transfer Web Knowledge to Robotic Control",
            ["Anthony Brohan", "Noah Brown", "Justice Carbajal"],
            "2307.15818",
        )
    ]
    assert rt2[0].abstract is not None
    assert rt2[0].abstract.startswith("We study how")
    assert [(d.title, d.authors, d.arxiv_id) for d in parse(id_first).drafts] == [
        (
            "Simple and Scalable Strategies to Continually Pre-train Large Language Models",
            ["Adam Ibrahim", "Benjamin Thérien"],
            "2403.08763",
        )
    ]


def test_accepted_list_bullets_with_openreview_links_and_by_lines() -> None:
    drafts = parse_fixture("accepted_bullets.md").drafts

    assert [(d.title, d.authors) for d in drafts] == [
        ("Learning by Doing: Curriculum Design for Embodied Agents", ["Ana Gómez", "Wei Zhang"]),
        ("Robust Fine-Tuning Under Label Noise", ["Priya Raman", "Tomás Herrera"]),
        ("Why [bold] Claims Need Error Bars", ["Mara Lind"]),
        ("Pruning Vision Transformers by Token Importance", ["Amina Yusuf", "Jonas Berg"]),
        ("Layer Normalization Revisited", ["Pedro Barros"]),
    ]
    assert drafts[0].url == "https://openreview.net/forum?id=Ab3dEf9"


def test_title_by_authors_lines_split_at_the_last_by_before_names() -> None:
    drafts = parse_fixture("accepted_by_lines.txt").drafts

    assert [(d.title, d.authors) for d in drafts] == [
        ("Learning by Doing: Curriculum Design for Embodied Agents", ["A. Smith", "B. Jones"]),
        (
            "Robust Fine-Tuning Under Label Noise",
            ["Priya Raman", "Tomás Herrera", "Lin Zhou"],
        ),
        ("Stand by Me: Persistent Memory for Dialogue Agents", ["K. Osei"]),
        ("Shared Tokenizers for Code and Proof Languages", ["Zhen Yu", "Ruth Abebe"]),
        # "Gradient Descent" is not a person: the title stays whole.
        ("Attention Span Modeling by Gradient Descent", []),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Conference sites put "Name · Name · Name" under each title.
        (
            "accepted_dotted_authors.txt",
            [
                (
                    "Scaling Sparse Autoencoders to Frontier Models",
                    ["Elena Vasquez", "Ravi Shankar", "Tom Becker"],
                ),
                (
                    "Provably Efficient Exploration in Constrained MDPs",
                    ["Hyun-woo Park", "Maria Gonzalez"],
                ),
                (
                    "Graph Transformers Without Positional Encodings",
                    ["Fatima Zahra", "Lukas Meyer", "Chen Jun"],
                ),
                (
                    "Diffusion Models as Plug-and-Play Priors for Inverse Problems in Astronomy",
                    ["Samuel Okafor", "Ingrid Nilsson"],
                ),
                (
                    "Efficient Test-Time Adaptation via Entropy Matching",
                    ["Rahul Gupta", "Anna Kowalska", "Pierre Martin"],
                ),
            ],
        ),
        # OpenReview: "Download PDF", the authors, then metadata lines and the decision
        # ("ICLR 2025 Oral"), none of them a title.
        (
            "openreview_venue.txt",
            [
                (
                    "Learning to Route Tokens Across Heterogeneous Accelerators",
                    ["Hana Sato", "Diego Ferreira", "Mira Okonkwo"],
                ),
                (
                    "Implicit Bias of Adaptive Optimisers in Overparameterised Regression",
                    ["Aylin Kaya", "Tobias Lindqvist"],
                ),
            ],
        ),
        # ACL Anthology: "pdf bib abs Title" over "Name | Name"; the volume's title, editors
        # and metadata are no paper.
        (
            "acl_anthology_volume.txt",
            [
                (
                    "Quantifying Label Noise in Crowdsourced Natural Language Inference",
                    ["Amira Haddad", "Thomas Keller", "Yuki Tanaka"],
                ),
                (
                    "Cross-Lingual Transfer of Discourse Parsers with Minimal Supervision",
                    ["Carlos Mendes", "Ingrid Holm"],
                ),
                (
                    "Do Retrieval-Augmented Models Cite Faithfully?",
                    ["Sara Lindgren", "Mohammed Al-Sayed", "Peter Novak"],
                ),
            ],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_venue_pages_give_each_paper_once_with_its_authors(
    name: str, expected: list[tuple[str, list[str]]]
) -> None:
    drafts = parse_fixture(name).drafts

    assert [(d.title, d.authors) for d in drafts] == expected


def test_an_openreview_paper_takes_its_abstract_not_its_tldr() -> None:
    abstracts = [d.abstract or "" for d in parse_fixture("openreview_venue.txt").drafts]

    assert abstracts[0].startswith("Serving mixture-of-experts models")


def test_papers_shared_in_chat_come_without_the_words_before_them() -> None:
    drafts = parse_fixture("chat_sharing_papers.txt").drafts

    assert [(d.title, d.arxiv_id) for d in drafts] == [
        ("Speculative Decoding with Draft Trees", "2402.01234"),
        ("Quantising KV Caches to Two Bits", "2403.05521"),
    ]


def test_a_bold_title_before_its_link_comes_without_the_asterisks() -> None:
    # A Notion or Obsidian export: "- [ ] **Title** — https://arxiv.org/abs/ID".
    drafts = parse_fixture("notion_reading_list.md").drafts

    assert [(d.title, d.arxiv_id, d.read) for d in drafts] == [
        ("Speculative Decoding with Draft Trees", "2402.01234", False),
        ("Quantising KV Caches to Two Bits", "2403.05521", False),
        ("FlashDecoding++: Faster Inference on GPUs", "2311.01282", True),
    ]


def test_a_reddit_post_gives_its_paper_without_the_flair() -> None:
    drafts = parse_fixture("reddit_post.txt").drafts

    assert [(d.title, d.arxiv_id, d.code_url) for d in drafts] == [
        (
            "Tiny Recursive Reasoners Beat Large Models on Puzzles",
            "2403.10001",
            "https://github.com/mokonkwo/tiny-reasoner",
        )
    ]


def test_google_scholar_results_give_each_title_with_the_authors_and_year_under_it() -> None:
    drafts = parse_fixture("scholar_results.txt").drafts

    assert [(d.title, d.authors, d.year, d.arxiv_id) for d in drafts] == [
        (
            "Contrastive Pretraining for Low-Resource Speech Translation",
            ["M Okonkwo", "T Lindqvist", "H Sato"],
            2024,
            "2402.11873",
        ),
        (
            "Graph neural networks for molecular property prediction: a survey",
            ["D Ferreira", "A Kaya"],
            2023,
            None,
        ),
        (
            "Self-supervised speech representations are brittle under accent shift",
            ["N Petrova", "K Mensah"],
            2023,
            None,
        ),
    ]
    assert drafts[1].venue == "Journal of Cheminformatics"
    assert all(draft.abstract for draft in drafts)


def test_headings_naming_a_venue_or_its_list_are_not_papers() -> None:
    text = (
        "ICML 2024 Workshop on Efficient Systems for Foundation Models — Accepted Papers\n\n"
        "Proceedings of the 41st International Conference on Machine Learning\n\n"
        "Orals and Spotlights\n"
        "Learning by Doing: Curriculum Design for Embodied Agents by Ana Gómez, Jürgen Weiß\n"
        "Accepted Posters\n"
        "Efficient Streaming Language Models with Attention Sinks by Guangxuan Xiao et al.\n"
        "Mixtral of Experts by Albert Q. Jiang, Alexandre Sablayrolles\n"
    )

    assert titles(parse(text)) == [
        "Learning by Doing: Curriculum Design for Embodied Agents",
        "Efficient Streaming Language Models with Attention Sinks",
        "Mixtral of Experts",
    ]


def test_a_reading_list_under_section_headings_that_readmes_also_use_imports_whole() -> None:
    text = """# Reading list

## Security
- Universal and Transferable Adversarial Attacks on Aligned Language Models
- Extracting Training Data from Large Language Models

## Highlights
- Attention Is All You Need
- Deep Residual Learning for Image Recognition

## Interpretability
- Toy Models of Superposition
- Towards Monosemanticity: Decomposing Language Models With Dictionary Learning
"""
    assert len(parse(text).drafts) == 6


def test_a_paper_link_then_a_code_link_under_each_title() -> None:
    text = """Attention Is All You Need
https://arxiv.org/abs/1706.03762
https://github.com/tensorflow/tensor2tensor
Language Models are Few-Shot Learners
https://arxiv.org/abs/2005.14165
https://github.com/openai/gpt-3
Deep Residual Learning for Image Recognition
https://arxiv.org/abs/1512.03385
"""
    assert [(d.arxiv_id, d.code_url) for d in parse(text).drafts] == [
        ("1706.03762", "https://github.com/tensorflow/tensor2tensor"),
        ("2005.14165", "https://github.com/openai/gpt-3"),
        ("1512.03385", None),
    ]


def test_ids_under_titles_with_author_lines_are_no_arxiv_digest() -> None:
    text = """Vision Transformers Need Registers
arXiv:2309.16588
Authors: Timothée Darcet, Maxime Oquab, Julien Mairal

Efficient Streaming Language Models with Attention Sinks
arXiv:2309.17453
Authors: Guangxuan Xiao, Yuandong Tian
"""
    assert [(d.title, d.arxiv_id) for d in parse(text).drafts] == [
        ("Vision Transformers Need Registers", "2309.16588"),
        ("Efficient Streaming Language Models with Attention Sinks", "2309.17453"),
    ]


def test_titles_that_name_venue_lists_with_a_subtitle_are_papers() -> None:
    text = """- A Workshop on Robustness: Lessons Learned from Five Years of Benchmarks
- Call for Papers Considered Harmful: Peer Review at Scale
- Accepted Papers Are Not Always Better: Citation Analysis of Rejections
- Findings of the Third Workshop on Neural Generation and Translation
"""
    assert len(parse(text).drafts) == 4


def test_a_surname_with_et_al_is_an_author() -> None:
    text = """- Training Language Models to Follow Instructions with Human Feedback by Ouyang et al.
- Baseline Defenses for Adversarial Attacks Against Aligned Language Models - Neel Jain et al.
"""
    assert [(d.title, d.authors) for d in parse(text).drafts] == [
        ("Training Language Models to Follow Instructions with Human Feedback", ["Ouyang"]),
        (
            "Baseline Defenses for Adversarial Attacks Against Aligned Language Models",
            ["Neel Jain"],
        ),
    ]


def test_by_splits_off_people_but_not_a_method() -> None:
    lines = (
        "The Bitter Lesson Revisited by Richard Sutton\n"
        "Is Attention All You Need? by Noam Shazeer\n"
        "Controlling Text Generation by Prompt Tuning and Prefix Tuning\n"
        "Global Optimization by Simulated Annealing\n"
        "Pretraining Vision Models by Masked Autoencoders\n"
    )

    assert [(d.title, d.authors) for d in parse(lines).drafts] == [
        # One name without an initial could be a method's: the title keeps it.
        ("The Bitter Lesson Revisited by Richard Sutton", []),
        ("Is Attention All You Need? by Noam Shazeer", []),
        ("Controlling Text Generation by Prompt Tuning and Prefix Tuning", []),
        ("Global Optimization by Simulated Annealing", []),
        ("Pretraining Vision Models by Masked Autoencoders", []),
    ]


def test_markdown_table_rows_with_title_column_and_a_row_without_title() -> None:
    result = parse_fixture("submissions_table.md")

    assert [(d.title, d.url, d.arxiv_id) for d in result.drafts] == [
        (
            "Calibrated Uncertainty for Tabular Foundation Models",
            "https://openreview.net/forum?id=Tb1Cal",
            None,
        ),
        ("Why [bold] Claims Need Error Bars", "https://arxiv.org/abs/2403.09003", "2403.09003"),
        (
            "Self-Supervised Depth from Rolling-Shutter Video",
            "https://openreview.net/pdf?id=Rs2Dep",
            None,
        ),
    ]
    assert result.drafts[0].authors == ["Priya Raman", "Tomás Herrera", "Lin Zhou"]
    assert [(p.where, p.reason) for p in result.problems] == [("line 8", "table row has no title")]


def test_table_paper_code_arxiv_and_venue_columns_and_markup_in_cells() -> None:
    paper_column = (
        "| # | Title | Authors | Paper | Code |\n|---|---|---|---|---|\n"
        "| 1 | **DDIM**: Denoising Diffusion Implicit Models | Jiaming Song; Chenlin Meng | "
        "[link](https://arxiv.org/abs/2010.02502) | [code](https://github.com/ermongroup/ddim) |\n"
        "| 2 | Score-Based Generative Modeling through Stochastic Differential Equations | "
        "Yang Song, Stefano Ermon | https://openreview.net/forum?id=PxTIG12RRHS | - |\n"
        "| 3 | Classifier-Free Diffusion Guidance \\| A Workshop Paper | Jonathan Ho | | |\n"
    )
    arxiv_column = (
        "| Title | Authors | arXiv | Venue |\n|:--|:--|:--:|:--|\n"
        "| Efficient Streaming Language Models with Attention Sinks | Guangxuan Xiao et al. | "
        "2309.17453 | ICLR 2024 |\n"
        "| Mixtral of Experts | Albert Q. Jiang, Alexandre Sablayrolles | arXiv:2401.04088 | |\n"
    )

    assert [
        (d.title, d.authors, d.url, d.arxiv_id, d.code_url) for d in parse(paper_column).drafts
    ] == [
        (
            "DDIM: Denoising Diffusion Implicit Models",
            ["Jiaming Song", "Chenlin Meng"],
            "https://arxiv.org/abs/2010.02502",
            "2010.02502",
            "https://github.com/ermongroup/ddim",
        ),
        (
            "Score-Based Generative Modeling through Stochastic Differential Equations",
            ["Yang Song", "Stefano Ermon"],
            "https://openreview.net/forum?id=PxTIG12RRHS",
            None,
            None,
        ),
        (
            "Classifier-Free Diffusion Guidance | A Workshop Paper",
            ["Jonathan Ho"],
            None,
            None,
            None,
        ),
    ]
    assert [(d.title, d.arxiv_id, d.url, d.venue) for d in parse(arxiv_column).drafts] == [
        (
            "Efficient Streaming Language Models with Attention Sinks",
            "2309.17453",
            "https://arxiv.org/abs/2309.17453",
            "ICLR 2024",
        ),
        ("Mixtral of Experts", "2401.04088", "https://arxiv.org/abs/2401.04088", None),
    ]


def test_plain_list_of_titles_with_links_and_arxiv_ids() -> None:
    drafts = parse_fixture("plain_titles.txt").drafts

    assert [(d.title, d.arxiv_id, d.url, d.line) for d in drafts] == [
        ("Layer Normalization Revisited", None, None, 1),
        ("Sparse Mixture Routing for Million-Token Context Windows", None, None, 2),
        ("Counting Objects in Drone Footage Without Box Labels", None, None, 3),
        ("Attention Is All You Need", "1706.03762", "https://arxiv.org/abs/1706.03762", 4),
        (
            "Clinical Note Summaries with [HOSPITAL] Placeholders Preserved",
            "2403.07003",
            "https://arxiv.org/abs/2403.07003",
            5,
        ),
    ]


def test_a_link_line_above_its_title_is_that_titles() -> None:
    text = (
        "https://arxiv.org/abs/2403.08763\n"
        "Simple and Scalable Strategies to Continually Pre-train Large Language Models\n\n"
        "https://arxiv.org/abs/2403.09629\n"
        "Quiet-STaR: Language Models Can Teach Themselves to Think Before Speaking\n"
    )

    assert [(d.title, d.arxiv_id) for d in parse(text).drafts] == [
        (
            "Simple and Scalable Strategies to Continually Pre-train Large Language Models",
            "2403.08763",
        ),
        ("Quiet-STaR: Language Models Can Teach Themselves to Think Before Speaking", "2403.09629"),
    ]


@pytest.mark.parametrize(
    "listed",
    [
        [
            "One Model To Learn Them All",
            "Attention Is All You Need",
            "Deep Residual Learning for Image Recognition",
        ],
        [
            "Textbooks Are All You Need II: phi-1.5 technical report",
            "Mr. HiSum: A Large-scale Dataset for Video Highlight Detection and Summarization",
            "Learning to See by Moving",
            "Look Ma, No Hands! Agent-Environment Factorization of Egocentric Videos",
        ],
        [
            "$k$-NN Attention for Long Documents",
            "Vision Transformers Need Registers",
            "Mixtral of Experts",
        ],
    ],
    ids=["ending-in-all", "exclamation", "starting-with-math"],
)
def test_plain_titles_of_every_shape_come_out(listed: list[str]) -> None:
    assert titles(parse("\n".join(listed) + "\n")) == listed


@pytest.mark.parametrize(
    "heading",
    [
        "Reading list\n\n",
        "My Reading List\n\n",
        "Papers to read this week\n\n",
        "Things I want to read before the deadline\n",
    ],
)
def test_a_heading_over_a_plain_list_of_titles_is_no_paper(heading: str) -> None:
    listed = [
        "Scaling Instruction-Finetuned Language Models",
        "Emergent Abilities of Large Language Models",
    ]

    assert titles(parse(heading + "\n".join(listed) + "\n")) == listed


@pytest.mark.parametrize(
    "listed",
    [
        # Sentence case, as Google Scholar writes titles: the first is a title like the others.
        [
            "Learning to read",
            "Deep residual learning for image recognition",
            "Language models are few-shot learners",
        ],
        # Naming no list: a title in sentence case among titles in title case.
        [
            "Attention is all you need",
            "",
            "Deep Residual Learning for Image Recognition",
            "Language Models Are Few-Shot Learners",
        ],
    ],
    ids=["all-sentence-case", "first-in-sentence-case"],
)
def test_a_plain_list_keeps_its_first_title(listed: list[str]) -> None:
    assert titles(parse("\n".join(listed) + "\n")) == [title for title in listed if title]


def test_a_task_list_of_papers_to_read_gives_its_papers_done_ones_read() -> None:
    text = (
        "## Papers to read\n\n"
        "- [ ] Attention Is All You Need\n"
        "- [x] Deep Residual Learning for Image Recognition\n"
        "* [X] [Denoising Diffusion Probabilistic Models](https://arxiv.org/abs/2006.11239)\n"
        "\n## This Week\n\n"
        "- [ ] Rerun Baseline Experiments\n"
        "- [ ] Vision Transformers Need Registers (2309.16588)\n"
    )

    assert [(d.title, d.arxiv_id, d.read) for d in parse(text).drafts] == [
        ("Attention Is All You Need", None, False),
        ("Deep Residual Learning for Image Recognition", None, True),
        ("Denoising Diffusion Probabilistic Models", "2006.11239", True),
        # A task under another heading is a paper when it names one.
        ("Vision Transformers Need Registers", "2309.16588", False),
    ]


def test_title_by_author_lines_with_affiliations_et_al_and_italics() -> None:
    lines = (
        "Vision Transformers Need Registers by Timothée Darcet (Meta), Maxime Oquab (Meta), "
        "Julien Mairal (Inria)\n"
        "Efficient Streaming Language Models with Attention Sinks by Guangxuan Xiao et al.\n"
        "Mixtral of Experts by Albert Q. Jiang, Alexandre Sablayrolles\n"
    )
    bullets = (
        "- Vision Transformers Need Registers\n  by Timothée Darcet, Maxime Oquab\n"
        "- *LoRA Learns Less and Forgets Less*\n  *by Dan Biderman, Jose Gonzalez Ortiz*\n"
    )

    assert [(d.title, d.authors) for d in parse(lines).drafts] == [
        (
            "Vision Transformers Need Registers",
            ["Timothée Darcet", "Maxime Oquab", "Julien Mairal"],
        ),
        ("Efficient Streaming Language Models with Attention Sinks", ["Guangxuan Xiao"]),
        ("Mixtral of Experts", ["Albert Q. Jiang", "Alexandre Sablayrolles"]),
    ]
    assert [(d.title, d.authors) for d in parse(bullets).drafts] == [
        ("Vision Transformers Need Registers", ["Timothée Darcet", "Maxime Oquab"]),
        ("LoRA Learns Less and Forgets Less", ["Dan Biderman", "Jose Gonzalez Ortiz"]),
    ]


def test_title_lines_each_with_an_author_line_under_it() -> None:
    text = (
        "Vision Transformers Need Registers\n"
        "Timothée Darcet, Maxime Oquab, Julien Mairal\n\n"
        "Mixtral of Experts\n"
        "Albert Q. Jiang, Alexandre Sablayrolles\n"
    )

    assert [(d.title, d.authors) for d in parse(text).drafts] == [
        (
            "Vision Transformers Need Registers",
            ["Timothée Darcet", "Maxime Oquab", "Julien Mairal"],
        ),
        ("Mixtral of Experts", ["Albert Q. Jiang", "Alexandre Sablayrolles"]),
    ]


def test_labelled_records_lose_their_labels() -> None:
    text = (
        "Title: Vision Transformers Need Registers\n"
        "Authors: Timothée Darcet, Maxime Oquab\n"
        "Link: https://arxiv.org/abs/2309.16588\n\n"
        "Title: Efficient Streaming Language Models with Attention Sinks\n"
        "Authors: Guangxuan Xiao, Yuandong Tian\n"
        "Link: https://arxiv.org/abs/2309.17453\n"
    )

    assert [(d.title, d.authors, d.arxiv_id) for d in parse(text).drafts] == [
        ("Vision Transformers Need Registers", ["Timothée Darcet", "Maxime Oquab"], "2309.16588"),
        (
            "Efficient Streaming Language Models with Attention Sinks",
            ["Guangxuan Xiao", "Yuandong Tian"],
            "2309.17453",
        ),
    ]


def test_bold_labels_under_a_card_leave_no_markup_behind() -> None:
    text = (
        "## [Mixture-of-Depths: Dynamically Allocating Compute in Transformer-Based Language "
        "Models](https://arxiv.org/abs/2404.02258)\n\n"
        "**Authors:** David Raposo, Sam Ritter\n\n"
        "**Summary:** The authors propose letting tokens skip layers via a top-k router.\n"
    )
    (draft,) = parse(text).drafts

    assert draft.authors == ["David Raposo", "Sam Ritter"]
    assert draft.abstract == "The authors propose letting tokens skip layers via a top-k router."


def test_bullets_of_every_kind_and_odd_spaces_leave_the_titles() -> None:
    text = (
        "– Scaling Laws for Neural Language Models\n"
        "▪ Denoising Diffusion Probabilistic Models\n"
        "(2) Language Models are Few-Shot Learners\n"
    )
    abstract = "We propose a method for re-identifying people across cameras. " * 6

    assert titles(parse(text)) == [
        "Scaling Laws for Neural Language Models",
        "Denoising Diffusion Probabilistic Models",
        "Language Models are Few-Shot Learners",
    ]
    assert titles(
        parse(f"Learning\u00a0Generalisable Omni-Scale Representations\n{abstract}\n")
    ) == ["Learning Generalisable Omni-Scale Representations"]


def test_a_reading_list_under_topic_headings() -> None:
    text = (
        "# Reading list\n\n## Language\n\n- Attention Is All You Need\n"
        "- Layer Normalization Revisited\n\n## Vision\n\n"
        "- Deep Residual Learning for Image Recognition\n"
    )

    assert titles(parse(text)) == [
        "Attention Is All You Need",
        "Layer Normalization Revisited",
        "Deep Residual Learning for Image Recognition",
    ]


def test_same_text_repeated_in_one_file_comes_out_once() -> None:
    text = (
        "Layer Normalization Revisited\nShared Tokenizers for Code\nLayer Normalization Revisited\n"
    )

    assert titles(parse(text)) == ["Layer Normalization Revisited", "Shared Tokenizers for Code"]


# ---- reference lists -----------------------------------------------------------------------


def test_numbered_references_wrapped_over_lines_give_one_paper_each() -> None:
    result = parse_fixture("references_natbib_numbered.txt")
    papers = by_title(result)

    assert titles(result) == [
        "Attention is all you need",
        "Layer normalization",
        "Adam: A method for stochastic optimization",
        "What does BERT look at? An analysis of BERT's attention",
        "WaveNet: A generative model for raw audio",
        "Language models are few-shot learners",
        "Deep residual learning for image recognition",
        "Transformer-XL: Attentive language models beyond a fixed-length context",
        "Dropout: A simple way to prevent neural networks from overfitting",
        "Deep learning",
        "Scaling laws for neural language models",
        "Decoupled weight decay regularization",
    ]
    attention = papers["Attention is all you need"]
    assert attention.authors == [
        "Ashish Vaswani",
        "Noam Shazeer",
        "Niki Parmar",
        "Jakob Uszkoreit",
        "Llion Jones",
        "Aidan N. Gomez",
        "Łukasz Kaiser",
        "Illia Polosukhin",
    ]
    assert (attention.year, attention.venue, attention.line) == (
        2017,
        "Advances in Neural Information Processing Systems",
        3,
    )
    assert papers["WaveNet: A generative model for raw audio"].authors[0] == "Aäron van den Oord"
    assert papers["WaveNet: A generative model for raw audio"].arxiv_id == "1609.03499"
    assert papers["Layer normalization"].arxiv_id == "1607.06450"
    assert papers["Language models are few-shot learners"].authors == ["Tom B. Brown"]
    assert papers["Deep learning"].venue == "Nature"
    assert papers["Deep learning"].year == 2015
    assert papers["Decoupled weight decay regularization"].url == (
        "https://openreview.net/forum?id=Bkg6RiCqY7"
    )
    assert result.problems == []


def test_author_year_references_wrapped_without_numbers_or_blank_lines() -> None:
    result = parse_fixture("references_acl_wrapped.txt")
    papers = by_title(result)

    assert titles(result) == [
        "BERT: Pre-training of deep bidirectional transformers for language understanding",
        "Deep contextualized word representations",
        "Exploring the limits of transfer learning with a unified text-to-text transformer",
        "RoBERTa: A robustly optimized BERT pretraining approach",
        "Bleu: a method for automatic evaluation of machine translation",
        "A primer in BERTology: What we know about how BERT works",
        "Language models are unsupervised multitask learners",
        "Attention is not Explanation",
    ]
    bert = papers[titles(result)[0]]
    assert bert.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert bert.year == 2019
    assert bert.venue is not None
    assert bert.venue.startswith("Proceedings of the 2019 Conference of the North American")
    assert (
        "Mandar Joshi" in papers["RoBERTa: A robustly optimized BERT pretraining approach"].authors
    )
    assert (
        papers["RoBERTa: A robustly optimized BERT pretraining approach"].arxiv_id == "1907.11692"
    )
    bleu = papers["Bleu: a method for automatic evaluation of machine translation"]
    assert (bleu.authors[-1], bleu.year) == ("Wei-Jing Zhu", 2002)
    assert papers["Attention is not Explanation"].doi == "10.18653/v1/n19-1357"
    assert result.problems == []


def test_apa_references_keep_names_as_written_and_works_that_share_a_title() -> None:
    result = parse_fixture("references_apa.txt")
    papers = by_title(result)

    assert len(result.drafts) == 10
    bert = papers[
        "BERT: Pre-training of deep bidirectional transformers for language understanding"
    ]
    assert bert.authors == ["Devlin, J.", "Chang, M.-W.", "Lee, K.", "Toutanova, K."]
    assert (bert.year, bert.doi) == (2019, "10.18653/v1/n19-1423")
    deep_learning = [d for d in result.drafts if d.title == "Deep learning"]
    assert [(d.authors[0], d.year, d.venue) for d in deep_learning] == [
        ("Goodfellow, I.", 2016, "MIT Press"),
        ("LeCun, Y.", 2015, "Nature"),
    ]
    attention = papers["Attention is all you need"]
    assert attention.authors[5:7] == ["Gomez, A. N.", "Kaiser, Ł."]
    cpc = papers["Representation learning with contrastive predictive coding"]
    assert (cpc.authors[0], cpc.arxiv_id) == ("van den Oord, A.", "1807.03748")
    assert "What does BERT look at? An analysis of BERT's attention" in papers
    clip = papers["Learning transferable visual models from natural language supervision"]
    assert (len(clip.authors), clip.year) == (12, 2021)


def test_ieee_references_with_curly_and_straight_quotes() -> None:
    result = parse_fixture("references_ieee.txt")
    papers = by_title(result)

    assert len(result.drafts) == 8
    resnet = papers["Deep residual learning for image recognition"]
    assert resnet.authors == ["K. He", "X. Zhang", "S. Ren", "J. Sun"]
    assert (resnet.year, resnet.venue) == (2016, "Proc. CVPR")
    lstm = papers["Long short-term memory"]
    assert (lstm.year, lstm.venue) == (1997, "Neural Comput.")
    faster = papers[
        "Faster R-CNN: Towards real-time object detection with region proposal networks"
    ]
    assert faster.doi == "10.1109/tpami.2016.2577031"
    assert papers["U-Net: Convolutional networks for biomedical image segmentation"].year == 2015
    vit = papers["An image is worth 16x16 words: Transformers for image recognition at scale"]
    assert vit.authors == ["A. Dosovitskiy"]
    adam = papers["Adam: A method for stochastic optimization"]
    assert (adam.year, adam.arxiv_id) == (2014, "1412.6980")


def test_elsevier_references_whose_title_ends_at_a_comma() -> None:
    result = parse_fixture("references_elsevier.txt")
    papers = by_title(result)

    assert titles(result) == [
        "Attention is all you need",
        "Deep learning",
        "Long short-term memory",
        "Physics-informed neural networks: a deep learning framework for solving forward and "
        "inverse problems involving nonlinear partial differential equations",
        "Show, attend and tell: neural image caption generation with visual attention",
        "U-Net: convolutional networks for biomedical image segmentation",
        "Random forests",
        "An image is worth 16x16 words: transformers for image recognition at scale",
        "BERT: pre-training of deep bidirectional transformers for language understanding",
        "Deep Learning",
    ]
    assert [draft.year for draft in result.drafts] == [
        2017,
        2015,
        1997,
        2019,
        2015,
        2015,
        2001,
        2021,
        2018,
        2016,
    ]
    attention = papers["Attention is all you need"]
    assert attention.authors[5:] == ["A.N. Gomez", "Ł. Kaiser", "I. Polosukhin"]
    assert attention.venue == "Advances in Neural Information Processing Systems"
    assert [papers["Deep learning"].venue, papers["Random forests"].venue] == [
        "Nature",
        "Mach. Learn.",
    ]
    unet = papers["U-Net: convolutional networks for biomedical image segmentation"]
    assert unet.authors == ["O. Ronneberger", "P. Fischer", "T. Brox"]
    assert unet.venue is not None
    assert unet.venue.startswith("Medical Image Computing")
    vit = papers[titles(result)[7]]
    assert vit.authors[-1] == "T. Unterthiner"
    assert papers[titles(result)[8]].arxiv_id == "1810.04805"
    assert (papers["Deep Learning"].venue, papers["Deep Learning"].year) == ("MIT Press", 2016)
    assert result.problems == []


def test_elsevier_books_give_their_publisher_as_venue_where_the_title_is_clear() -> None:
    result = parse_fixture("references_elsevier_books.txt")
    unknown_publisher = parse(
        "References\n"
        "[1] C.M. Bishop, Pattern Recognition and Machine Learning, Springer, New York, 2006.\n"
        "[2] J. Doe, Notes on Learning Machines, Lecture Notes, Palo Alto, 2018.\n"
    )

    assert [(d.title, d.authors, d.year, d.venue) for d in result.drafts] == [
        ("Pattern Recognition and Machine Learning", ["C.M. Bishop"], 2006, "Springer"),
        (
            "Reinforcement Learning: An Introduction",
            ["R.S. Sutton", "A.G. Barto"],
            2018,
            "MIT Press",
        ),
        ("Deep learning", ["Y. LeCun", "Y. Bengio", "G. Hinton"], 2015, "Nature"),
        ("Machine Learning: A Probabilistic Perspective", ["K.P. Murphy"], 2012, "MIT Press"),
        ("The Nature of Statistical Learning Theory", ["V.N. Vapnik"], 1995, "Springer-Verlag"),
        ("Speech and Language Processing", ["D. Jurafsky", "J.H. Martin"], 2009, "Prentice Hall"),
        (
            "Convex Optimization",
            ["S. Boyd", "L. Vandenberghe"],
            2004,
            "Cambridge University Press",
        ),
        ("Machine Learning", ["T.M. Mitchell"], 1997, "McGraw-Hill"),
    ]
    # A one-word title, or one with commas, leaves unclear where the title ends.
    assert [(problem.where, problem.reason.split(":")[0]) for problem in result.problems] == [
        ("line 14", "no clear title"),
        ("line 15", "no clear title"),
    ]
    assert titles(unknown_publisher) == ["Pattern Recognition and Machine Learning"]
    assert [problem.where for problem in unknown_publisher.problems] == ["line 3"]


def test_elsevier_references_with_and_before_the_last_name() -> None:
    text = """References
[1] A. Vaswani, N. Shazeer, and I. Polosukhin, Attention is all you need, in: Advances in Neural
Information Processing Systems, 2017, pp. 5998–6008.
[2] Y. LeCun, Y. Bengio, and G. Hinton, Deep learning, Nature 521 (7553) (2015) 436–444.
"""

    result = parse(text)

    assert titles(result) == ["Attention is all you need", "Deep learning"]
    assert result.drafts[0].authors == ["A. Vaswani", "N. Shazeer", "I. Polosukhin"]


def test_chicago_references_whose_first_author_has_a_first_name_in_full() -> None:
    result = parse_fixture("references_chicago.txt")
    papers = by_title(result)

    assert titles(result) == [
        "Neural Machine Translation by Jointly Learning to Align and Translate",
        "Random Forests",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Deep Learning",
        "Long Short-Term Memory",
        "Adam: A Method for Stochastic Optimization",
        "Deep Learning",
        "Attention Is All You Need",
    ]
    assert [draft.year for draft in result.drafts] == [
        2015,
        2001,
        2019,
        2016,
        1997,
        2015,
        2015,
        2017,
    ]
    attention = papers["Attention Is All You Need"]
    assert attention.authors[:2] == ["Vaswani, Ashish", "Noam Shazeer"]
    assert attention.authors[-2:] == ["Łukasz Kaiser", "Illia Polosukhin"]
    assert attention.venue == "Advances in Neural Information Processing Systems"
    assert papers["Random Forests"].authors == ["Breiman, Leo"]
    assert papers["Random Forests"].venue == "Machine Learning"
    adam = papers["Adam: A Method for Stochastic Optimization"]
    assert adam.authors == ["Kingma, Diederik P.", "Jimmy Ba"]
    assert [(d.authors[0], d.venue) for d in result.drafts if d.title == "Deep Learning"][1] == (
        "LeCun, Yann",
        "Nature",
    )
    assert result.problems == []


def test_a_first_author_with_two_first_names_in_full_is_read() -> None:
    result = parse_fixture("references_chicago_two_first_names.txt")
    mla = parse(
        "Works Cited\n\n"
        'Kiros, Jamie Ryan, et al. "Skip-Thought Vectors." Advances in Neural Information '
        "Processing\n     Systems, vol. 28, 2015, pp. 3294-302.\n"
        'Ba, Jimmy Lei, et al. "Layer Normalization." arXiv preprint arXiv:1607.06450, 2016.\n'
    )

    assert [(draft.title, draft.authors[0], draft.year) for draft in result.drafts] == [
        ("Layer Normalization", "Ba, Jimmy Lei", 2016),
        ("Skip-Thought Vectors", "Kiros, Jamie Ryan", 2015),
        (
            "Human-Level Concept Learning through Probabilistic Program Induction",
            "Lake, Brenden M.",
            2015,
        ),
        ("Why Benchmarks Saturate", "Hale, Mary Ann", 2021),
        (
            "Aligning Books and Movies: Towards Story-Like Visual Explanations by Watching Movies "
            "and Reading Books",
            "Zhu, Yukun",
            2015,
        ),
    ]
    skip_thought = result.drafts[1]
    assert skip_thought.authors[1:3] == ["Yukun Zhu", "Ruslan Salakhutdinov"]
    assert len(skip_thought.authors) == 7
    assert skip_thought.venue == "Advances in Neural Information Processing Systems"
    assert result.drafts[0].arxiv_id == "1607.06450"
    assert result.problems == []
    assert [(draft.title, draft.authors) for draft in mla.drafts] == [
        ("Skip-Thought Vectors", ["Kiros, Jamie Ryan"]),
        ("Layer Normalization", ["Ba, Jimmy Lei"]),
    ]


def test_mla_references_with_et_al_and_volumes_after_the_venue() -> None:
    result = parse_fixture("references_mla.txt")
    papers = by_title(result)

    assert titles(result) == [
        "Neural Machine Translation by Jointly Learning to Align and Translate",
        "Random Forests",
        "Language Models Are Few-Shot Learners",
        "Deep Residual Learning for Image Recognition",
        "Long Short-Term Memory",
        "Adam: A Method for Stochastic Optimization",
        "Deep Learning",
        "Attention Is All You Need",
    ]
    assert [draft.year for draft in result.drafts] == [
        2015,
        2001,
        2020,
        2016,
        1997,
        2014,
        2015,
        2017,
    ]
    assert papers["Attention Is All You Need"].authors == ["Vaswani, Ashish"]
    assert papers["Long Short-Term Memory"].authors == ["Hochreiter, Sepp", "Jürgen Schmidhuber"]
    assert papers["Deep Learning"].venue == "Nature"
    resnet = papers["Deep Residual Learning for Image Recognition"]
    assert resnet.venue == (
        "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition"
    )
    assert papers["Adam: A Method for Stochastic Optimization"].arxiv_id == "1412.6980"
    assert result.problems == []


def test_a_venue_leaves_out_its_editors_and_its_publishers_place() -> None:
    acl = parse_fixture("references_acl_editors.txt")
    chapters = parse(
        """References
[1] A. Smith, "A chapter title," in Handbook of Things, J. Jones, Ed. New York, NY, USA: Wiley,
2010, pp. 1–10.
[2] Smith, J. 2010. "A Chapter Title." In Handbook of Things, edited by Kate Jones, 1–10.
Cambridge, MA: MIT Press.
[3] Smith, John. "A Chapter Title." Handbook of Things, edited by Kate Jones, MIT Press, 2010,
pp. 1-10.
[4] Smith, J. (2010) 'A chapter title', in Jones, K. (ed.) Handbook of things. Cambridge, MA: MIT
Press, pp. 1–10.
[5] J. Smith, A chapter title, in: K. Jones (Ed.), Handbook of Things, MIT Press, Cambridge, MA,
2010, pp. 1–10.
[6] Smith, J.: A chapter title. In: Jones, K. (ed.) Handbook of Things, pp. 1–10. Cambridge, MA:
MIT Press (2010)
"""
    )

    assert [(draft.title, draft.year, draft.venue) for draft in acl.drafts] == [
        (
            "BERT: Pre-training of deep bidirectional transformers for language understanding",
            2019,
            "Proceedings of the 2019 Conference of the North American Chapter of the Association "
            "for Computational Linguistics: Human Language Technologies",
        ),
        (
            "What does BERT look at? An analysis of BERT's attention",
            2019,
            "Proceedings of the 2019 ACL Workshop BlackboxNLP: Analyzing and Interpreting Neural "
            "Networks for NLP",
        ),
        ("Probing classifiers for scope", 2021, "Proceedings of the Workshop on Negation in NLP"),
        ("RoBERTa: A robustly optimized BERT pretraining approach", 2019, None),
        ("Foundations of Statistical Natural Language Processing", 1999, "MIT Press"),
    ]
    assert acl.problems == []
    assert [draft.venue for draft in chapters.drafts] == ["Handbook of Things"] * 3 + [
        "Handbook of things",
        "Handbook of Things",
        "Handbook of Things",
    ]
    assert {draft.year for draft in chapters.drafts} == {2010}
    book = parse_fixture("references_chicago.txt").drafts[3]
    assert (book.authors[0], book.venue) == ("Goodfellow, Ian", "MIT Press")


def test_a_lone_first_author_with_a_middle_initial_before_an_unquoted_title() -> None:
    text = """Works Cited
Murphy, Kevin P. Machine Learning: A Probabilistic Perspective. MIT Press, 2012.
Breiman, Leo. "Random Forests." Machine Learning, vol. 45, no. 1, 2001, pp. 5-32.
Goodfellow, Ian, et al. Deep Learning. MIT Press, 2016.
"""

    result = parse(text)

    assert titles(result) == [
        "Machine Learning: A Probabilistic Perspective",
        "Random Forests",
        "Deep Learning",
    ]
    assert (result.drafts[0].authors, result.drafts[0].year) == (["Murphy, Kevin P."], 2012)


def test_a_place_opening_a_wrapped_line_is_no_author_of_a_new_reference() -> None:
    text = """References
Kevin Clark, Urvashi Khandelwal, Omer Levy, and Christopher D. Manning. 2019. What does BERT look
at? An analysis of BERT's attention. In Proceedings of the 2019 ACL Workshop BlackboxNLP.
Florence, Italy. Association for Computational Linguistics.
Jacob Devlin, Ming-Wei Chang, Kenton Lee, and Kristina Toutanova. 2019. BERT: Pre-training of
deep bidirectional transformers for language understanding. In Proceedings of NAACL.
"""

    result = parse(text)

    assert titles(result) == [
        "What does BERT look at? An analysis of BERT's attention",
        "BERT: Pre-training of deep bidirectional transformers for language understanding",
    ]
    assert result.problems == []


def test_references_opening_with_a_bullet_give_one_paper_each() -> None:
    result = parse_fixture("references_bulleted.txt")
    dashed = parse(
        "## Publications\n\n"
        "- He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep residual learning for image\n"
        "  recognition. In Proceedings of the IEEE Conference on Computer Vision and Pattern\n"
        "  Recognition (pp. 770–778).\n"
        "- Ba, J. L., Kiros, J. R., & Hinton, G. E. (2016). Layer normalization. arXiv preprint\n"
        "  arXiv:1607.06450.\n"
    )

    assert titles(result) == [
        "Attention is all you need",
        "Layer normalization",
        "What does BERT look at? An analysis of BERT's attention",
        "Adam: A method for stochastic optimization",
        "Deep residual learning for image recognition",
        "Distilling the knowledge in a neural network",
    ]
    assert result.drafts[0].authors[0] == "Ashish Vaswani"
    assert [draft.year for draft in result.drafts] == [2017, 2016, 2019, 2015, 2016, 2015]
    assert result.problems == []
    assert titles(dashed) == ["Deep residual learning for image recognition", "Layer normalization"]
    assert [draft.authors[0] for draft in dashed.drafts] == ["He, K.", "Ba, J. L."]


def test_references_opening_with_a_star_or_an_en_dash_give_one_paper_each() -> None:
    starred = parse_fixture("references_starred.md")
    dashed = parse_fixture("references_en_dashed.txt")

    assert [(d.title, d.authors, d.year, d.venue) for d in starred.drafts] == [
        (
            "Attention heads specialise early in training",
            ["Doe, J.", "Roe, J."],
            2023,
            "Advances in Neural Information Processing Systems",
        ),
        (
            "Probing scaling laws with small models",
            ["Lima, A.", "Doe, J.", "Roe, J."],
            2022,
            "Transactions on Machine Learning Research",
        ),
        ("Sparse mixtures for long documents", ["Doe, J."], 2021, None),
    ]
    assert starred.drafts[2].arxiv_id == "2106.01234"
    assert starred.problems == []
    assert [(d.title, d.authors[0], d.year) for d in dashed.drafts] == [
        ("Cheap evaluation of retrieval models", "Jane Doe", 2023),
        ("When do probes generalise?", "Ana Lima", 2022),
        ("Segmenting scans with few labels", "Jane Doe", 2021),
    ]
    assert dashed.drafts[1].venue == (
        "Proceedings of the Workshop on Analysing Neural Networks for NLP"
    )
    assert dashed.problems == []


def test_a_dash_opening_a_wrapped_line_of_a_numbered_list_opens_no_reference() -> None:
    text = """References
[1] O. Ronneberger, P. Fischer, T. Brox, U-Net: convolutional networks for biomedical image
segmentation, in: Medical Image Computing and Computer-Assisted Intervention
– MICCAI 2015, Springer, Cham, 2015, pp. 234–241.
[2] L. Breiman, Random forests, Mach. Learn. 45 (1) (2001) 5–32.
"""

    result = parse(text)

    assert titles(result) == [
        "U-Net: convolutional networks for biomedical image segmentation",
        "Random forests",
    ]
    assert result.drafts[0].year == 2015
    assert result.problems == []


def test_a_cvs_publications_import_and_its_other_sections_do_not() -> None:
    result = parse_fixture("references_cv_publications.txt")

    assert titles(result) == [
        "Do deep nets really need to be deep?",
        "Multiple object recognition with visual attention",
        "Show, attend and tell: Neural image caption generation with visual attention",
        "Adam: A method for stochastic optimization",
        "Using fast weights to attend to the recent past",
        "Layer normalization",
    ]
    assert result.drafts[0].authors == ["Ba, J.", "Caruana, R."]
    assert result.drafts[0].venue == "Advances in Neural Information Processing Systems"
    assert result.drafts[3].authors == ["Kingma, D. P.", "Ba, J."]
    assert result.problems == []


def test_references_one_a_line_with_hard_titles_and_group_authors() -> None:
    result = parse_fixture("references_one_per_line.txt")
    papers = by_title(result)

    assert titles(result) == [
        "Attention is all you need",
        "What Does BERT Look At? An Analysis of BERT's Attention",
        "On the dangers of stochastic parrots: Can language models be too big?",
        "AI and the everything in the whole wide world benchmark",
        "LLaMA: Open and efficient foundation language models",
        "GPT-4 technical report",
        "Gemini 1.5: Unlocking multimodal understanding across millions of tokens of context",
        "Training compute-optimal large language models",
    ]
    assert papers["GPT-4 technical report"].authors == ["OpenAI"]
    assert papers["GPT-4 technical report"].arxiv_id == "2303.08774"
    gemini = papers[titles(result)[6]]
    assert gemini.authors[:2] == ["Gemini Team", "Petko Georgiev"]
    chinchilla = papers["Training compute-optimal large language models"]
    assert "Diego de Las Casas" in chinchilla.authors
    assert chinchilla.year == 2022
    assert papers[titles(result)[1]].doi == "10.18653/v1/w19-4828"


def test_a_title_with_initials_and_a_question_keeps_them() -> None:
    text = (
        "[1] Margaret Mitchell and Timnit Gebru. The A.I. hype cycle: Where are we now? "
        "In Proceedings of the Workshop on Responsible Machine Learning, pages 1–8, 2021.\n"
        "[2] Kate Crawford. Atlas of AI. Yale University Press, 2021.\n"
    )

    result = parse(text)

    assert titles(result) == ["The A.I. hype cycle: Where are we now?", "Atlas of AI"]
    assert result.drafts[1].authors == ["Kate Crawford"]
    assert result.drafts[1].venue == "Yale University Press"


def test_a_reference_without_a_clear_title_or_year_is_left_out_with_a_note() -> None:
    text = """References
[1] Diederik P. Kingma and Max Welling. Auto-encoding variational Bayes. In International
Conference on Learning Representations, 2014.
[2] Noam Shazeer. Fast transformer decoding: One write-head is all you need. Technical report.
[3] Kaiming He, Xiangyu Zhang, Shaoqing Ren, and Jian Sun. In Proceedings of the IEEE Conference
on Computer Vision and Pattern Recognition, pages 770–778, 2016.
[4] Sergey Ioffe and Christian Szegedy. Batch normalization: Accelerating deep network training
by reducing internal covariate shift. In International Conference on Machine Learning, 2015.
"""

    result = parse(text)

    assert titles(result) == [
        "Auto-encoding variational Bayes",
        "Batch normalization: Accelerating deep network training by reducing internal "
        "covariate shift",
    ]
    assert [(problem.where, problem.reason.split(":")[0]) for problem in result.problems] == [
        ("line 4", "no year"),
        ("line 5", "no clear title"),
    ]


def test_a_hyphen_at_a_lines_end_joins_the_word_or_stays_in_a_compound() -> None:
    text = (
        "1. Mathilde Caron, Hugo Touvron, Ishan Misra, Hervé Jégou, Julien Mairal, Piotr Bojanow-\n"
        "ski, and Armand Joulin. Emerging properties in self-\n"
        "supervised vision transformers. In Proceedings of the IEEE/CVF International Con-\n"
        "ference on Computer Vision, pages 9650–9660, 2021.\n"
        "2. Kaiming He, Xinlei Chen, Saining Xie, Yanghao Li, Piotr Dollár, and Ross Girshick. "
        "Masked autoencoders are scalable vision learners. In Proceedings of the IEEE/CVF "
        "Conference on Computer Vision and Pattern Recognition, pages 16000–16009, 2022.\n"
    )

    dino = parse(text).drafts[0]

    assert dino.title == "Emerging properties in self-supervised vision transformers"
    assert dino.authors[5] == "Piotr Bojanowski"
    assert dino.venue == "Proceedings of the IEEE/CVF International Conference on Computer Vision"


def test_a_title_first_publication_list_gives_no_names_as_titles() -> None:
    # Title-cased titles pass for names; the names after them must not become titles.
    text = """Publications
Attention Is All You Need. A. Vaswani, N. Shazeer, N. Parmar. NeurIPS 2017.
Deep Residual Learning. Kaiming He, Xiangyu Zhang. CVPR 2016.
Language Models Are Few-Shot Learners. Tom B. Brown, Benjamin Mann. NeurIPS 2020.
"""

    assert not any(names_in(title) for title in titles(parse(text)))


def test_a_cvs_lines_that_give_the_title_first_give_one_paper_each() -> None:
    result = parse_fixture("references_cv_title_first.txt")
    wrapped = parse(
        "Publications\n\n"
        "Attention Is All You Need. Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit,\n"
        "Llion Jones, Aidan N. Gomez, Łukasz Kaiser, Illia Polosukhin. NeurIPS 2017.\n"
        "Layer Normalization. J. L. Ba, J. R. Kiros, G. E. Hinton. arXiv:1607.06450, 2016.\n"
        "Deep Residual Learning for Image Recognition. Kaiming He, Xiangyu Zhang, Shaoqing\n"
        "Ren, Jian Sun. CVPR 2016.\n"
    )

    assert [(d.title, d.authors[0], d.year, d.venue) for d in result.drafts] == [
        ("Attention Is All You Need", "Ashish Vaswani", 2017, "NeurIPS"),
        (
            "On the Dangers of Stochastic Parrots: Can Language Models Be Too Big?",
            "Emily M. Bender",
            2021,
            "FAccT",
        ),
        (
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
            "Jacob Devlin",
            2019,
            "NAACL",
        ),
        ("Layer Normalization", "J. L. Ba", 2016, None),
        (
            "Deep Residual Learning for Image Recognition",
            "Kaiming He",
            2016,
            "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition",
        ),
    ]
    assert result.drafts[0].authors[-2:] == ["Łukasz Kaiser", "Illia Polosukhin"]
    assert result.drafts[3].arxiv_id == "1607.06450"
    # "Generative Adversarial Nets" reads as a person's name: the line is left out with a note.
    assert [problem.where for problem in result.problems] == ["line 8"]
    # Wrapped lines run together are never one paper with another's year or id.
    assert {(d.title, d.year, d.arxiv_id) for d in wrapped.drafts} <= {
        ("Attention Is All You Need", 2017, None),
        ("Layer Normalization", 2016, "1607.06450"),
        ("Deep Residual Learning for Image Recognition", 2016, None),
    }


def test_an_arxiv_number_without_its_prefix_is_not_the_year() -> None:
    text = (
        "[1] Jared Kaplan, Sam McCandlish, and Tom Henighan. Scaling laws for neural language "
        "models. arXiv preprint 2001.08361, 2020.\n"
        "[2] Kaiming He and Jian Sun. Deep residual learning. In CVPR, 2016.\n"
    )

    assert [draft.year for draft in parse(text).drafts] == [2020, 2016]


def test_the_name_after_and_is_the_last_so_a_title_cased_title_is_no_author() -> None:
    text = (
        "[1] I. Goodfellow, Y. Bengio, and A. Courville, Deep Learning. Cambridge, MA, USA: "
        "MIT Press. 2016.\n"
        "[2] S. Hochreiter and J. Schmidhuber, “Long short-term memory,” Neural Comput., 1997.\n"
    )

    book = parse(text).drafts[0]

    assert (book.title, book.year) == ("Deep Learning", 2016)
    assert book.authors == ["I. Goodfellow", "Y. Bengio", "A. Courville"]


def test_a_heading_on_the_line_before_a_reference_is_no_part_of_its_authors() -> None:
    selected = (
        "Selected Papers\n"
        "Ashish Vaswani, Noam Shazeer, and Niki Parmar. Attention is all you need. In NeurIPS, "
        "2017.\n"
        "Kaiming He, Xiangyu Zhang, and Jian Sun. Deep residual learning. In CVPR, 2016.\n"
    )
    journal = (
        "Journal Publications\n"
        "Vaswani, A., Shazeer, N., & Parmar, N. (2017). Attention is all you need. Advances in "
        "Neural Information Processing Systems, 30.\n"
        "He, K., & Sun, J. (2016). Deep residual learning. In Proceedings of CVPR (pp. 770–778).\n"
    )

    assert parse(selected).drafts[0].authors[0] == "Ashish Vaswani"
    assert [draft.authors[0] for draft in parse(journal).drafts] == ["Vaswani, A.", "He, K."]


def test_a_cvs_talks_after_its_publications_are_not_papers() -> None:
    text = """Publications
1. Jane Doe and John Roe. Attention heads specialise early. In NeurIPS, 2023.
2. Jane Doe, Ana Lima, and John Roe. Probing scaling laws. In ICML, 2022.

Invited Talks
Jane Doe. Scaling laws revisited. Stanford NLP Seminar, 2023.
Jane Doe. Why attention works. MIT CSAIL, 2022.

Awards
Jane Doe. Best paper award. NeurIPS, 2023.
"""

    result = parse(text)

    assert titles(result) == ["Attention heads specialise early", "Probing scaling laws"]
    assert result.drafts[0].authors == ["Jane Doe", "John Roe"]


def test_harvard_references_with_single_quoted_titles() -> None:
    text = """Reference list
Hochreiter, S. and Schmidhuber, J. (1997) 'Long short-term memory', Neural Computation, 9(8), \
pp. 1735–1780.
LeCun, Y., Bengio, Y. and Hinton, G. (2015) ‘Deep learning’, Nature, 521(7553), pp. 436–444.
Clark, K. and Manning, C.D. (2019) 'What does BERT look at? An analysis of BERT's attention', \
in Proceedings of BlackboxNLP, pp. 276–286.
Smith, J. (2020) 'The learners' guide to models', Journal of Stuff, 3(1), pp. 1–2.
"""

    result = parse(text)

    assert titles(result) == [
        "Long short-term memory",
        "Deep learning",
        "What does BERT look at? An analysis of BERT's attention",
        "The learners' guide to models",
    ]
    assert [draft.venue for draft in result.drafts[:2]] == ["Neural Computation", "Nature"]


def test_a_lower_case_venue_or_a_link_after_a_title_ends_it() -> None:
    text = """References
Volodymyr Mnih, Koray Kavukcuoglu, David Silver, et al. Human-level control through deep
reinforcement learning. nature, 518(7540):529–533, 2015.
American Psychological Association. (2020). Publication manual of the American Psychological \
Association (7th ed.). https://doi.org/10.1037/0000165-000
"""

    result = parse(text)

    assert titles(result) == [
        "Human-level control through deep reinforcement learning",
        "Publication manual of the American Psychological Association (7th ed.)",
    ]
    assert result.drafts[0].year == 2015
    assert result.drafts[1].doi == "10.1037/0000165-000"


def test_ligatures_and_soft_hyphens_of_a_pdf_copy_are_letters_in_titles() -> None:
    text = (
        "[1] Alex Krizhevsky, Ilya Sutskever, and Geoﬀrey E. Hinton. ImageNet classiﬁcation with "
        "deep\nconvolutional neural networks. In Advances in Neural Information Processing "
        "Systems, 2012.\n"
        "[2] Kaiming He, Xiangyu Zhang, and Jian Sun. Deep residual learning for image recog\u00ad\n"
        "nition. In CVPR, 2016.\n"
    )

    result = parse(text)

    assert titles(result) == [
        "ImageNet classification with deep convolutional neural networks",
        "Deep residual learning for image recognition",
    ]
    assert result.drafts[0].authors[2] == "Geoffrey E. Hinton"


def test_springer_references_whose_names_end_with_a_colon() -> None:
    text = """References
1. Vaswani, A., Shazeer, N., Parmar, N., Gomez, A.N., Kaiser, Ł., Polosukhin, I.: Attention is \
all you need. In: NeurIPS (2017)
2. Dosovitskiy, A., et al.: An image is worth 16x16 words: transformers for image recognition \
at scale. In: International Conference on Learning Representations (2021)
3. Kingma, D.P., Ba, J.: Adam: a method for stochastic optimization. arXiv preprint \
arXiv:1412.6980 (2014)
"""

    result = parse(text)

    assert titles(result) == [
        "Attention is all you need",
        "An image is worth 16x16 words: transformers for image recognition at scale",
        "Adam: a method for stochastic optimization",
    ]
    assert result.drafts[0].authors[-2:] == ["Kaiser, Ł.", "Polosukhin, I."]
    assert [draft.year for draft in result.drafts] == [2017, 2021, 2014]
    assert result.drafts[1].authors == ["Dosovitskiy, A."]


def test_reference_numbers_on_lines_of_their_own_open_one_paper_each() -> None:
    text = """References
[1]
Jimmy Lei Ba, Jamie Ryan Kiros, and Geoffrey E. Hinton. Layer normalization. arXiv preprint
arXiv:1607.06450, 2016.
[2]
Diederik P. Kingma and Jimmy Ba. Adam: A method for stochastic optimization. In International
Conference on Learning Representations, 2015.
[3]
Kaiming He, Xiangyu Zhang, Shaoqing Ren, and Jian Sun. Deep residual learning for image
recognition. In CVPR, pages 770–778, 2016.
"""

    result = parse(text)

    assert titles(result) == [
        "Layer normalization",
        "Adam: A method for stochastic optimization",
        "Deep residual learning for image recognition",
    ]
    assert result.drafts[0].venue is None
    assert result.problems == []


def test_a_reference_in_press_takes_no_year_from_the_next_one() -> None:
    text = """References
Ashish Vaswani and Noam Shazeer. 2017. Attention is all you need. In NeurIPS.
Jimmy Lei Ba and Geoffrey E. Hinton. 2016. Layer normalization. arXiv:1607.06450.
Diederik P. Kingma and Jimmy Ba. 2015. Adam: A method for stochastic optimization. In ICLR.
Jane Smith. Forthcoming. Learning to forget. Journal of Machine Learning Research.
OpenAI. 2023. GPT-4 technical report. arXiv:2303.08774.

Smith, J. A. (in press). Memory consolidation in agents. Neural Computation.
Kaiming He and Jian Sun. 2016. Deep residual learning. In CVPR.
"""

    result = parse(text)

    assert "Attention is all you need" in titles(result)
    assert not any("forget" in title or "consolidation" in title for title in titles(result))
    assert all(draft.authors[0] not in ("Jane Smith", "Smith, J. A.") for draft in result.drafts)
    assert [problem.where for problem in result.problems] == ["line 5", "line 8"]


REFERENCE_LINES = [
    "",
    "References",
    "12",
    "[1] Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit, Llion Jones, Aidan N. Gomez,",
    "Łukasz Kaiser, and Illia Polosukhin. Attention is all you need. In Advances in Neural Informa-",
    "tion Processing Systems, pages 5998–6008, 2017.",
    "2. Devlin, J., Chang, M.-W., Lee, K., & Toutanova, K. (2019). BERT: Pre-training",
    "Kristina Toutanova. 2019. BERT: Pre-training of",
    '[3] K. He, X. Zhang, S. Ren, and J. Sun, “Deep residual learning," in Proc. CVPR, 2016.',
    '"Unclosed quote, in Proc. 2016',
    "arXiv preprint arXiv:1412.6980, 2014.",
    "CoRR, abs/1609.03499, 2016. doi: 10.18653/v1/N19-1357 https://arxiv.org/abs/2001.08361",
    "Tom B. Brown et al. What? Why? How?",
    "OpenAI. GPT-4. (2023).",
    "van den Oord, A., & et al",
    "self-",
    "/",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(REFERENCE_LINES) | st.text(max_size=60), max_size=30))
def test_the_reference_reader_never_raises(lines: list[str]) -> None:
    result = parse("References\n" + "\n".join(lines))

    check_drafts(result)
    for draft in result.drafts:
        assert draft.year is None or 1900 <= draft.year < 2100


# ---- texts without papers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", sorted(path.name for path in FIXTURES.glob("not_*")), ids=lambda name: name[4:]
)
def test_texts_that_hold_no_papers_give_no_drafts(name: str) -> None:
    result = parse_fixture(name)

    assert result.drafts == []
    assert result.problems == []


def test_a_readme_without_code_blocks_still_gives_no_drafts() -> None:
    readme = (FIXTURES / "not_readme.md").read_text()
    without_code = re.sub(r"```.*?```", "", readme, flags=re.DOTALL)

    assert "```" not in without_code
    assert parse(without_code).drafts == []


def test_an_article_with_a_heading_and_several_paragraphs_is_not_a_paper() -> None:
    paragraph = (
        "We read about diffusion models and the sampling method behind them, and we plan to "
        "revisit the experiments next month once everyone has tried the code on their own data "
        "and written down the questions that came up during the week, so that the discussion "
        "has something concrete to start from."
    )

    assert parse(f"Notes From Our Reading Group\n\n{paragraph}\n\n{paragraph}\n").drafts == []


# ---- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("abstract", "code_url"),
    [
        ("Code is at https://github.com/org/repo.", "https://github.com/org/repo"),
        ("(see https://gitlab.com/org/repo);", "https://gitlab.com/org/repo"),
        (
            "Demo: https://huggingface.co/spaces/org/demo).",
            "https://huggingface.co/spaces/org/demo",
        ),
        ("Weights at huggingface.co/models/org/m, data too", "https://huggingface.co/models/org/m"),
        ("Code: https://example.org/project/code.", "https://example.org/project/code"),
        ("Released at https://codeberg.org/org/tool: enjoy", "https://codeberg.org/org/tool"),
        ("The code is at https://github.com/delta/repo…", "https://github.com/delta/repo"),
        ("Code: “https://github.com/beta/repo”.", "https://github.com/beta/repo"),
        ("Try https://gitlab.com/eps/repo!", "https://gitlab.com/eps/repo"),
        ("See https://huggingface.co/org for models.", None),
        ("Project page: https://org.github.io/project.", None),
        ("No links here, and/or anywhere.", None),
    ],
)
def test_code_links_in_abstracts(abstract: str, code_url: str | None) -> None:
    assert code_url_in(abstract) == code_url


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"Schr\"odinger Bridges", "Schrödinger Bridges"),
        (r"G\'omez", "Gómez"),
        (r"$\alpha$-Stable Noise", "α-Stable Noise"),
        (r"The \TeX{} Book and \LaTeX\ Guides", "The TeX Book and LaTeX Guides"),
        ("Plain [bold] title", "Plain [bold] title"),
        # Pasted text holds percent signs, not TeX comments.
        (
            r"Sparse Attention in $O(n \log n)$: Pruning 90% of Heads, 10\% Faster",
            "Sparse Attention in O(n log n): Pruning 90% of Heads, 10% Faster",
        ),
    ],
)
def test_tex_becomes_unicode(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text


def test_author_lists_need_names_not_title_words() -> None:
    assert names_in("A. Smith, B. Jones and C. Lee") == ["A. Smith", "B. Jones", "C. Lee"]
    assert names_in("Self-Supervised Representation Mixing and Embedding Initialization") is None
    assert names_in("Layer Normalization") is None


@pytest.mark.parametrize(
    ("today", "listed"),
    [
        (date(2025, 1, 2), "2024-12-30"),
        (date(2024, 12, 30), "2024-12-30"),
    ],
)
def test_page_date_without_year_is_the_latest_such_day(today: date, listed: str) -> None:
    text = "Daily Papers\nDec 30\nLayer Normalization Revisited\n· 2 authors\n"

    assert [d.listed for d in parse(text, today=today).drafts] == [listed]


def test_february_29_is_taken_from_the_last_leap_year() -> None:
    text = "Daily Papers\nFeb 29\nLayer Normalization Revisited\n· 2 authors\n"

    assert [d.listed for d in parse(text, today=date(2025, 3, 1)).drafts] == ["2024-02-29"]


# ---- robustness and speed ------------------------------------------------------------------

LISTING_LINES = [
    "",
    "new",
    "Subscribe",
    "Mar 14",
    "Feb 30",
    "· 3 authors",
    "Submitted by",
    "42",
    "Google DeepMind",
    "Layer Normalization Revisited",
    "[bold] Claims in Scientific Figures",
    "### [Sparse Routing for Long Contexts](https://arxiv.org/abs/2403.07001)",
    "### [Wrapped Card Title Over",
    "Two Lines](https://huggingface.co/papers/2403.07002)",
    "- [Robust Fine-Tuning](https://openreview.net/forum?id=x)",
    "  by Ana Gómez, Wei Zhang",
    "Learning by Doing by A. Smith, B. Jones",
    "| Title | Authors | Link |",
    "|---|---|---|",
    "| A Title | A. Smith | https://openreview.net/forum?id=y |",
    "| | lonely |",
    "arXiv:2403.09001",
    "[1] arXiv:2403.09002 (replaced) [pdf]",
    'Title: Schr\\"odinger $\\alpha$ \\TeX{',
    "  continued title line",
    "Authors: A, B and C",
    "\\\\",
    "%%--%%--%%--",
    "------------------------------",
    "Replacements for Fri, 15 Mar 24",
    "Thu, 14 Mar 2024 (showing 2 of 2 entries )",
    "Code: https://github.com/x/y).",
    "```",
    "$ ls -la",
    "<div>",
    "Accepted papers:",
    "We propose a method " + "that works well " * 30 + ".",
]


def check_drafts(result: ParseResult) -> None:
    for draft in result.drafts:
        assert draft.title
        assert draft.title == draft.title.strip()
        assert len(draft.title.splitlines()) == 1
        assert draft.line is None or draft.line >= 1


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    check_drafts(parse(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LISTING_LINES) | st.text(max_size=40), max_size=40))
def test_parse_never_raises_on_mixes_of_listing_lines(lines: list[str]) -> None:
    check_drafts(parse("\n".join(lines)))


def generated_listing(count: int) -> str:
    """A Hugging Face page of `count` invented papers, one in four with a code link."""
    words = "sparse robust graph attention diffusion routing tokens memory latent".split()
    records = []
    for number in range(count):
        title = f"{words[number % 9].title()} Models for Task {number}: {words[number % 7]} study"
        link = f" Code: https://github.com/lab/repo{number}." if number % 4 == 0 else ""
        abstract = f"We study {words[number % 5]} behaviour in model {number}. " * 12 + link
        records.append(f"{title}\n\n{abstract}")
    return "new\n\nSubscribe\n\nMar 14\n\n" + "\n\n".join(records) + "\n"


def test_a_big_listing_reads_whole() -> None:
    # Its speed is measured in bench/, not asserted here.
    drafts = parse(generated_listing(20_000)).drafts
    assert len(drafts) == 20_000
    assert drafts[4].code_url == "https://github.com/lab/repo4"
    assert drafts[5].code_url is None


def test_the_cycle_collector_pauses_only_for_text_without_tex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # TeX conversion leaves reference cycles, so only a text without TeX is read with the
    # collector paused; after the parse, an error included, it is on again, unless the caller
    # had turned it off.
    enabled_while_reading: list[bool] = []
    read = _PageReader.read

    def spied(reader: _PageReader, lines: list[str]) -> list[Draft]:
        enabled_while_reading.append(gc.isenabled())
        if not lines:
            raise RuntimeError("reader failed")
        return read(reader, lines)

    monkeypatch.setattr(_PageReader, "read", spied)
    plain = generated_listing(3)
    with_tex = plain.replace("Task 1:", "Task $n^2$:")
    assert gc.isenabled()
    assert len(parse(plain).drafts) == 3
    assert gc.isenabled()
    assert len(parse(with_tex).drafts) == 3
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        parse("")
    assert gc.isenabled()
    gc.disable()
    try:
        parse(plain)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert enabled_while_reading == [False, True, False, False]


@pytest.mark.parametrize("page", SEED_PAGES, ids=lambda page: page.name)
def test_cards_whose_abstract_is_missing_keep_their_titles(page: Path) -> None:
    records = seed_records(page)
    lines = page.read_text(encoding="utf-8").splitlines()
    # Every third card loses its abstract, as pages do for papers without one; two in a row too.
    # Not the last card: a title alone at the end of a page reads like the page's footer.
    dropped = {number for position, (number, _, _) in enumerate(records[:-1]) if position % 3 == 1}
    dropped.add(records[-3][0])
    dropped.add(records[-4][0])
    gone = {abstract for number, _, abstract in records if number in dropped}
    kept_lines = [line for line in lines if line not in gone]

    result = parse("\n".join(kept_lines))

    assert titles(result) == [title for _, title, _ in records]
    for draft, (number, _, abstract) in zip(result.drafts, records, strict=True):
        assert draft.abstract == (None if number in dropped else abstract.strip())


@pytest.mark.parametrize(
    "byline",
    [
        "Posted by Dana Whitfield on March 3, 2025",
        "Dana Whitfield, March 3, 2025",
        "Dana Whitfield, 3 March 2025",
        "Last updated on March 5, 2025",
        "Written by Dana Whitfield and Sam Ortiz",
    ],
)
def test_a_blog_posts_byline_over_its_first_paragraph_is_not_a_paper(byline: str) -> None:
    post = (FIXTURES / "not_blog_post.md").read_text(encoding="utf-8")
    original = "Posted on March 3, 2025 by Dana Whitfield"
    assert original in post

    assert parse(post.replace(original, byline)).drafts == []


@pytest.mark.parametrize("separator", [" — ", " by "])
def test_a_venue_and_year_after_a_lines_authors_are_not_an_authors_name(separator: str) -> None:
    text = "\n".join(
        f"{title}{separator}{authors}"
        for title, authors in [
            ("Attention Is All You Need", "A. Vaswani, N. Shazeer. NeurIPS, 2017."),
            ("Deep Residual Learning for Image Recognition", "K. He, X. Zhang, J. Sun. CVPR 2016"),
            ("Layer Normalization", "J. L. Ba, J. R. Kiros, G. E. Hinton. arXiv, 2016."),
        ]
    )

    drafts = parse(text).drafts

    assert [(d.title, d.authors, d.venue, d.year) for d in drafts] == [
        ("Attention Is All You Need", ["A. Vaswani", "N. Shazeer"], "NeurIPS", 2017),
        (
            "Deep Residual Learning for Image Recognition",
            ["K. He", "X. Zhang", "J. Sun"],
            "CVPR",
            2016,
        ),
        ("Layer Normalization", ["J. L. Ba", "J. R. Kiros", "G. E. Hinton"], "arXiv", 2016),
    ]


def test_a_title_of_title_words_joined_by_and_is_no_list_of_names() -> None:
    # Read as names, it was "no clear title", and the references after it were lost with it.
    text = """References

Christopher M. Bishop. 2006. Pattern Recognition and Machine Learning. Springer, New York.
Jacob Devlin, Ming-Wei Chang, Kenton Lee, and Kristina Toutanova. 2019. BERT: Pre-training of
deep bidirectional transformers for language understanding. In Proceedings of NAACL-HLT, pages
4171–4186.
Kaiming He, Xiangyu Zhang, Shaoqing Ren, and Jian Sun. 2016. Deep residual learning for image
recognition. In Proceedings of CVPR, pages 770–778.
"""

    result = parse(text)

    assert [(d.title, d.year) for d in result.drafts] == [
        ("Pattern Recognition and Machine Learning", 2006),
        ("BERT: Pre-training of deep bidirectional transformers for language understanding", 2019),
        ("Deep residual learning for image recognition", 2016),
    ]
    assert result.problems == []


APA_LONG_LISTS = """References

Brown, T. B., Mann, B., Ryder, N., Subbiah, M., Kaplan, J., Dhariwal, P., Neelakantan, A., \
Shyam, P., Sastry, G., Askell, A., Agarwal, S., Herbert-Voss, A., Krueger, G., Henighan, T., \
Child, R., Ramesh, A., Ziegler, D. M., Wu, J., Winter, C., . . . Amodei, D. (2020). Language \
models are few-shot learners. Advances in Neural Information Processing Systems, 33, 1877–1901.
Touvron, H., Lavril, T., Izacard, G., Martinet, X., Lachaux, M.-A., Lacroix, T., Rozière, B., \
Goyal, N., Hambro, E., Azhar, F., Rodriguez, A., Joulin, A., Grave, E., Lample, G., Babaei, Y., \
Bashlykov, N., Batra, S., Bhargava, P., Bhosale, S., … Scialom, T. (2023). LLaMA: Open and \
efficient foundation language models. arXiv. https://doi.org/10.48550/arXiv.2302.13971
He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep residual learning for image recognition. In \
Proceedings of CVPR (pp. 770–778).
"""


def test_apa_lists_of_twenty_names_and_more_leave_out_the_middle_ones() -> None:
    result = parse(APA_LONG_LISTS)

    assert [(d.title, d.year, len(d.authors), d.authors[-1]) for d in result.drafts] == [
        ("Language models are few-shot learners", 2020, 20, "Amodei, D."),
        ("LLaMA: Open and efficient foundation language models", 2023, 20, "Scialom, T."),
        ("Deep residual learning for image recognition", 2016, 4, "Sun, J."),
    ]
    assert result.drafts[1].arxiv_id == "2302.13971"


def test_a_reference_that_cannot_be_read_leaves_the_next_ones_and_says_so() -> None:
    text = """References

Kiros, Jamie Ryan, Yukun Zhu, and Ruslan Salakhutdinov. Skip-thought vectors. In NeurIPS.
He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep residual learning for image recognition. In CVPR.
Kingma, D. P., & Ba, J. (2015). Adam: A method for stochastic optimization. In ICLR.
"""

    result = parse(text)

    assert [d.title for d in result.drafts] == [
        "Deep residual learning for image recognition",
        "Adam: A method for stochastic optimization",
    ]
    assert [problem.where for problem in result.problems] == ["line 3"]
