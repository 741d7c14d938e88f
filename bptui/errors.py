"""Errors a user can act on.

Every problem with a scenario becomes one :class:`ScenarioError` that names the file, the key
path, what was expected and what was found, so that the command line and the screen can show a
single clear message instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class BptuiError(Exception):
    """Base class for errors whose message is meant for the user as it is."""


class OutputError(BptuiError):
    """Standard output cannot be written (a full disk, a closed stream): what is still held
    back for it must not fail again at exit."""


class ScenarioError(BptuiError):
    """A scenario file that cannot be used, with where and why."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.key = key
        self.line = line
        self.column = column
        super().__init__(self.render())

    def render(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.key:
            where += f": {self.key}"
        return f"{where}: {self.message}"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The valid name a typo most likely meant, or None when nothing is close."""
    import difflib  # only an error message needs it: kept off the start-up path

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return found[0] if found else None
