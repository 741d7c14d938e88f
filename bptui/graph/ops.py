"""Every operation a graph may use, each declared ONCE with everything about it.

As in micrograd, where an operation's forward value and its ``_backward`` sit side by side,
an entry here holds the forward function, the local derivative for each argument (as a
number and as a rule tree, written in what the hand calculation has at that moment: tanh's
slope from its output, 1 - out²), how the operation is written in text and LaTeX, what
inputs it accepts (its domain), and the sentences that explain it. Parsing, the engine, the
events and the exports all read this table; a missing piece fails tests/test_graph_ops.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bptui.graph.tree import Call as CallT
from bptui.graph.tree import Num, Op, Sym, Tree
from bptui.i18n import N_

Local = Callable[[Sequence[float], float], float]  # (input values, output value) -> slope
LocalRule = Callable[[Sequence[Tree], Tree], Tree]  # (input trees, output tree) -> rule


@dataclass(frozen=True)
class Operation:
    key: str  # the tree's op or function name: "*", "neg", "tanh"
    python: str  # how it is written in a scenario's expression: "*", "-x", "tanh"
    label: str  # the short label of a drawn node or edge: "·", "tanh"
    arity: int
    forward: Callable[..., float]
    local: tuple[Local, ...]  # ∂out/∂(argument k), one per argument
    local_rule: tuple[LocalRule, ...]  # the same as a tree
    text: str  # "{0} · {1}"
    latex: str  # r"{0} \cdot {1}"
    precedence: int  # for brackets: + 10, · 20, unary minus 30, power 40, call 100
    domain: Callable[[Sequence[float]], str | None]  # why the inputs are refused, or None
    why: str  # what the forward step does
    why_local: tuple[str, ...]  # why each local derivative is what it is

    @property
    def is_function(self) -> bool:
        return self.precedence == 100


def _ok(args: Sequence[float]) -> None:
    return None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _pow(x: float, p: float) -> float:
    try:
        r = x ** p
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf
    return r if isinstance(r, float | int) else math.nan  # complex: negative ** fraction


def _div(x: float, y: float) -> float:
    if y == 0:
        return math.nan if x == 0 else math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _log(x: float) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def _pow_domain(a: Sequence[float]) -> str | None:
    x, p = a
    if x == 0 and p < 0:
        return N_("0 to a negative power divides by zero")
    if x < 0 and p != int(p):
        return N_("a negative number to a fractional power is not a real number")
    if x == 0 and 0 < p < 1:
        return N_("its slope p·x^(p-1) is infinite at 0")
    return None


def _power_rule(x: Tree, p: float) -> Tree:
    """p·x^(p-1), written without a power of 1 or a factor of 1: x² gives 2·x."""
    if p == 1:
        return Num(1.0)
    power = x if p == 2 else Op("**", (x, Num(p - 1.0)))
    return Op("*", (Num(p), power))


OPERATIONS: dict[str, Operation] = {o.key: o for o in (
    Operation(
        "+", "+", "+", 2, lambda x, y: x + y,
        (lambda a, o: 1.0, lambda a, o: 1.0),
        (lambda a, o: Num(1.0), lambda a, o: Num(1.0)),
        "{0} + {1}", "{0} + {1}", 10, _ok,
        N_("a sum node adds its inputs"),
        (N_("a sum passes the gradient through unchanged: ∂(x + y)/∂x = 1"),
         N_("a sum passes the gradient through unchanged: ∂(x + y)/∂y = 1")),
    ),
    Operation(
        "-", "-", "-", 2, lambda x, y: x - y,
        (lambda a, o: 1.0, lambda a, o: -1.0),
        (lambda a, o: Num(1.0), lambda a, o: Num(-1.0)),
        "{0} - {1}", "{0} - {1}", 10, _ok,
        N_("a difference node subtracts its second input from its first"),
        (N_("∂(x - y)/∂x = 1"), N_("∂(x - y)/∂y = -1: the subtracted input gets the gradient negated")),
    ),
    Operation(
        "*", "*", "·", 2, lambda x, y: x * y,
        (lambda a, o: a[1], lambda a, o: a[0]),
        (lambda a, o: a[1], lambda a, o: a[0]),
        "{0}·{1}", r"{0} \cdot {1}", 20, _ok,
        N_("a product node multiplies its inputs"),
        (N_("∂(x·y)/∂x = y: a product sends each input the OTHER input's value"),
         N_("∂(x·y)/∂y = x: a product sends each input the OTHER input's value")),
    ),
    Operation(
        "/", "/", "/", 2, _div,
        (lambda a, o: 1.0 / a[1], lambda a, o: -a[0] / (a[1] * a[1])),
        (lambda a, o: Op("/", (Num(1.0), a[1])),
         lambda a, o: Op("/", (Op("neg", (a[0],)), Op("**", (a[1], Num(2.0)))))),
        "{0} / {1}", r"\frac{{{0}}}{{{1}}}", 20,
        lambda a: N_("division by zero") if a[1] == 0 else None,
        N_("a quotient node divides its first input by its second"),
        (N_("∂(x/y)/∂x = 1/y"), N_("∂(x/y)/∂y = -x/y²")),
    ),
    Operation(
        "**", "**", "^", 2, _pow,
        (lambda a, o: a[1] * _pow(a[0], a[1] - 1), lambda a, o: 0.0),
        (lambda a, o: _power_rule(a[0], a[1].value), lambda a, o: Num(0.0)),
        "{0}^{1}", "{0}^{{{1}}}", 40, _pow_domain,
        N_("a power node raises its input to a fixed number"),
        (N_("the power rule: ∂(x^p)/∂x = p·x^(p-1)"), N_("the exponent is a constant")),
    ),
    Operation(
        "neg", "-x", "-", 1, lambda x: -x,
        (lambda a, o: -1.0,), (lambda a, o: Num(-1.0),),
        "-{0}", "-{0}", 30, _ok,
        N_("a negation node flips its input's sign"),
        (N_("∂(-x)/∂x = -1"),),
    ),
    Operation(
        "id", "x", "=", 1, lambda x: x,
        (lambda a, o: 1.0,), (lambda a, o: Num(1.0),),
        "{0}", "{0}", 100, _ok,
        N_("this node takes its input's value under a new name"),
        (N_("a copy passes the gradient through unchanged"),),
    ),
    Operation(
        "exp", "exp", "exp", 1, _exp,
        (lambda a, o: o,), (lambda a, o: o,),
        "exp({0})", r"e^{{{0}}}", 100,
        lambda a: N_("exp overflows (its input is too large)") if a[0] > 709.78 else None,
        N_("exp raises e to the input"),
        (N_("exp is its own derivative: ∂exp(x)/∂x = exp(x), the node's own output"),),
    ),
    Operation(
        "log", "log", "log", 1, _log,
        (lambda a, o: 1.0 / a[0],), (lambda a, o: Op("/", (Num(1.0), a[0])),),
        "log({0})", r"\ln\left({0}\right)", 100,
        lambda a: N_("log needs a positive number") if a[0] <= 0 else None,
        N_("log is the natural logarithm"),
        (N_("∂log(x)/∂x = 1/x"),),
    ),
    Operation(
        "tanh", "tanh", "tanh", 1, math.tanh,
        (lambda a, o: 1.0 - o * o,), (lambda a, o: Op("-", (Num(1.0), Op("**", (o, Num(2.0))))),),
        "tanh({0})", r"\tanh\left({0}\right)", 100, _ok,
        N_("tanh squashes its input into (-1, 1)"),
        (N_("the slope of tanh is 1 - tanh(x)², and tanh(x) is this node's output"),),
    ),
    Operation(
        "sigmoid", "sigmoid", "σ", 1, _sigmoid,
        (lambda a, o: o * (1.0 - o),), (lambda a, o: Op("*", (o, Op("-", (Num(1.0), o)))),),
        "σ({0})", r"\sigma\left({0}\right)", 100, _ok,
        N_("the sigmoid squashes its input into (0, 1)"),
        (N_("the sigmoid's slope is σ(x)(1 - σ(x)), and σ(x) is this node's output"),),
    ),
    Operation(
        "relu", "relu", "relu", 1, lambda x: x if x > 0 else 0.0,
        (lambda a, o: 1.0 if a[0] >= 0 else 0.0,), (lambda a, o: CallT("step", (a[0],)),),
        "relu({0})", r"\mathrm{relu}\left({0}\right)", 100, _ok,
        N_("relu passes a positive input and blocks a negative one"),
        (N_("relu's slope is 1 where x ≥ 0 and 0 where x < 0 (1 at 0, as bptui's layered nets)"),),
    ),
    Operation(
        "sqrt", "sqrt", "√", 1, _sqrt,
        (lambda a, o: 0.5 / o,), (lambda a, o: Op("/", (Num(1.0), Op("*", (Num(2.0), o)))),),
        "√({0})", r"\sqrt{{{0}}}", 100,
        lambda a: (N_("sqrt needs a number that is not negative") if a[0] < 0 else
                   N_("its slope 1/(2√x) is infinite at 0") if a[0] == 0 else None),
        N_("sqrt is the square root"),
        (N_("∂√x/∂x = 1/(2√x), and √x is this node's output"),),
    ),
)}

#: The binary operators as Python's ast spells them.
BINARY = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "Pow": "**"}
#: The functions a scenario may call, by name.
FUNCTIONS = {k: o for k, o in OPERATIONS.items() if o.is_function and k != "id"}


@dataclass(frozen=True)
class RuleFunction:
    """A function that only appears in derivative rules, never in a scenario's expression."""

    forward: Callable[[float], float]
    text: str
    latex: str


RULE_FUNCTIONS = {
    "step": RuleFunction(lambda x: 1.0 if x >= 0 else 0.0, "(1 if {0} ≥ 0 else 0)",
                         r"\mathbb{{1}}[{0} \geq 0]"),
}


def apply(key: str, args: Sequence[float]) -> float:
    """The value of an operation or rule function on numbers."""
    if key in RULE_FUNCTIONS:
        return RULE_FUNCTIONS[key].forward(*args)
    return float(OPERATIONS[key].forward(*args))


def template(key: str, latex: bool) -> tuple[str, int, tuple[bool, ...]]:
    """(format string, precedence, which arguments may need brackets) for rendering."""
    if key in RULE_FUNCTIONS:
        f = RULE_FUNCTIONS[key]
        return (f.latex if latex else f.text), 100, (False,)
    o = OPERATIONS[key]
    fmt = o.latex if latex else o.text
    if o.is_function:
        return fmt, o.precedence, (False,) * o.arity
    if key == "/" and latex:
        return fmt, o.precedence, (False, False)
    if key == "**" and latex:
        return fmt, o.precedence, (True, False)
    return fmt, o.precedence, (True,) * o.arity


def node_tree(key: str, args: Sequence[Tree]) -> Tree:
    """The rule of a node: ``Op`` for operators, ``Call`` for functions (the contract)."""
    o = OPERATIONS[key]
    if key == "id":
        return args[0]
    return CallT(key, tuple(args)) if o.is_function else Op(key, tuple(args))


__all__ = ["OPERATIONS", "FUNCTIONS", "BINARY", "Operation", "apply", "node_tree", "Sym"]
