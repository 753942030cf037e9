"""Generate realistic reading lists for the benchmarks: BibTeX and Hugging Face listing text.

`python bench/generate.py --papers 100000 --out DIR` writes `DIR/library.bib` (mixed Zotero and
DBLP style, TeX accents, `@string` macros) and `DIR/listing.txt` (the Hugging Face Papers layout).
The same seed always gives the same papers.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from readlist.models import ascii_fold

FIRST_NAMES = (
    "José Zoë Łukasz Søren François Müge Jürgen Renée Ana Björn Chloé Dániel Élodie Iñaki "
    "Kateřina Mónica Nuño Ömer Paweł Raphaël Siân Tomáš Yusuf Wei Mei Hiroshi Aiko Priya Arjun "
    "Olga Ivan Fatima Ahmed Lucas Emma Noah Mia Liam Sofia Mateo Elena Kwame Amara Chen Jia "
    "Hannah David Sarah Michael Laura Daniel Anna Thomas Julia Marco Giulia Pedro Inês"
).split()
SURNAMES = (
    "Müller García Sørensen Dvořák Nguyễn Çelik Lefèvre Gómez Kowalczyk Wałęsa Öztürk Jäger "
    "Łukaszewicz Ångström Señor Brontë Schrödinger Erdős Peña Zhou Wang Li Zhang Liu Chen Yang "
    "Huang Zhao Wu Tanaka Suzuki Kim Park Singh Patel Kumar Ivanov Petrov Smith Johnson Brown "
    "Williams Jones Taylor Wilson Martin Anderson Thompson White Harris Clark Lewis Walker Young "
    "Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner "
    "Phillips Campbell Parker Evans Edwards Collins Stewart Morris Rossi Russo Ferrari Bianchi "
    "Romano Dubois Moreau Laurent Bernard Fischer Weber Schneider Becker Hoffmann Novak Horvat "
    "Jensen Hansen Nielsen Larsen Andersen Okafor Mensah Haddad Nasser Kaplan Shapiro Cohen"
).split()
TOPIC_WORDS = (
    "attention transformer diffusion contrastive representation reinforcement graph neural "
    "network convolutional recurrent generative adversarial variational autoencoder language "
    "vision multimodal retrieval segmentation detection tracking reasoning planning policy "
    "reward alignment distillation pruning quantization sparse dense kernel manifold Bayesian "
    "causal counterfactual federated privacy robust adversarial certified calibration "
    "uncertainty ensemble meta-learning few-shot zero-shot self-supervised semi-supervised "
    "unsupervised curriculum continual lifelong memory episodic hierarchical modular scalable "
    "efficient lightweight streaming online offline multi-agent cooperative decentralized "
    "spectral topological geometric equivariant invariant symmetric stochastic deterministic "
    "optimal convex nonconvex gradient momentum adaptive second-order low-rank mixture experts "
    "tokenizer embedding positional rotary decoder encoder pretraining fine-tuning prompting "
    "instruction chain-of-thought hallucination factuality benchmark dataset evaluation "
    "protein molecule genome single-cell pathology radiology clinical weather climate "
    "turbulence fluid quantum lattice spin topology galaxy cosmology seismic speech audio music "
    "video point-cloud depth stereo optical-flow pose person re-identification face crowd "
    "scene layout navigation manipulation grasping locomotion humanoid driving trajectory"
).split()
NOUNS = (
    "model models method framework approach learning networks representations features "
    "objectives estimators bounds guarantees algorithms architectures agents systems policies "
    "priors embeddings tokens layers operators fields maps graphs trees sequences signals"
).split()
TEMPLATES = (
    "{A} {B} {N} for {C} {D}",
    "{X}: {A} {B} {N} for {C}",
    "Towards {A} {C} with {B} {N}",
    "On the {A} of {B} {N}",
    "{X}: Scaling {A} {B} to {C} {D}",
    "Learning {A} {N} via {B} {C}",
    "Rethinking {A} {C} in {B} {N}",
    "{A} and {B} {N} for {C}: A {D} Perspective",
    "When Do {A} {N} Help {B} {C}?",
    "{X}-{Y}: {A} {B} {C} at Scale",
)
SENTENCES = (
    "We propose {X}, a {a} {b} {n} that improves {c} {d}.",
    "Existing {a} {n} struggle with {c} when {d} data is scarce.",
    "Our key insight is that {a} {b} {n} can be trained without {c} labels.",
    "Experiments on {k} benchmarks show gains of {p}% over strong {b} baselines.",
    "We further analyse why {a} {c} fails under {d} shift and how {X} avoids it.",
    "The method is simple to implement and adds little cost at inference time.",
    "Code and pretrained {n} are released to support research on {c} {d}.",
    "In this paper we study the {a} of {b} {n} from a {d} point of view.",
    "Theoretical results establish {a} bounds for {c} under mild assumptions.",
    "Compared with prior work, {X} needs {k} times fewer parameters and trains faster.",
    "We introduce a new dataset of {k} thousand examples for {c} {d}.",
    "Ablations confirm that each component of the {a} {n} contributes to the final accuracy.",
)
JOURNALS = {
    "jmlr": "Journal of Machine Learning Research",
    "tpami": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
    "nature": "Nature",
    "prl": "Physical Review Letters",
}
BOOKTITLES = {
    "neurips": "Advances in Neural Information Processing Systems",
    "icml": "International Conference on Machine Learning",
    "cvpr": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
    "iclr": "International Conference on Learning Representations",
    "acl": "Annual Meeting of the Association for Computational Linguistics",
}
TEX_ACCENTS = {
    "á": r"{\'a}", "é": r"{\'e}", "í": r"{\'i}", "ó": r"{\'o}", "ú": r"{\'u}", "ý": r"{\'y}",
    "à": r"{\`a}", "è": r"{\`e}", "ä": r"{\"a}", "ë": r"{\"e}", "ö": r"{\"o}", "ü": r"{\"u}",
    "Ö": r"{\"O}", "Ä": r"{\"A}", "ç": r"{\c{c}}", "Ç": r"{\c{C}}", "ñ": r"{\~n}",
    "ř": r"{\v{r}}", "ě": r"{\v{e}}", "š": r"{\v{s}}", "ğ": r"{\u{g}}", "ő": r"{\H{o}}",
    "ø": r"{\o}", "Ø": r"{\O}", "ł": r"{\l}", "Ł": r"{\L}", "ę": r"{\k{e}}", "Å": r"{\AA}",
}  # fmt: skip
"""Characters DBLP-style entries write as TeX; Zotero-style entries keep Unicode."""

LISTING_HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\n"
)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True, slots=True)
class GeneratedPaper:
    """One made-up paper with everything the writers need."""

    title: str
    authors: tuple[str, ...]
    """Names as "First Last", Unicode."""
    year: int
    venue_macro: str
    """A key of `JOURNALS` or `BOOKTITLES`."""
    abstract: str
    arxiv_id: str | None
    doi: str | None
    number: int
    """Position in the generated list, which makes citation keys unique."""


def _system_names(rng: random.Random, count: int) -> list[str]:
    """Made-up method names ("KaToFormer"), the words only one paper or a few use."""
    consonants, vowels = "BCDFGHKLMNPRSTVZ", "aeiou"
    suffixes = ("Net", "Former", "GPT", "Flow", "Diff", "Mix", "Gen", "Seg", "Nav", "Mol")
    return [
        rng.choice(consonants)
        + rng.choice(vowels)
        + rng.choice(consonants).lower()
        + rng.choice(vowels)
        + rng.choice(suffixes)
        for _ in range(count)
    ]


def _title(rng: random.Random, names: list[str]) -> str:
    a, b, c, d = (word.capitalize() for word in rng.choices(TOPIC_WORDS, k=4))
    x, y = rng.choices(names, k=2)
    noun = rng.choice(NOUNS).capitalize()
    return rng.choice(TEMPLATES).format(A=a, B=b, C=c, D=d, N=noun, X=x, Y=y)


def _abstract(rng: random.Random, names: list[str], word_target: int) -> str:
    sentences: list[str] = []
    words = 0
    while words < word_target:
        a, b, c, d = rng.choices(TOPIC_WORDS, k=4)
        sentence = rng.choice(SENTENCES).format(
            X=rng.choice(names),
            a=a,
            b=b,
            c=c,
            d=d,
            n=rng.choice(NOUNS),
            k=2 + int(rng.random() * 39),
            p=round(0.5 + rng.random() * 24.5, 1),
        )
        sentences.append(sentence[0].upper() + sentence[1:])
        words += sentence.count(" ") + 1
    return " ".join(sentences)


def generate_papers(count: int, seed: int = 2024) -> Iterator[GeneratedPaper]:
    """`count` made-up papers, the same ones for the same seed."""
    rng = random.Random(seed)
    names = _system_names(rng, max(100, count // 2))
    venues = (*JOURNALS, *BOOKTITLES)
    for number in range(count):
        year = rng.randint(1995, 2025)
        arxiv_id = None
        if year >= 2008 and rng.random() < 0.6:
            arxiv_id = f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 29999):05d}"
        doi = None
        if rng.random() < 0.5:
            doi = f"10.{rng.randint(1000, 9999)}/{rng.randint(100000, 999999)}"
        first_names = rng.choices(FIRST_NAMES, k=rng.randint(2, 12))
        yield GeneratedPaper(
            title=_title(rng, names),
            authors=tuple(
                f"{first} {last}"
                for first, last in zip(
                    first_names, rng.choices(SURNAMES, k=len(first_names)), strict=True
                )
            ),
            year=year,
            venue_macro=rng.choice(venues),
            abstract=_abstract(rng, names, rng.randint(150, 250)),
            arxiv_id=arxiv_id,
            doi=doi,
            number=number,
        )


def tex_escape(text: str) -> str:
    """`Dvořák` -> `Dvo{\\v{r}}{\\'a}k`: accented letters as DBLP writes them."""
    return "".join(TEX_ACCENTS.get(character, character) for character in text)


def _tex_percent(text: str) -> str:
    """`18.9%` -> `18.9\\%`, as Zotero and DBLP write it, since `%` starts a TeX comment."""
    return text.replace("%", "\\%")


def _key_name(name: str) -> str:
    return "".join(character for character in ascii_fold(name) if character.isalpha())


def bibtex_entry(paper: GeneratedPaper) -> str:
    """One entry, alternating Zotero style (Unicode, "Last, First") and DBLP style (TeX accents)."""
    surname = paper.authors[0].split()[-1]
    if paper.number % 2 == 0:
        authors = " and ".join(
            f"{n.split()[-1]}, {' '.join(n.split()[:-1])}" for n in paper.authors
        )
        lines = [
            f"@article{{{surname.lower()}_{paper.year}_{paper.number},",
            f"\ttitle = {{{{{paper.title}}}}},",
            f"\tauthor = {{{authors}}},",
            f"\tyear = {{{paper.year}}},",
            f"\tabstract = {{{_tex_percent(paper.abstract)}}},",
        ]
        if paper.venue_macro in JOURNALS:
            lines.append(f"\tjournal = {paper.venue_macro},")
        else:
            lines.append(f"\tjournal = {{{BOOKTITLES[paper.venue_macro]}}},")
        if paper.doi:
            lines.append(f"\tdoi = {{{paper.doi}}},")
        if paper.arxiv_id:
            lines.append(f"\turl = {{http://arxiv.org/abs/{paper.arxiv_id}}},")
            lines.append("\turldate = {2024-03-14},")
        lines.append("\tkeywords = {Computer Science - Machine Learning},")
        return "\n".join(lines) + "\n}\n"
    entry_type = "article" if paper.venue_macro in JOURNALS else "inproceedings"
    venue_field = "journal" if entry_type == "article" else "booktitle"
    author_lines = " and\n                  ".join(tex_escape(name) for name in paper.authors)
    lines = [
        f"@{entry_type}{{DBLP:{'journals' if entry_type == 'article' else 'conf'}/"
        f"{paper.venue_macro}/{_key_name(surname)}{paper.year % 100:02d}-{paper.number},",
        f"  author    = {{{author_lines}}},",
        f"  title     = {{{paper.title}}},",
        f"  {venue_field:<9} = {paper.venue_macro},",
        f"  year      = {{{paper.year}}},",
        f"  abstract  = {{{_tex_percent(paper.abstract)}}},",
    ]
    if paper.arxiv_id:
        lines.append(f"  eprint    = {{{paper.arxiv_id}}},")
        lines.append("  eprinttype = {arXiv},")
    if paper.doi:
        lines.append(f"  doi       = {{{paper.doi}}},")
    lines.append("  bibsource = {dblp computer science bibliography, https://dblp.org}")
    return "\n".join(lines) + "\n}\n"


BIBTEX_PREAMBLE = "% Generated by bench/generate.py\n\n" + "".join(
    f'@string{{{name} = "{value}"}}\n' for name, value in {**JOURNALS, **BOOKTITLES}.items()
)
"""The start of the BibTeX file: the `@string` macros entries refer to."""


def write(papers: int, out: Path, seed: int = 2024) -> tuple[Path, Path]:
    """Write `library.bib` and `listing.txt` for `papers` papers into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    bib_path, listing_path = out / "library.bib", out / "listing.txt"
    with (
        bib_path.open("w", encoding="utf-8") as bib_file,
        listing_path.open("w", encoding="utf-8") as listing_file,
    ):
        bib_file.write(BIBTEX_PREAMBLE + "\n")
        # The Hugging Face Papers page as a browser copies it: chrome, a date, title + abstract.
        listing_file.write(LISTING_HEADER + "Mar 14\n\n")
        for paper in generate_papers(papers, seed):
            bib_file.write(bibtex_entry(paper) + "\n")
            listing_file.write(f"{paper.title}\n\n{paper.abstract}\n\n")
    return bib_path, listing_path


def main() -> None:
    """Command line: `--papers N --out DIR [--seed S]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=100_000, help="how many papers")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=2024, help="random seed")
    arguments = parser.parse_args()
    for path in write(arguments.papers, arguments.out, arguments.seed):
        print(path)


if __name__ == "__main__":
    main()
