"""LaTeX-aware escaping of catalog text (titles, notes, budgets) and of code listings.

Catalog text is Unicode written for terminals: σᵢ², ‖a‖, ≤, ∀. pdfLaTeX only reads what it
has glyphs for, so each character is either escaped (the ten specials), mapped to a math
macro, or, if unknown, printed as its code point: the build never fails on a new character.
"""

from __future__ import annotations

import re
import unicodedata

SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}

GREEK = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "ϵ": r"\epsilon",
    "ζ": r"\zeta",
    "η": r"\eta",
    "θ": r"\theta",
    "ι": r"\iota",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "ξ": r"\xi",
    "π": r"\pi",
    "ρ": r"\rho",
    "σ": r"\sigma",
    "τ": r"\tau",
    "υ": r"\upsilon",
    "φ": r"\varphi",
    "ϕ": r"\phi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Θ": r"\Theta",
    "Λ": r"\Lambda",
    "Ξ": r"\Xi",
    "Π": r"\Pi",
    "Σ": r"\Sigma",
    "Φ": r"\Phi",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
}

SYMBOLS = {
    "≤": r"\le",
    "≥": r"\ge",
    "≠": r"\ne",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∝": r"\propto",
    "±": r"\pm",
    "∓": r"\mp",
    "×": r"\times",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "÷": r"\div",
    "−": "-",
    "∞": r"\infty",
    "∑": r"\sum",
    "∏": r"\prod",
    "∫": r"\int",
    "∂": r"\partial",
    "∇": r"\nabla",
    "√": r"\surd",
    "∈": r"\in",
    "∉": r"\notin",
    "⊂": r"\subset",
    "⊆": r"\subseteq",
    "∪": r"\cup",
    "∩": r"\cap",
    "∀": r"\forall",
    "∃": r"\exists",
    "→": r"\to",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow",
    "↦": r"\mapsto",
    "‖": r"\|",
    "∥": r"\|",
    "⊙": r"\odot",
    "⊗": r"\otimes",
    "⊕": r"\oplus",
    "∘": r"\circ",
    "≻": r"\succ",
    "≺": r"\prec",
    "⪰": r"\succeq",
    "⪯": r"\preceq",
    "∣": r"\mid",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "𝔼": r"\mathbb{E}",
    "ℓ": r"\ell",
    "ħ": r"\hbar",
    "∅": r"\emptyset",
    "′": r"'",
    "″": r"''",
    "∼": r"\sim",
    "≪": r"\ll",
    "≫": r"\gg",
    "⊤": r"\top",
    "⊥": r"\perp",
    "∠": r"\angle",
    "°": r"^{\circ}",
    "∗": r"\ast",
    "†": r"\dagger",
    "⋯": r"\cdots",
    "…": r"\ldots",
    "⊘": r"\oslash",
}

SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵗᵏ", "0123456789+-=()niTtk", strict=True))
SUBSCRIPTS = dict(
    zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "0123456789+-=()aeoxhklmnpstijruv", strict=True)
)

TEXT = {
    "—": "---",
    "–": "--",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "•": r"\textbullet{}",
    "é": r"\'e",
    "è": r"\`e",
    "ö": r"\"o",
    "ü": r"\"u",
    "ä": r"\"a",
    "ç": r"\c{c}",
    "É": r"\'E",
    "ß": r"\ss{}",
    "\u00a0": "~",
    "§": r"\S{}",
    "¶": r"\P{}",
    "✓": r"$\checkmark$",
    "…": r"\ldots{}",
    "×": r"$\times$",
    "·": r"$\cdot$",
    "½": r"$\frac{1}{2}$",
    "¼": r"$\frac{1}{4}$",
    "¾": r"$\frac{3}{4}$",
    "⅓": r"$\frac{1}{3}$",
}

_SCRIPT_RUN = re.compile(f"([{''.join(SUPERSCRIPTS)}]+)|([{''.join(SUBSCRIPTS)}]+)")


def _math(ch: str) -> str | None:
    if ch in GREEK:
        return GREEK[ch]
    if ch in SYMBOLS:
        return SYMBOLS[ch]
    return None


#: Combining accents: in text (\^{x}) and in math (\hat{\alpha}).
ACCENTS = {
    "\u0300": ("\\`", "\\grave"),
    "\u0301": ("\\'", "\\acute"),
    "\u0302": ("\\^", "\\hat"),
    "\u0303": ("\\~", "\\tilde"),
    "\u0304": ("\\=", "\\bar"),
    "\u0307": ("\\.", "\\dot"),
    "\u0308": ('\\"', "\\ddot"),
}


def _accent(previous: str, mark: str) -> str:
    text_accent, math_accent = ACCENTS[mark]
    if len(previous) > 2 and previous.startswith("$") and previous.endswith("$"):
        return "$" + math_accent + "{" + previous[1:-1] + "}$"
    return text_accent + "{" + previous + "}"


def _unknown(ch: str) -> str:
    """An unknown character: its decomposition if it has one (ᾱ → ᾱ), else its code point."""
    nfd = unicodedata.normalize("NFKD", ch)
    if len(nfd) > 1 and all(c in ACCENTS or not unicodedata.combining(c) for c in nfd):
        return tex(nfd)
    decomposed = nfd.replace("\u2044", "/")
    decomposed = decomposed.encode("ascii", "ignore").decode()
    if decomposed:
        return "".join(SPECIALS.get(c, c) for c in decomposed)
    return r"{\small U+" + f"{ord(ch):04X}" + "}"


def tex(text: object) -> str:
    """Escape catalog text for LaTeX body text (not math): specials, Unicode math, scripts."""
    if text is None:
        return ""
    s = str(text)
    out: list[str] = []
    k = 0
    while k < len(s):
        ch = s[k]
        run = _SCRIPT_RUN.match(s, k)
        if run:
            chars = run.group(0)
            if run.group(1):
                out.append(r"\textsuperscript{" + "".join(SUPERSCRIPTS[c] for c in chars) + "}")
            else:
                out.append(r"\textsubscript{" + "".join(SUBSCRIPTS[c] for c in chars) + "}")
            k += len(chars)
            continue
        if ch in ACCENTS:
            out.append(_accent(out.pop() if out else "{}", ch))
        elif ch in SPECIALS:
            out.append(SPECIALS[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in TEXT:
            out.append(TEXT[ch])
        elif (macro := _math(ch)) is not None:
            out.append("$" + macro + "$")
        else:
            out.append(_unknown(ch))
        k += 1
    return "".join(out)


def code(source: str) -> str:
    """Prepare source code for a `listings` environment with escapeinside (*@ … @*).

    ASCII passes through verbatim; any other character becomes an escaped LaTeX snippet.
    """
    out: list[str] = []
    for ch in source.replace("\t", "    "):
        if ord(ch) < 128:
            out.append(ch)
            continue
        if ch in SUPERSCRIPTS:
            snippet = r"\textsuperscript{" + SUPERSCRIPTS[ch] + "}"
        elif ch in SUBSCRIPTS:
            snippet = r"\textsubscript{" + SUBSCRIPTS[ch] + "}"
        elif ch in TEXT:
            snippet = TEXT[ch]
        elif (macro := _math(ch)) is not None:
            snippet = r"\ensuremath{" + macro + "}"
        else:
            snippet = _unknown(ch)
        out.append("(*@" + snippet + "@*)")
    return "".join(out)


def label(text: str) -> str:
    """A string safe inside \\label / \\ref / \\hyperref (ids use letters, digits, . and _)."""
    return re.sub(r"[^A-Za-z0-9.:_-]", "-", text)
