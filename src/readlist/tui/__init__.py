"""The full-screen app. Importing this package loads no Textual: `run` does, when the app opens."""

from __future__ import annotations

from pathlib import Path


def run(library_path: Path, *, config_path: Path | None = None) -> None:
    """Open the app on the library file at `library_path` until the user quits.

    Raises a `ReadlistError` (bad config, unusable library file) before the screen changes, so
    the caller can print it as one line.
    """
    from readlist.config import load_config
    from readlist.library import Library
    from readlist.paths import config_dir

    config = load_config(config_path or config_dir() / "config.toml")
    with Library(library_path) as library:
        from readlist.tui.app import ReadlistApp

        ReadlistApp(library, config=config).run()
