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
