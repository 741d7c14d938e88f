"""Matrix products whose overflow comes out the same on every path.

bptui computes one epoch several ways (the event stream one sample at a time, numpy over the
whole batch, generated scalar Python for tiny nets) and promises that all of them see a
training diverge at the same epoch. While no product or partial sum can overflow, BLAS may add
the terms of a matrix product in any order, or fuse a product into its sum (FMA): only the last
bits change. Once a term overflows, that decides the result: -inf + inf is nan, but a fused
a·b + (-inf) is -inf, and then relu(-inf) = 0 is finite where relu(nan) is not (issue 13: a
2-2-2 linear/relu net at η = 1e175 diverged in --trace and not in --train).

So :func:`matmul` uses BLAS when a cheap bound (K·max|a|·max|b|) shows that nothing can
overflow, and otherwise adds the terms one at a time, first to last, each product rounded on
its own: the order of the hand calculation and of the scalar path's generated code
(w1·a1 + w2·a2 + ...), whether the product is of one sample or of a whole batch.
"""

from __future__ import annotations

import numpy as np

#: Below this bound no product and no partial sum of a matrix product can overflow.
SAFE = 2.0 ** 1000


def largest(x: np.ndarray) -> float:
    """max|x| (nan when x holds a nan, inf when it holds an inf), from x's max and min: two
    fast reductions and no temporary array, where |x| would allocate one as large as x. Small
    arrays as Python floats: a numpy call costs more than the whole scan."""
    if x.size <= 32:
        values = x.ravel().tolist()
        if not all(v == v for v in values):
            return float("nan")
        return max(map(abs, values), default=0.0)
    return float(max(x.max(), -x.min()))


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` (``a`` one row or a matrix, ``b`` a matrix), into ``out`` if given; summed in
    order, term by term, when an overflow is possible: no product of an entry of ``a`` with one
    of ``b``, and no partial sum of K such products, exceeds K·max|a|·max|b|."""
    if a.shape[-1] * largest(a) * largest(b) < SAFE:  # a nan compares False: in order
        return np.matmul(a, b, out=out)
    return in_order(a, b, out)


def matmul_within(a: np.ndarray, b: np.ndarray, a_max: float, b_max: float,
                  out: np.ndarray | None = None) -> np.ndarray:
    """:func:`matmul` given upper bounds ``a_max`` ≥ max|a| and ``b_max`` ≥ max|b| that the
    caller already knows (the batch loop's constant inputs, and weights whose bound it carries
    from epoch to epoch), so that no large array is scanned. It chooses exactly as
    :func:`matmul` does: a bound under :data:`SAFE` means the exact maxima are under it too
    (BLAS), and when the bound is not under it the exact maxima decide."""
    k = a.shape[-1]
    if k * a_max * b_max < SAFE:
        return np.matmul(a, b, out=out)
    return matmul(a, b, out)


def product_bound(k: int, a_max: float, b_max: float) -> float:
    """An upper bound on max|a @ b| for K = ``k`` terms, rounding included: each computed sum
    is within (1 + K·u) of a sum bounded by K·max|a|·max|b| (u = 2⁻⁵³), and the slack here is
    twice that and more."""
    return k * a_max * b_max * slack(k)


def slack(k: int) -> float:
    """A factor above 1 that covers the rounding of ``k`` additions or multiplications."""
    return 1.0 + (k + 4) * 2.0 ** -51


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
