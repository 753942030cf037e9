"""Errors a user can act on; the CLI prints each as one line, the app as a notification."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from readlist.models import Draft


class ReadlistError(Exception):
    """Base of every error readlist reports to the user instead of crashing."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        """One line saying what went wrong and, where it helps, what to do."""

    def __str__(self) -> str:
        return self.message


class UnreadableInput(ReadlistError):
    """An import source that cannot be read as text: missing, a directory, binary, bad encoding."""


class UnknownFormat(ReadlistError):
    """An import source whose format could not be recognised, or a format name that does not exist."""


class NothingToImport(ReadlistError):
    """An import source that was read but holds no papers."""


class PaperNotFound(ReadlistError):
    """A paper id that is not in the library."""


class LibraryError(ReadlistError):
    """The library file cannot be opened, upgraded or written."""


class ArxivUnavailable(ReadlistError):
    """The arXiv API could not be reached or answered with an error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.found: dict[str, Draft] = {}
        """The metadata of the batches that came before the failure, by arXiv id."""


class ExportError(ReadlistError):
    """An export that cannot be written."""


class ConfigError(ReadlistError):
    """A config file that cannot be used: bad TOML, an unknown setting, or a value of the wrong type."""
