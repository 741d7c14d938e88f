"""How numbers and symbols are written, in one place, so every panel and export agrees.

Ten significant digits: enough to compare with the 8-9 digits the tutorials print, few enough
to read aloud in a classroom.
"""

from __future__ import annotations

import re

import numpy as np

DIGITS = 10

_PARTIAL = re.compile(r"^d(.+)/d(.+)$")


def fmt(x: float, digits: int = DIGITS) -> str:
    """A number as the learner reads it: fixed significant digits, no float noise."""
    x = float(x)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}e{int(exp)}"
    return text


def fmt_term(x: float) -> str:
    """A number inside an equation: negative numbers get brackets so signs stay readable."""
    s = fmt(x)
    return f"({s})" if s.startswith("-") else s


def fill(rule: str, **numbers: float) -> str:
    """A rule with numbers for its {placeholders}: negative numbers in brackets, except where
    the rule already brackets them alone (σ(-0.5), not σ((-0.5))) or they are all there is."""
    text = rule.format(**{k: fmt_term(v) for k, v in numbers.items()})
    text = re.sub(r"\(\((-[^()]*)\)\)", r"(\1)", text)
    m = re.fullmatch(r"\((-[^()]*)\)", text)
    return m.group(1) if m else text


def pretty(symbol: str) -> str:
    """The display form of an ASCII symbol: dE/dw5 -> ∂E/∂w5, delta_o1 -> δ_o1, w5+ -> w5⁺."""
    m = _PARTIAL.match(symbol)
    if m:
        return f"∂{m.group(1)}/∂{m.group(2)}"
    if symbol.startswith("delta_"):
        return "δ_" + symbol[6:]
    if symbol.endswith("+"):
        return symbol[:-1] + "⁺"
    return symbol


def shape_text(a: np.ndarray) -> str:
    return "×".join(str(n) for n in a.shape)


def summary(a: np.ndarray) -> str:
    """min / max / mean / norm of a matrix, the way the large-layer panels show it."""
    a = np.asarray(a, dtype=np.float64)
    from bptui.i18n import _

    return _("{shape}  min {min}  max {max}  mean {mean}  ‖·‖ {norm}", shape=shape_text(a),
             min=fmt(a.min(), 4), max=fmt(a.max(), 4), mean=fmt(a.mean(), 4),
             norm=fmt(float(np.linalg.norm(a)), 4))


def shape_words(shape: str) -> str:
    """A scenario's shape as a learner reads it: ``2-2-2`` as it is, a computational graph's
    ``graph 5→1`` (the word its ``shape`` keeps for comparisons) in the learner's language."""
    if not shape.startswith("graph "):
        return shape
    from bptui.i18n import _

    return _("graph {leaves}", leaves=shape[len("graph "):])
