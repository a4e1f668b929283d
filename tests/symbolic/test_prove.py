"""prove_equal: proven, confirmed numerically (never called proven), or failed with a witness."""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic import confirm_numerically, prove_equal, real


def test_true_identity_is_proven():
    x = real("x")
    assert prove_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1).status == "proven"


def test_false_identity_fails_with_a_witness():
    x = real("x")
    proof = prove_equal(sp.exp(x), 1 + x + x**2 / 2)
    assert proof.status == "failed" and "x=" in proof.witness


def test_numeric_confirmation_is_not_a_proof():
    x = real("x", positive=True)
    proof = confirm_numerically(sp.log(x**2), 2 * sp.log(x))
    assert proof.status == "confirmed"


def test_matrices_are_compared_elementwise():
    a, b = real("a"), real("b")
    assert prove_equal(sp.Matrix([a + b, a * b]), sp.Matrix([b + a, b * a])).status == "proven"
    assert prove_equal(sp.Matrix([a]), sp.Matrix([a, b])).status == "failed"


def test_log1p_is_proven_equal_to_its_log() -> None:
    """A stable form written with log1p is the textbook log(1 + x): proven, not only confirmed."""
    from sympy.codegen.cfunctions import log1p

    x = sp.Symbol("x", real=True)
    split = sp.Piecewise((x + log1p(sp.exp(-x)), x > 0), (log1p(sp.exp(x)), True))
    assert prove_equal(split, sp.log(1 + sp.exp(x))).status == "proven"
    assert prove_equal(log1p(x**2), sp.log(1 + x**2) + x).status == "failed"
