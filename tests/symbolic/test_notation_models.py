"""Textbook notations of the attention section prove equal to their checked forms; planted
wrong notations (scale d instead of √d_k, the mask's wrong triangle, a wrong head block) fail."""

import sympy as sp

from mathcheck.symbolic import attention as A
from mathcheck.symbolic.latex import TexMatrix
from mathcheck.symbolic.notation import Defined, Notation, RowSoftmax, prove_notation
from mathcheck.symbolic.notation import attention as NA
from mathcheck.symbolic.notation._blocks import Attention, Concat, HeadBlock

SDP = [{"n": 1, "m": 2, "d": 2, "e": 2}, {"n": 2, "m": 3, "d": 3, "e": 2}]
CAUSAL = [{"n": 2, "d": 2, "e": 2}, {"n": 3, "d": 3, "e": 2}]


def test_attention_notations_prove() -> None:
    assert prove_notation(NA.scaled_dot_product, A.scaled_dot_product, SDP)[0] == "proven"
    assert prove_notation(NA.causal_attention, A.causal_attention, CAUSAL)[0] == "proven"
    assert prove_notation(NA.multi_head, A.multi_head, [{"n": 1}, {"n": 2}])[0] == "proven"


def test_scale_by_d_is_rejected() -> None:
    def wrong(n=NA.N, m=NA.M, d=NA.DK, e=NA.DV):  # type: ignore[no-untyped-def]
        Q, K, V = NA._qkv(n, m, d, e)
        out = TexMatrix("O", n, e)
        return Notation(((out, RowSoftmax(Q * K.T / d) * V),), out, {Q: "Q", K: "K", V: "V"})

    assert prove_notation(wrong, A.scaled_dot_product, SDP[1:])[0] == "failed"


def test_wrong_mask_triangle_is_rejected() -> None:
    def wrong(n=NA.N, d=NA.DK, e=NA.DV):  # type: ignore[no-untyped-def]
        Q, K, V = NA._qkv(n, n, d, e)
        upper = sp.Piecewise((0, NA.COL >= NA.ROW), (-sp.oo, True))
        mask = Defined("M", n, n, upper, (NA.ROW, NA.COL))
        out = TexMatrix("O", n, e)
        rhs = RowSoftmax(Q * K.T / sp.sqrt(d) + mask) * V
        return Notation(((out, rhs),), out, {Q: "Q", K: "K", V: "V"})

    assert prove_notation(wrong, A.causal_attention, CAUSAL[1:])[0] == "failed"


def test_swapped_head_blocks_are_rejected() -> None:
    def wrong(n=NA.N):  # type: ignore[no-untyped-def]
        X = TexMatrix("X", n, A.D_MODEL)
        w = NA._weights(A.D_MODEL)
        other = 3 - NA.ROW  # head i reads head (3 − i)'s value block
        q, k = HeadBlock(w["WQ"], NA.ROW, 2, "%s"), HeadBlock(w["WK"], NA.ROW, 2, "%s")
        head = Attention(X * q, X * k,
                         X * HeadBlock(w["WV"], other, 2, "%s"))
        out = TexMatrix("O", n, A.D_MODEL)
        rhs = Concat(head, NA.ROW, 2, "head") * w["WO"]
        return Notation(((out, rhs),), out, {X: "X", **{m: k for k, m in w.items()}})

    assert prove_notation(wrong, A.multi_head, [{"n": 2}])[0] == "failed"
