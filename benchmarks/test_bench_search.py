"""The search engine's throughput: inputs examined per second, screen against oracle.

Run: python -m pytest benchmarks --benchmark-only
`extra_info["inputs_per_s"]` is the figure; the ratio screen/oracle (per input) is why the
engine screens in bulk and confirms only the flagged inputs with mpmath.
"""

from __future__ import annotations

import resource

import numpy as np
import pytest

from mathcheck.crosscheck import RunOptions, verify_entry
from mathcheck.crosscheck._agreement import FormCache
from mathcheck.crosscheck._bulk import bulk_inputs, generator
from mathcheck.formulas import get


@pytest.mark.parametrize("formula", ["act.softmax", "act.gelu", "norm.layer_norm"])
def test_agreement_check_inputs_per_second(benchmark, formula):
    options = RunOptions(backends=("numpy",), dtypes=("float32",), devices=("cpu",))
    results = benchmark.pedantic(verify_entry, (get(formula), options), rounds=3)
    inputs = sum(r.extra.get("inputs", 0) for r in results if r.kind == "agreement")
    benchmark.group = "agreement check"
    benchmark.extra_info["inputs_per_s"] = inputs / benchmark.stats.stats.mean
    benchmark.extra_info["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("evaluator", ["screen", "oracle"])
def test_screen_against_oracle_per_input(benchmark, evaluator):
    entry = get("act.softmax")
    cache = FormCache(entry, entry.domain)
    plan = bulk_inputs(entry.domain, "float32", 4096, generator(0, "bench"))
    chunk = plan.chunks[-1]
    rows = 4096 if evaluator == "screen" else 16
    arrays = {k: v[:rows] for k, v in chunk.arrays.items()}
    evaluate = cache.screen if evaluator == "screen" else cache.oracle
    fn = evaluate(chunk.sizes)
    benchmark.group = "per input: screen vs oracle"
    benchmark(fn, arrays)
    benchmark.extra_info["inputs_per_s"] = rows / benchmark.stats.stats.mean
    assert np.all(np.isfinite(fn(arrays)[0]))
