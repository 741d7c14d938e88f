"""Strict JSON for everything bptui prints or writes: a non-finite number becomes ``null``.

Python's json module writes ``NaN`` and ``Infinity``, which are not JSON: a strict parser (a
browser, jq, most other languages) rejects the whole document. A diverged training is exactly
when such numbers appear, so every JSON writer goes through :func:`dumps`, which also says
whether it had to replace anything (the caller reports the divergence and exits 1).

Plain data (what --train and --trace write: dicts, lists, floats, ints, plain strings) is
written by json's own C encoder (made directly, :func:`_c_encoder`), or where a number is not
finite by :func:`_plain`: text for text what :func:`json.dumps` writes, so that a command line
need not import json (it compiles eight regular expressions at import: milliseconds of
start-up); anything else goes through json, and so does a call with options (--export json's
events: on the 1000-100-10 net, writing its matrices through :func:`_plain` grew the peak
memory with the epochs, tests/test_unbreakable.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

#: The version of every machine-readable output (--trace lines, --train --json, --export
#: json). It changes only when a field is removed or changes meaning; new fields may be added
#: within a version. (Also importable from bptui.expr, where the trees it covers are.)
FORMAT = 2


def finite_or_null(value: Any) -> Any:
    """JSON-ready data with every inf and nan replaced by None (numpy values made plain)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(v) for v in value]
    if isinstance(value, np.ndarray):
        return finite_or_null(value.tolist())
    if isinstance(value, np.generic):
        return finite_or_null(value.item())
    return value


class _NotPlain(Exception):
    """A value :func:`_plain` leaves to json."""


def _plain(value: Any, nonfinite: list[bool]) -> str:
    """``json.dumps(value, ensure_ascii=False)``'s text for plain data, non-finite numbers as
    null (noted in ``nonfinite``); raises :class:`_NotPlain` for anything else."""
    kind = type(value)
    if kind is float:
        if value - value == 0.0:  # finite: float repr, as json writes it
            return repr(value)
        nonfinite.append(True)
        return "null"
    if kind is str:
        if '"' in value or "\\" in value or not value.isprintable():
            raise _NotPlain  # json's escapes
        return '"' + value + '"'
    if kind is int:
        return repr(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is list or kind is tuple:
        return "[" + ", ".join([_plain(v, nonfinite) for v in value]) + "]"
    if kind is dict:
        items = []
        for k, v in value.items():
            if type(k) is not str:
                raise _NotPlain
            items.append(_plain(k, nonfinite) + ": " + _plain(v, nonfinite))
        return "{" + ", ".join(items) + "}"
    raise _NotPlain


def _refuse(value: Any) -> Any:
    raise TypeError  # not plain data: json's own path (finite_or_null) writes it


def _c_encoder() -> Callable[[Any, int], Any] | None:
    """The C encoder json.dumps itself uses (``_json.make_encoder``), made directly: importing
    json would compile its regular expressions. Separators, string escapes and float text are
    json.dumps's with ensure_ascii=False; a non-finite float raises ValueError and anything
    that is not plain data TypeError, and :func:`_plain` or json take over."""
    try:
        import _json

        return _json.make_encoder(None, _refuse, _json.encode_basestring, None, ": ", ", ",
                                  False, False, False)
    except (ImportError, AttributeError, TypeError):  # another Python: the pure path
        return None


_encode = _c_encoder()


def dumps(value: Any, **kwargs: Any) -> tuple[str, bool]:
    """(strict JSON text, whether a non-finite number had to be written as null)."""
    if not kwargs:
        if _encode is not None:
            try:
                return "".join(_encode(value, 0)), False
            except (ValueError, TypeError, RecursionError):
                pass
        nonfinite: list[bool] = []
        try:
            return _plain(value, nonfinite), bool(nonfinite)
        except (_NotPlain, RecursionError):
            pass
    import json

    kwargs.setdefault("ensure_ascii", False)
    try:
        return json.dumps(value, allow_nan=False, **kwargs), False
    except (ValueError, TypeError):  # a non-finite number (or a numpy scalar) somewhere
        plain = finite_or_null(value)
        text = json.dumps(plain, allow_nan=False, **kwargs)
        return text, _had_nonfinite(value)


def _had_nonfinite(value: Any) -> bool:
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_had_nonfinite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_had_nonfinite(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and not bool(np.isfinite(value).all())
    return False


def strict(value: Any, **kwargs: Any) -> str:
    """Strict JSON text of ``value`` (non-finite numbers as null)."""
    return dumps(value, **kwargs)[0]
