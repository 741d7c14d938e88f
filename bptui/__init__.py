"""bptui: step through backpropagation one sub-step at a time.

The package root is the pure core (scenarios, engine, events, notation, command line);
everything that imports Textual lives in :mod:`bptui.tui`, so that the engine can be used
from a notebook or a script without paying for a UI framework.
"""

__version__ = "0.1.0"
