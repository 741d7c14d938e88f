"""Matrix products whose overflow comes out the same on every path.

bptui computes one epoch several ways (the event stream one sample at a time, numpy over the
whole batch, generated scalar Python for tiny nets) and promises that all of them see a
training diverge at the same epoch. While no product or partial sum can overflow, BLAS may add
the terms of a matrix product in any order, or fuse a product into its sum (FMA): only the last
bits change. Once a term overflows, that decides the result: -inf + inf is nan, but a fused
a·b + (-inf) is -inf, and then relu(-inf) = 0 is finite where relu(nan) is not (issue 13: a
2-2-2 linear/relu net at η = 1e175 diverged in --trace and not in --train).

So :func:`matmul` uses BLAS when a cheap bound (Σ|a| times Σ|b|) shows that nothing can
overflow, and otherwise adds the terms one at a time, first to last, each product rounded on
its own: the order of the hand calculation and of the scalar path's generated code
(w1·a1 + w2·a2 + ...), whether the product is of one sample or of a whole batch.
"""

from __future__ import annotations

import numpy as np

#: Below this bound no product and no partial sum of a matrix product can overflow.
SAFE = 2.0 ** 1000


def _total(x: np.ndarray) -> float:
    """Σ|x|: no product of an entry of ``x`` with one of ``y``, and no partial sum of such
    products, exceeds Σ|x|·Σ|y| (nan when x holds a nan, inf when it holds an inf). Small
    arrays are summed as Python floats: a numpy call costs more than the whole sum."""
    if x.size <= 32:
        return sum(map(abs, x.ravel().tolist()))
    return float(np.abs(x).sum())


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` (``a`` one row or a matrix, ``b`` a matrix), into ``out`` if given; summed in
    order, term by term, when an overflow is possible."""
    if _total(a) * _total(b) < SAFE:  # a nan compares False: in order
        return np.matmul(a, b, out=out)
    return in_order(a, b, out)


def in_order(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` with each sum taken first term to last, as plain Python floats would."""
    with np.errstate(over="ignore", invalid="ignore"):
        acc = a[..., 0, None] * b[0]
        for i in range(1, a.shape[-1]):
            acc = acc + a[..., i, None] * b[i]
    if out is None:
        return acc
    out[...] = acc
    return out
