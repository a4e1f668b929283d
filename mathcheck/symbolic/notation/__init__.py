"""Textbook notation for the reference: each module holds the displays of one section as
`Notation`s built from structured SymPy objects, tied to the checked forms by `prove_notation`
(see `_core`). Builders take the form builder's size names; called without arguments they
return the display with symbolic sizes (n, d_k), called with integers the instance to prove.
"""

from mathcheck.symbolic.latex import Tex, TexMatrix
from mathcheck.symbolic.notation._core import (
    Apply,
    Defined,
    Notation,
    RowSoftmax,
    instantiate,
    notation_latex,
    printed_lines,
    prove_notation,
    sizes_of,
)

__all__ = [
    "Apply",
    "Defined",
    "Notation",
    "RowSoftmax",
    "Tex",
    "TexMatrix",
    "instantiate",
    "notation_latex",
    "printed_lines",
    "prove_notation",
    "sizes_of",
]
