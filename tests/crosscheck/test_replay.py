"""Replayed verdicts: a warm run returns the records a cold one computes, and anything a
result depends on — the options, a form patched in memory, a failure — makes it run again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from mathcheck.crosscheck import RunOptions, verify_entries
from mathcheck.crosscheck._replay import Replay
from mathcheck.formulas import select
from mathcheck.numeric.numpy_forms import activations

OPTIONS = RunOptions(seed=1, examples=4, inputs=200, devices=("cpu",), dtypes=("float32",))


@pytest.fixture
def replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Replay:
    monkeypatch.delenv("MATHCHECK_NO_REPLAY", raising=False)
    monkeypatch.delenv("MATHCHECK_NO_CACHE", raising=False)
    return Replay(str(tmp_path))


def _records(results: list) -> list[dict]:
    out = []
    for r in results:
        record = r.to_dict()
        record.pop("seconds")
        record["extra"].pop("replayed", None)
        out.append(record)
    return out


def test_a_warm_run_replays_every_passing_check_with_the_same_records(replay: Replay):
    entries = select((), ("act.relu", "act.sigmoid"))
    cold = verify_entries(entries, OPTIONS, replay=replay)
    again = Replay(str(replay.folder))
    warm = verify_entries(entries, OPTIONS, replay=again)
    assert again.replayed == len(warm) == len(cold) > 10
    assert all(r.extra.get("replayed") for r in warm)
    assert not any(r.extra.get("replayed") for r in cold)
    assert _records(warm) == _records(cold)


def test_other_options_are_other_keys(replay: Replay):
    entries = select((), ("act.relu",))
    verify_entries(entries, OPTIONS, replay=replay)
    again = Replay(str(replay.folder))
    verify_entries(entries, dataclasses.replace(OPTIONS, seed=2), replay=again)
    assert again.replayed == 0


def test_a_form_patched_in_memory_runs_again_and_its_failure_is_not_kept(
    replay: Replay, monkeypatch: pytest.MonkeyPatch
):
    entries = select((), ("act.relu",))
    verify_entries(entries, OPTIONS, replay=replay)
    monkeypatch.setattr(activations, "relu", lambda x: np.maximum(x, 0) * np.float32(1.001))
    patched = Replay(str(replay.folder))
    results = verify_entries(entries, OPTIONS, replay=patched)
    agreement = [r for r in results if r.kind == "agreement" and r.backend == "numpy"]
    assert agreement and all(r.status == "failed" for r in agreement)
    assert not any(r.extra.get("replayed") for r in agreement)
    monkeypatch.undo()
    # the failures were never written; the original results still replay
    restored = Replay(str(replay.folder))
    verify_entries(entries, OPTIONS, replay=restored)
    assert restored.replayed == len(results)


def test_a_torn_line_from_a_killed_run_is_skipped(replay: Replay):
    entries = select((), ("act.relu",))
    first = verify_entries(entries, OPTIONS, replay=replay)
    with open(replay.path, "a", encoding="utf-8") as file:
        file.write('{"key": "abc", "result": {"entry_')
    again = Replay(str(replay.folder))
    verify_entries(entries, OPTIONS, replay=again)
    assert again.replayed == len(first)


def test_overrides_and_entries_not_in_the_catalog_have_no_key():
    from mathcheck.crosscheck._engine import _replay_key, plan
    from mathcheck.formulas import get

    entry = get("act.relu")
    catalog = plan(entry, OPTIONS)
    overridden = plan(entry, OPTIONS, {"numpy": activations.relu})
    copy = plan(dataclasses.replace(entry, title="a copy"), OPTIONS)
    assert all(_replay_key(t, OPTIONS) for t in catalog)
    assert not any(_replay_key(t, OPTIONS) for t in overridden if t.backend == "numpy"
                   and t.impl is not None)
    assert not any(_replay_key(t, OPTIONS) for t in copy)


def test_the_cli_replays_a_warm_run_and_no_cache_runs_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mathcheck.cli import cli

    monkeypatch.delenv("MATHCHECK_NO_REPLAY", raising=False)
    monkeypatch.delenv("MATHCHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(tmp_path))
    args = ["verify", "--formula", "act.relu", "--dtype", "fp32", "--device", "cpu", "-j", "1",
            "--profile", "quick"]
    cold, warm = (CliRunner().invoke(cli, args) for _ in range(2))
    assert cold.exit_code == warm.exit_code == 0
    assert "replayed" not in cold.output
    assert "checks replayed: their code, libraries, machine and options are unchanged" in (
        " ".join(warm.output.split()))
    fresh = CliRunner().invoke(cli, [*args, "--no-cache"])
    assert fresh.exit_code == 0 and "replayed" not in fresh.output
