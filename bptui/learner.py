"""A learner's own numbers, read from the file they wrote: JSON Lines or a spreadsheet CSV.

The format is the one ``--trace`` writes (``symbol``, ``value``, optional ``epoch`` and
``sample``), so a trace is itself a valid file and a learner's script needs nothing from
bptui to write one. Every problem is a one-line message naming the file and line, because a
learner fixing their file needs to know where to look. The file is only ever read.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bptui.errors import BptuiError, closest
from bptui.i18n import _
from bptui.notation import pretty
from bptui.visible import visible

COLUMNS = ("symbol", "value", "epoch", "sample")


@dataclass(frozen=True)
class Given:
    """One number (or matrix) a learner wrote down, and where in their file it is."""

    symbol: str  # as written; resolved to the ASCII symbol by :class:`Spellings`
    value: float | np.ndarray
    epoch: int
    sample: int | None  # None when the file did not say
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class LearnerFileError(BptuiError):
    """A learner's file that cannot be read: file:line: reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {reason}")


def read(path: str | Path) -> list[Given]:
    """Every non-empty value in the file, in file order (empty values are skipped)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise LearnerFileError(name, None, _("is a folder, expected a file")) from None
    except OSError as exc:
        raise LearnerFileError(name, None, _("cannot be read ({reason})",
                                             reason=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LearnerFileError(name, line, _("is not UTF-8 text")) from None
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if not first:
        raise LearnerFileError(name, None, _("is empty: expected JSON Lines or a CSV with a "
                                             "header naming symbol and value"))
    if first.startswith("{"):
        return list(_json_lines(text, name))
    return list(_csv_rows(text, name))


def _json_lines(text: str, file: str) -> Iterable[Given]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LearnerFileError(file, n, _("not valid JSON ({message} at column {column})",
                                              message=exc.msg, column=exc.colno)) from None
        except (ValueError, RecursionError):  # a number of 5,000 digits, 100,000 nested [
            raise LearnerFileError(file, n, _("not valid JSON (a number too long or lists "
                                              "nested too deep)")) from None
        if not isinstance(data, dict):
            raise LearnerFileError(file, n, _("expected a JSON object with symbol and value, "
                                              "found {found}", found=type(data).__name__))
        for key in ("symbol", "value"):
            if key not in data:
                raise LearnerFileError(file, n, _("no '{key}' field (found: {found})", key=key,
                                                  found=", ".join(data) or _("nothing")))
        symbol = data["symbol"]
        if not isinstance(symbol, str) or not symbol.strip():
            raise LearnerFileError(file, n, _("symbol: expected a name such as net_h1, found "
                                              "{found}", found=json.dumps(symbol)))
        value = _json_value(data["value"], file, n)
        if value is None:
            continue
        yield Given(symbol.strip(), value, _count(data.get("epoch"), "epoch", file, n) or 1,
                    _count(data.get("sample"), "sample", file, n), file, n)


def _json_value(value: object, file: str, line: int) -> float | np.ndarray | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise LearnerFileError(file, line, _("value: expected a number, found {found}",
                                              found=value))
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return _text_value(value, file, line)
    if isinstance(value, list):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise LearnerFileError(file, line, _("value: expected a number or a list of lists "
                                                 "of numbers (a matrix) of one shape")) from None
        if arr.size == 0:
            raise LearnerFileError(file, line, _("value: an empty list, expected a number or "
                                                 "a list of lists of numbers (a matrix)"))
        if arr.size == 1:
            return float(arr.reshape(-1)[0])
        return arr
    raise LearnerFileError(file, line, _("value: expected a number, found {found}",
                                          found=json.dumps(value)))


def _text_value(text: str, file: str, line: int) -> float | np.ndarray | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("["):
        try:
            return _json_value(json.loads(text), file, line)
        except (ValueError, RecursionError):  # not JSON, a number too long, nested too deep
            raise LearnerFileError(file, line, _("value: {text} is not a matrix (expected "
                                                 "[[1, 2], [3, 4]])", text=repr(text[:40]))
                                   ) from None
    try:
        x = float(text)
    except ValueError:
        raise LearnerFileError(file, line, _("value: expected a number, found {found}",
                                             found=repr(text[:40]))) from None
    return x  # nan and inf too: a learner's program that made them is marked, as in JSON


def _count(value: object, key: str, file: str, line: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or float(value) != int(float(value)):
            raise ValueError
        n = int(float(value))
    except (TypeError, ValueError):
        raise LearnerFileError(file, line, _(
            "{key}: expected a whole number, found {found}", key=key,
            found=json.dumps(value) if not isinstance(value, str) else repr(value))) from None
    if n < 1:
        raise LearnerFileError(file, line, _("{key}: expected a number of at least 1, found {n}",
                                             key=key, n=n))
    return n


def _csv_rows(text: str, file: str) -> Iterable[Given]:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str] | None = None
    for row in _rows(reader, file):
        n = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if any("\n" in cell or "\r" in cell for cell in row):
            raise LearnerFileError(file, n, _("a quoted cell runs on past the end of its line "
                                              "(is a closing quote missing?)"))
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [c for c in ("symbol", "value") if c not in header]
            if missing:
                raise LearnerFileError(file, n, _(
                    "the header must name the columns symbol and value (optionally epoch and "
                    "sample); found {found}",
                    # as written (not lower-cased, no escaped quotes), controls made visible
                    found=", ".join(f"'{visible(c.strip(), keep_newlines=False)}'"
                                    for c in row)))
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        symbol = cells.get("symbol", "")
        value = _text_value(cells.get("value", ""), file, n)
        if value is None:
            continue
        if not symbol:
            raise LearnerFileError(file, n, _("symbol: empty, expected a name such as net_h1"))
        yield Given(symbol, value, _count(cells.get("epoch"), "epoch", file, n) or 1,
                    _count(cells.get("sample"), "sample", file, n), file, n)


def _rows(reader, file: str) -> Iterable[list[str]]:
    """The reader's rows; a row the csv module cannot read (a cell of more than 131,072
    characters) is a problem of the file at its line, not a traceback."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LearnerFileError(file, reader.line_num, _("not a CSV row ({message})",
                                                            message=str(exc))) from None
        yield row


class Spellings:
    """Both spellings of every symbol: ASCII as in --trace, and the screen's Unicode.

    The Unicode spelling is derived from ``show``: :func:`bptui.notation.pretty` for layered
    networks, :func:`bptui.graph.steps.show` for graphs (``∂L/∂a|via n1``), the places that
    decide how a symbol is displayed, so the two can never disagree.
    """

    def __init__(self, valid: Iterable[str], mistake_only: Iterable[str] = (),
                 show: Callable[[str], str] = pretty) -> None:
        self.valid = list(dict.fromkeys(valid))
        self.mistake_only = [s for s in dict.fromkeys(mistake_only) if s not in self.valid]
        self.show = show
        self._names: dict[str, str] = {}
        for sym in (*self.valid, *self.mistake_only):
            self._names[sym] = sym
            self._names.setdefault(_norm(show(sym)), sym)
            self._names.setdefault(_norm(pretty(sym)), sym)  # ∂L/∂a|n1 for ∂L/∂a|via n1
        for sym in (*self.valid, *self.mistake_only):
            self._names.setdefault(_norm(sym), sym)

    def resolve(self, given: Given) -> str:
        """The ASCII symbol; raises a file:line error naming the closest valid names."""
        sym = self._names.get(given.symbol) or self._names.get(_norm(given.symbol))
        if sym is not None:
            return sym
        hints = _closest_names(given.symbol, self.valid, self.show)
        hint = _("; did you mean {names}?", names=_(" or ").join(hints)) if hints else ""
        raise LearnerFileError(given.file, given.line,
                               _("unknown symbol {symbol}{hint} (bptui SCENARIO --symbols lists "
                                 "them all)", symbol=repr(given.symbol), hint=hint))

    def only_in_mistakes(self, symbol: str) -> bool:
        return symbol in self.mistake_only


def _norm(symbol: str) -> str:
    return unicodedata.normalize("NFC", symbol).replace(" ", "")


def _closest_names(word: str, valid: list[str], show: Callable[[str], str] = pretty
                   ) -> list[str]:
    import difflib

    found = difflib.get_close_matches(word, valid, n=3, cutoff=0.5)
    if not found:
        one = closest(word, [show(v) for v in valid])
        found = [one] if one else []
    return found
