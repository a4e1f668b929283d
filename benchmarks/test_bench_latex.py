"""Wall time of `mathcheck latex`'s build (.tex and figures, no latexmk) from a small report,
as ratios within one run: warm (every entry's displays, figures and listings from the cache)
over cold (an empty cache), and cold on every core over cold in this process.

Run: python -m pytest benchmarks/test_bench_latex.py --benchmark-only
The ratios (`extra_info`, printed too) are what to compare across machines. The whole catalog
gains more from the cache than this sample: its slowest entry is block.transformer, whose
print runs out of its 90 s budget on every cold build.
"""

from __future__ import annotations

import os
import time

import pytest

from mathcheck.crosscheck import RunOptions, verify_entries
from mathcheck.crosscheck.report import to_json_dict
from mathcheck.formulas import select
from mathcheck.reference import build_reference

OPTIONS = RunOptions(examples=5, dtypes=("float32",), devices=("cpu",))


@pytest.fixture(scope="module")
def entries():
    return select(("activations",)) + select((), ("norm.layer_norm", "attn.scale_variance"))


@pytest.fixture(scope="module")
def report(entries):
    return to_json_dict(verify_entries(entries, OPTIONS, jobs=1), OPTIONS)


def _cold(entries, report, out, jobs):
    start = time.perf_counter()
    built = build_reference(entries, out, report, jobs=jobs)
    return built, time.perf_counter() - start


def test_warm_over_cold_build(benchmark, entries, report, monkeypatch, tmp_path):
    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MATHCHECK_NO_CACHE", raising=False)
    cold, cold_s = _cold(entries, report, tmp_path / "cold", None)
    warm = benchmark.pedantic(build_reference, args=(entries, tmp_path / "warm", report),
                              rounds=1, iterations=1)
    warm_s = benchmark.stats.stats.max
    benchmark.group = "latex build warm / cold"
    benchmark.extra_info.update(cold_s=cold_s, warm_s=warm_s, warm_over_cold=warm_s / cold_s)
    print(f"\nwarm {warm_s:.2f} s / cold {cold_s:.1f} s = {warm_s / cold_s:.3f}")
    assert warm.tex.read_text() == cold.tex.read_text()


def test_parallel_over_serial_cold_build(benchmark, entries, report, monkeypatch, tmp_path):
    monkeypatch.setenv("MATHCHECK_NO_CACHE", "1")  # both cold, alike
    serial, serial_s = _cold(entries, report, tmp_path / "serial", 1)
    parallel = benchmark.pedantic(build_reference, args=(entries, tmp_path / "parallel", report),
                                  rounds=1, iterations=1)
    parallel_s = benchmark.stats.stats.max
    benchmark.group = "latex build cold, every core / one"
    benchmark.extra_info.update(jobs=os.cpu_count(), serial_s=serial_s, parallel_s=parallel_s,
                                parallel_over_serial=parallel_s / serial_s)
    print(f"\nevery core ({os.cpu_count()}) {parallel_s:.1f} s / one {serial_s:.1f} s "
          f"= {parallel_s / serial_s:.2f}")
    assert parallel.tex.read_text() == serial.tex.read_text()
