"""Cross-references: catalog ids named in an entry's prose become links to their entries.

One place does it (`linker`): the text is escaped as prose (`escape.prose`), then every id
of the build found outside math is wrapped in a \\hyperref to its label. An id the build does
not contain (a typo, an entry of another section) stays plain text, so a link never points
at a label that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from mathcheck.reference.escape import prose, tex

#: Math spans of escaped prose ($…$, not \$): ids inside them are left alone.
_MATH = re.compile(r"(?<!\\)\$(?:\\\$|[^$])*(?<!\\)\$")


def linker(targets: Mapping[str, str]) -> Callable[[object], str]:
    """A filter: prose(text) with each id of `targets` (id → label) a \\hyperref."""
    if not targets:
        return prose
    by_text = {tex(i): label for i, label in targets.items()}
    alternatives = "|".join(re.escape(k) for k in sorted(by_text, key=len, reverse=True))
    # Not part of a longer name: no letter, digit, dot or (escaped) underscore either side.
    pattern = re.compile(r"(?<![A-Za-z0-9.\\_])(" + alternatives + r")(?![A-Za-z0-9]|\\_|\.\w)")

    def link_plain(text: str) -> str:
        return pattern.sub(lambda m: r"\hyperref[" + by_text[m.group(1)] + "]{" + m.group(1)
                           + "}", text)

    def link(text: object) -> str:
        escaped = prose(text)
        out, k = [], 0
        for found in _MATH.finditer(escaped):
            out.append(link_plain(escaped[k:found.start()]))
            out.append(found.group(0))
            k = found.end()
        out.append(link_plain(escaped[k:]))
        return "".join(out)

    return link
