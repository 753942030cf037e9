"""The papers the app's tests use: real-looking ones, and hostile text."""

from __future__ import annotations

from readlist.models import Draft

HOSTILE_TITLE = "[bold]Hostile[/bold] title \x1b[31mred"
"""Markup and an ANSI escape in a title: both must show literally."""
HOSTILE_ABSTRACT = "[HOSPITAL] patients with $^{2}$ markers\x07"
HOSTILE_TAG = "\x1b[41mZZ\x1b]0;PWNED\x07"
"""A tag that colours the terminal and retitles its window if written raw."""
HOSTILE_TAG_SHOWN = "␛[41mZZ␛]0;PWNED␇"


def fixture_drafts() -> list[Draft]:
    """Five papers, each reaching the link rules and the list columns a different way."""
    return [
        Draft(
            "Graph Networks Without Identifiers",
            ["Ada Lovelace"],
            2021,
            abstract="A paper known only by its title.",
        ),
        Draft(
            "Listing Only Paper",
            ["Grace Hopper"],
            url="https://example.org/listing-only",
            listed="2024-03-14",
        ),
        Draft(
            HOSTILE_TITLE,
            ["Mallory Eve"],
            2020,
            abstract=HOSTILE_ABSTRACT,
            url="https://example.org/hostile",
        ),
        Draft(
            "Deep Residual Learning for Image Recognition",
            ["Kaiming He", "Xiangyu Zhang"],
            2016,
            "CVPR",
            abstract="Deeper neural networks are more difficult to train.",
            doi="10.1109/cvpr.2016.90",
        ),
        Draft(
            "Attention Is All You Need",
            ["Ashish Vaswani", "Noam Shazeer"],
            2017,
            "NeurIPS",
            abstract="The dominant sequence transduction models are based on recurrent networks.",
            arxiv_id="1706.03762",
        ),
    ]


TITLES_NEWEST_FIRST = [draft.title for draft in reversed(fixture_drafts())]
"""The list's default order (sort by added, newest first)."""
