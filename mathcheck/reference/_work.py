"""The expensive work of a build, entry by entry: the displays (SymPy printing, derivations,
parse-back), the figures and the code listings. Cached on disk and spread over processes,
so that `mathcheck latex` respects the reader's time; what it serves is what a serial,
uncached build writes.

Cache: `mathcheck.numeric.cache` (kind "reference"; off with `MATHCHECK_NO_CACHE=1`). The key
hashes the entry's repr (every field but where it was defined), the source of the code the
work is a function of (the SymPy forms and printer `mathcheck.symbolic`, the NumPy and Torch
forms and the oracle `mathcheck.numeric`, the modules of this package that print and plot,
and the modules of the entry's own forms) and the versions of mathcheck, SymPy, mpmath,
NumPy, SciPy, matplotlib and Python. An entry holding a plain callable (a test's, a user's)
has no stable repr and is always computed. Figures are kept as their PDF bytes, and the SVG
written beside each (for the HTML edition) as its bytes, and written out again.

Time limits: where one ran out (a display printed at fixed sizes because the index notation
took too long, block.transformer's print abandoned after 90 s), the outcome depends on the
machine's speed and load. Such parts are cached only when their process had a core to
itself (CPU time at least `FULL_CORE` of the wall time): that is what this machine gives, and
a build should not pay the whole limit each time. One computed while the machine was busy is
used for this build only, and computed again by the next.

Processes: the entries not in the cache are computed in `jobs` worker processes forked
from this one (on Linux; elsewhere, and for one entry, here), longest first:
by the time each took when last computed (kind "reference-seconds", kept across versions),
else by the number of array axes of its inputs (a form without a domain first). Results
come back in catalog order, whatever order they finish in.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import multiprocessing
import os
import pkgutil
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache as memo
from pathlib import Path
from typing import Any

from mathcheck import _timeout
from mathcheck.formulas import Derivative, Entry, Identity, Ref, resolve
from mathcheck.numeric import cache
from mathcheck.reference import escape
from mathcheck.reference.displays import EntryDisplays, entry_displays
from mathcheck.reference.plots import figures_for

KIND = "reference"
SECONDS = "reference-seconds"
#: Packages whose every module the work may run (forms, printer, prover, oracle).
PACKAGES = (
    "mathcheck.symbolic",
    "mathcheck.symbolic.notation",  # subpackages are not walked: each is named
    "mathcheck.numeric",
    "mathcheck.numeric.numpy_forms",
    "mathcheck.numeric.torch_forms",
)
#: Further modules that print, plot and limit the time.
MODULES = (
    __name__,
    "mathcheck.reference.displays",
    "mathcheck.reference.breaking",
    "mathcheck.reference.indexing",
    "mathcheck.reference.plots",
    "mathcheck.reference.plots_forms",
    "mathcheck.reference.escape",
    "mathcheck.reference._limits",
    "mathcheck._timeout",
    "mathcheck.outcome",
)
#: Distributions whose output the work prints, besides those `cache.digest` names.
DISTRIBUTIONS = ("numpy", "scipy", "matplotlib")
#: CPU time over wall time above which parts whose time limit ran out are cached.
FULL_CORE = 0.8


@dataclass
class Parts:
    """What a build computes for one entry."""

    displays: EntryDisplays
    numpy_code: str | None
    torch_code: str | None
    figures: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, caption, PDF
    seconds: float = 0.0  # wall time
    cpu_seconds: float = 0.0
    expired: int = 0  # time limits that ran out
    sidecars: list[tuple[str, bytes]] = field(default_factory=list)  # name, SVG of a figure

    @property
    def cacheable(self) -> bool:
        """Not hostage to a busy moment: no limit ran out, or it ran out on a whole core."""
        return not self.expired or self.cpu_seconds >= FULL_CORE * self.seconds

    def write_figures(self, folder: Path) -> None:
        """The figures as files in `folder`, as when they were computed."""
        if self.figures:
            folder.mkdir(parents=True, exist_ok=True)
        files = [(name, data) for name, _, data in self.figures]
        for name, data in [*files, *self.sidecars]:
            path = folder / name
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)


def source(target: Any) -> str | None:
    """The escaped source listing of a form, or None when it has none."""
    if target is None:
        return None
    try:
        return escape.code(textwrap.dedent(inspect.getsource(resolve(target))).rstrip())
    except (OSError, TypeError, AttributeError, ImportError, ValueError):
        return None


def compute(entry: Entry, figure_dir: Path | None) -> Parts:
    """The work for one entry, here and now; figures (into `figure_dir`) unless it is None."""
    start, cpu, expired = time.perf_counter(), time.process_time(), _timeout.expired
    shown = entry_displays(entry)
    figures = figures_for(entry, figure_dir) if figure_dir is not None else []
    return Parts(
        shown,
        source(entry.numpy),
        source(entry.torch),
        [(path.name, caption, path.read_bytes()) for path, caption in figures],
        time.perf_counter() - start,
        time.process_time() - cpu,
        _timeout.expired - expired,
        [(svg.name, svg.read_bytes()) for path, _ in figures
         if (svg := path.with_suffix(".svg")).is_file()],
    )


@memo
def _code() -> str:
    names = [*MODULES, *PACKAGES]  # a package's name stands for its __init__
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        places = (spec.submodule_search_locations or []) if spec else []
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(places) if not m.ispkg]
    versions = tuple(cache.package_version(name) for name in DISTRIBUTIONS)
    return cache.digest(KIND, cache.source_digest(*sorted(names)), versions)


def _modules(entry: Entry) -> tuple[str, ...]:
    """The modules of the forms the work runs: the catalog's are in `_code` already, a user's
    entry may name its own."""
    refs = [entry.symbolic, entry.numpy, entry.torch, entry.notation]
    for claim in entry.claims:
        if isinstance(claim, Derivative):
            refs.append(claim.expected)
        elif isinstance(claim, Identity):
            refs.append(claim.build)
    return tuple(sorted({r.target.partition(":")[0] for r in refs if isinstance(r, Ref)}))


def key(entry: Entry, figures: bool) -> str | None:
    """The entry's cache key, or None when its repr is not stable (it holds a callable)."""
    text = repr(entry)
    if " at 0x" in text:
        return None
    return cache.digest(KIND, _code(), cache.source_digest(*_modules(entry)), text, figures)


def _seconds_key(entry: Entry) -> str:
    """By id alone: a hint for the order of work, worth keeping across versions."""
    return hashlib.sha256(f"{SECONDS}:{entry.id}".encode()).hexdigest()


def _expected(entry: Entry, last: Any) -> float:
    """How long an entry should take: its last time, else its inputs' array axes."""
    if isinstance(last, float):
        return last
    if entry.domain is None:
        return float("inf") if entry.symbolic is not None else 0.0
    return float(sum(len(arg.shape) for arg in entry.domain.args))


def jobs_default() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parts(
    entries: Sequence[Entry],
    figure_dir: Path | None,
    jobs: int | None = None,
    progress: Callable[[Entry], None] | None = None,
) -> list[Parts]:
    """The parts of every entry, in their order: from the cache, else computed in `jobs`
    processes (None: one per CPU). `progress(entry)` is called as each one is ready."""
    keys = [key(entry, figure_dir is not None) for entry in entries]
    ready: dict[int, Parts] = {}
    for index, (entry, k) in enumerate(zip(entries, keys, strict=True)):
        hit = cache.load(KIND, k) if k else None
        if isinstance(hit, Parts):
            if figure_dir is not None:
                hit.write_figures(figure_dir)
            ready[index] = hit
            if progress is not None:
                progress(entry)
    # Longest first (by its last time) shortens the tail: one slow entry started last would
    # leave the other workers idle while it runs.
    todo = [i for i in range(len(entries)) if i not in ready]
    expected = {i: _expected(entries[i], cache.load(SECONDS, _seconds_key(entries[i])))
                for i in todo}
    todo.sort(key=lambda i: -expected[i])
    for index, computed in _computed(entries, todo, figure_dir, jobs or jobs_default()):
        ready[index] = computed
        if keys[index] and computed.cacheable:
            cache.store(KIND, keys[index], computed)
        cache.store(SECONDS, _seconds_key(entries[index]), computed.seconds)
        if progress is not None:
            progress(entries[index])
    return [ready[i] for i in range(len(entries))]


#: What forked workers compute from: set in the parent just before they start.
_JOB: tuple[Sequence[Entry], Path | None] | None = None


def _work(index: int) -> Parts:
    assert _JOB is not None, "a worker forked without its job"
    entries, figure_dir = _JOB
    return compute(entries[index], figure_dir)


def _computed(
    entries: Sequence[Entry], todo: list[int], figure_dir: Path | None, jobs: int
) -> Iterator[tuple[int, Parts]]:
    """(index, parts) of each entry of `todo`, as they finish."""
    workers = min(jobs, len(todo))
    if workers < 2 or not sys.platform.startswith("linux"):  # macOS forks unsafely
        for index in todo:
            yield index, compute(entries[index], figure_dir)
        return
    # Forked, not spawned: a worker starts in milliseconds with SymPy imported, the entries
    # need not be pickled (a test's lambda is fine), and no caller's __main__ is re-run.
    global _JOB
    _JOB = (entries, figure_dir)
    left = list(todo)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = {pool.submit(_work, index): index for index in todo}
        for future in as_completed(futures):
            index = futures[future]
            result = future.result()
            left.remove(index)
            yield index, result
    except BrokenProcessPool:  # a worker died (killed, out of memory): the rest here
        for index in list(left):
            yield index, compute(entries[index], figure_dir)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # at most the running ones to wait for
        _JOB = None
