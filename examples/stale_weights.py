"""A learner's own backpropagation for Mazur's 2-2-2 network, with the classic stale-weights bug.

It updates the output weights w5..w8 BEFORE sending the error back to the hidden layer, so
the hidden units' errors are computed with the new weights. Run it and let bptui mark it:

    python examples/stale_weights.py > mine.jsonl
    bptui mazur_2_2_2 --compare mine.jsonl

It needs nothing from bptui: the file is JSON Lines written with json.dumps.
"""

import json
import math
import sys


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def main(out=sys.stdout):
    def write(symbol, value):
        out.write(json.dumps({"symbol": symbol, "value": value}) + "\n")

    i1, i2, t1, t2, eta = 0.05, 0.10, 0.01, 0.99, 0.5
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
    b1, b2 = 0.35, 0.60

    # forward
    net_h1 = w1 * i1 + w2 * i2 + b1
    out_h1 = sigmoid(net_h1)
    net_h2 = w3 * i1 + w4 * i2 + b1
    out_h2 = sigmoid(net_h2)
    net_o1 = w5 * out_h1 + w6 * out_h2 + b2
    out_o1 = sigmoid(net_o1)
    net_o2 = w7 * out_h1 + w8 * out_h2 + b2
    out_o2 = sigmoid(net_o2)
    for name, value in [("net_h1", net_h1), ("out_h1", out_h1), ("net_h2", net_h2),
                        ("out_h2", out_h2), ("net_o1", net_o1), ("out_o1", out_o1),
                        ("net_o2", net_o2), ("out_o2", out_o2)]:
        write(name, value)
    write("E_total", 0.5 * (t1 - out_o1) ** 2 + 0.5 * (t2 - out_o2) ** 2)

    # output layer: deltas, gradients, and (the bug) the update, all at once
    delta_o1 = (out_o1 - t1) * out_o1 * (1 - out_o1)
    delta_o2 = (out_o2 - t2) * out_o2 * (1 - out_o2)
    write("delta_o1", delta_o1)
    write("delta_o2", delta_o2)
    for name, grad in [("w5", delta_o1 * out_h1), ("w6", delta_o1 * out_h2),
                       ("w7", delta_o2 * out_h1), ("w8", delta_o2 * out_h2)]:
        write("dE/d" + name, grad)
    w5 -= eta * delta_o1 * out_h1
    w6 -= eta * delta_o1 * out_h2
    w7 -= eta * delta_o2 * out_h1
    w8 -= eta * delta_o2 * out_h2
    for name, value in [("w5+", w5), ("w6+", w6), ("w7+", w7), ("w8+", w8)]:
        write(name, value)

    # hidden layer: the error is sent back through the weights just changed (stale-weights)
    err_h1 = delta_o1 * w5 + delta_o2 * w7
    err_h2 = delta_o1 * w6 + delta_o2 * w8
    write("dE/dout_h1", err_h1)
    write("dE/dout_h2", err_h2)
    delta_h1 = err_h1 * out_h1 * (1 - out_h1)
    delta_h2 = err_h2 * out_h2 * (1 - out_h2)
    write("delta_h1", delta_h1)
    write("delta_h2", delta_h2)
    for name, old, grad in [("w1", w1, delta_h1 * i1), ("w2", w2, delta_h1 * i2),
                            ("w3", w3, delta_h2 * i1), ("w4", w4, delta_h2 * i2)]:
        write("dE/d" + name, grad)
        write(name + "+", old - eta * grad)


if __name__ == "__main__":
    main()
