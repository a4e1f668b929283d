"""Speed of the numeric forms and of the oracle, as ratios within one run.

Run: python -m pytest benchmarks --benchmark-only
(The machines are noisy: compare the ratios pytest-benchmark prints, not absolute times.)
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mathcheck.formulas import get, resolve
from mathcheck.numeric._oracle import Oracle

ROWS, COLS = 2048, 1024


@pytest.fixture(scope="module")
def logits() -> np.ndarray:
    return np.random.default_rng(0).standard_normal((ROWS, COLS)).astype(np.float32)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("formula", ["act.softmax", "act.log_softmax"])
def test_forms_throughput(benchmark, logits, backend, formula):
    fn = resolve(get(formula).form(backend))
    z = logits if backend == "numpy" else torch.from_numpy(logits)
    benchmark.group = formula
    benchmark(fn, z)


def test_torch_builtin_softmax_reference(benchmark, logits):
    benchmark.group = "act.softmax"
    benchmark(torch.softmax, torch.from_numpy(logits), -1)


@pytest.mark.parametrize("n", [2, 4, 8])
def test_oracle_cost_per_row(benchmark, n):
    entry = get("act.softmax")
    oracle = Oracle(resolve(entry.symbolic)(n=n), {}, {"z": 1})
    z = np.random.default_rng(1).standard_normal((4, n))
    benchmark.group = "oracle act.softmax"
    benchmark(oracle, {"z": z})
