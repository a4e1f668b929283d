"""Long displays broken into lines instead of scaled down to the line.

A display is `lhs = rhs₁ = rhs₂ …` (a derivative: as derived, as stated). When it would be
wider than the text, each `= rhs` goes on a line of its own, aligned at the equals sign, and a
right-hand side that is still too wide is broken after whole terms of its top-level sum (or
of the sum inside a top-level product, as in −(1/n) Σ … written as a product). What cannot be
broken that way (one huge fraction, a wide matrix) is left whole; the LaTeX side then scales
it as a last resort and logs it, and the build counts it.

Width is estimated from the visible characters (commands and braces removed): on this page
(A4, 10 pt) a display holds about 85 of them; `LINE` keeps a margin.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp

from mathcheck.symbolic.latex import latex

LINE = 76  # visible characters that fit on one display line, with a margin

_COMMAND = re.compile(r"\\(?:begin|end)\{\w+\*?\}(?:\{[lcr|]*\})?|\\([a-zA-Z]+)|\\[,:;!]|[{}^_&\s]")
#: Commands set as their letters (log, tanh, max): a function name is as wide as its name.
_NAMED = frozenset("log ln exp sin cos tan tanh sinh cosh arg max min det sup inf lim Pr "
                   "sgn softmax ReLU GELU KL Var Cov E".split())
#: Commands that print nothing themselves (structure, fonts, accents): their arguments count.
_SILENT = frozenset("frac dfrac tfrac left right sqrt mathbf mathrm boldsymbol bm operatorname "
                    "text textrm mathcal mathbb mathit hat tilde bar vec dot limits "
                    "displaystyle textstyle substack begin end big Big bigg Bigg middle "
                    "underbrace overbrace allowbreak phantom".split())
#: An innermost matrix-like environment: as wide as its widest row, its rows stacked.
_BLOCK = re.compile(r"\\begin\{(\w*matrix|cases|array)\}((?:(?!\\begin\{).)*?)"
                    r"\\end\{\1\}", re.S)


def _width(text: str) -> int:
    def count(found: re.Match[str]) -> str:
        name = found.group(1)
        if name is None:
            return ""
        if name in _NAMED:
            return name
        return "" if name in _SILENT else "c"  # a symbol: α, ≤, ⋅, ∑

    return len(_COMMAND.sub(count, text))


def _block_width(found: re.Match[str]) -> str:
    rows = re.split(r"\\\\", found.group(2))
    width = max(_width(row) + row.count("&") for row in rows)  # a space between cells
    return "M" * (width + 2)  # and its brackets


def visible(text: str) -> int:
    """Visible characters of the widest line: a function name counts its letters, a symbol
    command one, structure nothing; a matrix (or cases) is as wide as its widest row, and
    the \\\\ of an aligned display (outside any matrix) separate its lines."""
    while (flat := _BLOCK.sub(_block_width, text)) != text:
        text = flat
    return max(_width(row) for row in re.split(r"\\\\", text))


def fits(text: str, line: int = LINE) -> bool:
    return visible(text) <= line


def _terms(expr: sp.Basic) -> tuple[str, list[str]] | None:
    """A sum's terms as printed (sign first), with the factor in front of it: ("c", terms)."""
    from mathcheck.symbolic.latex import _PRINTER

    factor = ""
    if isinstance(expr, sp.Mul):
        sums = [a for a in expr.args if isinstance(a, sp.Add)]
        if len(sums) != 1:
            return None
        rest = expr / sums[0]
        factor = latex(rest)
        factor = "- " if factor == "-1" else ("" if factor == "1" else factor + " ")
        expr = sums[0]
    if not isinstance(expr, sp.Add):
        return None
    printed = []
    for term in _PRINTER._as_ordered_terms(expr):
        if term.could_extract_minus_sign():
            printed.append("- " + latex(-term))
        else:
            printed.append("+ " + latex(term))
    printed[0] = printed[0][2:] if printed[0].startswith("+ ") else printed[0]
    return factor, printed


def _broken_rhs(expr: sp.Basic, line: int) -> list[str] | None:
    """Rows of one right-hand side broken after whole terms, or None if it cannot be."""
    split = _terms(expr)
    if split is None:
        return None
    factor, terms = split
    rows, current = [], ""
    for term in terms:
        candidate = f"{current} {term}".strip()
        if current and visible(candidate) > line:
            rows.append(current)
            current = term
        else:
            current = candidate
    rows.append(current)
    if len(rows) == 1:
        return None
    if factor:  # c (t₁ + t₂ … ): the parenthesis opens on the first row, closes on the last
        rows[0] = factor + r"\left(" + rows[0] + r"\right."
        rows[1:-1] = [r"\left." + r + r"\right." for r in rows[1:-1]]
        rows[-1] = r"\left." + rows[-1] + r"\right)"
    return rows


def arrange(lhs: str, sides: list[Any], line: int = LINE) -> str:
    """`lhs = side₁ = side₂ …` on one line if it fits, else aligned rows (see the module)."""
    printed = [s if isinstance(s, str) else latex(s) for s in sides]
    unique = list(dict.fromkeys(printed))
    one_line = " = ".join([lhs, *unique])
    if fits(one_line, line):
        return one_line
    rows: list[str] = []
    for text, side in zip(printed, sides, strict=True):
        if text not in unique:
            continue
        unique.remove(text)
        broken = None if isinstance(side, str) or fits(text, line) else _broken_rhs(side, line)
        if broken is None:
            rows.append("&= " + text)
        else:
            rows.append("&= " + broken[0])
            rows.extend(r"&\quad " + r for r in broken[1:])
    if fits(lhs + " = " + rows[0][3:], line) and len(rows) == 1:
        return lhs + " = " + rows[0][3:]
    return r"\begin{aligned}" + lhs + " " + r" \\ ".join(rows) + r"\end{aligned}"


def readable(text: str, rows: int = 3, line: int = LINE) -> bool:
    """Worth printing: at most `rows` printed rows (aligned lines and the rows of its
    matrices alike: a 9×1 column is nine), none wider than the page."""
    return text.count(r"\\") + 1 <= rows and fits(text, line)
