"""The benchmark generator writes files the real tools read: BibTeX bibtexparser accepts whole,
and listing text in the Hugging Face layout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bibtexparser.entrypoint import parse_string
from conftest import REPO


def test_generator_writes_parseable_bibtex_and_listing(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "generate.py"),
            "--papers",
            "50",
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    bibtex = parse_string((tmp_path / "library.bib").read_text(encoding="utf-8"))
    assert bibtex.failed_blocks == []
    assert len(bibtex.entries) == 50
    assert len(bibtex.strings) >= 5
    # Both styles: Zotero's Unicode names and DBLP's TeX accents.
    authors = " ".join(entry["author"] for entry in bibtex.entries)
    assert "\\" in authors
    assert any(not character.isascii() for character in authors)

    listing = (tmp_path / "listing.txt").read_text(encoding="utf-8")
    assert listing.startswith("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n")
    blocks = listing.split("\n\n")
    titles = [entry["title"].strip("{}") for entry in bibtex.entries]
    assert [block for block in blocks if block in titles] == titles
    abstracts = [block for block in blocks if len(block.split()) >= 150]
    assert len(abstracts) == 50
