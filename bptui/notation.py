"""How numbers and symbols are written, in one place, so every panel and export agrees.

Ten significant digits: enough to compare with the 8-9 digits the tutorials print, few enough
to read aloud in a classroom.
"""

from __future__ import annotations

import re

import numpy as np

from bptui.i18n import N_, _

DIGITS = 10


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
    return unbracket_alone(one_bracket(text))


def one_bracket(text: str) -> str:
    """σ((-0.5)) -> σ(-0.5): a negative number that is a bracket's whole content keeps one
    pair. (The regular expression runs only where there is one to rewrite: most text has
    none, and a command line should not compile it for nothing.)"""
    return re.sub(r"\(\((-[^()]*)\)\)", r"(\1)", text) if "((-" in text else text


def unbracket_alone(text: str) -> str:
    """(-0.5) -> -0.5 when the bracketed negative number is all there is."""
    if not (text[:2] == "(-" and text[-1:] == ")"):
        return text
    m = re.fullmatch(r"\((-[^()]*)\)", text)
    return m.group(1) if m else text


def _partial(symbol: str) -> tuple[str, str] | None:
    """``^d(.+)/d(.+)$`` (greedy, so the last "/d" that leaves something after it) without a
    regular expression: compiling one costs more at start-up than every symbol's match."""
    body = symbol[:-1] if symbol.endswith("\n") else symbol  # $ matches before a last \n
    if body[:1] != "d" or "\n" in body:
        return None
    end = len(body)
    while (at := body.rfind("/d", 0, end)) > 1:
        if at + 2 < len(body):
            return body[1:at], body[at + 2:]
        end = at
    return None


def pretty(symbol: str) -> str:
    """The display form of an ASCII symbol: dE/dw5 -> ∂E/∂w5, delta_o1 -> δ_o1, w5+ -> w5⁺."""
    partial = _partial(symbol)
    if partial:
        return f"∂{partial[0]}/∂{partial[1]}"
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
    return _("{shape}  min {min}  max {max}  mean {mean}  ‖·‖ {norm}", shape=shape_text(a),
             min=fmt(a.min(), 4), max=fmt(a.max(), 4), mean=fmt(a.mean(), 4),
             norm=fmt(float(np.linalg.norm(a)), 4))


#: The layer names bptui itself gives (scenario_rules: "hidden L", "output") or its built-ins
#: use: bptui's words, so shown in the learner's language. Any other name is the file's own
#: text, shown as written.
LAYER_WORDS = {"hidden": N_("hidden"), "output": N_("output")}


def layer_word(name: str) -> str:
    """A layer's name as the learner reads it (see :data:`LAYER_WORDS`): the screen's
    drawing and blocks, and the command line's summary."""
    from bptui.visible import visible

    head, _sep, number = name.rpartition(" ")
    if head == "hidden" and number.isdigit():
        return _("hidden {n}", n=number)
    return _(LAYER_WORDS[name]) if name in LAYER_WORDS else visible(name, keep_newlines=False)


def graph_shape(leaves: int) -> str:
    """A computational graph's ``shape``: its leaves into its one output (``graph 5→1``)."""
    return f"graph {leaves}→1"


def shape_words(shape: str) -> str:
    """A scenario's shape as a learner reads it: ``2-2-2`` as it is, a computational graph's
    ``graph 5→1`` (the word its ``shape`` keeps for comparisons) in the learner's language."""
    if not shape.startswith("graph "):
        return shape
    return _("graph {leaves}", leaves=shape[len("graph "):])
