"""The disk cache changes no result: a warm run's records are the cold run's, a cached
oracle function is lambdify's, an unreadable entry is rewritten, --no-cache writes nothing,
and nothing lands outside the cache folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from mathcheck.crosscheck import RunOptions, verify_entries
from mathcheck.formulas import get, resolve, select
from mathcheck.numeric import cache
from mathcheck.numeric._lambdify import Lambdified
from mathcheck.numeric._oracle import Oracle

SMALL = RunOptions(examples=3, dtypes=("float32",), devices=("cpu",))


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MATHCHECK_NO_CACHE", raising=False)
    return tmp_path / "forms"


def _forget_in_memory() -> None:
    """Drop the per-process caches, so that a second run reads the disk cache."""
    from mathcheck.crosscheck import _agreement, _gradient

    _agreement._FORMS.clear()
    _agreement._ORACLES.clear()
    _gradient._GRADIENT_ORACLES.clear()


def records(results) -> list[dict]:
    return [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in results]


def test_a_warm_run_gives_the_records_of_a_cold_run(folder, monkeypatch):
    entries = select((), ("act.softmax", "act.gelu", "calc.chain_rule", "linalg.inverse"))
    _forget_in_memory()
    cold = verify_entries(entries, SMALL)
    kinds = {p.parent.parent.name for p in folder.rglob("*.pickle")}
    assert kinds >= {"lambdify", "proof"}
    loads: list[str] = []
    real_load = cache.load
    monkeypatch.setattr(cache, "load", lambda k, key: loads.append(k) or real_load(k, key))
    _forget_in_memory()
    warm = verify_entries(entries, SMALL)
    assert records(warm) == records(cold)
    assert "lambdify" in loads and "proof" in loads


def test_a_cached_oracle_function_is_lambdifys(folder):
    entry = get("act.softmax")
    form = resolve(entry.symbolic)(n=3)
    symbols = list(form.args["z"])
    exprs = list(form.expr)
    fresh = sp.lambdify(symbols, exprs, modules=["mpmath", "sympy"], cse=True)
    Lambdified(symbols, exprs, ["mpmath", "sympy"]).function(cse=True)  # cold: stores
    warm = Lambdified(symbols, exprs, ["mpmath", "sympy"]).function(cse=True)
    assert warm is not fresh and warm.__code__.co_filename.startswith("<lambdifygenerated-cached")
    with mpmath.workdps(60):
        point = [mpmath.mpf("0.3"), mpmath.mpf(-700), mpmath.mpf("1e-300")]
        assert warm(*point) == fresh(*point)


def test_an_unreadable_entry_is_ignored_and_rewritten(folder):
    entry = get("linalg.inverse")
    form = resolve(entry.symbolic)(n=2)
    first = Oracle(form, {}, {"A": 2})
    files = list(folder.rglob("*.pickle"))
    assert files
    for path in files:
        path.write_bytes(b"\x80\x05garbage")
    again = Oracle(form, {}, {"A": 2})
    point = [0.5, 2.0, -1.0, 3.0]
    assert again.evaluate(point) == first.evaluate(point)
    assert all(cache.load("lambdify", p.stem) is not None for p in files)


def test_no_cache_reads_and_writes_nothing(folder, monkeypatch):
    monkeypatch.setenv("MATHCHECK_NO_CACHE", "1")
    entry = dataclasses.replace(get("act.sigmoid"), claims=get("act.sigmoid").claims[:2])
    _forget_in_memory()
    verify_entries([entry], SMALL)
    assert not folder.exists()


def test_the_cache_lives_in_the_user_cache_folder(monkeypatch, tmp_path):
    from mathcheck._paths import forms_cache, hypothesis_cache

    monkeypatch.delenv("MATHCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert forms_cache() == str(tmp_path / "mathcheck" / "forms")
    assert hypothesis_cache() == str(tmp_path / "mathcheck" / "hypothesis")
