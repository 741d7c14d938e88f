"""The scalar fast path: tiny networks trained by generated straight-line Python.

numpy pays about a microsecond per call, and a 2-2-2 network needs dozens of calls per sample,
so for networks small enough to show unit by unit, plain Python floats win. Rather than loop
over units at run time, this module writes the network's forward pass, backward pass and update
out as one Python function (every weight a local variable, every sum unrolled), compiles it
once per scenario and runs whole chunks of epochs inside it.

It implements correct backpropagation only; a mistake from the lab, or a non-finite loss,
sends the caller back to the numpy path, which is the reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from types import CodeType

import numpy as np

from bptui.activations import ACTIVATIONS
from bptui.losses import LOSSES
from bptui.scenario import Scenario

Runner = Callable[..., tuple[list[float], list[float], bool]]


def supported(scenario: Scenario, mistake: str | None) -> bool:
    """Correct backprop on a unit-by-unit network whose activations and loss all have code."""
    return (mistake is None and scenario.unit_by_unit
            and LOSSES[scenario.loss].code_grad is not None
            and all(ACTIVATIONS[la.activation].code is not None for la in scenario.layers))


def _sig(n: float) -> float:
    if n >= 0.0:
        return 1.0 / (1.0 + math.exp(-n))
    e = math.exp(n)
    return e / (1.0 + e)


# The per-activation and per-loss code lives in the registries (bptui.activations,
# bptui.losses), beside the maths it must agree with.


def _act(kind: str, n: str) -> str:
    code = ACTIVATIONS[kind].code
    assert code is not None
    return code.format(n=n)


def _slope(kind: str, n: str, a: str) -> str:
    code = ACTIVATIONS[kind].code_prime
    assert code is not None
    return code.format(n=n, a=a)


def _loss_grad(loss: str, a: str, t: str, n_out: int) -> str:
    code = LOSSES[loss].code_grad
    assert code is not None
    return code.format(a=a, t=t, n=repr(float(n_out)))


def _loss_term(loss: str, a: str, t: str, n_out: int) -> str:
    code = LOSSES[loss].code_term
    assert code is not None
    return code.format(a=a, t=t, n=repr(float(n_out)))


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)


def _source(s: Scenario) -> str:
    """Python source of ``run(params, X, T, epochs, lr) -> (params, losses, diverged)``."""
    L = len(s.layers)
    sizes = [s.input_size] + [la.size for la in s.layers]
    n_out = sizes[-1]
    names: list[str] = []  # every parameter local, in Params order
    trained: list[tuple[str, str]] = []  # (param local, gradient expression)
    for lay, la in enumerate(s.layers, start=1):
        names += [f"w{lay}_{j}_{i}" for j in range(la.size) for i in range(la.inputs)]
        if la.bias is not None:
            names += [f"b{lay}_{j}" for j in range(la.bias.size)]
    for lay, la in enumerate(s.layers, start=1):
        trained += [(f"w{lay}_{j}_{i}", f"d{lay}_{j} * a{lay - 1}_{i}")
                    for j in range(la.size) for i in range(la.inputs)]
        if la.bias is not None and la.train_bias:
            if la.bias.size == 1:
                trained.append((f"b{lay}_0", " + ".join(f"d{lay}_{j}" for j in range(la.size))))
            else:
                trained += [(f"b{lay}_{j}", f"d{lay}_{j}") for j in range(la.size)]
    batch = s.mode == "batch"
    single = s.samples == 1 and not batch

    w = _Writer()
    w(0, "def run(params, X, T, epochs, lr, scale):")
    w(1, "(" + ", ".join(names) + ",) = params" if names else "pass")
    w(1, "before = []")
    w(1, "losses = []")

    def unpack(depth: int) -> None:
        w(depth, "(" + ", ".join(f"a0_{i}" for i in range(sizes[0])) + ",) = x")
        w(depth, "(" + ", ".join(f"t_{k}" for k in range(n_out)) + ",) = t")

    def forward(depth: int, with_loss: bool) -> None:
        for lay, la in enumerate(s.layers, start=1):
            for j in range(la.size):
                terms = [f"w{lay}_{j}_{i} * a{lay - 1}_{i}" for i in range(la.inputs)]
                if la.bias is not None:
                    terms.append(f"b{lay}_{0 if la.bias.size == 1 else j}")
                w(depth, f"n{lay}_{j} = " + " + ".join(terms))
                w(depth, f"a{lay}_{j} = " + _act(la.activation, f"n{lay}_{j}"))
        if with_loss:
            w(depth, "e_loss = " + " + ".join(
                _loss_term(s.loss, f"a{L}_{k}", f"t_{k}", n_out) for k in range(n_out)))

    def backward(depth: int) -> None:
        for k in range(n_out):
            act = s.layers[-1].activation
            w(depth, f"d{L}_{k} = " + _loss_grad(s.loss, f"a{L}_{k}", f"t_{k}", n_out)
              + " * (" + _slope(act, f"n{L}_{k}", f"a{L}_{k}") + ")")
        for lay in range(L, 1, -1):
            la, below = s.layers[lay - 1], s.layers[lay - 2]
            for i in range(below.size):
                err = " + ".join(f"d{lay}_{j} * w{lay}_{j}_{i}" for j in range(la.size))
                slope = _slope(below.activation, f"n{lay - 1}_{i}", f"a{lay - 1}_{i}")
                w(depth, f"d{lay - 1}_{i} = ({err}) * ({slope})")

    if single:
        # One sample, updated after itself: its inputs and targets are read once, and each
        # epoch is the sample's forward pass (its loss is the previous epoch's result),
        # backward pass and update. Every gradient is complete before the first update (they
        # depend on deltas and outs only), so each update takes its gradient inline.
        w(1, "x, t = X[0], T[0]")
        unpack(1)
        w(1, "for _epoch in range(epochs):")
        forward(2, with_loss=True)
        w(2, "before.append(e_loss)")
        w(2, "if e_loss - e_loss != 0.0:")
        w(3, "return None, losses, True")
        backward(2)
        for p, g in trained:
            w(2, f"{p} -= lr * ({g})")
        forward(1, with_loss=True)
        w(1, "before.append(e_loss)")
        w(1, "losses = before[1:]")
        w(1, "if losses and losses[-1] - losses[-1] != 0.0:")
        w(2, "return None, losses, True")
    else:
        w(1, "for _epoch in range(epochs):")
        if batch:
            for p, _ in trained:
                w(2, f"G_{p} = 0.0")
        w(2, "for x, t in zip(X, T):")
        unpack(3)
        forward(3, with_loss=False)
        backward(3)
        if batch:
            for p, g in trained:
                w(3, f"G_{p} += {g}")
            for p, _ in trained:
                w(2, f"{p} -= lr * scale * G_{p}")
        else:
            for p, g in trained:
                w(3, f"g_{p} = {g}")
            for p, _ in trained:
                w(3, f"{p} -= lr * g_{p}")
        w(2, "total = 0.0")
        w(2, "for x, t in zip(X, T):")
        unpack(3)
        forward(3, with_loss=True)
        w(3, "total += e_loss")
        w(2, "total = total * scale")
        w(2, "if total - total != 0.0:")
        w(3, "return None, losses, True")
        w(2, "losses.append(total)")
    w(1, "return [" + ", ".join(names) + "], losses, False")
    return "\n".join(w.lines) + "\n"


@lru_cache(maxsize=32)
def _compiled(source: str) -> Runner:
    env: dict[str, object] = {"sig": _sig, "tanh": math.tanh, "exp": math.exp,
                              "log1p": math.log1p}
    exec(_code(source), env)  # noqa: S102
    return env["run"]  # type: ignore[return-value]


def cache_dir() -> str:
    """Where compiled scalar code is kept between runs (:func:`bptui.codecache.cache_dir`)."""
    from bptui import codecache

    return codecache.cache_dir()


def _code(source: str):
    """The compiled code of ``source``, from the cache when an earlier run left it there.

    Compiling the generated function costs about as much as a 2-2-2 network's whole training
    at start-up, and the code depends only on the network's shape, so it is kept as a
    marshalled code object keyed by a checksum of the source (the source itself is stored
    beside it and compared, so a checksum collision is harmless). A cache that cannot be read
    or written (a read-only home, no home) is skipped silently: it is only ever a speed-up.
    """
    from bptui import codecache

    code = codecache.lookup("scalar", source)
    if type(code) is not CodeType:
        code = compile(source, "<bptui scalar path>", "exec")
        codecache.store("scalar", source, code)
    return code


def runner(scenario: Scenario) -> Runner:
    return _compiled(_source(scenario))


def flatten(weights: list[np.ndarray], biases: list[np.ndarray | None]) -> list[float]:
    flat: list[float] = []
    for wm, b in zip(weights, biases, strict=True):
        flat += wm.ravel().tolist()
        if b is not None:
            flat += b.tolist()
    return flat


def unflatten(flat: list[float], weights: list[np.ndarray], biases: list[np.ndarray | None]
              ) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    new_w: list[np.ndarray] = []
    new_b: list[np.ndarray | None] = []
    k = 0
    for wm, b in zip(weights, biases, strict=True):
        new_w.append(np.array(flat[k:k + wm.size], dtype=np.float64).reshape(wm.shape))
        k += wm.size
        if b is None:
            new_b.append(None)
        else:
            new_b.append(np.array(flat[k:k + b.size], dtype=np.float64))
            k += b.size
    return new_w, new_b
