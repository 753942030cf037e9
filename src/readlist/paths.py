"""Where readlist keeps its files, from platformdirs unless the user says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "readlist"
DB_ENV = "READLIST_DB"
"""Environment variable naming the library file; `--db` wins over it."""


def default_library_path() -> Path:
    """The library file: `$READLIST_DB` if set, else `library.sqlite` in the user data folder."""
    override = os.environ.get(DB_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME) / "library.sqlite"


def config_dir() -> Path:
    """The folder holding `config.toml` (key bindings and settings)."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def cache_dir() -> Path:
    """The folder for what readlist may lose, such as when it last asked arXiv for metadata."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME)


def state_dir() -> Path:
    """The folder for what readlist remembers between runs, such as where the app was."""
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)
