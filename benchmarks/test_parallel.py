"""Wall time of -j auto against -j 1 on a small selection, as a ratio within one run.

Run: python -m pytest benchmarks/test_parallel.py --benchmark-only
The ratio (`extra_info["auto_over_serial"]`, printed too) is what to compare across
machines: below 1 is a speed-up; worker start-up (a fresh interpreter each) is included,
so a selection this small shows less than the whole catalog gains.
"""

from __future__ import annotations

import os
import time

import pytest

from mathcheck.crosscheck import RunOptions, verify_entries
from mathcheck.formulas import select

OPTIONS = RunOptions(examples=5, dtypes=("float32",), devices=("cpu",))


@pytest.fixture(scope="module")
def entries():
    return select(("activations",)) + select((), ("calc.chain_rule", "calc.hessian"))


def test_parallel_over_serial_wall_time(benchmark, entries, monkeypatch, tmp_path):
    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(tmp_path))  # both runs cold, alike
    monkeypatch.setenv("MATHCHECK_NO_CACHE", "1")
    start = time.perf_counter()
    serial = verify_entries(entries, OPTIONS, jobs=1)
    serial_s = time.perf_counter() - start
    parallel = benchmark.pedantic(verify_entries, args=(entries, OPTIONS), kwargs={"jobs": "auto"},
                                  rounds=1, iterations=1)
    parallel_s = benchmark.stats.stats.max
    benchmark.group = "verify -j auto / -j 1"
    benchmark.extra_info.update(
        jobs=os.cpu_count(), serial_s=serial_s, auto_s=parallel_s,
        auto_over_serial=parallel_s / serial_s,
    )
    print(f"\n-j auto ({os.cpu_count()}) {parallel_s:.1f} s / -j 1 {serial_s:.1f} s "
          f"= {parallel_s / serial_s:.2f}")
    assert [r.status for r in parallel] == [r.status for r in serial]


def test_replayed_over_computed_wall_time(benchmark, entries, monkeypatch, tmp_path):
    """A warm `verify`: every check replayed (`_replay`) against the same run computed."""
    from mathcheck.crosscheck._replay import Replay

    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MATHCHECK_NO_REPLAY", raising=False)
    monkeypatch.delenv("MATHCHECK_NO_CACHE", raising=False)
    start = time.perf_counter()
    computed = verify_entries(entries, OPTIONS, jobs=1, replay=Replay())
    computed_s = time.perf_counter() - start
    replayed = benchmark.pedantic(
        lambda: verify_entries(entries, OPTIONS, jobs=1, replay=Replay()), rounds=1, iterations=1
    )
    replayed_s = benchmark.stats.stats.max
    benchmark.group = "verify warm (replayed) / cold"
    benchmark.extra_info.update(computed_s=computed_s, replayed_s=replayed_s,
                                replayed_over_computed=replayed_s / computed_s)
    print(f"\nreplayed {replayed_s:.2f} s / computed {computed_s:.1f} s "
          f"= {replayed_s / computed_s:.3f}")
    assert [r.status for r in replayed] == [r.status for r in computed]
    assert all(r.extra.get("replayed") for r in replayed)
