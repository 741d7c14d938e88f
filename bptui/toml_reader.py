"""Reading a TOML file for people: key paths, the line a key is on, did-you-mean, all problems.

Nothing here knows what a scenario is. The scenario's schema and rules use it to say *where*
each problem is (``file:line: key.path: message``) and to collect every problem of a file
instead of stopping at the first: a teacher who fixes a typo should not have to run the check
again to learn about the wrong-shaped matrix three lines further down.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from bptui.errors import ScenarioError, closest
from bptui.i18n import _
from bptui.visible import visible

#: At most this many problems are listed; the rest are counted ("and 3 more").
MAX_SHOWN = 20
#: Problems beyond this many are counted but not located (their line is not looked up).
MAX_LOCATED = 200
#: Python refuses to convert integers longer than this to or from text (CVE-2020-10735).
MAX_DIGITS = 4300


class Invalid(Exception):
    """One value is wrong. The caller knows its key path unless ``key`` names a deeper one
    (an element of a matrix, say)."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class ScenarioProblems(ScenarioError):
    """Every problem found in one file, each a located :class:`ScenarioError`, line by line.

    Its own ``file``, ``key`` and ``line`` are those of the first problem, so code that shows
    one error still has a place to point at.
    """

    def __init__(self, problems: list[ScenarioError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, file=first.file, key=first.key, line=first.line,
                         column=first.column)

    def render(self) -> str:
        shown = [visible(p.render(), keep_newlines=False) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            shown.append(_("and {n} more", n=len(self.problems) - MAX_SHOWN))
        return "\n".join(shown)


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """The TOML document, or a located ScenarioError instead of tomllib's exceptions."""
    if text.startswith("\ufeff"):
        raise ScenarioError(_("starts with a byte order mark (BOM, U+FEFF), which TOML does not "
                              "allow: save the file as UTF-8 without BOM"), file=file, line=1,
                            column=1)
    from bptui import codecache

    doc = codecache.lookup("toml", text)
    if type(doc) is dict:
        return doc
    import tomllib  # only for a text not read before: it compiles regular expressions

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = col = None
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            msg = msg[: m.start()].strip()
        elif msg.endswith("(at end of document)"):  # point at the end of the last line
            lines = text.split("\n")
            line, col = len(lines), len(lines[-1]) + 1
            msg = _("{message} at the end of the file",
                    message=msg[: -len("(at end of document)")].strip())
        raise ScenarioError(_("not valid TOML: {message}", message=msg), file=file, line=line,
                            column=col) from None
    except RecursionError:
        lines = text.split("\n")
        deepest = max(range(len(lines)), key=lambda n: lines[n].count("[") + lines[n].count("{"))
        raise ScenarioError(_("not valid for bptui: arrays or tables are nested too deeply"),
                            file=file, line=deepest + 1) from None
    except ValueError:  # an integer too long for Python to convert (tomllib does not catch it)
        m = re.search(rf"\d{{{MAX_DIGITS + 1},}}", text)
        line = text.count("\n", 0, m.start()) + 1 if m else None
        digits = (_("{n} digits", n=f"{len(m.group(0)):,}") if m else _("too many digits"))
        raise ScenarioError(_("not valid for bptui: a whole number with {digits}; at most "
                              "{most} digits can be read", digits=digits, most=f"{MAX_DIGITS:,}"),
                            file=file, line=line) from None
    codecache.store("toml", text, doc)  # a document with dates cannot be kept: not stored
    return doc


def line_of(lines: list[str], key: str) -> int | None:
    """Best-effort line of a key path such as ``layers[2].weights`` (1-based).

    ``name[n]`` is the n-th ``[[name]]`` table when there is one, else an element of the
    array ``name = [...]``, whose line is the key's. When only part of the path can be
    found (a key inside an inline table, say), the deepest line found is returned.
    """
    parts = re.findall(r"([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+)\])?", key)
    start = 0
    found: int | None = None
    table = ""
    for part, index in parts:
        name = re.escape(part)
        hit = None
        if index:
            count = 0
            for n in range(start, len(lines)):
                if re.match(rf"\s*\[\[\s*{name}\s*\]\]", lines[n]):
                    count += 1
                    if count == int(index):
                        hit = n
                        break
            if hit is not None:
                table = part
                start = found = hit
                continue
        header = re.escape(f"{table}.{part}" if table else part)
        for n in range(start, len(lines)):
            line = lines[n]
            if re.match(rf"\s*\[\s*({header}|{name})\s*\]", line):
                hit = n
                table = f"{table}.{part}" if table else part
                break
            if re.match(rf"\s*{name}\s*=", line) or re.search(rf"[{{,]\s*{name}\s*=", line):
                hit = n
                break
        if hit is None:
            break
        start = found = hit
    return None if found is None else found + 1


def join(path: str, key: str) -> str:
    """``training`` + ``loss`` -> ``training.loss``; the top level has the empty path."""
    return f"{path}.{key}" if path else key


class Problems:
    """Collects located problems while a document is checked, then raises them all at once.

    A check that cannot go on (a value it needs is wrong) raises :class:`Invalid` or
    ScenarioError; :meth:`at` turns that into one recorded problem and lets the caller carry
    on with what does not depend on it.
    """

    def __init__(self, text: str, file: str) -> None:
        self.lines = text.splitlines()
        self.file = file
        self.found: list[ScenarioError] = []

    def add(self, key: str, message: str, *, line: int | None = None,
            column: int | None = None) -> None:
        # Finding a line scans the file; only the first problems are shown, so a file with
        # thousands of problems is not scanned thousands of times.
        where = line
        if where is None and len(self.found) < MAX_LOCATED:
            where = self.line_of(key)
        self.found.append(ScenarioError(message, file=self.file, key=key or None, line=where,
                                        column=column))

    def line_of(self, key: str) -> int | None:
        return line_of(self.lines, key) if key else None

    @contextmanager
    def at(self, key: str) -> Iterator[None]:
        """Record an :class:`Invalid` raised inside as a problem at ``key``, and go on."""
        try:
            yield
        except Invalid as exc:
            self.add(exc.key or key, str(exc))
        except ScenarioProblems as exc:
            self.found += exc.problems
        except ScenarioError as exc:
            self.found.append(exc)

    def value(self, key: str, check: Callable[[], Any]) -> Any:
        """``check()``'s result, or None (and a recorded problem) when it raised Invalid."""
        with self.at(key):
            return check()
        return None

    def raise_all(self) -> None:
        if self.found:
            order = sorted(self.found, key=lambda e: (e.line is None, e.line or 0))
            raise ScenarioProblems(order)


# ----------------------------------------------------------------------------- value checks


def kind(value: Any) -> str:
    """What a TOML value is, for 'found ...' in a message (short, never the whole value)."""
    if isinstance(value, bool):
        return _("a boolean ({value})", value=str(value).lower())
    if isinstance(value, int):
        return _("a number ({value})", value=int_text(value))
    if isinstance(value, float):
        shown = str(value)
        return _("a number ({value})", value=shown if len(shown) < 30 else shown[:12] + "...")
    if isinstance(value, str):
        shown = value if len(value) < 30 else value[:27] + "..."
        return _("a string ({value})", value=repr(shown))
    if isinstance(value, list):
        return _("a list of {n}", n=len(value))
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return _("a {type} ({value})", type=type(value).__name__, value=value.isoformat())
    return type(value).__name__


def int_text(n: int) -> str:
    """A whole number for a message: in full when short, else its size (never too long to print)."""
    if abs(n) < 10**15:
        return str(n)
    digits = int(abs(n).bit_length() * math.log10(2)) + 1
    return _("{sign}about 10^{power}", sign="-" if n < 0 else "", power=digits - 1)


def count_text(n: int) -> str:
    """A count with thousands separators, or its size when enormous."""
    return f"{n:,}" if n < 10**15 else int_text(n)


def number(value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(_("expected a number, found {found}", found=kind(value)))
    try:
        x = float(value)
    except OverflowError:
        raise Invalid(_("expected a finite number, found {found}", found=kind(value))) from None
    if not math.isfinite(x):
        raise Invalid(_("expected a finite number, found {found}", found=value))
    if positive and x <= 0:
        raise Invalid(_("expected a number greater than 0, found {found}", found=value))
    return x


def integer(value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("expected a whole number, found {found}", found=kind(value)))
    if value < minimum:
        raise Invalid(_("expected a whole number of at least {minimum}, found {found}",
                          minimum=minimum, found=int_text(value)))
    return int(value)


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(_("expected a string, found {found}", found=kind(value)))
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(_("expected true or false, found {found}", found=kind(value)))
    return value


def choice(value: Any, choices: Iterable[str]) -> str:
    choices = list(choices)
    text = string(value)
    if text not in choices:
        hint = closest(text, choices)
        did = _(" Did you mean '{hint}'?", hint=hint) if hint else ""
        raise Invalid(_("unknown value '{value}'; expected one of: {choices}.{did}", value=text,
                        choices=", ".join(choices), did=did))
    return text


def unknown_key(key: str, allowed: Iterable[str]) -> tuple[str, str | None]:
    """The message for a key that is not allowed, and the allowed key it most likely meant."""
    allowed = sorted(allowed)
    hint = closest(key, allowed)
    did = _("; did you mean '{hint}'?", hint=hint) if hint else ""
    return _("unknown key '{key}'{did} (valid keys: {valid})", key=key, did=did,
             valid=", ".join(allowed)), hint
