"""Custom checks and properties, one module per section (referenced from the catalog by `Ref`s).

`SameAs` compares a form with a library's implementation (Reference claims, `regress`).
"""

from mathcheck.numeric.checks._library import SameAs

__all__ = ["SameAs"]
