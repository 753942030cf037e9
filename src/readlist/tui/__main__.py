"""`python -m readlist.tui LIBRARY` opens the app on a library file."""

from __future__ import annotations

import sys
from pathlib import Path

from readlist.errors import ReadlistError
from readlist.tui import run


def main(argv: list[str]) -> int:
    """Open the app on the library named in `argv`; 1 with a one-line message on failure."""
    if len(argv) != 1:
        print("usage: python -m readlist.tui LIBRARY_FILE", file=sys.stderr)
        return 2
    try:
        run(Path(argv[0]))
    except ReadlistError as error:
        print(f"readlist: {error.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
