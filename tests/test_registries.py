"""One place per concept: every activation, loss and mistake is one complete registry entry.

A forgotten piece (a missing text, code for the fast path that disagrees with the maths, a
mistake hook without the text that explains it) is a failure here, never a silent fallback.
The maths of every entry is checked against central differences and the independent
reference in conftest.py, so a new entry is tested the moment it is registered.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from bptui import mistakes, scalar
from bptui.activations import ACTIVATIONS
from bptui.losses import LOSSES
from tests.conftest import ref_activation, ref_loss

NETS = np.array([-3.0, -1.2, -0.3, 0.4, 1.1, 2.5])
H = 1e-6


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_entry_is_complete(name: str) -> None:
    a = ACTIVATIONS[name]
    assert a.name == name
    for field in ("symbol", "prime_rule", "why_prime", "out_why", "latex", "prime_latex",
                  "short"):
        assert isinstance(getattr(a, field), str) and getattr(a, field), field
    assert "{net}" in a.symbol and "{net}" in a.latex
    assert "{unit}" in a.out_why
    a.prime_rule.format(net="n", out="o")
    a.prime_latex.format(net="n", out="o")
    assert (a.code is None) == (a.code_prime is None) == (not a.per_unit)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_the_reference_and_central_differences(name: str) -> None:
    a = ACTIVATIONS[name]
    out = a.forward(NETS)
    np.testing.assert_allclose(out, ref_activation(name, NETS), rtol=1e-12, atol=1e-15)
    if not a.per_unit:
        return  # softmax: its Jacobian is checked through the softmax scenario's gradients
    numeric = (ref_activation(name, NETS + H) - ref_activation(name, NETS - H)) / (2 * H)
    np.testing.assert_allclose(a.prime(NETS, out), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(n for n, a in ACTIVATIONS.items() if a.code))
def test_fast_path_code_computes_the_same_numbers(name: str) -> None:
    a = ACTIVATIONS[name]
    env = {"sig": scalar._sig, "tanh": math.tanh, "exp": math.exp, "log1p": math.log1p}
    for net in NETS.tolist() + [0.0]:
        out = eval(a.code.format(n=repr(net)), env)  # noqa: S307
        slope = eval(a.code_prime.format(n=repr(net), a=repr(out)), env)  # noqa: S307
        assert out == pytest.approx(float(a.forward(np.array([net]))[0]), rel=1e-15, abs=1e-300)
        want = float(a.prime(np.array([net]), np.array([out]))[0])
        assert slope == pytest.approx(want, rel=1e-15, abs=1e-300)


def test_leaky_relu_by_hand() -> None:
    a = ACTIVATIONS["leaky_relu"]
    net = np.array([-2.0, 0.0, 3.0])
    assert a.forward(net).tolist() == [-0.02, 0.0, 3.0]
    # relu's convention at 0: the slope is 1 where net >= 0
    assert a.prime(net, a.forward(net)).tolist() == [0.01, 1.0, 1.0]


def test_softplus_by_hand_and_without_overflow() -> None:
    a = ACTIVATIONS["softplus"]
    assert a.forward(np.array([0.0]))[0] == pytest.approx(math.log(2.0), rel=1e-15)
    assert a.prime(np.array([0.0]), a.forward(np.array([0.0])))[0] == 0.5
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        big = a.forward(np.array([1000.0, -1000.0, 40.0]))
    assert big[0] == 1000.0 and big[1] == pytest.approx(math.exp(-1000.0), abs=1e-300)
    assert big[2] == pytest.approx(40.0 + math.log1p(math.exp(-40.0)), rel=1e-15)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_entry_is_complete(name: str) -> None:
    loss = LOSSES[name]
    assert loss.name == name
    for field in ("term_rule", "grad_rule", "description", "latex_term", "latex_grad"):
        assert isinstance(getattr(loss, field), str) and getattr(loss, field), field
        getattr(loss, field).format(t="t", out="o", n=2)
    assert loss.output is None or loss.output in ACTIVATIONS
    assert loss.simplifies_with is None or loss.simplifies_with in ACTIVATIONS
    assert (loss.code_term is None) == (loss.code_grad is None)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_matches_the_reference_and_central_differences(name: str) -> None:
    out = np.array([0.2, 0.7, 0.1])
    target = np.array([0.0, 1.0, 0.0]) if LOSSES[name].targets else np.array([0.5, -1.0, 2.0])
    loss = LOSSES[name]
    assert float(loss.terms(out, target).sum()) == pytest.approx(ref_loss(name, out, target),
                                                                 rel=1e-12)
    numeric = np.array([
        (ref_loss(name, out + H * e, target) - ref_loss(name, out - H * e, target)) / (2 * H)
        for e in np.eye(3)])
    np.testing.assert_allclose(loss.grad(out, target), numeric, rtol=1e-6)
    if loss.code_term is not None:
        n = repr(float(out.size))
        for k in range(3):
            env = {"a": float(out[k]), "t": float(target[k])}
            term = eval(loss.code_term.format(a="a", t="t", n=n), env)  # noqa: S307
            grad = eval(loss.code_grad.format(a="a", t="t", n=n), env)  # noqa: S307
            assert term == pytest.approx(float(loss.terms(out, target)[k]), rel=1e-15)
            assert grad == pytest.approx(float(loss.grad(out, target)[k]), rel=1e-15)


def _overridden(m: mistakes.Rules) -> set[str]:
    return {h for h in mistakes.HOOKS
            if getattr(type(m), h) is not getattr(mistakes.Rules, h)}


@pytest.mark.parametrize("name", sorted(mistakes.MISTAKES))
def test_mistake_entry_is_complete(name: str) -> None:
    m = mistakes.MISTAKES[name]
    assert m.name == name
    for field in ("title", "wrong", "right", "breaks", "source"):
        assert isinstance(getattr(m, field), str) and getattr(m, field), field
    assert set(m.changes) <= set(mistakes.HOOKS), "a declared hook that does not exist"
    assert _overridden(m) == set(m.changes), "overridden hooks differ from the declared ones"
    maths = set(m.changes) & set(mistakes.EXPLAINED_BY)
    assert maths, "a mistake must change some maths"
    for hook in maths:
        for text in mistakes.EXPLAINED_BY[hook]:
            assert text in m.changes, f"{hook} changed without its text hook {text}"


def test_hooks_are_the_methods_of_correct_backprop() -> None:
    methods = {n for n, _ in inspect.getmembers(mistakes.Rules, inspect.isfunction)
               if not n.startswith("_")} - {"requires", "applies"}
    assert methods == set(mistakes.HOOKS)
    assert set(mistakes.EXPLAINED_BY) <= set(mistakes.HOOKS)


def test_no_mistake_name_is_compared_outside_the_mistakes_module() -> None:
    import re
    from pathlib import Path

    root = Path(mistakes.__file__).parent
    names = "|".join(re.escape(n) for n in mistakes.MISTAKES)
    pattern = re.compile(rf"[=!]=\s*[\"']({names})[\"']|[\"']({names})[\"']\s*[=!]=")
    found = [f"{p}:{i}" for p in root.rglob("*.py") if p.name != "mistakes.py"
             for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert not found
