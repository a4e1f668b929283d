"""Shared test configuration: Hypothesis profiles, the run effort, and the device parameter.

MATHCHECK_PROFILE selects the effort of catalog checks ("ci" by default, "deep" for a thorough
run); HYPOTHESIS_PROFILE the one of tests that use Hypothesis directly.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from mathcheck.cli import hypothesis_cache
from mathcheck.crosscheck import PROFILES, RunOptions

# In-process runs (these tests) keep Hypothesis's files out of the checkout, as the CLI does.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", hypothesis_cache())
# Every test runs its checks: a verdict replayed from an earlier run would test nothing.
# (tests/crosscheck/test_replay.py turns replay back on where it is the subject.)
os.environ["MATHCHECK_NO_REPLAY"] = "1"

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("deep", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROFILE = os.environ.get("MATHCHECK_PROFILE", "ci")
DEVICES = ("cpu", "cuda")


def run_options(**overrides: object) -> RunOptions:
    """RunOptions at the selected profile's effort."""
    return RunOptions(**{**PROFILES[PROFILE], **overrides})  # type: ignore[arg-type]


def _cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    if request.param == "cuda" and not _cuda_available():
        pytest.skip("no CUDA device present")
    return request.param
