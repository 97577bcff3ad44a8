"""advisor: a strategy decision assistant for the era of cheap AI inference.

The package is split into a pure core (answers -> result, no I/O and no UI) and edges
(command line, TUI, batch, LLM narrative) that all call the same core.
"""

__version__ = "0.1.0"
