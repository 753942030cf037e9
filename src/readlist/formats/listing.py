"""Listing pages as users copy them: Hugging Face Papers, arXiv lists and digests, Markdown cards,
conference accepted lists, tables, plain titles, and reference lists.

Hand-written, line by line, because no library reads text copied out of a web page or an e-mail:
the structure lives in line order and page chrome, not in markup. One pass over the lines with
regular expressions compiled once, and the cycle collector paused (see `_cycle_collection_paused`),
reads a generated Hugging Face page of 100,000 entries (145 MB) in 1.2-1.9 s on 2 cores that
other work shares.

Three readers share the work:

- arXiv `/list` and `/new` pages and the daily e-mail digest (any text with an `arXiv:ID` line
  that opens a record: numbered, with "[pdf]" after it, or with the record's fields below; an id
  beside a title is the page reader's). New submissions and cross-lists are imported; replacements (blocks marked
  "(replaced)" or "replaced with revised version", and everything after a "Replacements" heading
  or the digest's `%%--%%--` separator) are skipped with one note, since they are old papers.
- Reference lists copied from a paper's bibliography or a CV's publications (numbered `[1]` or
  `1.`, bulleted `•`, `-`, `*` or `–`, or not; natbib, ACL, APA, IEEE, Harvard, Springer,
  Elsevier, Chicago and MLA styles, wrapped and hyphenated as PDF viewers copy them; a CV's
  "Title. Authors. Venue Year." lines, one a line), one paper per reference with authors as
  written, year, venue and arXiv id, DOI or link. Chosen when, within the first lines, most of
  the text (or of what follows a "References" or "Publications" heading) reads as references:
  authors, then a title and a year. A reference whose title or year is not clear is left out
  with a problem rather than imported wrong.
- Everything else: Hugging Face pages (title and abstract lines, with or without blank lines
  between, page chrome dropped), Markdown `### [Title](link)` cards, bulleted or tabled accepted
  lists, venue pages (a title over its authors: OpenReview, ACL Anthology, conference sites),
  Google Scholar results, `Title by Authors` lines and plain lists of titles.

Precision matters as much as recall, because every text that is neither BibTeX nor arXiv ids
lands here: a bare title line counts only in a text that is nothing but titles, and a
title-and-paragraph pair only when the paragraph reads like an abstract or the page is a listing.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from readlist.formats import ImportContext, WholeTextImporter
from readlist.formats.latex import one_line
from readlist.models import (
    Draft,
    ParseResult,
    Problem,
    arxiv_id_in_link,
    canonical_arxiv_id,
    canonical_doi,
)

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

# ---- shared text helpers -------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_PAGE_DATE = re.compile(
    rf"^(?:({_MONTH_NAME})\s+(\d{{1,2}})|(\d{{1,2}})\s+({_MONTH_NAME}))(?:,?\s+(\d{{4}}))?$",
    re.IGNORECASE,
)
"""The listing day a Hugging Face page shows: "Mar 14", "14 March", "March 14, 2024"."""
_ENDS_ON_A_DATE = re.compile(
    rf"(?:{_MONTH_NAME}\s+\d{{1,2}},?|\b\d{{1,2}}\s+{_MONTH_NAME})\s+\d{{4}}$", re.IGNORECASE
)
"""A byline's or a post's date, "Dana Whitfield, March 3, 2025": no paper's title ends on one."""


def _listing_date(match: re.Match[str], today: date) -> str | None:
    """The ISO date a page-date match names; without a year, the latest such day up to `today`."""
    month_name = (match.group(1) or match.group(4)).rstrip(".").lower()
    month = _MONTHS.get(month_name) or _MONTHS.get(month_name[:3])
    day = int(match.group(2) or match.group(3))
    if month is None:
        return None
    years = [int(match.group(5))] if match.group(5) else range(today.year, today.year - 9, -1)
    for year in years:
        try:
            listed = date(year, month, day)
        except ValueError:
            continue
        if match.group(5) or listed <= today:
            return listed.isoformat()
    return None


_CODE_LINK = re.compile(
    r"(?<![\w@/.-])(?:https?://)?(?:www\.)?"
    r"(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org"
    r"|huggingface\.co/(?:spaces|models|datasets))/[^\s<>\"'{}\[\]|\\^`]+"
    r"|\bcode\s*:\s*(https?://[^\s<>\"'{}\[\]|\\^`]+)",
    re.IGNORECASE,
)
"""A repository or demo link in an abstract, or any link labelled "Code:"."""
_CODE_MARKERS = (
    "github.com/",
    "gitlab.com/",
    "bitbucket.org/",
    "codeberg.org/",
    "huggingface.co/spaces/",
    "huggingface.co/models/",
    "huggingface.co/datasets/",
    "code:",
    "code :",
)
"""What every code link contains; found with `str.find` first, the regex runs only from there."""
_URL_TAIL = ".,;:)!?…”’»"


def code_url_in(text: str) -> str | None:
    """The first code link in `text` (github.com, gitlab.com, huggingface.co/spaces|models|datasets,
    bitbucket, codeberg, or a link after "Code:"), without trailing punctuation; else None."""
    slash = text.find("/")
    if slash < 0:
        # Every code link has a slash; most abstracts have none, and this is one fast scan.
        return None
    start = max(0, slash - 40)
    lowered = text[start:].lower()
    first = -1
    for marker in _CODE_MARKERS:
        found = lowered.find(marker)
        if found >= 0 and (first < 0 or found < first):
            first = found
    if first < 0:
        return None
    # A match starts at most "https://www." before its marker.
    match = _CODE_LINK.search(text, max(0, start + first - 12))
    if match is None:
        return None
    link = (match.group(1) or match.group(0)).rstrip(_URL_TAIL)
    if "://" not in link:
        link = "https://" + link
    return link


_BARE_PERCENT = re.compile(r"(?<!\\)%")
_TEX_LOGO = re.compile(r"\\(LaTeXe|LaTeX|BibTeX|XeTeX|LuaTeX|pdfTeX|TeX)(?![A-Za-z])(?:\{\})?")


@cache
def _latex_converter() -> LatexNodes2Text:
    # Imported on first use: most listings hold no TeX, and start-up stays fast.
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


def _may_hold_tex(text: str) -> bool:
    """True for text with a backslash or a `$`: only such text goes to the TeX converter."""
    return "\\" in text or "$" in text


def tex_to_text(text: str) -> str:
    """TeX in a title, name or abstract as Unicode (`Schr\\"odinger` -> `Schrödinger`); text with
    no backslash or `$` is returned as is, whitespace runs collapsed either way."""
    if not _may_hold_tex(text):
        return " ".join(text.split())
    # pylatexenc drops macros it does not know, which would turn "\TeX" into nothing.
    logos_spelled = _TEX_LOGO.sub(lambda m: "LaTeX2e" if m[1] == "LaTeXe" else m[1], text)
    # A % in pasted text is a percent sign; to TeX it would start a comment eating the rest.
    percents_escaped = _BARE_PERCENT.sub(r"\\%", logos_spelled)
    converted = " ".join(_latex_converter().latex_to_text(percents_escaped).split())
    return converted or " ".join(text.split())


_NAME_SEPARATORS = re.compile(
    r"\s*(?:,\s*(?:and\s+|&\s*)?|;\s*|\s+and\s+|\s*&\s*|\s+·\s+|\s+\|\s+)\s*"
)
_AFFILIATION_MARKS = re.compile(r"[\d¹²³⁴⁵⁶⁷⁸⁹⁰*†‡§♠♣♥♦]+(?=\s|$|,)")
_NAME_PARTICLES = frozenset(
    "van von de der den da di del della la le du dos das bin ibn al el ter ten zu af y".split()
)


_TITLE_WORDS = frozenset(
    "learning network networks model models data deep neural language vision transformer "
    "transformers graph graphs reinforcement generation diffusion attention training inference "
    "self-supervised supervised unsupervised representation representations optimization "
    "adaptation analysis detection segmentation recognition classification estimation "
    "prediction search system systems agent agents robust efficient large scale image images "
    "video text knowledge reasoning gradient descent embedding embeddings design doing example "
    "examples method methods theory approach benchmark dataset datasets towards via using "
    "prompt prompts prefix tuning fine-tuning feedback control memory policy policies transfer "
    "weight weights decay noise token tokens layer layers loss zero-shot few-shot".split()
)
"""Words of titles, not of names: "X by Gradient Descent" names no Mr Descent."""
_TITLE_SUFFIXES = ("tion", "sion", "ment", "ness", "ised", "ized", "ings")
_AFFILIATION_WORDS = frozenset("university college institute laboratory department school".split())
"""Words of an affiliation beside a name ("Diego Ferreira, Carnegie Mellon University"), not of
a name."""


def _is_name(name: str) -> bool:
    """True for one person's name: "Ana Gómez", "A. Smith", "J.-P. Serre", "Vincent van Gogh"."""
    tokens = name.split()
    if len(tokens) == 1:
        # Names written in CJK scripts come without spaces.
        return not tokens[0].isascii() and tokens[0].isalpha() and not tokens[0][0].isupper()
    if len(tokens) > 6 or all(len(token) > 2 and token.isupper() for token in tokens):
        # Capitals throughout are a heading: "TERMS AND CONDITIONS".
        return False
    for token in tokens:
        if token in _NAME_PARTICLES:
            continue
        folded = token.casefold()
        if (
            folded in _TITLE_WORDS
            or folded in _AFFILIATION_WORDS
            or (len(token) >= 8 and folded.endswith(_TITLE_SUFFIXES))
        ):
            return False
        first = token[0]
        if not (first.isalpha() and first.isupper()):
            return False
        if not all(ch.isalpha() or ch in ".-'’" for ch in token):
            return False
    # A period inside a name ends an initial ("J.-P.", "Jr."), never a word: in "N. Shazeer.
    # NeurIPS" it ends the name, and a venue follows.
    if any(token.endswith(".") and sum(map(str.isalpha, token)) > 2 for token in tokens[:-1]):
        return False
    return tokens[-1] not in _NAME_PARTICLES


_PARENTHESISED = re.compile(r"\([^()]*\)")
_ET_AL = re.compile(r",?\s+et\s+al\.?\s*$")


_SURNAME = re.compile(r"[A-Z][a-zà-ÿ]+(?:[-'][A-Z]?[a-zà-ÿ]+)?")


def names_in(text: str, *, minimum: int = 2) -> list[str] | None:
    """The names in an author list ("A. Smith, B. Jones and C. Lee"), or None when `text` is not
    a list of at least `minimum` person names."""
    et_al = _ET_AL.search(text) is not None
    without_affiliations = _PARENTHESISED.sub("", _ET_AL.sub("", text.strip().strip("*_")))
    cleaned = _AFFILIATION_MARKS.sub("", without_affiliations.rstrip("."))
    names = [part.strip() for part in _NAME_SEPARATORS.split(cleaned) if part.strip()]
    if et_al and len(names) == 1 and _SURNAME.fullmatch(names[0]):
        # "Ouyang et al.": a surname alone is a name where "et al." follows it.
        return names
    if len(names) < minimum or not all(_is_name(name) for name in names):
        return None
    return names


def split_authors(text: str) -> list[str]:
    """Authors of an arXiv record: split on commas and " and ", affiliations in parentheses
    dropped, TeX turned into Unicode."""
    without_affiliations = _PARENTHESISED.sub("", _PARENTHESISED.sub("", text))
    parts = _NAME_SEPARATORS.split(tex_to_text(without_affiliations))
    return [name for part in parts if (name := part.strip(" .,;"))]


# ---- arXiv lists and digests ---------------------------------------------------------------

_ARXIV_BLOCK = re.compile(
    r"^(?:\[\d+\]\s*)?arXiv:(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)"
    r"(?![\w.])(.*)$"
)
_ARXIV_FIELD = re.compile(
    r"^(title|authors?|comments|subjects|categories|date|journal-ref|doi|report-no|license"
    r"|msc-class|acm-class|abstract)\s*:\s*(.*)$",
    re.IGNORECASE,
)
_ARXIV_SECTION = re.compile(
    r"^(new submissions|cross[- ]?lists?|cross submissions|replacements?"
    r"|replacement submissions)(?:\s*\(showing\b.*|\s+for\s+.*|\s*:)?$",
    re.IGNORECASE,
)
"""A section heading of an arXiv page: the whole line, maybe with "for DAY" or "(showing N)"."""
_ARXIV_DAY = re.compile(
    r"^(?:showing new listings for\s+|submissions received from .* announced\s+)?"
    rf"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,\s+(\d{{1,2}})\s+({_MONTH_NAME})\s+(\d{{4}}|\d\d)\b",
    re.IGNORECASE,
)
"""A day heading of an arXiv `/list` page, "Thu, 14 Mar 2024 (showing 50 of 312 entries)", or
the announcement day over a `/new` page: "Showing new listings for Friday, 15 March 2024",
formerly "Submissions received from Wed 13 Mar 24 to Thu 14 Mar 24, announced Fri, 15 Mar 24"."""
_ABS_PAGE_SUBMITTED = re.compile(r"^\[Submitted on \d{1,2} [A-Z][a-z]{2} \d{4}\b")
"""The line over the title of an arXiv abstract page; it opens the record when no id line does."""
_ABS_PAGE_CITE_AS = re.compile(
    r"^Cite as:\s*arXiv:(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?![\w.])"
)
"""Where an arXiv abstract page names its paper's id, under the abstract."""
_ABS_PAGE_BUTTONS = re.compile(
    r"^(?:\[submitted on\b|view pdf\b|html \(experimental\)|tex source$|other formats$)",
    re.IGNORECASE,
)
"""Lines of an arXiv abstract page between its id and its abstract that are not the paper's."""


@dataclass(slots=True)
class _ArxivBlock:
    """One `arXiv:ID` record while its lines are read."""

    arxiv_id: str | None
    """None on an abstract page copied without its id line, until its "Cite as:" line."""
    line: int
    replaced: bool
    listed: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    unlabelled: list[str] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    current: str | None = None
    """The field the next indented line continues."""
    in_abstract: bool = False
    abstract_ended: bool = False
    """A field followed the labelled abstract, as on an abstract page: what comes after it, "Cite
    as", "Submission history" and version lines, is the page's, not the abstract's."""


class _ArxivReader:
    """Reads arXiv listing pages and e-mail digests."""

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.result = ParseResult()
        self.replacements = 0
        self.in_replacements = False
        self.listed: str | None = None
        self.block: _ArxivBlock | None = None
        self.seen_ids: set[str] = set()

    def read(self, lines: list[str]) -> ParseResult:
        for number, raw in enumerate(lines, start=1):
            self._line(raw, number)
        self._close()
        if self.replacements:
            plural = "s" if self.replacements != 1 else ""
            self.result.notes.append(
                f"{self.replacements} replacement{plural} skipped (revised versions of older papers)"
            )
        return self.result

    def _line(self, raw: str, number: int) -> None:
        text = raw.strip()
        block = self.block
        if text.startswith("%%"):
            self._close()
            self.in_replacements = True
            return
        if text.startswith(("-----", "\\\\ (")):
            self._close()
            return
        if match := _ARXIV_BLOCK.match(text):
            self._close()
            rest = match.group(2).lower()
            arxiv_id = canonical_arxiv_id(match.group(1)) or match.group(1)
            self.block = _ArxivBlock(
                arxiv_id, number, self.in_replacements or "(replaced)" in rest, self.listed
            )
            return
        if block is None or not block.in_abstract:
            if match := _ARXIV_SECTION.match(text):
                self._close()
                self.in_replacements = match.group(1).lower().startswith("replacement")
                return
            if match := _ARXIV_DAY.match(text):
                self._close()
                self.listed = _listing_date_parts(match.group(2), match.group(1), match.group(3))
                return
        if block is None:
            if _ABS_PAGE_SUBMITTED.match(text):
                self.block = _ArxivBlock(None, number, self.in_replacements, self.listed)
            return
        if block.arxiv_id is None and (cite := _ABS_PAGE_CITE_AS.match(text)):
            block.arxiv_id = canonical_arxiv_id(cite.group(1)) or cite.group(1)
            return
        if not text:
            block.current = None
            if block.abstract:
                block.in_abstract = False
            return
        if text == "\\\\":
            block.in_abstract = bool(block.fields)
            block.current = None
            return
        field_match = _ARXIV_FIELD.match(text)
        if block.in_abstract:
            if field_match is None or not block.fields:
                block.abstract.append(text)
                return
            block.in_abstract = False
            block.abstract_ended = True
        if text.lower().startswith("replaced with revised version"):
            block.replaced = True
            return
        if match := field_match:
            name = match.group(1).lower()
            name = "authors" if name == "author" else name
            if name == "abstract":
                block.in_abstract = True
                if match.group(2):
                    block.abstract.append(match.group(2))
                return
            block.fields[name] = [match.group(2)]
            block.current = name
            return
        if raw[:1].isspace() and block.current is not None:
            block.fields[block.current].append(text)
            return
        block.current = None
        if block.abstract_ended or _ABS_PAGE_BUTTONS.match(text):
            return
        labelled_after_authors = "subjects" in block.fields or "comments" in block.fields
        if "title" not in block.fields and not labelled_after_authors and not block.unlabelled:
            block.fields["title"] = [text]
        elif "authors" not in block.fields and not labelled_after_authors:
            block.fields["authors"] = [text]
        else:
            block.abstract.append(text)
        block.unlabelled.append(text)

    def _close(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        if block.replaced:
            self.replacements += 1
            return
        raw_title = " ".join(block.fields.get("title", []))
        title = tex_to_text(raw_title)
        if not title:
            self.result.problems.append(
                Problem(f"line {block.line}", f"arXiv:{block.arxiv_id} has no title")
            )
            return
        if block.arxiv_id in self.seen_ids:
            return
        if block.arxiv_id is None:
            # An abstract page copied without its id line nor its "Cite as:" line.
            self.result.problems.append(Problem(f"line {block.line}", f"{title!r} has no arXiv id"))
            return
        self.seen_ids.add(block.arxiv_id)
        abstract = tex_to_text(" ".join(block.abstract)) or None
        comments = " ".join(block.fields.get("comments", []))
        self.result.drafts.append(
            Draft(
                title=title,
                authors=split_authors(" ".join(block.fields.get("authors", []))),
                abstract=abstract,
                arxiv_id=block.arxiv_id,
                url=f"https://arxiv.org/abs/{block.arxiv_id}",
                code_url=(code_url_in(abstract) if abstract else None) or code_url_in(comments),
                listed=block.listed,
                line=block.line,
            )
        )


def _listing_date_parts(month_name: str, day: str, year: str) -> str | None:
    month = _MONTHS.get(month_name.rstrip(".").lower()[:3])
    if month is None:
        return None
    try:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, int(day)).isoformat()
    except ValueError:
        return None


def _looks_like_arxiv_listing(text: str) -> bool:
    """True when `text` may hold arXiv listing blocks: an `arXiv:ID` starting some line
    (`_holds_arxiv_records` decides)."""
    return "arXiv:" in text and _ARXIV_BLOCK_ANYWHERE.search(text) is not None


def _holds_arxiv_records(lines: list[str]) -> bool:
    """True when some `arXiv:ID` line opens a record of an arXiv page or digest: numbered
    ("[3] arXiv:ID"), followed by "[pdf, other]" or "(cross-list from ...)", or alone on its line
    with the record's fields next; or an abstract page, "[Submitted on DATE]" over its title and
    a "Cite as: arXiv:ID" line. An id under, before or beside a title is that title's."""
    last_cite_as = max(
        (number for number, line in enumerate(lines) if _ABS_PAGE_CITE_AS.match(line.strip())),
        default=-1,
    )
    for number, raw in enumerate(lines):
        text = raw.strip()
        if not text.startswith(("arXiv:", "[")):
            continue
        if _ABS_PAGE_SUBMITTED.match(text) and number < last_cite_as:
            return True
        match = _ARXIV_BLOCK.match(text)
        if match is None:
            continue
        rest = match.group(2).strip()
        if text[0] == "[" or rest.startswith(("[", "(")):
            return True
        if rest:
            continue
        # A digest's record goes on with its date or title; an id over "Authors:" is a card's.
        following = _next_filled(lines, number + 1).lower()
        if following.startswith(("date:", "title:", "replaced with")):
            return True
    return False


def _next_filled(lines: list[str], start: int) -> str:
    """The first line from `start` on that is not blank, stripped; "" if none."""
    for number in range(start, len(lines)):
        if text := lines[number].strip():
            return text
    return ""


_ARXIV_BLOCK_ANYWHERE = re.compile(
    r"^[ \t]*(?:\[\d+\][ \t]*|Cite as:\s*)?arXiv:(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})",
    re.MULTILINE,
)

# ---- pages: Hugging Face, Markdown, accepted lists, plain titles --------------------------

_HF_CHROME = frozenset(
    (
        "subscribe",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "byak and the research community",
        "by ak and the research community",
        "daily papers",
        "trending papers",
        "submitted by",
    )
)
"""Chrome only a Hugging Face Papers page has: its papers come with abstracts or card lines."""
_CHROME = _HF_CHROME | frozenset(
    (
        "new",
        "hugging face",
        "papers",
        "home",
        "models",
        "datasets",
        "spaces",
        "posts",
        "docs",
        "enterprise",
        "pricing",
        "log in",
        "login",
        "sign up",
        "search",
        "previous",
        "next",
        "daily",
        "weekly",
        "monthly",
        "trending",
        "collections",
        "community",
        "upvote",
        "upvoted",
        "view all",
        "load more",
        "show more",
        "see all",
        "view arxiv page",
        "view pdf",
        "arxiv page",
        "paper page",
        "add to collection",
        "download pdf",
        "comments",
        "·",
        "•",
        "|",
    )
)
"""Lines of page chrome: header, menus, card buttons (lower case)."""
_GLUED_CHROME = (
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
    "byAK and the research community",
    "Subscribe",
    "new",
)
"""Header chrome that a copy can glue onto the next line ("SubscribeScaling Laws for ...")."""
_COUNT = re.compile(r"^(?:\d+(?:[.,]\d+)?[km]?|[·•]?\s*\d+\s+authors?(?:\s*[·•])?)$", re.I)
"""Upvote and comment counts ("57", "1.2k") and "· 14 authors" lines."""
_PUBLISHED = re.compile(
    r"^(?:published|submitted|posted|written|(?:last\s+)?updated)\s+(?:on|by)\b", re.IGNORECASE
)
"""A page's or a post's date or byline: "Published on ...", a blog's "Posted on March 3 by ..."."""
_HEADING = re.compile(r"^#{1,6}(?:\s+|$)")
_LIST_MARK = re.compile(r"^(?:[-*+•▪◦‣–—]|\d{1,4}[.)]|\(\d{1,4}\))\s+")
_TASK = re.compile(r"^\[([ xX])\]\s+")
_POST_FLAIR = re.compile(r"^\[[DNPR]\]\s+(?=\S)")
"""The flair opening a r/MachineLearning post's title: [R]esearch, [D]iscussion, [P]roject,
[N]ews."""
"""A Markdown task's checkbox, "[ ] " or "[x] " (done)."""
_MD_LINK = re.compile(
    r"^(?:\*\*|__|\*|_)?\[((?:[^\[\]]|\[[^\[\]]*\])+)\]"
    r"\(\s*<?([^()\s<>]+(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)"
    r"(?:\*\*|__|\*|_)?(.*)$"
)
"""`[Title](link) rest`, optionally in bold or italics; one level of brackets in the title."""
_RELATIVE_PAPER_LINK = re.compile(
    r"^/(papers|abs|pdf)/(\d{4}\.\d{4,5}(?:v\d+)?)(?:\.pdf)?/?(?:[#?][^\s]*)?$"
)
_MD_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()\s]*\)")
_URL = re.compile(r"<?(https?://[^\s<>\"'{}|\\^`]+)>?")
_TRAILING_ID = re.compile(r"\s[(\[]\s*(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}(?:v\d+)?)\s*[)\]]\s*$")
"""A bare new-style arXiv id in brackets ending a title line: "Attention Is All You Need (1706.03762)"."""
_INLINE_ARXIV = re.compile(r"\(?\[?\barXiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?)\]?\)?", re.IGNORECASE)
_PAPER_HOST = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/|openreview\.net/(?:forum|pdf)|aclanthology\.org/."
    r"|doi\.org/10\.|huggingface\.co/papers/\d|semanticscholar\.org/paper/|proceedings\."
    r"|papers\.nips\.cc/|neurips\.cc/paper|dl\.acm\.org/doi/|ieeexplore\.ieee\.org/document/"
    r"|link\.springer\.com/|sciencedirect\.com/science/|biorxiv\.org/content/"
    r"|medrxiv\.org/content/|jmlr\.org/papers/|mlr\.press/|thecvf\.com/|alphaxiv\.org/"
    r"|\.pdf(?:$|[?#])",
    re.IGNORECASE,
)
"""Links to a paper itself, not to a site's front page or menu."""
_CODE_HOST = re.compile(r"github\.com|gitlab\.com|bitbucket\.org|codeberg\.org", re.IGNORECASE)
_LABEL = re.compile(
    r"^[*_]{0,2}(title|authors?|abstract|summary|tl;dr|code|paper|pdf|link|url|project page)"
    r"[*_]{0,2}\s*:\s*[*_]{0,2}\s*(.+?)[*_]{0,2}$",
    re.IGNORECASE,
)
"""`Authors: ...`, `**Summary:** ...`: a labelled line of a record, emphasis left out."""
_RECORD_METADATA = re.compile(
    r"^(?:keywords|readers|primary area|submission number|published|last modified"
    r"|supplementary material|venue|anthology id|month|year|address|publisher)\s*:",
    re.IGNORECASE,
)
"""Lines of a record's metadata on a venue page (OpenReview's "Keywords: ...", "Readers:
Everyone"): neither a title nor the paper's."""
_VENUE_DECISION = re.compile(
    r"^(?:submitted to\s+)?[A-Z][\w-]*\s+(?:19|20)\d\d\s+(?:conference\s+)?"
    r"(?:oral|poster|spotlight|notable[\w -]*|(?:withdrawn\s+)?submission)$",
    re.IGNORECASE,
)
"""The venue and decision OpenReview shows under a paper: "ICLR 2025 Oral", "Submitted to ICLR
2025"; not a title."""
_SCHOLAR_BYLINE = re.compile(r"^([^-–…]+)…?\s+-\s+(.+?)(?:,\s+((?:19|20)\d\d))?\s+-\s+[\w.&' -]+$")
"""The line under a Google Scholar result's title: "M Okonkwo, T Lindqvist - Venue, 2024 - host"."""
_RESULT_ACTIONS = re.compile(r"^(?:save\s+cite\b|cited by \d)", re.IGNORECASE)
"""The row of links under a search result: "Save Cite Cited by 37 Related articles"."""
_ANTHOLOGY_BUTTONS = re.compile(r"^pdf\s+bib\s+(?:(\(full\))|abs\s+)")
"""The buttons before each title of an ACL Anthology volume, "pdf bib abs Title"; "(full)" before
the volume's own title."""
_LEAD_IN = re.compile(r"^[a-z][\w' ]*[:?]\s+(?=[A-Z])")
"""A chat message's words before the title it shares: "also relevant: Title", "has anyone read
this? Title"."""
_BY_LINE = re.compile(r"^by\s+(.+)$", re.IGNORECASE)
_BY = re.compile(r"\s+by\s+", re.IGNORECASE)
_TITLE_DASH = re.compile(r"\s+[-–—|:]+\s*$")
_SENTENCE_BREAK = re.compile(r"(?<!\bvs)(?<!\bal)(?<!\bcf)(?<!\betc)[a-z]{2}[.!] [A-Z]")
_NOT_TITLE_START = (
    "$ ",
    "% ",
    ">>>",
    "Copyright",
    "COPYRIGHT",
    "copyright",
    "(c)",
    "(C)",
    "©",
    "All rights reserved",
    "SPDX",
)
_NOT_TITLE_END = ("License", "license", "LICENSE", "Licence", "licence", "TODO", "FIXME", "{", "}")
_FILE_NAME = re.compile(r"\.(?:py|md|txt|sh|json|csv|toml|cfg|ya?ml|whl|tar|gz|zip)\b", re.I)
"""Code, markup, file names and legal boilerplate, which titles do not contain."""
_CONTINUATION_END = frozenset(
    "a an the of and or to in for with by on at from as that which is are be this these its "
    "their our your all any into via than".split()
)
_NEVER_LAST = frozenset("a an the of and or for with from into via than".split())
_ACADEMIC_WORDS = (
    " we ",
    "we ",
    " our ",
    "this paper",
    "this work",
    "this study",
    "propos",
    "introduc",
    "experiment",
    "model",
    "method",
    "learning",
    "dataset",
    "algorithm",
    "framework",
    "benchmark",
    "theorem",
    "state-of-the-art",
)
_ORGANISATION = re.compile(
    # Whole words, not part of a hyphenated one: "Meta-Learning Parameterized Skills" is a title.
    r"(?<![\w-])(?:AI|Lab|Labs|Laboratory|University|Univ|Institute|Research|Inc|Corp|Group|Team|DeepMind"
    r"|Google|Meta|Microsoft|NVIDIA|Apple|Amazon|Alibaba|Tencent|ByteDance|Baidu|Huawei|Samsung"
    r"|IBM|OpenAI|Anthropic|Qwen|Hugging Face|MIT|Stanford|Berkeley|CMU|Tsinghua|Peking)(?![\w-])"
)
_TABLE_TITLE = frozenset({"title", "paper title", "titles"})
_TABLE_PAPER = frozenset({"paper", "papers"})
"""The title column of a table without a "Title" one; beside one, the paper's link."""
_TABLE_AUTHORS = frozenset({"authors", "author", "author(s)", "authors list"})
_TABLE_LINK = frozenset({"link", "links", "url", "pdf", "paper link", "openreview", "arxiv"})
_TABLE_CODE = frozenset({"code", "github", "repo", "repository"})
_TABLE_ABSTRACT = frozenset({"abstract", "summary", "tl;dr", "tldr"})
_TABLE_VENUE = frozenset({"venue", "conference", "journal", "published in", "published at"})
_TABLE_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
"""A pipe between cells; `\\|` is a pipe inside one."""


_OFF_TOPIC = frozenset(
    (
        "changelog",
        "change log",
        "release notes",
        "added",
        "fixed",
        "changed",
        "removed",
        "deprecated",
        "breaking changes",
        "bug fixes",
        "known issues",
        "what's new",
        "roadmap",
        "todo",
        "to do",
        "installation",
        "install",
        "usage",
        "getting started",
        "supported models",
        "requirements",
        "dependencies",
        "contributing",
        "license",
        "faq",
        "attendees",
        "agenda",
        "action items",
        "next meeting",
        "table of contents",
        "about the job",
        "about the role",
        "responsibilities",
        "qualifications",
        "benefits",
        "course description",
        "grading",
        "office hours",
        "important dates",
        "submission guidelines",
    )
)
"""Headings of changelogs, READMEs, minutes, books, job ads, syllabi and calls for papers: what
follows them is not a paper."""
_NAMES_A_LIST = re.compile(r"\b(?:read|reading|papers|literature)\b", re.IGNORECASE)
"""Words of a heading over someone's own list of papers: "Reading list", "Papers to read this
week", "## Literature" (but not "## This Week" or "## TODO", over a project's tasks)."""
_SHORT_HEADING_WORDS = 4
"""Words of a heading naming a list that may be in title case ("My Reading List"): a paper's
title with such a word is longer."""
_LIST_HEADING = re.compile(
    r"\b(?:accepted|selected)\s+(?:papers|posters|submissions|talks|orals)\s*$"
    r"|^(?:orals?|posters?|spotlights?)(?:\s+(?:and|&)\s+\w+|\s+(?:papers|presentations|session))?$"
    r"|\bcall for papers\s*$|^proceedings of\b[^:]*(?:\(volume [^()]*\))?$",
    re.IGNORECASE,
)
"""A line naming a venue or one of its lists: "ICML 2024 Workshop on ... — Accepted Papers",
"Orals and Spotlights", "Call for Papers", "Proceedings of ... (Volume 1: Long Papers)". Lists only at the end of the
line, and no subtitle: "Accepted Papers Are Not Always Better: ..." and "Findings of the Third
Workshop on ..." are papers' titles."""
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?$")
_VERSION_HEADING = re.compile(r"^\[?v?\d+(?:\.\d+)+\]?(?:\s|$)")
_NUMBERED_PART = frozenset("version chapter section part lecture week day step".split())
"""First words of "Chapter 3 ...", "Version 4.1 ...": parts of a document, not titles."""


def _names_a_paper(text: str) -> bool:
    """True when `text` links to a paper or gives its arXiv id: a task that is one to read."""
    return bool(_PAPER_HOST.search(text) or _INLINE_ARXIV.search(text) or _TRAILING_ID.search(text))


def _off_topic_heading(heading: str) -> bool:
    """True for a heading whose section holds no papers: "Fixed", "Roadmap", "[2.1.0] - ..."."""
    folded = heading.strip("*_ ").rstrip(":").casefold()
    return folded in _OFF_TOPIC or _VERSION_HEADING.match(folded) is not None


def _is_title(text: str) -> bool:
    """True for a line that can be a paper title on its own: a few words, no sentence end, no
    code, not a line of wrapped prose."""
    if len(text) < 8 or len(text) > 300 or text[-1] in ".,;:" or text[0] in "-*+>#|/~@":
        return False
    words = text.split()
    if not 2 <= len(words) <= 45:
        return False
    last = words[-1]
    # Title case capitalises a last "All" or "That" ("One Model To Learn Them All"); wrapped
    # prose ends on a lower-case one, or on a word no title ends with.
    if last in _CONTINUATION_END or last.lower() in _NEVER_LAST:
        return False
    first = words[0]
    # Wrapped prose starts lower-case; a title does only with a product name before title-cased
    # words ("gzip Predicts Data-dependent Scaling Laws").
    if (
        first.isalpha()
        and first.islower()
        and (first in _CONTINUATION_END or not _title_cased(words[1:]))
    ):
        return False
    if words[1][0].isdigit() and first.lower() in _NUMBERED_PART:
        return False
    if ":" in text and _CLOCK_TIME.search(text):
        # A chat copy's "Priya Raman  9:12 AM".
        return False
    if "`" in text or "\\" in text or ("=" in text and (" = " in text or "==" in text)):
        return False
    if "/" in text and ("</" in text or "/>" in text or "://" in text):
        return False
    if text.startswith(_NOT_TITLE_START) or text.endswith(_NOT_TITLE_END):
        return False
    if text[-4:].isdigit() and _ENDS_ON_A_DATE.search(text):
        return False
    if "." in text and (_FILE_NAME.search(text) or _SENTENCE_BREAK.search(text)):
        return False
    if "! " in text and _SENTENCE_BREAK.search(text) and not _title_cased(words):
        return False
    # Words, not numbers or symbols: "total 48" and "0.5 0.7 0.9" are not titles. A comprehension
    # and one max() instead of a max() call per word: _is_title on 100,000 titles 0.36 s -> 0.26 s.
    lengths = [len(word) for word in words if word[0].isalpha()]
    return len(lengths) >= 2 and len(lengths) * 2 >= len(words) and max(lengths) >= 3


def _title_cased(words: list[str]) -> bool:
    """True when most words start with a capital, as in "Look Ma, No Hands! Agent-Environment
    Factorization", not in "Thanks for reading! See you next week"."""
    capitals = sum(1 for word in words if word[0].isupper())
    return capitals * 3 >= len(words) * 2


def _product_name(text: str) -> bool:
    """True when `text` opens with a name such as "xLSTM", "iVideoGPT" or "o1": lower-case first,
    a capital or digit after, which no word of "Subscribers" or "newsletter" has."""
    name = text.split(maxsplit=1)[0].rstrip(":")
    return name[:1].islower() and any(ch.isupper() or ch.isdigit() for ch in name[1:])


def _is_prose(text: str) -> bool:
    """True for a paragraph line: long, sentences, no markup."""
    length = len(text)
    if length < 100 or text.count(" ") < 12 or text[0] in "|#<":
        return False
    if "</" in text or "/>" in text:
        return False
    return length >= 320 or text[-1] in ".…)" or _SENTENCE_BREAK.search(text) is not None


def _academic(abstract: str) -> bool:
    """True when a paragraph reads like a paper's abstract rather than a licence or a story."""
    folded = abstract.casefold()
    return any(word in folded for word in _ACADEMIC_WORDS)


@dataclass(slots=True)
class _Entry:
    """A paper being read: title candidates (more than one only while unresolved) and the rest."""

    candidates: list[str]
    lines: list[int]
    listed: str | None
    abstract: str | None = None
    authors: list[str] | None = None
    url: str | None = None
    arxiv_id: str | None = None
    code_url: str | None = None
    venue: str | None = None
    year: int | None = None
    linked: bool = False
    """Opened by a `[Title](link)` heading, bullet or table row."""
    evidence: bool = False
    """Something besides the title says this is a paper: authors, a paper link, a table row."""
    headed: bool = False
    """Opened by a heading without a link: a paper only once a link under it names one."""
    anchored: bool = False
    """Closed by Hugging Face card chrome ("14 authors", "Submitted by")."""
    article: bool = False
    """More paragraphs follow the abstract: a heading over an article, not a paper."""


class _PageReader:
    """Reads listing pages that are not arXiv blocks, in one pass over the lines."""

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.problems: list[Problem] = []
        self.entries: list[_Entry] = []
        self.run: _Entry | None = None
        """Title lines since the last abstract or card anchor: which is the title is open."""
        self.last: _Entry | None = None
        self.card: _Entry | None = None
        """The Markdown card whose author, affiliation and summary lines follow."""
        self.card_lines: list[str] = []
        """Lines of the paragraph being read under the card."""
        self.listed: str | None = None
        self.page_chrome = False
        self.submitted_seen = False
        self.skip_user = False
        self.in_code = False
        self.in_header = True
        """Still before the first paper, where page chrome can be glued onto a title."""
        self.blocks_bare = False
        """Code, shell prompts or HTML: the text is not a list, bare titles are not papers."""
        self.other_lines = 0
        self.orphan_paragraphs = 0
        self.off_topic = False
        """Under a heading of a changelog, README or minutes ("Fixed", "Roadmap", "Attendees")."""
        self.reading_list = False
        """Under a heading naming a reading list ("## Papers to read"): its tasks are papers."""
        self.done_tasks: set[int] = set()
        """The lines of tasks ticked done ("- [x] Title"): papers already read."""
        self.table: dict[str, int] | None = None
        self.table_header: list[str] | None = None
        self.lines: list[str] = []
        self.link_above: tuple[int, str, str | None] | None = None
        """A link line that heads the title line after it: that line's number, link, arXiv id."""

    # -- the pass --

    def read(self, lines: list[str]) -> list[Draft]:
        self.lines = lines
        count = len(lines)
        index = 0
        while index < count:
            text = lines[index].strip()
            index += 1
            if not text:
                if self.card is not None or self.table is not None or self.table_header:
                    self._blank()
                continue
            if self.in_code:
                if text.startswith(("```", "~~~")):
                    self.in_code = False
                continue
            if self.in_header:
                text = self._unglue_header(text)
                if not text:
                    continue
            length = len(text)
            first = text[0]
            # Most lines of a big listing are titles and abstracts: they take the short way.
            if self.card is None and self.run is None and 8 <= length <= 300:
                taken = self._title_with_abstract(text, lines, index)
                if taken:
                    index += taken
                    continue
            if length > 300 and self.card is None and first not in "|#<`" and ":" not in text[:20]:
                self._paragraph(text)
                continue
            if length <= 60 and self._chrome(text):
                continue
            if first in "#-*+•▪◦‣–—(|`~<>$%[0123456789" or text.startswith(("by ", "By ")):
                consumed = self._structured(text, lines, index)
                if consumed is not None:
                    index += consumed
                    continue
            self._plain(text, index)
        self._close_card()
        return self._finish()

    def _title_with_abstract(self, title: str, lines: list[str], index: int) -> int:
        """Read a title line and the abstract line after it (past at most one blank line) as
        one paper, if they plainly are: the number of lines taken after the title. Anything less
        plain takes none and is left to the line-by-line rules."""
        taken = 1
        abstract = lines[index].strip() if index < len(lines) else ""
        if not abstract and index + 1 < len(lines):
            taken = 2
            abstract = lines[index + 1].strip()
        if len(abstract) <= 300 or abstract[0] in "|#<`" or ":" in abstract[:20]:
            return 0
        if title[-1] in ".,;:" or not (title[0].isalpha() or title[0] in "\"'“‘(["):
            return 0
        if "arXiv:" in title or (title[0] in "PpSsUuLlWw" and _PUBLISHED.match(title)):
            return 0
        if ":" in title[:20] and _LABEL.match(title):
            return 0
        if not self.page_chrome and (" by " in title or " By " in title):
            return 0
        # _is_title also turns down links.
        if title.casefold() in _CHROME or not _is_title(title):
            return 0
        title = one_line(title)
        self._add(_Entry([title], [index], self.listed, abstract=abstract))
        return taken

    def _add(self, entry: _Entry) -> None:
        link_above = self.link_above
        if link_above is not None and entry.lines[:1] == [link_above[0]] and entry.url is None:
            entry.url, entry.arxiv_id = link_above[1], link_above[2]
            entry.evidence = entry.evidence or _PAPER_HOST.search(entry.url) is not None
        self.entries.append(entry)
        self.last = entry
        self.in_header = False

    def _blank(self) -> None:
        card = self.card
        if card is not None and self.card_lines:
            self._card_paragraph(card)
        self.table = None
        self.table_header = None

    def _unglue_header(self, text: str) -> str:
        """Drop header chrome glued onto the first line of the page."""
        stripped = True
        while stripped:
            stripped = False
            for chrome in _GLUED_CHROME:
                if text.startswith(chrome):
                    rest = text[len(chrome) :].lstrip()
                    if not rest or rest[0].isupper() or rest[0].isdigit() or _product_name(rest):
                        self.page_chrome = self.page_chrome or chrome != "new"
                        text, stripped = rest, True
                        break
        return text

    def _chrome(self, text: str) -> bool:
        """Skip a line of page chrome; a page date sets the papers' listing date."""
        folded = text.casefold()
        if folded in _CHROME:
            self.page_chrome = self.page_chrome or folded in _HF_CHROME
            return True
        if self.skip_user:
            self.skip_user = False
            if " " not in text:
                return True
        first = text[0]
        if first in "Ss" and folded.startswith("submitted by"):
            self.page_chrome = True
            self.skip_user = folded == "submitted by"
            if self.submitted_seen and self.run is not None:
                self._anchor()
            self.submitted_seen = True
            return True
        if (first.isdigit() or first in "·•") and _COUNT.match(text):
            if "author" in folded:
                self.page_chrome = True
                self._anchor()
            return True
        if len(text) <= 20 and (match := _PAGE_DATE.match(text)):
            self._set_listed(match)
            return True
        return first in "PpSsUuLlWw" and _PUBLISHED.match(text) is not None

    def _set_listed(self, match: re.Match[str]) -> None:
        self.listed = _listing_date(match, self.context.today) or self.listed
        if self.run is not None:
            # The page date comes after menu lines that opened a run of title-like lines.
            self.run.listed = self.listed

    def _anchor(self) -> None:
        """A card's chrome closes it: the open title lines are one paper's."""
        run = self.run
        if run is not None:
            run.anchored = True
            self.last, self.run = run, None
        elif self.last is not None:
            self.last.anchored = True

    # -- structured lines: Markdown, tables, code, "by" lines --

    def _structured(self, text: str, lines: list[str], index: int) -> int | None:
        """Handle a line that starts like markup; the number of extra lines it took, or None
        when it is plain text after all."""
        if text.startswith(("```", "~~~")):
            self._close_all()
            self.in_code = True
            self.blocks_bare = True
            return 0
        if text[0] == "|":
            self._table_row(text, index)
            return 0
        if text[0] in "<$%>":
            if text[0] in "$%" and text[1:2] not in ("", " "):
                # "$k$-NN Attention" is math; only "$ cmd" and "% cmd" are prompts.
                return None
            if text[0] != "<" or text[-1] == ">" or "</" in text:
                self.blocks_bare = True
                self.other_lines += 1
                return 0
            return None
        extra = 0
        if heading := _HEADING.match(text):
            content = text[heading.end() :].strip()
            if content.startswith(("[", "**[", "*[", "_[")) and "](" not in content:
                content, extra = self._join_wrapped_link(content, lines, index)
            self._close_all()
            link = _MD_LINK.match(content)
            self.off_topic = link is None and _off_topic_heading(content)
            self.reading_list = _NAMES_A_LIST.search(content) is not None
            if link is not None:
                self._linked(link, index)
            elif date_heading := _PAGE_DATE.match(content):
                self._set_listed(date_heading)
            elif not self.off_topic:
                self._headed(content, lines, index + extra)
            return extra
        if mark := _LIST_MARK.match(text):
            content = text[mark.end() :].strip()
            if task := _TASK.match(content):
                if not (self.reading_list or _names_a_paper(content)):
                    # A project's to-do list is no reading list.
                    self.other_lines += 1
                    return 0
                content = content[task.end() :]
                if task.group(1) != " ":
                    self.done_tasks.add(index)
            if content.startswith(("[", "**[", "*[", "_[")) and "](" not in content:
                content, extra = self._join_wrapped_link(content, lines, index)
            link = _MD_LINK.match(content)
            if link is not None:
                self._close_all()
                self._linked(link, index)
                return extra
            self._close_card()
            if task is None or not self.reading_list:
                self._plain(content.strip("*_ "), index)
                return 0
            # A task under "## Papers to read" is a paper, not a bare line among others.
            self._close_run()
            self._plain(content.strip("*_ "), index)
            if self.run is not None and self.run.lines == [index]:
                self.run.evidence = True
                self._close_run()
            return 0
        if by := _BY_LINE.match(text.strip("*_")):
            names = names_in(by.group(1), minimum=1)
            target = self._subject() if names is not None else None
            if names is not None and target is not None and target.authors is None:
                target.authors = names
                target.evidence = True
                return 0
            return None
        if text[0] == "[":
            link = _MD_LINK.match(text)
            if link is not None:
                self._close_all()
                self._linked(link, index)
                return 0
            if flair := _POST_FLAIR.match(text):
                self._plain(text[flair.end() :], index)
                return 0
        return None

    def _join_wrapped_link(self, content: str, lines: list[str], index: int) -> tuple[str, int]:
        """A `[Title` whose `](link)` a text browser wrapped onto the next line or two."""
        joined = content
        for extra in (1, 2):
            if index + extra - 1 >= len(lines):
                break
            joined = f"{joined} {lines[index + extra - 1].strip()}"
            if "](" in joined:
                return joined, extra
        return content, 0

    def _headed(self, heading: str, lines: list[str], index: int) -> None:
        """A heading without a link: a paper's card when the first line under it names authors
        or links to a paper, as the line under "Why it matters" or "This week's papers" does not."""
        title = _clean_title(_LIST_MARK.sub("", heading, count=1))
        if not _is_title(title):
            return
        following = _next_filled(lines, index)
        if not _vouches_for_paper(following):
            return
        entry = _Entry([title], [index], self.listed, evidence=True, headed=True)
        self._add(entry)
        self.card = entry

    def _linked(self, link: re.Match[str], index: int) -> None:
        """A `[Title](link)` heading or bullet: a paper if the link or what follows says so."""
        # A linked thumbnail, "[![Image 2](thumb.png)](link)", comes above the card it shows.
        title = _clean_title(_MD_IMAGE.sub("", link.group(1)))
        url = link.group(2)
        if relative := _RELATIVE_PAPER_LINK.match(url):
            # A page saved as Markdown without its host: Hugging Face's /papers/ID, arXiv's /abs/ID.
            host = "huggingface.co/papers" if relative.group(1) == "papers" else "arxiv.org/abs"
            url = f"https://{host}/{relative.group(2)}"
        if not title and "![" in link.group(1):
            return
        if not title or url.startswith("#") or ("://" not in url and not url.startswith("www.")):
            self.other_lines += 1
            return
        paper_link = _PAPER_HOST.search(url) is not None
        if not paper_link and (_CODE_HOST.search(url) or len(title.split()) < 3):
            self.other_lines += 1
            return
        entry = _Entry([title], [index], self.listed, url=url, linked=True, evidence=paper_link)
        entry.arxiv_id = arxiv_id_in_link(url)
        rest = link.group(3).strip(" -–—,:·*_")
        if rest:
            names = names_in(_BY_PREFIX.sub("", rest), minimum=1)
            if names is not None:
                entry.authors = names
                entry.evidence = True
        self._add(entry)
        self.card = entry

    def _table_row(self, text: str, index: int) -> None:
        cells = [
            cell.strip().replace("\\|", "|")
            for cell in _TABLE_CELL_SEPARATOR.split(
                text.strip().removeprefix("|").removesuffix("|")
            )
        ]
        if self.table is None:
            if self.table_header is not None and all(set(c) <= set(":- ") for c in cells):
                self.table = _table_columns(self.table_header)
                self.table_header = None
                if self.table is None:
                    self.table = {}
                return
            self.table_header = cells
            return
        columns = self.table
        if "title" not in columns:
            return
        self._close_all()

        def cell(name: str) -> str:
            position = columns.get(name)
            value = cells[position] if position is not None and position < len(cells) else ""
            # "-" and "—" stand for an empty cell.
            return value if value.strip("-–—") else ""

        title_cell = cell("title")
        url = None
        if link := _MD_LINK.match(title_cell):
            title_cell, url = link.group(1), link.group(2)
        title = _clean_title(title_cell)
        if not title:
            if any(cells):
                self.problems.append(Problem(f"line {index}", "table row has no title"))
            return
        link_cell = cell("link")
        if link_cell and (link := _MD_LINK.match(link_cell)):
            url = link.group(2)
        elif link_cell and (found := _URL.search(link_cell)):
            url = found.group(1).rstrip(_URL_TAIL)
        elif link_cell and (arxiv_id := canonical_arxiv_id(link_cell)):
            url = f"https://arxiv.org/abs/{arxiv_id}"
        entry = _Entry([title], [index], self.listed, url=url, linked=True, evidence=True)
        entry.arxiv_id = arxiv_id_in_link(url) if url else None
        if authors_cell := cell("authors"):
            entry.authors = names_in(authors_cell, minimum=1) or split_authors(authors_cell)
        if abstract_cell := cell("abstract"):
            entry.abstract = abstract_cell
        if code_cell := cell("code"):
            found = _URL.search(code_cell)
            entry.code_url = found.group(1).rstrip(_URL_TAIL) if found else None
        entry.venue = _clean_title(cell("venue")) or None
        self._add(entry)

    # -- plain lines: titles, abstracts, author lines --

    def _plain(self, text: str, index: int) -> None:
        card = self.card
        if card is not None:
            self.card_lines.append(text)
            return
        if self.off_topic:
            return
        if len(text) <= 40 and text.casefold().rstrip(":") in _OFF_TOPIC:
            # The paragraph under such a heading is no abstract of the lines above it.
            self._close_all()
            self.other_lines += 1
            return
        if text[:4] == "pdf " and (buttons := _ANTHOLOGY_BUTTONS.match(text)):
            if buttons.group(1):
                self.other_lines += 1
                return
            text = text[buttons.end() :]
        if ":" in text[:25] and _RECORD_METADATA.match(text):
            self.other_lines += 1
            return
        label = _LABEL.match(text) if ":" in text[:20] else None
        if label is not None:
            name, value = label.group(1).lower(), label.group(2).strip()
            if name == "title":
                self._close_all()
                self._add(_Entry([" ".join(value.split())], [index], self.listed))
                return
            if self._label(name, value):
                return
        length = len(text)
        if " - " in text and self._scholar_byline(text):
            return
        # Hugging Face titles have no authors inline, and "X by Y" in one is the title's.
        if (
            (" by " in text or " By " in text)
            and length <= 300
            and not self.page_chrome
            and "://" not in text
            and (split := _split_by(text)) is not None
            and _is_title(split.title)
            # An author list can end like a sentence, on "et al." or "(Inria)"; a sentence
            # ending on names is not title-cased.
            and (length < 100 or not _is_prose(text) or _title_cased(split.title.split()))
        ):
            self._by_line(split, index)
            return
        if (
            length <= 300
            and not self.page_chrome
            and (split := _split_dash(text)) is not None
            and _is_title(split.title)
        ):
            self._by_line(split, index)
            return
        if length <= 300 and ((text[-1] == ":" and length <= 80) or _LIST_HEADING.search(text)):
            self._close_all()
            self.reading_list = _NAMES_A_LIST.search(text) is not None
            return
        if length > 300 or (length >= 100 and _is_prose(text)):
            self._paragraph(text)
            return
        if "://" in text or "arXiv:" in text or "arxiv:" in text or _TRAILING_ID.search(text):
            self._titled_link(text, index)
            return
        # A list of names passes for a title too ("Timothée Darcet, Maxime Oquab"); without a
        # comma or a conference site's " · " or " | ", "Bug Fixes and Stability Improvements" is
        # a title before it is two names.
        separated = "," in text or " · " in text or " | " in text
        names = names_in(text) if separated or not _is_title(text) else None
        if names is not None:
            target = self._subject()
            if target is not None and target.authors is None and target.abstract is None:
                target.authors = names
                target.evidence = True
                return
        elif (
            _is_title(text) and not _VENUE_DECISION.match(text) and not _RESULT_ACTIONS.match(text)
        ):
            self._title(text, index)
            return
        self.other_lines += 1

    def _scholar_byline(self, text: str) -> bool:
        """A search result's authors, venue and year under its title; False if `text` is not
        one or there is no title above it."""
        byline = _SCHOLAR_BYLINE.match(text)
        names = names_in(byline.group(1)) if byline is not None else None
        if byline is None or names is None:
            return False
        target = self._subject()
        if target is None or target.authors is not None:
            return False
        target.authors, target.evidence = names, True
        venue, year = byline.group(2), byline.group(3)
        target.year = int(year) if year else None
        if arxiv := _INLINE_ARXIV.search(venue):
            target.arxiv_id = canonical_arxiv_id(arxiv.group(1))
            target.url = target.url or f"https://arxiv.org/abs/{target.arxiv_id}"
        else:
            target.venue = venue
        return True

    def _by_line(self, split: _Byline, index: int) -> None:
        self._close_run()
        entry = _Entry([split.title], [index], self.listed, authors=split.authors)
        entry.venue, entry.year = split.venue, split.year
        entry.evidence = True
        self._add(entry)

    def _title(self, text: str, index: int) -> None:
        if self.link_above is not None and self.link_above[0] == index:
            self._close_run()
            self._add(_Entry([" ".join(text.split())], [index], self.listed))
            return
        run = self.run
        if run is None:
            run = self.run = _Entry([], [], self.listed)
            self._add(run)
        run.candidates.append(" ".join(text.split()))
        run.lines.append(index)

    def _titled_link(self, text: str, index: int) -> None:
        """A line with a link or an arXiv id: a title with its link, or a link for the last one."""
        url, arxiv_id, remainder = _link_in(text)
        if not remainder:
            target = self._subject()
            if url is not None and arxiv_id is None and _CODE_HOST.search(url):
                # A repository under a paper is its code, never the next title's link.
                if target is not None and target.code_url is None:
                    target.code_url = url.rstrip(_URL_TAIL)
                else:
                    self.other_lines += 1
                return
            if url is not None and self._heads_next_line(index):
                self.link_above = (index + 1, url, arxiv_id)
                return
            if target is not None and target.url is None and url is not None:
                target.url, target.arxiv_id = url, arxiv_id
                target.evidence = target.evidence or _PAPER_HOST.search(url) is not None
            else:
                self.other_lines += 1
            return
        if remainder[0].islower() and (lead_in := _LEAD_IN.match(remainder)):
            remainder = remainder[lead_in.end() :]
        split = _split_by(remainder) if " by " in remainder or " By " in remainder else None
        if split is not None:
            remainder = split.title
        if not _is_title(remainder):
            self.other_lines += 1
            return
        self._close_run()
        authors = split.authors if split else None
        entry = _Entry([_clean_title(remainder)], [index], self.listed, authors=authors)
        if split is not None:
            entry.venue, entry.year = split.venue, split.year
        entry.url, entry.arxiv_id = url, arxiv_id
        entry.evidence = bool(arxiv_id or authors or (url and _PAPER_HOST.search(url)))
        self._add(entry)

    def _heads_next_line(self, index: int) -> bool:
        """True when the link alone on line `index` is the next line's, a title's: there is no
        paper before it to take it, or one with a link already, or a blank line parts them. A
        link under "Please cite:" is what that line names."""
        lines = self.lines
        following = lines[index].strip() if index < len(lines) else ""
        if not following or not _is_title(following):
            return False
        above = lines[index - 2].strip() if index >= 2 else ""
        if above.endswith(":"):
            return False
        before = self.card or self.run or self.last
        return before is None or before.url is not None or not above

    def _paragraph(self, text: str) -> None:
        """A paragraph: the abstract of the title lines before it, else not a paper's."""
        run = self.run
        if run is not None:
            run.abstract = text
            self.last, self.run = run, None
            return
        last = self.last
        if last is not None and last.abstract is None and (last.anchored or last.evidence):
            last.abstract = text
            return
        if last is not None and last.abstract is not None:
            last.article = True
        self.orphan_paragraphs += 1

    def _label(self, label: str, value: str) -> bool:
        """`Authors: ...`, `Abstract: ...`, `Code: ...` lines; False if they fit no paper."""
        target = self._subject()
        if target is None:
            return False
        if label.startswith("author"):
            target.authors = split_authors(value)
            target.evidence = True
        elif label in ("abstract", "summary", "tl;dr"):
            target.abstract = value
        elif label in ("code", "project page"):
            found = _URL.search(value)
            if found is None:
                return False
            target.code_url = found.group(1).rstrip(_URL_TAIL)
        else:
            found = _URL.search(value)
            if found is None:
                return False
            target.url = found.group(1).rstrip(_URL_TAIL)
            target.arxiv_id = target.arxiv_id or arxiv_id_in_link(target.url)
            target.evidence = True
        return True

    def _subject(self) -> _Entry | None:
        """The paper an author, link or label line belongs to: the card, the last title line
        (taken out of an open run), or the paper just read."""
        if self.card is not None:
            return self.card
        run = self.run
        if run is not None:
            self.run = None
            if len(run.candidates) > 1:
                entry = _Entry([run.candidates.pop()], [run.lines.pop()], run.listed)
                self.entries.append(entry)
                run = entry
            self.last = run
            return run
        return self.last

    def _card_paragraph(self, card: _Entry) -> None:
        """Sort a paragraph under a card into labelled values, authors, links, abstract, or
        affiliations (dropped). Label, author and link lines come one a line, before prose."""
        paragraph, self.card_lines = self.card_lines, []
        abstract_before = card.abstract
        while paragraph and self._card_line(card, paragraph[0].strip("*_ ")):
            del paragraph[0]
        if not paragraph:
            return
        text = " ".join(" ".join(line.strip() for line in paragraph).split())
        if abstract_before is None and card.abstract is not None:
            # A "Summary:" line wrapped onto the lines below it.
            card.abstract = f"{card.abstract} {text}"
        elif card.abstract is None and (len(paragraph) > 1 or _is_prose(text) or len(text) > 100):
            card.abstract = text

    def _card_line(self, card: _Entry, line: str) -> bool:
        """Take a labelled, author or link line for the card; False for any other line."""
        if label := _LABEL.match(line):
            self.card = None
            self._label_on(card, label.group(1).lower(), label.group(2).strip())
            self.card = card
            return True
        if card.authors is None and card.abstract is None:
            names = names_in(line, minimum=1)
            if names is not None:
                card.authors = names
                card.evidence = True
                return True
        url, arxiv_id, remainder = _link_in(line)
        if url is None or not _link_label(remainder):
            return False
        if _CODE_HOST.search(url):
            card.code_url = card.code_url or url
            return True
        card.url = card.url or url
        card.arxiv_id = card.arxiv_id or arxiv_id
        card.evidence = card.evidence or arxiv_id is not None or _PAPER_HOST.search(url) is not None
        return True

    def _label_on(self, card: _Entry, label: str, value: str) -> None:
        saved_run, saved_last = self.run, self.last
        self.run, self.last = None, card
        self._label(label, value)
        self.run, self.last = saved_run, saved_last

    def _close_card(self) -> None:
        card = self.card
        if card is not None:
            if self.card_lines:
                self._card_paragraph(card)
            self.card = None

    def _close_run(self) -> None:
        if self.run is not None:
            self.last, self.run = self.run, None

    def _close_all(self) -> None:
        self._close_card()
        self._close_run()
        self.last = None

    # -- deciding --

    def _list_heading(self) -> int | None:
        """The line of a heading over a plain list of titles ("Reading list", "Papers to read
        this week"): the list's first line, naming a list, and either short and set apart by a
        blank line ("My Reading List") or in sentence case where most titles after it are in
        title case. Otherwise the first line is a title like the others."""
        bare = [
            (title, line)
            for entry in self.entries
            if not (entry.evidence or entry.anchored or entry.headed or entry.abstract is not None)
            for title, line in zip(entry.candidates, entry.lines, strict=True)
        ]
        if len(bare) < 3:
            return None
        (first, line), rest = bare[0], bare[1:]
        if not _NAMES_A_LIST.search(first):
            return None
        words = first.split()
        set_apart = line < len(self.lines) and not self.lines[line].strip()
        if set_apart and len(words) <= _SHORT_HEADING_WORDS:
            return line
        title_cased = sum(1 for title, _ in rest if _title_cased(title.split()))
        return None if _title_cased(words) or title_cased * 3 < len(rest) * 2 else line

    def _finish(self) -> list[Draft]:
        with_abstract = 0
        bare = 0
        bare_words = 0
        papers_linked = False
        for entry in self.entries:
            if entry.linked and entry.url is not None and _PAPER_HOST.search(entry.url):
                papers_linked = True
            if entry.abstract is not None and not entry.linked:
                with_abstract += 1
            elif not (entry.evidence or entry.anchored or entry.abstract):
                bare += len(entry.candidates)
                bare_words += sum(len(title.split()) for title in entry.candidates)
        # On a page whose papers come with abstracts, titles alone are badges and leftovers.
        listing_page = self.page_chrome or with_abstract > bare
        anchored_page = any(entry.anchored for entry in self.entries)
        bare_allowed = (
            not listing_page
            and not anchored_page
            and not self.blocks_bare
            and (self.other_lines + self.orphan_paragraphs) * 4 <= bare
            # Titles run to three words and more on average; "Oat Milk" and "Rye Bread" do not.
            and bare_words >= 3 * bare
            and (
                bare >= 2
                or any(len(e.candidates[0].split()) >= 4 for e in self.entries if e.candidates)
            )
        )
        heading = self._list_heading() if bare_allowed else None
        repeats: Counter[str] | None = None
        drafts: list[Draft] = []
        # Where cards link to papers, one linking elsewhere without authors (no evidence) is a
        # sponsor, a community invitation or the archive.
        for entry in self.entries:
            candidates = entry.candidates
            if not candidates:
                continue
            if papers_linked and entry.linked and not entry.evidence:
                continue
            if entry.headed and entry.url is None:
                # Names alone do not make a heading a paper: meeting notes put attendees there.
                continue
            if entry.evidence or entry.anchored:
                pass
            elif entry.abstract is not None:
                if not self.page_chrome and (entry.article or not _academic(entry.abstract)):
                    continue
            else:
                if bare_allowed:
                    drafts.extend(
                        Draft(title=title, line=line, listed=entry.listed, url=entry.url)
                        for title, line in zip(candidates, entry.lines, strict=True)
                        if line != heading
                    )
                continue
            position = len(candidates) - 1
            if position:
                if repeats is None and (listing_page or anchored_page):
                    repeats = Counter(t for e in self.entries for t in e.candidates)
                if anchored_page:
                    assert repeats is not None
                    position = _best_title(candidates, repeats)
                elif listing_page:
                    # Cards of title and abstract: a card without its abstract leaves its title
                    # in the run of the next card's, which is the run's last title.
                    assert repeats is not None
                    titled = [p for p, title in enumerate(candidates) if not _badge(title, repeats)]
                    position = titled.pop() if titled else position
                    drafts.extend(
                        Draft(title=candidates[p], line=entry.lines[p], listed=entry.listed)
                        for p in titled
                    )
                elif bare_allowed:
                    drafts.extend(
                        Draft(title=title, line=line, listed=entry.listed)
                        for title, line in zip(candidates[:-1], entry.lines[:-1], strict=True)
                    )
            abstract = entry.abstract
            url = entry.url
            drafts.append(
                Draft(
                    title=candidates[position],
                    authors=entry.authors or [],
                    abstract=abstract,
                    url=url,
                    arxiv_id=entry.arxiv_id,
                    code_url=entry.code_url or (code_url_in(abstract) if abstract else None),
                    venue=entry.venue,
                    year=entry.year,
                    listed=entry.listed,
                    line=entry.lines[position],
                )
            )
        if self.done_tasks:
            for draft in drafts:
                draft.read = draft.line in self.done_tasks
        return drafts


_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)


def _link_in(text: str) -> tuple[str | None, str | None, str]:
    """The link and arXiv id on a line (an id alone gives its arXiv page), and the line without
    them, separators trimmed."""
    url = None
    arxiv_id = None
    remainder = text
    if found := _URL.search(text):
        url = found.group(1).rstrip(_URL_TAIL)
        remainder = text[: found.start()] + text[found.end() :]
    if found := _INLINE_ARXIV.search(remainder) or _TRAILING_ID.search(remainder):
        arxiv_id = canonical_arxiv_id(found.group(1))
        remainder = remainder[: found.start()] + remainder[found.end() :]
    arxiv_id = arxiv_id or (arxiv_id_in_link(url) if url else None)
    if arxiv_id and url is None:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    return url, arxiv_id, _TITLE_DASH.sub("", remainder.strip(" -–—|:()[]<>")).strip()


def _vouches_for_paper(line: str) -> bool:
    """True for a line that only a paper's card has under its title: its authors, or a link to
    the paper or its arXiv id."""
    if label := _LABEL.match(line):
        return label.group(1).lower() in ("author", "authors", "paper", "pdf", "link", "url")
    if by := _BY_LINE.match(line.strip("*_")):
        return names_in(by.group(1), minimum=1) is not None
    if names_in(line) is not None:
        return True
    if line.startswith("#") or "](" in line:
        # A heading or a Markdown link of its own, not a line of this card.
        return False
    url, arxiv_id, remainder = _link_in(line)
    return (
        url is not None
        and _link_label(remainder)
        and (arxiv_id is not None or _PAPER_HOST.search(url) is not None)
    )


def _link_label(text: str) -> bool:
    """True for what a link line holds besides the link: nothing, or a few words such as "PDF",
    "Code" or a category ("· cs.LG"); not a title or a sentence around the link."""
    return len(text.split()) <= 3 and not _is_title(text)


class _Byline(NamedTuple):
    """A line's title and authors, and the venue and year after the authors, if any."""

    title: str
    authors: list[str]
    venue: str | None = None
    year: int | None = None


def _split_by(text: str) -> _Byline | None:
    """`Learning by Doing: X by A. Smith, B. Jones` -> the title and the names after the LAST
    " by " followed by a list of names; one name only if it has an initial or "et al.", since
    "Hallucination Detection by Semantic Entropy" names a method, not a person."""
    splits = list(_BY.finditer(text))
    for split in reversed(splits):
        title = text[: split.start()].strip(" ,;:-–—")
        names_text = text[split.end() :]
        found = _names_and_venue(names_text, minimum=1)
        if found is None or not title:
            continue
        names, names_text, venue, year = found
        if len(names) == 1 and "." not in names[0] and not _ET_AL.search(names_text):
            continue
        return _Byline(" ".join(title.split()), names, venue, year)
    return None


_NAMES_END = re.compile(r"(?<=[^\W\d_]{2})\.\s+(?=\S)")
"""The period after the last surname of "A. Vaswani, N. Shazeer. NeurIPS, 2017"."""
_YEAR_AT_END = re.compile(r"[,\s(]*\b((?:19|20)\d\d)\)?\.?$")


def _names_and_venue(
    text: str, *, minimum: int
) -> tuple[list[str], str, str | None, int | None] | None:
    """The names of an author list, the text that names them, and the venue and year that may
    follow the names after a period ("A. Smith, B. Jones. NeurIPS, 2017")."""
    names = names_in(text, minimum=minimum)
    if names is not None:
        return names, text, None, None
    end = _NAMES_END.search(text)
    year = _YEAR_AT_END.search(text)
    if end is None or year is None:
        return None
    names = names_in(text[: end.start()], minimum=minimum)
    if names is None:
        return None
    venue = text[end.end() : year.start()].strip(" ,.") or None
    return names, text[: end.start()], venue, int(year.group(1))


_DASH_BEFORE_NAMES = re.compile(r"\s+[–—]\s+|\s+-\s+(?!.*\s-\s)")


def _split_dash(text: str) -> _Byline | None:
    """`Title — A. Smith, B. Jones` -> the title and the names after its last dash, when they
    read surely as people: three or more, an initial, or "et al.". Two capitalised pairs may be
    a subtitle: "Diffusion Models – Fast Sampling, High Fidelity"."""
    parts = _DASH_BEFORE_NAMES.split(text)
    if len(parts) < 2:
        return None
    found = _names_and_venue(parts[-1], minimum=1)
    title = _clean_title(text[: len(text) - len(parts[-1])].rstrip(" -–—"))
    if found is None or not title:
        return None
    names, names_text, venue, year = found
    et_al = _ET_AL.search(names_text) is not None
    if len(names) < (1 if et_al else 2):
        return None
    if not et_al and len(names) < 3 and not any("." in name for name in names):
        return None
    return _Byline(" ".join(title.split()), names, venue, year)


_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*|(?<![\w_])_)(?=\S)([^*_]+?)(?<=\S)\1(?!\w)")
"""`**DDIM**`, `*Attention*`, `_via_`: Markdown emphasis, not `A* Search` or `snake_case`."""


def _clean_title(text: str) -> str:
    """A title from Markdown: emphasis, escapes (`\\[ICML\\]`) and line breaks gone, spaces
    collapsed."""
    unescaped = _MARKDOWN_ESCAPE.sub(r"\1", text) if "\\" in text else text
    return " ".join(_EMPHASIS.sub(r"\2", unescaped).strip().strip("*_").split())


_MARKDOWN_ESCAPE = re.compile(r"\\([\[\]()*_`#|])")


def _table_columns(header: list[str]) -> dict[str, int] | None:
    """Which column of a Markdown table holds the title, authors, link, code and abstract."""
    columns: dict[str, int] = {}
    for position, name in enumerate(cell.strip("*_ ").casefold() for cell in header):
        for key, names in (
            ("title", _TABLE_TITLE),
            ("authors", _TABLE_AUTHORS),
            ("link", _TABLE_LINK),
            ("code", _TABLE_CODE),
            ("abstract", _TABLE_ABSTRACT),
            ("venue", _TABLE_VENUE),
        ):
            if name in names and key not in columns:
                columns[key] = position
    for position, name in enumerate(cell.strip("*_ ").casefold() for cell in header):
        if name in _TABLE_PAPER:
            columns.setdefault("title" if "title" not in columns else "link", position)
    return columns if "title" in columns else None


def _badge(title: str, repeats: Counter[str]) -> bool:
    """True for a card's organisation badge: short, and a lab's name or repeated across cards."""
    return (
        len(title.split()) <= 4
        and ":" not in title
        and (repeats[title] > 1 or _ORGANISATION.search(title) is not None)
    )


def _best_title(candidates: list[str], repeats: Counter[str]) -> int:
    """Of several title lines before one abstract, the title's position: not an organisation
    badge, and the longest of the rest."""

    positions = [p for p, title in enumerate(candidates) if not _badge(title, repeats)]
    positions = positions or list(range(len(candidates)))
    return max(positions, key=lambda p: len(candidates[p]))


# ---- reference lists: a paper's bibliography, a CV's publications -------------------------

_REFERENCES_HEADING = re.compile(
    r"^(?:#{1,6}\s*)?(?:(?:\d{1,2}|[IVX]{1,4})\.?\s+)?"
    r"(?:references|bibliography|works cited|literature cited|cited works"
    r"|(?:selected |recent |peer[- ]reviewed |refereed )?publications"
    r"|journal (?:articles|papers)|conference (?:papers|publications)|preprints)\s*:?$",
    re.IGNORECASE,
)
"""The heading over a bibliography or over a CV's publications, or over one of their parts."""
_OTHER_SECTION = re.compile(
    r"^(?:#{1,6}\s*)?(?:(?:invited |selected )?(?:talks|presentations|lectures)"
    r"|(?:academic |professional )?(?:service|activities|experience|employment)"
    r"|teaching(?: experience)?|awards?(?: and honou?rs)?|honou?rs(?: and awards)?|grants"
    r"|funding|students|supervision|mentoring|education|skills|referees|patents)\s*:?$",
    re.IGNORECASE,
)
"""A CV's heading after its publications: the talks, awards or service under it are no papers."""
_REFERENCE_MARK = re.compile(
    r"^(?:\[(\d{1,3}|[A-Za-z][\w+.-]{0,11})\]|(\d{1,3})[.)]|([-•*–]))(?:\s+|$)"
)
"""`[12] `, `[VSP+17] `, `12. `, `• `, `* `, `– `: a number, label or bullet opening a reference,
maybe on a line of its own; four digits are a year."""
_DETECTION_LINES = 400
"""How far into a text a reference list must start to be read as one: a bibliography or a CV's
publications start well within it, and a listing of any size costs no more than these lines."""
_TITLE_SENTENCES = 3
"""How many sentences a title given first may take ("What Does BERT Look At? An Analysis of
BERT's Attention."), so that a line of prose is given up soon."""
_LONGEST_REFERENCE = 4000
"""Characters past which a text is no one reference (fifty authors take 2,000): prose, or
an appendix after the last reference, is cut there rather than joined on and on."""
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+(?:-(?:[^\W\d_]\.)+)*")
"""`A.`, `A.N.`, `M.-W.`, `Ł.`: a person's initials (their capitals are checked apart)."""
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
"""`Vaswani`, `Ming-Wei`, `O'Neil`: one word of a person's name."""
_QUOTES = {"“": "”", '"': '"', "``": "''", "‘‘": "’’", "‘": "’", "'": "'"}
"""A title quoted, IEEE or Harvard style, and the mark closing each opening one."""
_YEAR_FIRST = re.compile(
    r"^(?:\(((?:19|20)\d\d)[a-z]?(?:,[^()]{1,25})?\)\.?|((?:19|20)\d\d)[a-z]?\."
    r"|\((?:in press|forthcoming|n\.d\.)\)\.?|(?:in press|forthcoming|n\.d\.)\.)\s+",
    re.IGNORECASE,
)
"""The year between the authors and the title: APA's `(2019). `, ACL's `2019. `, or its
stand-in, `(in press). `, `Forthcoming. `."""
_YEAR = re.compile(r"(?<![\w./:=–-])((?:19|20)\d\d)[a-z]?(?=[.,;)\]](?!\d)|\s*$)")
"""A year ending a part of a reference (`, 2017.`, `(2017)`), not in a page range or an id
(`arXiv preprint 2001.08361`)."""
_TITLE_END = re.compile(r"([.?!])\s+(?=\S)|[.?!]?\s*$")
"""Where a sentence of a reference may end: a mark before more text, or the text's end."""
_ABBREVIATION = re.compile(r"(?:^|\s)(?:[^\W\d_]|(?:[A-Z]\.)+[A-Z]|vs|e\.g|i\.e|cf|[Vv]ol|[Nn]o)$")
"""A word that a period ends without ending the sentence: "A.I. and", "vs. humans"."""
_VENUE_WORDS = re.compile(
    r"(?:in:?\s|proceedings\b|proc\.|advances in\b|arxiv\b|corr\b|journal\b|transactions\b"
    r"|trans\.|conference\b|workshop\b|symposium\b|technical report\b|tech\. rep"
    r"|ph\.?d\.? thesis|master'?s thesis|preprint\b)",
    re.IGNORECASE,
)
"""How a venue opens after a title: "In Proceedings of", "arXiv preprint", "Technical report"."""
_AFTER_TITLE = re.compile(r"(?:url\b|https?:|doi\b|pages\b|pp\.|vol\.|volume\b|abs/)", re.I)
"""Links, identifiers, volumes and pages: what follows a title, never what opens one."""
_PAGES = re.compile(r"\d\s*[–-]\s*\d|\d\(\d|\d:\d")
"""Pages and volumes: "436–444", "15(1)", "8:842"."""
_VENUE_AS_TITLE = re.compile(
    r"in (?:proceedings|proc\.|advances|international|annual|conference)\b", re.IGNORECASE
)
"""A reference without its title: "In Defense of the Triplet Loss" is a title, this is not."""
_NOT_A_VENUE = re.compile(
    r"(?:arxiv|corr|url|https?:|doi|preprint|technical report|tech\. rep|ph\.?d\.? thesis"
    r"|master'?s thesis)",
    re.IGNORECASE,
)
"""What follows a title without naming a venue: a preprint, a report, a thesis, a link."""
_PUBLISHER = (
    r"(?-i:(?=[A-Z])[^,.:;\d]*?\b(?:Press|Publishers?|Publishing|Springer|Verlag|Wiley|Elsevier"
    r"|Pearson|Kluwer|Prentice[- ]Hall|McGraw[- ]Hill|Addison[- ]Wesley|O'Reilly|Kaufmann"
    r"|North[- ]Holland|Birkhäuser|SIAM|CRC|Routledge|Associates|Association|Society|ACM|IEEE)"
    r"\b[^,.:;\d]*)"
)
"""A publisher by a word of its name: "MIT Press", "Springer-Verlag", "Curran Associates",
"Association for Computational Linguistics"."""
_PLACE = r"(?-i:[A-Z][^.,:;\d]{0,40}(?:,\s+[A-Z][^.,:;\d]{0,20}){0,2}):\s+"
"""A publisher's place before it: "Cambridge, MA: ", "Florence: "."""
_VENUE_END = re.compile(
    rf",\s*(?:pages\b|pp\.|vol\.|volume\b|no\.|\d|{_MONTH_NAME}\s+\d|edited\s+by\b)|\s+\(\s*pp?\."
    r"|\s+\d+(?=\s?[(,:.]|\s*$)|\.\s+(?:https?:|doi\b|url\b)|\.\s*$"
    r"|,\s+(?:[^,]{1,40},\s+){0,8}?(?:and\s+)?[^,]{1,40},?\s+(?-i:Eds?)\.(?=\s|$)"
    rf"|\.\s+(?={_PLACE}{_PUBLISHER})|,\s+(?={_PUBLISHER}(?:,|\.?\s*$))",
    re.IGNORECASE,
)
"""Where a venue stops: at its volume, pages, month or year, its editors (", edited by", ", J.
Jones, Ed."), or its publisher (", MIT Press", ". Cambridge, MA: MIT Press")."""
_IN_VENUE = re.compile(r"^in:?\s+", re.IGNORECASE)
_EDITORS = re.compile(
    r"^(?:[^()]{1,300}\((?:eds?|editors?)\.?\),?|[^()]{1,300}?,\s+editors?,)\s+", re.IGNORECASE
)
"""A book's editors before its title: "N. Navab, J. Hornegger (Eds.), Medical Image ...", "Jill
Burstein and Thamar Solorio, editors, Proceedings ..."."""
_PUBLISHER_PLACE = re.compile(rf"^{_PLACE}(?={_PUBLISHER})")
"""A place before a book's publisher, where the venue is the publisher: "Cambridge, MA: "."""
_COMMA_TITLE_END = re.compile(
    r",\s+(?:in:\s|(?:arXiv|CoRR)\b"
    r"|(?P<journal>[A-Z][^,()\d]*?)\s+\d+(?:\s+\([^()]*\))?\s+\((?P<year>(?:19|20)\d\d)\))"
)
"""Where an Elsevier title ends: at ", in: Proceedings", ", arXiv preprint", or a journal with its
volume and year, ", Nature 521 (7553) (2015)"."""
_BOOK = re.compile(
    r"(?P<title>[^,]+),\s+(?:(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|revised)\s+ed\.,\s+)?"
    rf"(?P<publisher>{_PUBLISHER}),(?:\s+[A-Z][^,\d]*,){{0,2}}\s+(?P<year>(?:19|20)\d\d)\.?"
)
"""An Elsevier book after its authors: "Deep Learning, MIT Press, Cambridge, MA, 2016.", a title
without commas, maybe an edition, a known publisher, its place and the year."""
_CORR_ID = re.compile(r"\babs/(\d{4}\.\d{4,5})")
_DOI = re.compile(r"\b10\.\d{4,9}/\S+")
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
"""The ligatures a PDF viewer copies out of a bibliography ("classiﬁcation"), as letters."""
_KEPT_HYPHEN = frozenset(
    "self pre non multi cross semi fine few zero large long short high low real open meta state "
    "end".split()
)
"""Words whose hyphen at a line's end is the compound's: "self-\\nsupervised", where
"trans-\\nformers" is one word broken by the line."""


def _reference_list_start(lines: list[str]) -> int | None:
    """Where the reference list starts, when the text is one: most of what comes first, or after
    a "References" or "Publications" heading, reads as references."""
    window = lines[:_DETECTION_LINES]
    heading = next(
        (number for number, line in enumerate(window) if _REFERENCES_HEADING.match(line.strip())),
        None,
    )
    start = 0 if heading is None else heading + 1
    read = unread = 0
    for _line, text in _reference_chunks(window, start):
        if isinstance(_read_reference(text), Draft):
            read += 1
        else:
            unread += 1
            if unread > 2 * read + 8:
                # Prose, a listing or anything else shows at once: a huge listing costs no more.
                return None
    if heading is not None:
        # Under its heading a list may keep a reference that cannot be read, or a subheading.
        return start if read >= 1 and read >= unread else None
    return start if read >= 2 and read >= 2 * unread else None


def _read_references(lines: list[str], start: int) -> ParseResult:
    """A paper for each reference from line `start` on; a reference whose title or year is not
    clear is left out with a problem rather than imported wrong."""
    result = ParseResult()
    for line, text in _reference_chunks(lines, start):
        read = _read_reference(text)
        if isinstance(read, Draft):
            read.line = line
            result.drafts.append(read)
        else:
            shown = text if len(text) <= 70 else f"{text[:67]}..."
            why = read or "authors not read"
            result.problems.append(Problem(f"line {line}", f"{why}: {shown!r}"))
    return result


def _reference_chunks(lines: list[str], start: int) -> Iterator[tuple[int, str]]:
    """(1-based line, text) of each reference from line `start` on, its wrapped lines joined:
    numbered lists are cut at the next number; others where a line opens with authors after a
    line that ended a reference, or at a blank line after a whole one."""
    window = lines[start : start + _DETECTION_LINES]
    marks = [mark for line in window if (mark := _REFERENCE_MARK.match(line.lstrip()))]
    numbered = len(marks) >= 2
    # A numbered list's wrapped line may open with a dash ("– MICCAI 2015"): only the bullet the
    # list opens with is one.
    bullet = marks[0].group(3) if marks else None
    number = 0
    first_line = 0
    text = ""
    after_blank = False
    for index in range(start, len(lines)):
        line = lines[index].strip().translate(_LIGATURES)
        if not line:
            after_blank = True
            continue
        if line.isdigit() and len(line) <= 4:
            # A page number between two pages of the list.
            continue
        if _REFERENCES_HEADING.match(line):
            if text:
                yield first_line, text
            text, after_blank = "", False
            continue
        if _OTHER_SECTION.match(line):
            break
        mark = _REFERENCE_MARK.match(line) if numbered else None
        opens = False
        if mark is not None:
            label = mark.group(1) or mark.group(2) or ""
            if label:
                opens = not label.isdigit() or int(label) in (number + 1, 1)
            else:
                opens = mark.group(3) == bullet
            if opens and label.isdigit():
                number = int(label)
            line = line[mark.end() :] if opens else line
        elif text and numbered:
            # A page break inside a reference leaves a blank line; a whole one ends the list.
            opens = after_blank and _whole_reference(text)
        elif text and after_blank:
            opens = _whole_reference(text) or _opens_with_authors(line)
        elif text:
            # A heading of its own, "Selected Papers", gives the first author no first name. A
            # reference that cannot be read must not take the whole ones after it along.
            heading = first_line == index and "," not in text and not _opens_with_authors(text)
            opens = (
                (heading or _ended(text))
                and _opens_with_authors(line)
                and (heading or _whole_reference(text) or _whole_reference(line))
            ) or (
                # A CV's line that gives its title first opens with no authors.
                _ended(text) and _whole_reference(line) and _whole_reference(text)
            )
        if opens or not text or len(text) > _LONGEST_REFERENCE:
            if text:
                yield first_line, text
            first_line, text = index + 1, line
        else:
            text = _joined(text, line)
        after_blank = False
    if text:
        yield first_line, text


def _joined(text: str, line: str) -> str:
    """`text` and the next line of its reference: a word hyphenated (or soft-hyphenated) at the
    line's end made whole, a link broken after a slash rejoined."""
    last = text[-1]
    if last == "\N{SOFT HYPHEN}":
        return text[:-1] + line
    if last == "/" or (last in "-–" and len(text) > 1 and not text[-2].isspace()):
        if last == "-" and text[-2].isalpha() and line[0].islower():
            word = text[:-1].rsplit(maxsplit=1)[-1].rsplit("-", 1)[-1].casefold()
            return text + line if word in _KEPT_HYPHEN else text[:-1] + line
        return text + line
    return f"{text} {line}"


def _whole_reference(text: str) -> bool:
    """True when `text` already reads as a whole reference, title and year included."""
    return isinstance(_read_reference(text), Draft)


def _ended(text: str) -> bool:
    """True for text that may end a reference: a period, a parenthesis, or a link or id."""
    return text[-1] in ".)" or "/" in text[text.rfind(" ") + 1 :]


def _opens_with_authors(line: str) -> bool:
    """True for a line that starts a reference: a person's name, then a comma, "and" or the
    list's end."""
    return _leading_authors(line.rstrip("-"), whole=False) is not None


def read_reference(text: str) -> Draft | None:
    """The paper one reference names, in any style a reference list is read in (APA, IEEE, ACL,
    natbib, Elsevier...), maybe with its number in the list; None when `text` does not read as a
    whole reference."""
    one_line_text = " ".join(text.split()).translate(_LIGATURES)
    if mark := _REFERENCE_MARK.match(one_line_text):
        one_line_text = one_line_text[mark.end() :]
    read = _read_reference(one_line_text)
    return read if isinstance(read, Draft) else None


def _read_reference(text: str) -> Draft | str | None:
    """The paper a reference names; why it cannot be read, for a reference whose title or year
    is not clear; None for text that does not open with authors."""
    read = _read_sentence_reference(text)
    if isinstance(read, Draft):
        return read
    # Elsevier's "A. Kolesnikov, et al., An image is worth ..., in:" opens with names the
    # other styles read too, but they find no end to its title.
    by_commas = _read_comma_reference(text)
    if isinstance(by_commas, Draft):
        return by_commas
    title_first = _read_title_first_reference(text)
    if title_first is not None:
        return title_first
    return by_commas if read is None else read


def _read_sentence_reference(text: str) -> Draft | str | None:
    """See `_read_reference`: the styles whose title is quoted or ends a sentence."""
    authors = _leading_authors(text, whole=True)
    if authors is None:
        return None
    names, title_start = authors
    rest = text[title_start:].lstrip(" ,:")
    year = None
    if year_first := _YEAR_FIRST.match(rest):
        if not (year_first.group(1) or year_first.group(2)):
            # "(in press)": a year after the title would be another reference's.
            return "no year"
        year = int(year_first.group(1) or year_first.group(2))
        rest = rest[year_first.end() :]
    title, after = _title_and_rest(rest)
    if title is None or _names_where_the_title_goes(title):
        return "no clear title"
    if year is None and (year_after := _YEAR.search(after)):
        year = int(year_after.group(1))
    if year is None:
        return "no year"
    return _reference_draft(text, title, names, year, _venue(after))


def _names_where_the_title_goes(title: str) -> bool:
    """True when what stands where the title goes is people's names: a CV's "Title. Authors.
    Venue" line, whose title-cased title passed for a name. Words of titles make no names:
    "Pattern Recognition and Machine Learning" is a title."""
    found = _leading_authors(title, whole=False)
    return found is not None and all(_is_name(name) for name in found[0])


def _read_comma_reference(text: str) -> Draft | str | None:
    """The paper an Elsevier reference names ("A. Vaswani, N. Shazeer, Attention is all you
    need, in: ..."), whose title ends at a comma; see `_read_reference`. A title is only taken
    where what follows it clearly opens the venue, or is a book's known publisher, its place and
    the year: after "Deep Learning, Lecture Notes, Cambridge" the title could as well be "Deep
    Learning, Lecture Notes"."""
    authors = _initials_first_names(text)
    if authors is None:
        return None
    names, title_start = authors
    rest = text[title_start:]
    book = _BOOK.fullmatch(rest.strip())
    if book and (book_title := _plausible_title(book.group("title"))):
        return _reference_draft(
            text, book_title, names, int(book.group("year")), book.group("publisher")
        )
    end = _COMMA_TITLE_END.search(rest)
    title = _plausible_title(rest[: end.start()]) if end else None
    if end is None or title is None:
        return "no clear title"
    after = rest[end.start() :]
    year_after = _YEAR.search(after)
    if end.group("year"):
        year = int(end.group("year"))
    elif year_after:
        year = int(year_after.group(1))
    else:
        return "no year"
    return _reference_draft(text, title, names, year, end.group("journal") or _venue(after))


def _read_title_first_reference(text: str) -> Draft | None:
    """The paper of a CV's line that gives its title first ("Attention Is All You Need. A.
    Vaswani, N. Shazeer. NeurIPS 2017."), or None. Only where people's names follow a title
    that is none, and one year follows them: two references run together have two."""
    for title_end, names_start in itertools.islice(_sentence_ends(text), _TITLE_SENTENCES):
        # A name's second word has a capital ("A. Vaswani", "Gomez, A."), where a sentence of
        # prose soon has none ("We propose"): most texts are left without reading names.
        first_words = text[names_start : names_start + 60].split(maxsplit=2)
        if len(first_words) < 2 or not first_words[1][0].isupper():
            continue
        title = _plausible_title(text[:title_end])
        if title is None:
            continue
        read = _leading_authors(text[names_start:], whole=True)
        if read is None:
            continue
        names, names_end = read
        after = text[names_start + names_end :]
        years = _YEAR.findall(after)
        if (
            names_in(title, minimum=1) is not None
            or not all(_is_name(name.replace(",", "")) for name in names)
            or len(years) != 1
        ):
            return None
        return _reference_draft(text, title, names, int(years[0]), _venue(after))
    return None


def _reference_draft(
    text: str, title: str, names: list[str], year: int, venue: str | None
) -> Draft:
    """The paper of reference `text`, with the arXiv id, DOI or link it gives."""
    arxiv_id = arxiv_id_in_link(text) or (
        canonical_arxiv_id(corr.group(1)) if (corr := _CORR_ID.search(text)) else None
    )
    doi_found = _DOI.search(text)
    url_found = _URL.search(text)
    url = url_found.group(1).rstrip(_URL_TAIL) if url_found else None
    return Draft(
        title=title,
        authors=names,
        year=year,
        venue=venue,
        arxiv_id=arxiv_id,
        doi=canonical_doi(doi_found.group().rstrip(_URL_TAIL)) if doi_found else None,
        url=url or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
    )


def _initials_first_names(text: str) -> tuple[list[str], int] | None:
    """The names of an Elsevier reference, each initials first and followed by a comma ("A.
    Vaswani, N. Shazeer, et al., "), and where the first part that is no such name starts."""
    if text[1:2] != ".":
        # Every such reference opens with an initial: most text is left at once.
        return None
    names: list[str] = []
    at = 0
    while (comma := text.find(", ", at)) >= 0:
        part = text[at:comma]
        if part in ("et al.", "et al") and names:
            return names, comma + 2
        name = part.removesuffix(" et al.").removeprefix("and ")
        if not _initials_first(name.split()):
            break
        names.append(" ".join(name.split()))
        at = comma + 2
        if name != part:
            # "and I. Polosukhin, " or "A. Dosovitskiy et al., ": the title follows.
            break
    return (names, at) if names else None


def _initials_first(words: list[str]) -> bool:
    """True for a name written initials first: "A.N. Gomez", "M.-W. Chang", "A. van den Oord"."""
    surname_at = next((i for i, word in enumerate(words) if not _is_initials(word)), len(words))
    surname = words[surname_at:]
    return (
        surname_at >= 1
        and 1 <= len(surname) <= 3
        and surname[-1][0].isupper()
        and all(
            _NAME_WORD.fullmatch(word) and (word[0].isupper() or word in _NAME_PARTICLES)
            for word in surname
        )
    )


_WORD = re.compile(r"\S+")
_OMITTED_NAMES = re.compile(r"(?<=,)\s+(?:\.\s\.\s\.|\.\.\.|…)(?=\s)")
"""APA's ellipsis between the first nineteen names of a long list and the last one."""


def _leading_authors(text: str, *, whole: bool) -> tuple[list[str], int] | None:
    """The names a reference opens with, as written ("Ashish Vaswani", "A. N. Gomez", "Gomez,
    A. N.", "Vaswani, Ashish"), and where what follows them starts; None when it opens otherwise.
    A `whole` reference must end its list ("Gomez. Title", "Gomez, A. N. Title", "Gomez, “Title",
    "et al."); a line may break off inside it."""
    read = _names_read(text, whole=whole)
    if read is None:
        return None
    names, end = read
    if len(names) == 1 and _given_name_alone(names[0]) and not text[:end].endswith(("al.", "al")):
        # Alone, "Minneapolis, Minnesota." is as likely the place a wrapped line opens with:
        # Chicago's and MLA's one author is followed by the year or the quoted title.
        rest = text[end:].lstrip(" ,:")
        if not (rest[:1] in _QUOTES or _YEAR_FIRST.match(rest)):
            return None
    return read


def _given_name_alone(name: str) -> bool:
    """True for a name written "Breiman, Leo" or "Kiros, Jamie Ryan", Chicago's and MLA's first
    author, which a place, "Florence, Italy", reads as too; "Bishop, Christopher M." has
    initials no place has."""
    _surname, comma, given = name.partition(", ")
    return bool(comma) and not any(_is_initials(word) for word in given.split())


def _names_read(text: str, *, whole: bool) -> tuple[list[str], int] | None:
    """See `_leading_authors`, which also weighs a lone "Surname, Given" name."""
    names: list[str] = []
    current: list[str] = []
    surname: str | None = None
    """Read "Gomez," of "Gomez, A. N.": initials, or one given name in full, must follow."""
    initials: list[str] = []
    given_in_full = False
    """Read "Kiros, Jamie" of "Kiros, Jamie R.": initials may follow, or one more given name
    that ends the name ("Kiros, Jamie Ryan,"); a third is no name of this kind."""
    after_et = False
    before_last: int | None = None
    """How many names came before "and": the one after it is the last."""

    def close() -> bool:
        nonlocal surname, given_in_full
        if surname is not None:
            if not initials:
                return False
            names.append(f"{surname}, {' '.join(initials)}")
            surname = None
            initials.clear()
            given_in_full = False
        elif current:
            if not _direct_name(current):
                return False
            names.append(" ".join(current))
            current.clear()
        return True

    # Springer's "Sun, J.: Title" ends its names with a colon; spaced, it ends them like APA's.
    # APA's ", . . . Amodei, D." leaves out the middle of a long list: the last name follows.
    # Both keep their length, so positions stay the text's. Most texts have no ellipsis: a
    # look for one is cheaper than the substitution on a paragraph.
    ellipsis = "…" in text or ". ." in text or ".." in text
    spaced = (
        _OMITTED_NAMES.sub(lambda gap: " &".ljust(len(gap.group())), text) if ellipsis else text
    )
    for match in _WORD.finditer(spaced.replace(".: ", ".  ")):
        word = match.group()
        bare = word.removesuffix(",")
        if after_et:
            return (names, match.end()) if bare in ("al.", "al") and names else None
        if bare in ("and", "&", "et"):
            if not close() or (not names and bare != "et"):
                return None
            after_et = bare == "et"
            before_last = len(names)
            continue
        if before_last is not None and len(names) > before_last and not current and not surname:
            # "and A. Courville, Deep Learning.": the title follows the last name.
            return names, match.start()
        if surname is not None:
            if _is_initials(bare):
                initials.append(bare)
                given_in_full = False
                if bare != word and not close():
                    return None
                continue
            second_given = given_in_full and len(initials) == 1 and word[-1] in ",."
            if not initials or second_given:
                given = bare.removesuffix(".")
                if not _is_given_name(given):
                    return None
                initials.append(given)
                given_in_full = True
                if given != bare:
                    # "Breiman, Leo. 2001.": the names end with the first author's.
                    close()
                    return names, match.end()
                if bare != word:
                    close()
                continue
            if given_in_full or not close():
                return None
            return names, match.start()
        if word[0] in '“"`‘(':
            return (names, match.start()) if close() and names else None
        if _is_initials(bare):
            current.append(bare)
            continue
        stem = bare.removesuffix(".")
        if not (_NAME_WORD.fullmatch(stem) and (stem[0].isupper() or stem in _NAME_PARTICLES)):
            return None
        current.append(stem)
        if bare != word:
            if _inverted_surname(current):
                surname = " ".join(current)
                current.clear()
            elif not close():
                return None
        elif stem != bare:
            lone_organisation = not names and len(current) == 1 and _organisation(stem)
            if not lone_organisation and not close():
                return None
            if lone_organisation:
                names.append(current.pop())
            return names, match.end()
    # A line broken off inside a name still opens with the names before it.
    return None if whole or not names else (names, len(text))


def _is_initials(word: str) -> bool:
    """True for "A.", "A.N.", "M.-W.", "Ł.": a person's initials, in capitals."""
    return _INITIALS.fullmatch(word) is not None and all(
        ch.isupper() for ch in word if ch.isalpha()
    )


def _is_given_name(word: str) -> bool:
    """True for a first name written in full, "Ashish", "Ming-Wei"; not "USA" or "MN"."""
    return (
        len(word) >= 2
        and _NAME_WORD.fullmatch(word) is not None
        and word[0].isupper()
        and not word.isupper()
    )


def _direct_name(words: list[str]) -> bool:
    """True for a name written first name first: "Aidan N. Gomez", "Aäron van den Oord"."""
    last = words[-1]
    return 2 <= len(words) <= 5 and last[0].isupper() and not _is_initials(last)


def _inverted_surname(words: list[str]) -> bool:
    """True for the words before the comma of "van den Oord, A.": one name, maybe particles."""
    return words[-1][0].isupper() and all(w.casefold() in _NAME_PARTICLES for w in words[:-1])


def _organisation(word: str) -> bool:
    """True for an organisation as an author: "OpenAI", "DeepMind" (a capital inside)."""
    return len(word) >= 4 and any(ch.isupper() for ch in word[1:])


def _title_and_rest(rest: str) -> tuple[str | None, str]:
    """The title a reference gives after its authors (and year), and the text after it."""
    for opening, closing in _QUOTES.items():
        if rest.startswith(opening):
            end = rest.find(closing, len(opening))
            while closing in "'’" and 0 <= end < len(rest) - 1 and rest[end + 1] not in ",.;:":
                # The apostrophe of "BERT's" or "learners' guide" closes no quote: "Title', ".
                end = rest.find(closing, end + 1)
            if end < 0:
                return None, rest
            quoted = rest[len(opening) : end].strip().rstrip(",.").strip()
            return _plausible_title(quoted), rest[end + len(closing) :]
    ends = _sentence_ends(rest)
    title_end, after = next(ends)
    following = next(ends, None)
    if following is not None:
        second_end, second_after = following
        second = rest[after:second_end]
        # "What Does BERT Look At? An Analysis of BERT's Attention. In Proceedings of ...": a
        # second sentence that is neither venue nor year, before a venue, is the title's.
        if not _venue_like(second) and _VENUE_WORDS.match(rest, second_after):
            title_end, after = second_end, second_after
    return _plausible_title(rest[:title_end]), rest[after:]


def _sentence_ends(text: str) -> Iterator[tuple[int, int]]:
    """(end of the sentence's text, start of the next) for each sentence of `text`; a question
    or exclamation mark stays in the sentence, a period does not. A period after an initial or
    an abbreviation ("A.I. and", "vs.") ends none, nor one before a lower-case sentence that
    names no venue, year, pages or link."""
    for match in _TITLE_END.finditer(text):
        at = match.start()
        mark = match.group(1) or text[at : at + 1]
        kept = mark in ("?", "!")
        if match.end() == len(text):
            yield (at + 1 if kept else at), len(text)
            return
        if mark == ".":
            if _ABBREVIATION.search(text, 0, at):
                continue
            following = text.find(". ", match.end())
            sentence = text[match.end() : following if following >= 0 else len(text)]
            if text[match.end()].islower() and not _venue_like(sentence):
                # "nature, 518(7540):529–533" and "https://doi.org/..." follow a title.
                continue
        yield (at + 1 if kept else at), match.end()


def _venue_like(text: str) -> bool:
    """True for a sentence of a reference that names its venue, year, pages or identifier."""
    return (
        _VENUE_WORDS.match(text) is not None
        or _AFTER_TITLE.match(text) is not None
        or _YEAR.search(text) is not None
        or _PAGES.search(text) is not None
    )


def _plausible_title(title: str) -> str | None:
    """`title` with its spaces collapsed, if it can be one: words, not a venue."""
    words = title.split()
    if not 2 <= len(words) <= 40 or not (title[0].isalnum() or title[0] in "'‘“\""):
        return None
    if _VENUE_AS_TITLE.match(title) or _AFTER_TITLE.match(title):
        return None
    return " ".join(words)


def _venue(after: str) -> str | None:
    """The journal, proceedings or publisher after a title, without pages, volume or year, nor
    the Markdown emphasis of a list copied as Markdown ("In *Advances in ...*")."""
    plain = _EMPHASIS.sub(r"\2", after) if "*" in after else after
    text = _EDITORS.sub("", _IN_VENUE.sub("", plain.strip(" .,;"), count=1), count=1)
    text = _PUBLISHER_PLACE.sub("", text, count=1)
    if not text or not text[0].isalpha() or _NOT_A_VENUE.match(text):
        return None
    end = _VENUE_END.search(text)
    venue = (text[: end.start()] if end else text).strip(" ,;:")
    return venue if venue and len(venue) <= 200 else None


# ---- the importer --------------------------------------------------------------------------


class ListingImporter(WholeTextImporter):
    """Reads papers out of copied listing-page text."""

    def parse_text(self, text: str, context: ImportContext) -> ParseResult:
        """Every paper on the page, once; chrome, headings and prose are not papers."""
        return self.parse_pieces([text], context)

    def parse_pieces(self, pieces: Iterable[str], context: ImportContext) -> ParseResult:
        """See `parse_text`. The reader needs only the lines: split piece by piece, a 145 MB
        listing is never in memory as one text besides its lines (peak 369 MB, not 437 MB)."""
        lines: list[str] = []
        holds_tex = arxiv_blocks = False
        for piece in pieces:
            # Pieces end at line ends: a line, and an arXiv block's first line, is in one piece.
            lines.extend(piece.splitlines())
            holds_tex = holds_tex or _may_hold_tex(piece)
            arxiv_blocks = arxiv_blocks or _looks_like_arxiv_listing(piece)
        with _cycle_collection_paused(holds_tex):
            # The reader's entries go with _read's frame, before the collector resumes: its one
            # run then walks only the drafts, in 0.05-0.09 s at 100,000 entries instead of
            # 0.11-0.16 s.
            return _read(lines, arxiv_blocks, context)


def _read(lines: list[str], arxiv_blocks: bool, context: ImportContext) -> ParseResult:
    """The papers of the lines, by the arXiv reader, the reference reader or the page reader;
    once each, but for references."""
    if arxiv_blocks and _holds_arxiv_records(lines):
        result = _ArxivReader(context).read(lines)
    elif (references_start := _reference_list_start(lines)) is not None:
        # Two works cited may share a title ("Deep learning"): every reference is a paper.
        return _read_references(lines, references_start)
    else:
        reader = _PageReader(context)
        result = ParseResult(drafts=reader.read(lines), problems=reader.problems)
    result.drafts = _once_each(result.drafts)
    return result


@contextmanager
def _cycle_collection_paused(holds_tex: bool) -> Iterator[None]:
    """Pause Python's cycle collector while a text without TeX (`_may_hold_tex`) is read.

    Such a text makes no reference cycles, yet the hundreds of thousands of objects read from it
    start the collector again and again, and each full run walks everything read so far: at
    100,000 entries, 858 runs took 0.55-0.75 s of a 2 s parse. Paused, it runs once when the
    parse is over. TeX goes through pylatexenc, which leaves cycles behind: a 20,000-entry arXiv
    digest full of TeX peaked at 2 GB with the collector paused against 70 MB without, so a
    backslash or a dollar sign keeps it running. Both finds together take 0.02 s on 145 MB.
    A collector that was off before the parse stays off.
    """
    if not gc.isenabled() or holds_tex:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _once_each(drafts: list[Draft]) -> list[Draft]:
    """Drop repeats of a paper (scrapers copy every card twice), keeping the first and filling
    what it lacks from the repeats."""
    first_by_title: dict[str, Draft] = {}
    kept: list[Draft] = []
    for draft in drafts:
        key = draft.title.casefold()
        first = first_by_title.get(key)
        if first is None:
            first_by_title[key] = draft
            kept.append(draft)
            continue
        for name in ("abstract", "url", "arxiv_id", "code_url", "venue", "listed"):
            if getattr(first, name) is None:
                setattr(first, name, getattr(draft, name))
        if not first.authors:
            first.authors = draft.authors
        first.read = first.read or draft.read
    return kept


IMPORTER = ListingImporter()
