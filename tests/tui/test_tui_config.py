"""config.toml: key remapping read before the app opens, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.config import Config, load_config
from readlist.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_means_the_default_keys(tmp_path: Path) -> None:
    assert load_config(tmp_path / "config.toml") == Config()


def test_keys_are_read_quoted_or_as_dotted_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[keys]\n"readlist.toggle_read" = "x"\nreadlist.down = "ctrl+n,down"\n',
    )
    assert load_config(path).keys == {
        "readlist.toggle_read": "x",
        "readlist.down": "ctrl+n,down",
    }


def test_a_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\n"readlist.toggle_read" = x\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.message.startswith(f"{path}: ")
    assert "line 2" in raised.value.message
    assert "\n" not in raised.value.message


def test_an_unknown_binding_id_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '# my keys\n[keys]\n"readlist.fly" = "f"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.message.startswith(
        f"{path}, line 3: unknown key binding id 'readlist.fly' in [keys]"
    )


@pytest.mark.parametrize("value", ["3", '""', '["x"]', '"ctrl + x"'])
def test_a_key_that_is_not_a_key_name_is_refused(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f'[keys]\n"readlist.quit" = {value}\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.message == (
        f'{path}, line 2: [keys] readlist.quit must be a key name in quotes, like "ctrl+j" or '
        '"j,down"'
    )


def test_an_unknown_table_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[colours]\nlist = 'red'\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.message == (
        f"{path}, line 1: unknown setting 'colours'; config.toml knows only the [keys] table"
    )


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[keys]\n\xff\xfe")
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(path)
