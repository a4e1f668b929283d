"""SymPy forms (one module per section) and the machinery to derive and prove.

Importing this package imports SymPy; the catalog only refers to it through `Ref`s.
"""

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector
from mathcheck.symbolic._prove import SIMPLIFIED, Proof, confirm_numerically, prove_equal

__all__ = [
    "SIMPLIFIED",
    "Equation",
    "Proof",
    "SymForm",
    "confirm_numerically",
    "matrix",
    "prove_equal",
    "real",
    "vector",
]
