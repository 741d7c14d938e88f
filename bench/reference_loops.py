"""The references the benchmarks compare against: the tutorials' own loops, rewritten plainly.

`mazur_plain_python` is the 2-2-2 walkthrough's Python loop (scalar code, numpy's exp for the
sigmoid, as the tutorial has it) with its wiring bug fixed (net_o2 uses w7·out_h1, not
w7·out_h2) and its per-iteration print removed. `relu_raw_numpy` is the batch tutorial's loop:
two matrix products forward, three back.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def mazur_plain_python(epochs: int) -> tuple[float, float]:
    b1, b2 = 0.35, 0.60
    w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    i1, i2 = 0.05, 0.10
    t1, t2 = 0.01, 0.99
    lr = 0.5
    for _ in range(epochs):
        net_h1 = i1 * w[0] + i2 * w[1] + b1
        net_h2 = i1 * w[2] + i2 * w[3] + b1
        out_h1 = _sigmoid(net_h1)
        out_h2 = _sigmoid(net_h2)
        net_o1 = out_h1 * w[4] + out_h2 * w[5] + b2
        net_o2 = out_h1 * w[6] + out_h2 * w[7] + b2
        out_o1 = _sigmoid(net_o1)
        out_o2 = _sigmoid(net_o2)
        d_o1 = -(t1 - out_o1) * out_o1 * (1 - out_o1)
        d_o2 = -(t2 - out_o2) * out_o2 * (1 - out_o2)
        g5, g6 = d_o1 * out_h1, d_o1 * out_h2
        g7, g8 = d_o2 * out_h1, d_o2 * out_h2
        d_h1 = (d_o1 * w[4] + d_o2 * w[6]) * out_h1 * (1 - out_h1)
        d_h2 = (d_o1 * w[5] + d_o2 * w[7]) * out_h2 * (1 - out_h2)
        g1, g2 = d_h1 * i1, d_h1 * i2
        g3, g4 = d_h2 * i1, d_h2 * i2
        for k, g in enumerate((g1, g2, g3, g4, g5, g6, g7, g8)):
            w[k] = w[k] - lr * g
    net_h1 = i1 * w[0] + i2 * w[1] + b1
    net_h2 = i1 * w[2] + i2 * w[3] + b1
    out_h1, out_h2 = _sigmoid(net_h1), _sigmoid(net_h2)
    return (
        float(_sigmoid(out_h1 * w[4] + out_h2 * w[5] + b2)),
        float(_sigmoid(out_h1 * w[6] + out_h2 * w[7] + b2)),
    )


def relu_raw_numpy(x, y, w1, w2, epochs: int, learning_rate: float = 1e-6):
    w1, w2 = w1.copy(), w2.copy()
    loss = 0.0
    for _ in range(epochs):
        h = x.dot(w1)
        h_relu = np.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        loss = np.square(y_pred - y).sum()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h = grad_y_pred.dot(w2.T)
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return w1, w2, loss


def _mazur_main(epochs: int) -> None:
    import json

    print(json.dumps({"epochs": epochs, "outputs": list(mazur_plain_python(epochs))}))


def _relu_main(epochs: int) -> None:
    """The batch tutorial as a program: its data (same generator and seeds as the scenario),
    its loop, its weights dumped as JSON."""
    import json

    x = np.random.default_rng(0).standard_normal((64, 1000))
    y = np.random.default_rng(0).standard_normal((64, 10))  # only the shape matters for timing
    w1 = np.random.default_rng(1).standard_normal((100, 1000)).T.copy()
    w2 = np.random.default_rng(2).standard_normal((10, 100)).T.copy()
    w1, w2, loss = relu_raw_numpy(x, y, w1, w2, epochs)
    print(json.dumps({"loss": float(loss), "weights": [w1.T.tolist(), w2.T.tolist()]}))


if __name__ == "__main__":  # whole-process references: python bench/reference_loops.py mazur N
    import sys

    {"mazur": _mazur_main, "relu": _relu_main}[sys.argv[1]](int(sys.argv[2]))
