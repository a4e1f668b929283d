"""The scipy and jax packs hold to their stated verdicts: every job gives the verdict (or names
the variant) its `expect` records, at a small effort (as tests/regress/test_packs.py does for
the torch pack).

A job that pins `dtypes` (an fp16 finding, LAPACK's missing fp16 kernels) keeps them; the rest
run on fp64/fp32 with few examples and 2,000 bulk inputs, where every recorded convention and
finding already shows (`mathcheck regress --pack jax` runs them in full). The jax jobs skip,
saying why, when JAX or Optax is not installed (the `jax` extra).
"""

from __future__ import annotations

import warnings

import pytest

from mathcheck.regress.packs import jax_pack, scipy_pack

FAST = {"examples": 5, "dtypes": ("float64", "float32"), "seed": 0, "gradients": False,
        "inputs": 2000}


def _outcome(result) -> str:
    return result.variant if result.verdict == "variant" else result.verdict


def _params(pack) -> list:
    """One parameter per job, or a single skipped one that says why the pack is unavailable."""
    if reason := pack.unavailable():
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="unavailable")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [pytest.param(job, id=job.name) for job in pack.jobs()]


SCIPY = _params(scipy_pack)
JAX = _params(jax_pack)


def _holds(job) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = job.run(dict(FAST))
    assert _outcome(result) == job.expect, f"{job.name}: expected {job.expect}\n{result}"
    if job.expect == "fail":
        assert job.note, "a recorded finding carries its explanation"


@pytest.mark.parametrize("job", SCIPY)
def test_scipy_pack_job_gives_its_expected_verdict(job):
    _holds(job)


@pytest.mark.parametrize("job", JAX)
def test_jax_pack_job_gives_its_expected_verdict(job):
    _holds(job)


def test_every_convention_job_names_a_variant_of_its_entry():
    from mathcheck.formulas import get

    jobs = [p.values[0] for p in SCIPY + JAX if p.values[0] is not None]
    assert jobs or (scipy_pack.unavailable() and jax_pack.unavailable())
    for job in jobs:
        get(job.formula)  # a real catalog entry
        if job.expect not in ("pass", "fail"):
            names = [v.name for v in get(job.formula).variants]
            assert job.expect in names, f"{job.name}: {job.expect!r} not in {names}"


def test_unavailable_names_the_missing_library(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_jax(name, *args, **kwargs):
        if name.split(".")[0] in ("jax", "optax"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jax)
    assert "JAX" in (jax_pack.unavailable() or "")
    assert scipy_pack.unavailable() is None  # scipy is a dependency of mathcheck
