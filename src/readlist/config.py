"""The user's config.toml: key remapping (`[keys]`: binding id -> key), read before the app opens."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from readlist.errors import ConfigError
from readlist.tui.keys import BINDING_IDS

_KEY_NAME = re.compile(r"[A-Za-z0-9_+\-]+|.")
"""A Textual key name ("ctrl+j", "question_mark", "f5") or one printable character."""


@dataclass(frozen=True, slots=True)
class Config:
    """Settings from config.toml; defaults where the file says nothing."""

    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> key string ("j,down"), applied with Textual's `App.set_keymap`."""


def load_config(path: Path) -> Config:
    """Read config.toml at `path` (a missing file means defaults), or raise `ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the config file ({error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    for name in data:
        if name != "keys":
            raise ConfigError(
                f"{path}{_line_of(text, name)}: unknown setting {name!r}; "
                "config.toml knows only the [keys] table"
            )
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(f"{path}{_line_of(text, 'keys')}: keys must be a table, [keys]")
    checked: dict[str, str] = {}
    for binding_id, key in _flatten(keys).items():
        where = f"{path}{_line_of(text, binding_id)}"
        if binding_id not in BINDING_IDS:
            raise ConfigError(
                f"{where}: unknown key binding id {binding_id!r} in [keys]; "
                "the help screen (?) lists the keys, `readlist.<action>` names them"
            )
        if not isinstance(key, str) or not _is_key_list(key):
            raise ConfigError(
                f'{where}: [keys] {binding_id} must be a key name in quotes, like "ctrl+j" or "j,down"'
            )
        checked[binding_id] = key
    return Config(keys=checked)


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, object]:
    """`readlist.down = "x"` unquoted is TOML for a nested table; read it as the id it spells."""
    flat: dict[str, object] = {}
    for name, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _is_key_list(keys: str) -> bool:
    names = [name.strip() for name in keys.split(",")]
    return all(name and _KEY_NAME.fullmatch(name) for name in names)


def _line_of(text: str, name: str) -> str:
    """ ", line N" for the first line mentioning `name`, so the user finds it; "" if none does."""
    for number, line in enumerate(text.splitlines(), start=1):
        if name in line:
            return f", line {number}"
    return ""
