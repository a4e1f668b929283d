"""LaTeX-aware escaping of catalog text (titles, notes, budgets) and of code listings.

Catalog text is Unicode written for terminals: σᵢ², ‖a‖, ≤, ∀. pdfLaTeX only reads what it
has glyphs for, so each character is either escaped (the ten specials), mapped to a math
macro, or, if unknown, printed as its code point: the build never fails on a new character.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, NamedTuple

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
    "⋆": r"\star",
    "⟺": r"\Longleftrightarrow",
    "⟹": r"\Longrightarrow",
    "≲": r"\lesssim",
    "≳": r"\gtrsim",
    "𝟙": r"\mathbf{1}",
    "⅔": r"\tfrac{2}{3}",
}

SUPERSCRIPTS = dict(
    zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᵗᵏˣᵐʲᵃᵇᵈᵉᵖʳˢᵘᵛʷʸᴴ", "0123456789+-=()niTtkxmjabdeprsuvwyH", strict=True)
)
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


def _scripts(s: str, k: int, sup: str, sub: str) -> tuple[str, int]:
    """The run of Unicode super- or subscripts at s[k] as sup{…} or sub{…}, and where it
    ends; ("", k) when there is none."""
    run = _SCRIPT_RUN.match(s, k)
    if run is None:
        return "", k
    table, command = (SUPERSCRIPTS, sup) if run.group(1) else (SUBSCRIPTS, sub)
    return command + "{" + "".join(table[c] for c in run.group(0)) + "}", run.end()


def tex(text: object) -> str:
    """Escape catalog text for LaTeX body text (not math): specials, Unicode math, scripts."""
    if text is None:
        return ""
    s = str(text)
    out: list[str] = []
    k = 0
    while k < len(s):
        ch = s[k]
        script, k = _scripts(s, k, r"\textsuperscript", r"\textsubscript")
        if script:
            out.append(script)
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

    ASCII passes through verbatim; any other character becomes its escaped LaTeX snippet
    (as in `tex`), a combining accent joined to the character before it: b̂ → \\^{b}.
    """
    out: list[str] = []
    for ch in source.replace("\t", "    "):
        if ch in ACCENTS and out:
            previous = out.pop()
            if previous.startswith("(*@"):
                previous = previous[3:-3]
            out.append("(*@" + _accent(previous, ch) + "@*)")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("(*@" + tex(ch) + "@*)")
    return "".join(out)


# Prose: titles, notes and labels, where ASCII math is written inline (J_ij, W_{l+1}^T,
# 2^−e, eˣ), `code` or math is quoted in backticks and *emphasis* is starred.
_LETTER = "A-Za-zα-ωΑ-Ωϵϕ∑∏"
_GROUP = r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}"
_BASE = rf"(?:(?:\d+(?:\.\d+)?|d)?[{_LETTER}][\u0300-\u0308]*|\d+)"
_SCRIPT = (
    rf"(?:_(?:{_GROUP}|[<>≤≥]?[−-]?[A-Za-z0-9]{{1,3}}(?![A-Za-z0-9])|[α-ωΑ-Ω])"
    rf"|\^(?:{_GROUP}|\([^()]*\)|[−-]?[A-Za-z0-9]{{1,3}}(?![A-Za-z0-9])|[−-]?[α-ωΑ-Ω])"
    rf"|[{''.join(SUPERSCRIPTS)}]+|[{''.join(SUBSCRIPTS)}]+)"
)
_PROSE = re.compile(
    rf"`(?P<quoted>[^`]+)`"
    rf"|(?<![\w*])\*(?P<emph>[^\s*](?:[^*]*[^\s*])?)\*(?![\w*])"
    rf"|(?<![A-Za-z0-9_\\])(?<![A-Za-z0-9]\.)(?P<math>(?:{_BASE}{_SCRIPT}+)+)"
)
_CODE_LIKE = re.compile(r"[.=(\s]|[A-Za-z]{2,}_")
_PLAIN_SCRIPT = re.compile(r"[<>≤≥]?[−-]?[A-Za-z0-9]{1,3}|[−-]?[α-ωΑ-Ω]")  # x_<t: a prefix


def _script_body(s: str, k: int, sign: str) -> tuple[str, int]:
    """The script after `_` / `^` at s[k]: a {group}, a (group) after ^, or a short run."""
    if s.startswith("{", k):
        depth, end = 0, k
        for end in range(k, len(s)):
            depth += {"{": 1, "}": -1}.get(s[end], 0)
            if depth == 0:
                break
        return math(s[k + 1:end]), end + 1
    if sign == "^" and s.startswith("(", k) and ")" in s[k:]:
        end = s.index(")", k)
        return math(s[k + 1:end]), end + 1
    run = _PLAIN_SCRIPT.match(s, k)
    if run is None:
        return "{}", k
    return math(run.group(0)), run.end()


def _decomposed(text: str) -> str:
    """Accented letters as letter + combining accent (ŷ → y + ̂); ≠, ∉ and the rest kept."""
    out = []
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        out.append(nfd if all(c in ACCENTS for c in nfd[1:]) else ch)
    return "".join(out)


def math(text: str) -> str:
    """Catalog math written in Unicode and ASCII (x_i², W_{l+1}^T, ‖q − x̂‖) as LaTeX math."""
    s = _decomposed(text)
    out: list[str] = []
    k = 0
    while k < len(s):
        ch = s[k]
        script, k = _scripts(s, k, "^", "_")
        if script:
            if out and out[-1][:2] == script[:2] and script[:2] in ("^{", "_{"):
                out.append(out.pop()[:-1] + " " + script[2:])  # Wⁿᵀ: one superscript, nT
            else:
                out.append(script)
            continue
        k += 1
        if ch in "_^":
            body, k = _script_body(s, k, ch)
            if out and out[-1].startswith(ch + "{"):  # π_θ_old: a script of the script
                out.append(out.pop()[:-1] + ch + "{" + body + "}}")
            else:
                out.append(ch + "{" + body + "}")
        elif ch in ACCENTS and out:
            out.append(ACCENTS[ch][1] + "{" + out.pop() + "}")
        elif ch in "#$%&{}":
            out.append("\\" + ch)
        elif ch in "\\~":
            out.append(r"\backslash " if ch == "\\" else r"\sim ")
        elif ord(ch) < 128:
            out.append(ch)
        elif (macro := _math(ch)) is not None:
            out.append(macro + ("" if macro[-1] in "}'-|" else " "))
        else:
            out.append(r"\text{" + tex(ch) + "}")
    return "".join(out).strip()


class Part(NamedTuple):
    """A piece of catalog prose, for an edition to render in its own markup (`prose_parts`).

    `kind` "text": `text` is Unicode text; "math": `text` is LaTeX math (`math`), without
    delimiters; "code": `text` is the quoted code, verbatim; "emph": `inner` holds the parts
    of the emphasized prose (`text` is its source).
    """

    kind: Literal["text", "emph", "math", "code"]
    text: str
    inner: tuple[Part, ...] = ()


def prose_parts(text: object) -> list[Part]:
    """Catalog prose split as `prose` reads it (one tokenizer, `_PROSE`, for the PDF and the
    HTML): text, *emphasis*, inline math as LaTeX and `code`. Empty text is left out."""
    if text is None:
        return []
    s = _decomposed(str(text))
    out: list[Part] = []
    k = 0
    for found in _PROSE.finditer(s):
        if found.start() > k:
            out.append(Part("text", s[k:found.start()]))
        k = found.end()
        quoted, emph, inline = found.group("quoted", "emph", "math")
        if emph is not None:
            out.append(Part("emph", emph, tuple(prose_parts(emph))))
        elif inline is not None:
            out.append(Part("math", math(inline)))
        elif _CODE_LIKE.search(quoted) or quoted.count("{") != quoted.count("}"):
            out.append(Part("code", quoted))
        else:
            out.append(Part("math", math(quoted)))
    if k < len(s):
        out.append(Part("text", s[k:]))
    return out


def _tex_part(part: Part) -> str:
    if part.kind == "emph":
        return r"\emph{" + "".join(map(_tex_part, part.inner)) + "}"
    if part.kind == "math":
        return "$" + part.text + "$"
    if part.kind == "code":
        return r"\texttt{" + tex(part.text) + "}"
    return tex(part.text)


def prose(text: object) -> str:
    """Escape catalog prose: as `tex`, with inline math as math, `quotes` and *emphasis*."""
    return "".join(map(_tex_part, prose_parts(text)))


#: What a PDF string (a bookmark) needs escaped; any other character is kept as Unicode.
PDF_SPECIALS = {**SPECIALS, "`": ""}


def pdf_text(text: object) -> str:
    """Catalog prose as a PDF string: plain Unicode text, quotes and emphasis marks dropped."""
    s = _PROSE.sub(lambda m: m.group("emph") or m.group(0), unicodedata.normalize("NFC", str(text)))
    return "".join(PDF_SPECIALS.get(ch, ch) for ch in s)


def heading(text: object) -> str:
    """A title for \\section / \\subsection: math in the page and the contents, Unicode text
    in the PDF's bookmarks (hyperref cannot put math there)."""
    return r"\texorpdfstring{" + prose(text) + "}{" + pdf_text(text) + "}"


def label(text: str) -> str:
    """A string safe inside \\label / \\ref / \\hyperref (ids use letters, digits, . and _)."""
    return re.sub(r"[^A-Za-z0-9.:_-]", "-", text)
