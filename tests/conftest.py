"""Shared test configuration: Hypothesis profiles, the run effort, and the device parameter.

MATHCHECK_PROFILE selects the effort of catalog checks ("ci" by default, "deep" for a thorough
run); HYPOTHESIS_PROFILE the one of tests that use Hypothesis directly.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def ray_head() -> Iterator[tuple[str, dict[str, str]]]:
    """A separately started Ray head on localhost (`ray start --head`, one CPU): its address
    and the environment a client needs (Ray ≥ 2.5x authenticates clients with a token)."""
    pytest.importorskip("ray", reason="ray is not installed (the `distributed` extra)")
    ray_bin = Path(sys.executable).with_name("ray")
    port = _free_port()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    # --block: the head lives as long as this process, which the fixture ends itself
    head = subprocess.Popen(
        [str(ray_bin), "start", "--head", f"--port={port}", "--num-cpus=1",
         "--include-dashboard=false", "--disable-usage-stats", "--block"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    try:  # no wait for the head: ray.init retries until its GCS answers
        yield f"127.0.0.1:{port}", env
    finally:  # the head's whole process group, which this fixture started (ray stop: all)
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=3)
        except subprocess.TimeoutExpired:  # a graceful stop takes ~30 s
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(timeout=30)
        # the killed head's pointer would send a later address-less ray.init() to it
        pointer = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
        if pointer.exists() and pointer.read_text().strip().endswith(f":{port}"):
            pointer.unlink()
