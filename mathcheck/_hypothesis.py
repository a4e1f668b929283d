"""Hypothesis run the same way wherever mathcheck drives it (the engine's search, the custom
checks that use `given` directly): no constants collected from locally installed source, and
no files in the user's working folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from mathcheck._paths import hypothesis_cache

# Hypothesis keeps its files (collected constants, unicode tables) under
# HYPOTHESIS_STORAGE_DIRECTORY, else ./.hypothesis: never the user's working folder, whichever
# entry point (CLI, API, pytest plugin, a script) runs a check. Read at first use, so this
# holds unless the process already used Hypothesis; an explicit setting wins.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", hypothesis_cache())


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Keep Hypothesis from mixing in literals collected from locally installed source.

    Recent Hypothesis releases draw, now and then, a constant found by parsing every "local"
    module in sys.modules (an editable mathcheck, the user's code); which modules are
    imported, and how far the parse got, then change the inputs, so the same seed gave
    different verdicts in different processes. There is no setting for this; the hook is
    private, so it is replaced only where it exists, and restored afterwards.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the provider module
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    constants = getattr(providers, "Constants", None)
    if original is None or constants is None:  # pragma: no cover - another Hypothesis
        yield
        return
    empty = constants()
    cached = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", {})
    cached.clear()  # permitted constants computed earlier may include local ones
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cached.clear()
