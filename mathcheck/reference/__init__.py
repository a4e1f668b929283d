"""The LaTeX formula reference: the cheatsheet rebuilt from the verified catalog.

`build(entries, out_dir, results=None, pdf=False)` writes reference.tex (and, with pdf=True,
reference.pdf via latexmk). See README.md in this folder for the design.
"""

from mathcheck.reference.build import (
    TEX_PACKAGES,
    Built,
    TexFailed,
    TexMissing,
    build,
    build_reference,
    compile_pdf,
    missing_tex,
    tex_hint,
)

__all__ = [
    "TEX_PACKAGES",
    "Built",
    "TexFailed",
    "TexMissing",
    "build",
    "build_reference",
    "compile_pdf",
    "missing_tex",
    "tex_hint",
]
