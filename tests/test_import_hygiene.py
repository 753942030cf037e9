"""The core stays free of the UI, and commands load only what they need (start-up is a feature)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "readlist.models",
    "readlist.library",
    "readlist.search",
    "readlist.storage",
    "readlist.formats",
]


def loaded_modules(statement: str) -> set[str]:
    """Top-level packages loaded by running `statement` in a fresh interpreter."""
    program = f"{statement}\nimport sys\nprint('\\n'.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", CORE)
def test_core_never_imports_the_ui(module: str) -> None:
    assert not {"textual", "rich", "typer"} & loaded_modules(f"import {module}")


def test_cli_start_up_loads_neither_the_app_nor_sqlmodel() -> None:
    assert not {"textual", "sqlmodel", "sqlalchemy", "bibtexparser", "httpx"} & loaded_modules(
        "import readlist.cli"
    )
