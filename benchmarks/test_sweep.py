"""The sweep's kernel in inputs per second per core, and Ray against one process.

Run: python -m pytest benchmarks/test_sweep.py --benchmark-only -s
`extra_info["inputs_per_s_per_core"]`: one fp32 shard of act.gelu (torch form, one thread,
fp64 reference, histogram, K worst). `extra_info["ray_over_single"]`: the wall time of the
same shards as Ray tasks on every core over that of one process running them in turn (below 1
is a speed-up; ray.init is outside the timing, task start-up inside).
"""

from __future__ import annotations

import os
import time

import pytest

from mathcheck.sweep import make_spec
from mathcheck.sweep._kernel import run_shard

SHARD_BITS = 24
SHARDS = (10, 40, 64, 100, 150, 170, 192, 230)  # spread over both signs and all exponents


@pytest.fixture(scope="module")
def spec():
    return make_spec("act.gelu", "fp32", shard_bits=SHARD_BITS)


def test_kernel_inputs_per_core(benchmark, spec):
    run_shard(spec, SHARDS[0])  # imports, first-call costs
    summary = benchmark.pedantic(run_shard, args=(spec, 64), rounds=3, iterations=1)
    seconds = benchmark.stats.stats.min
    benchmark.group = "sweep kernel"
    benchmark.extra_info.update(inputs=summary["patterns"],
                                inputs_per_s_per_core=summary["patterns"] / seconds)
    print(f"\nkernel: {summary['patterns'] / seconds / 1e6:.1f} M inputs/s/core")


def test_ray_over_single_process(benchmark, spec):
    ray = pytest.importorskip("ray", reason="ray is not installed (the `distributed` extra)")
    from mathcheck.sweep._run import _ray

    cores = os.cpu_count() or 1
    start = time.perf_counter()
    for index in SHARDS:
        run_shard(spec, index)
    single_s = time.perf_counter() - start
    ray.init(address="local", num_cpus=cores, include_dashboard=False, log_to_driver=False)
    try:
        list(_ray(spec, list(SHARDS[:cores]), None, cores))  # every worker up and warm
        summaries = benchmark.pedantic(lambda: list(_ray(spec, list(SHARDS), None, cores)),
                                       rounds=1, iterations=1)
    finally:
        ray.shutdown()
    ray_s = benchmark.stats.stats.max
    inputs = sum(s["patterns"] for s in summaries)
    benchmark.group = "sweep: ray / single process"
    benchmark.extra_info.update(cores=cores, single_s=single_s, ray_s=ray_s,
                                ray_over_single=ray_s / single_s,
                                ray_inputs_per_s=inputs / ray_s)
    print(f"\nsingle {single_s:.2f} s, ray {ray_s:.2f} s on {cores} cores: "
          f"ratio {ray_s / single_s:.2f}")
