"""The width estimate decides what is broken into lines and what is not printed: it must
count what the page shows (function names, matrices side by side), or displays overflow."""

from __future__ import annotations

import sympy as sp

from mathcheck.reference.breaking import LINE, arrange, fits, visible


def test_function_names_count_their_letters() -> None:
    assert visible(r"\log{\left(x \right)} + \sin(y)") == len("log(x)+sin(y)")
    assert visible(r"\operatorname{softmax}(z)") == len("softmax(z)")
    assert visible(r"\frac{\alpha}{\beta}") == 2  # a symbol command is one character


def test_matrices_side_by_side_are_as_wide_as_their_rows_together() -> None:
    row = " & ".join(f"a_{{{k}}}" for k in range(1, 13))
    matrix = r"\left[\begin{matrix}" + row + r" \\ " + row + r"\end{matrix}\right]"
    assert fits(matrix)  # one 12-column matrix fits
    assert not fits(matrix + " = " + matrix + " + " + matrix)  # three side by side do not


def test_aligned_lines_are_measured_one_by_one() -> None:
    line = "x + " * 15 + "x"
    assert visible(r"\begin{aligned}y &= " + line + r" \\ z &= " + line + r"\end{aligned}") < LINE


def test_a_long_sum_of_logs_is_broken_into_lines() -> None:
    x = sp.symbols("x1:9", positive=True)
    total = sum(sp.log(v) * v for v in x)
    text = arrange("H", [total])
    assert r"\begin{aligned}" in text and all(fits(r) for r in text.split(r" \\ "))


def test_a_tall_column_is_not_readable() -> None:
    from mathcheck.reference.breaking import readable

    column = r"\left[\begin{matrix}" + r" \\ ".join("1" for _ in range(9)) + r"\end{matrix}\right]"
    assert not readable(r"\frac{\partial}{\partial A} \operatorname{tr}(A) = " + column, rows=4)
    assert readable(r"\left[\begin{matrix}a & b \\ c & d\end{matrix}\right]", rows=4)
