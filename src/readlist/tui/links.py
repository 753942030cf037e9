"""The one link that best leads to a paper, and what kind of link it is."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus

from readlist.models import Paper


@dataclass(frozen=True, slots=True)
class PaperLink:
    """A link to a paper and the words that say what it is ("arXiv link")."""

    kind: str
    url: str


def paper_link(paper: Paper) -> PaperLink:
    """The arXiv abstract page, else the paper's URL, else its DOI, else a title search."""
    if paper.arxiv_id:
        return PaperLink("arXiv link", f"https://arxiv.org/abs/{paper.arxiv_id}")
    if paper.url:
        return PaperLink("link", paper.url)
    if paper.doi:
        return PaperLink("DOI link", f"https://doi.org/{paper.doi}")
    # Quoting the title makes Google Scholar match it as a phrase, so the paper comes first.
    query = quote_plus(f'"{paper.title}"')
    return PaperLink("title search link", f"https://scholar.google.com/scholar?q={query}")
