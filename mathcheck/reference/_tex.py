"""What the reference needs from TeX, found before any work starts.

The TeX files are read from the preamble template itself (every `\\usepackage`, the document
class, the T1 font definitions of Latin Modern), so a package added to the template is checked
without editing this module; each maps to the Debian package that ships it. `kpsewhich` answers
for all files in one call. A missing file is named with its package, e.g. "lmodern.sty
(Debian package lmodern)": `--no-install-recommends` leaves lmodern out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources

#: Programs the PDF build runs, and the Debian package of each.
PROGRAMS: dict[str, str] = {
    "latexmk": "latexmk",
    "pdflatex": "texlive-latex-base",
    "kpsewhich": "texlive-binaries",
}

#: TeX file -> Debian package (Debian 12). Files not listed are assumed in texlive-latex-extra.
DEBIAN_PACKAGE: dict[str, str] = {
    "article.cls": "texlive-latex-base",
    "fontenc.sty": "texlive-latex-base",
    "inputenc.sty": "texlive-latex-base",
    "lmodern.sty": "lmodern",
    "t1lmr.fd": "lmodern",
    "t1lmss.fd": "lmodern",
    "t1lmtt.fd": "lmodern",
    "textcomp.sty": "texlive-latex-base",
    "geometry.sty": "texlive-latex-base",
    "amsmath.sty": "texlive-latex-base",
    "amssymb.sty": "texlive-base",
    "bm.sty": "texlive-latex-base",
    "graphicx.sty": "texlive-latex-base",
    "xcolor.sty": "texlive-latex-recommended",
    "booktabs.sty": "texlive-latex-recommended",
    "array.sty": "texlive-latex-base",
    "longtable.sty": "texlive-latex-base",
    "multicol.sty": "texlive-latex-base",
    "listings.sty": "texlive-latex-recommended",
    "fancyhdr.sty": "texlive-latex-base",
    "extramarks.sty": "texlive-latex-base",
    "microtype.sty": "texlive-latex-recommended",
    "hyperref.sty": "texlive-latex-base",
}
#: Font definitions the T1-encoded Latin Modern text needs besides lmodern.sty.
FONT_FILES = ("t1lmr.fd", "t1lmss.fd", "t1lmtt.fd")

_USE = re.compile(r"\\(usepackage|documentclass)(?:\[[^\]]*\])?\{([^}]*)\}")


def required_files() -> list[str]:
    """Every class and package file the preamble template loads, plus Latin Modern's fonts."""
    preamble = (
        resources.files("mathcheck.reference")
        .joinpath("templates/preamble.tex.j2")
        .read_text(encoding="utf-8")
    )
    files: list[str] = []
    for command, names in _USE.findall(preamble):
        suffix = ".cls" if command == "documentclass" else ".sty"
        files += [name.strip() + suffix for name in names.split(",") if name.strip()]
    if "lmodern.sty" in files:
        files += FONT_FILES
    return list(dict.fromkeys(files))


def missing() -> list[str]:
    """What is missing, each as 'name (Debian package pkg)'; empty when the PDF can be built."""
    absent = [
        f"{program} (Debian package {package})"
        for program, package in PROGRAMS.items()
        if shutil.which(program) is None
    ]
    if shutil.which("kpsewhich") is None:
        return absent
    files = required_files()
    found = subprocess.run(
        ["kpsewhich", *files], capture_output=True, text=True, check=False, timeout=60
    ).stdout
    have = {line.strip().rsplit("/", 1)[-1] for line in found.splitlines() if line.strip()}
    absent += [
        f"{name} (Debian package {DEBIAN_PACKAGE.get(name, 'texlive-latex-extra')})"
        for name in files
        if name not in have
    ]
    return absent


def install_hint(absent: list[str]) -> str:
    """One line: what is missing and the apt-get command that installs it."""
    packages = sorted({item.rsplit("Debian package ", 1)[-1].rstrip(")") for item in absent})
    return (
        f"TeX is incomplete: missing {', '.join(absent)}; install with "
        f"apt-get install --no-install-recommends {' '.join(packages)}"
    )
