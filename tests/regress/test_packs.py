"""The target packs hold to their stated verdicts: every job of the torch and transformers packs
gives the verdict (or names the variant) its `expect` records, at a small effort.

A job that pins `examples` or `dtypes` itself (a draw-dependent finding, an fp16-only finding)
keeps them; the rest run on fp64/fp32 with a few examples and without the gradient claims,
where every convention difference and every recorded finding already shows, except the jobs in
`GRADIENTS`, whose verdict is about the gradient. (`mathcheck regress --pack torch` runs them
all in full.)
"""

from __future__ import annotations

import warnings

import pytest

from mathcheck.regress.packs import torch_pack, transformers_pack

FAST = {"examples": 5, "dtypes": ("float64", "float32"), "seed": 0, "gradients": False}
GRADIENTS = {"torch.sigmoid", "F.log_softmax, gradient on |z| ≤ 30", "nn.RMSNorm",
             "F.scaled_dot_product_attention"}


def _outcome(result) -> str:
    return result.variant if result.verdict == "variant" else result.verdict


def _jobs(pack):
    if pack.unavailable():
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pack.jobs()


TORCH = _jobs(torch_pack)


@pytest.mark.parametrize("job", TORCH, ids=[j.name for j in TORCH])
def test_torch_pack_job_gives_its_expected_verdict(job):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = job.run({**FAST, "gradients": job.name in GRADIENTS})
    assert _outcome(result) == job.expect, f"{job.name}: {result}"
    if job.expect == "fail":
        assert job.note, "a recorded finding carries its explanation"


@pytest.mark.skipif(transformers_pack.unavailable() is not None,
                    reason=str(transformers_pack.unavailable()))
def test_transformers_pack_jobs_give_their_expected_verdicts():
    failures = []
    for job in _jobs(transformers_pack):
        options = {**FAST, "dtypes": ("float32", "bfloat16")}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = job.run(options)
        if _outcome(result) != job.expect:
            failures.append(f"{job.name}: expected {job.expect}\n{result}")
    assert not failures, "\n\n".join(failures)


def test_every_convention_job_names_a_variant_of_its_entry():
    from mathcheck.formulas import get

    for job in TORCH + _jobs(transformers_pack):
        if job.expect not in ("pass", "fail") and job.formula != "sched.warmup_cosine":
            names = [v.name for v in get(job.formula).variants]
            assert job.expect in names, f"{job.name}: {job.expect!r} not in {names}"
