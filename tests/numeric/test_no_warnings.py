"""mathcheck's own forms and checks raise no warnings while they are verified.

Overflow to ±inf, log 0 = −inf and the like are expected in trusted forms and are silenced at
the source with `np.errstate`; a RuntimeWarning (NumPy) or UserWarning (Torch) that escapes
from a file inside the package is a form or check to fix, never a filter to add here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mathcheck
from mathcheck.crosscheck import RunOptions, plan, run_task
from mathcheck.formulas import Agreement, Check, Gradient, Property, sections, select
from mathcheck.numeric import backend
from mathcheck.numeric.checks import _properties
from mathcheck.numeric.numpy_forms import llm as llm_forms
from mathcheck.numeric.numpy_forms import optimization as optimization_forms

PACKAGE = Path(mathcheck.__file__).resolve().parent
OPTIONS = RunOptions(seed=0, examples=3, backends=("numpy", "torch"), devices=("cpu",))
#: The claim kinds that run the NumPy/Torch forms or the checks in mathcheck.numeric.checks.
KINDS = (Agreement, Property, Gradient, Check)


def _ours(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [
        w
        for w in caught
        if issubclass(w.category, (RuntimeWarning, UserWarning))
        and Path(w.filename).resolve().is_relative_to(PACKAGE)
    ]


def _describe(w: warnings.WarningMessage, where: str = "") -> str:
    path = Path(w.filename).resolve().relative_to(PACKAGE.parent)
    return f"{path}:{w.lineno}: {w.category.__name__}: {w.message}{where}"


@pytest.mark.parametrize("section", [s.slug for s in sections()])
def test_verifying_a_section_warns_from_nowhere_in_mathcheck(section: str) -> None:
    tasks = [t for e in select((section,), ()) for t in plan(e, OPTIONS)]
    tasks = [t for t in tasks if isinstance(t.claim, KINDS)]
    if not tasks:
        pytest.skip(f"section {section} has no numeric claims")
    found: list[str] = []
    for task in tasks:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run_task(task, OPTIONS)
        where = f"  [{task.entry.id} {task.claim.kind} {task.backend} {task.dtype}]"
        found.extend(_describe(w, where) for w in _ours(caught))
    assert not found, f"{len(found)} warnings from mathcheck:\n" + "\n".join(sorted(set(found)))


# Inputs that reach the silenced operations at once; the catalog runs above find them only
# with more examples than a quick test can afford.


def _quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs), asserting that it warned from nowhere inside mathcheck."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    found = [_describe(w) for w in _ours(caught)]
    assert not found, "warnings from mathcheck:\n" + "\n".join(found)
    return out


def test_kv_cache_forms_overflow_fp16_to_inf_quietly() -> None:
    big = np.array([4096.0], dtype=np.float16)
    got = _quietly(llm_forms.kv_cache_bytes, big, big, big, big, big)
    assert np.isposinf(got).all() and got.dtype == np.float16
    n, d = np.array([4096.0], dtype=np.float16), np.array([1024.0], dtype=np.float16)
    got = _quietly(llm_forms.kv_cache_flops, n, d)
    assert np.isposinf(got).all() and got.dtype == np.float16


def test_clip_grad_norm_of_a_tiny_gradient_is_quiet_and_unchanged() -> None:
    g = np.array([[1e-40, -1e-41]], dtype=np.float32)  # ‖g‖ subnormal: 1/‖g‖ overflows fp32
    got = _quietly(optimization_forms.clip_grad_norm, g, max_norm=1.0)
    np.testing.assert_array_equal(got, g)
    assert got.dtype == np.float32


def test_componentwise_bound_is_quiet_where_the_error_is_far_above_the_subnormal_floor() -> None:
    got = np.array([1024.0, 0.0])  # err/floor overflows in the branch np.where discards
    exact = np.array([1024.0, 0.0], dtype=np.longdouble) + np.array([2.0**-42, 0.0])  # 1 ulp
    magnitude = np.array([1024.0, 0.0], dtype=np.longdouble)
    be = backend("numpy", "float64", "cpu")
    ratio = _quietly(_properties.componentwise, got, exact, magnitude, be, 4)
    assert ratio == pytest.approx(1.0)
