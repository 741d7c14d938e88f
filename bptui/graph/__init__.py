"""Computational graphs: backpropagation through any expression, node by node.

The other way backprop is taught (micrograd, CS231n): every operation is a node, the
forward pass computes each node's value, the backward pass multiplies each node's local
derivative by the gradient flowing in from above and ADDS where a value is used more than
once. Modules, one job each:

- :mod:`~bptui.graph.ops` the operations, each declared once (forward, local derivatives,
  text, LaTeX, domain, explanations);
- :mod:`~bptui.graph.parse` the expression text to nodes (Python's ast, whitelisted);
- :mod:`~bptui.graph.load` the [graph]/[training] tables, every problem of a file at once;
- :mod:`~bptui.graph.engine` the numbers (forward, backward, update, train);
- :mod:`~bptui.graph.steps` the numbers as events for the cursor, panels and exports;
- :mod:`~bptui.graph.mistakes` the graph lab's mistakes and their hooks;
- :mod:`~bptui.graph.convert` a layered scenario as its computational graph;
- :mod:`~bptui.graph.cli` what the command line does with a graph.
"""
