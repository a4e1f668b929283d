"""The work of a build: cached by what it is a function of, spread over processes, and the
TeX preflight that runs before any of it."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mathcheck.cli.latex import latex
from mathcheck.errors import EXIT_USAGE
from mathcheck.formulas import Ref, get, select
from mathcheck.numeric import cache
from mathcheck.reference import _work, build_reference

from .test_build import REPORT
from .test_printer import SYNTHETIC

SAMPLE = ("act.sigmoid", "linalg.dot")  # figures, derivations, index notation, listings


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(folder))
    monkeypatch.delenv("MATHCHECK_NO_CACHE", raising=False)
    return folder


def _captions(parts: list[_work.Parts]) -> list[list[tuple[str, str]]]:
    return [[(name, caption) for name, caption, _ in p.figures] for p in parts]


def _computed_again(*_: object) -> _work.Parts:
    raise AssertionError("computed again: the cache was not used")


def test_a_warm_build_writes_what_the_cold_one_wrote(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = select((), SAMPLE)
    cold = build_reference(entries, tmp_path / "cold", REPORT, jobs=1)
    monkeypatch.setattr(_work, "compute", _computed_again)
    warm = build_reference(entries, tmp_path / "warm", REPORT, jobs=2)
    assert warm.tex.read_text() == cold.tex.read_text()
    figures = sorted(p.name for p in (tmp_path / "cold" / "figures").iterdir())
    assert figures == sorted(p.name for p in (tmp_path / "warm" / "figures").iterdir())
    assert figures, "act.sigmoid has figures"
    for name in figures:
        assert (tmp_path / "warm" / "figures" / name).read_bytes() == (
            tmp_path / "cold" / "figures" / name
        ).read_bytes()


def test_workers_compute_what_this_process_computes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATHCHECK_NO_CACHE", "1")
    entries = [*SYNTHETIC.values(), *select((), SAMPLE)]  # plain functions too: forked, not sent
    here = _work.parts(entries, tmp_path / "here", jobs=1)
    compute = _work.compute

    def marked(entry: object, folder: Path | None) -> _work.Parts:
        parts = compute(entry, folder)  # type: ignore[arg-type]
        return dataclasses.replace(parts, torch_code=f"{parts.torch_code} in {os.getpid()}")

    monkeypatch.setattr(_work, "compute", marked)
    there = _work.parts(entries, tmp_path / "there", jobs=2)
    assert [p.displays for p in there] == [p.displays for p in here]  # in catalog order
    assert _captions(there) == _captions(here)  # the PDFs differ in their creation date
    pids = {p.torch_code.rsplit(" in ", 1)[1] for p in there if p.torch_code}
    assert pids and str(os.getpid()) not in pids


def test_the_key_is_what_the_work_is_a_function_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = get("act.sigmoid")
    assert _work.key(entry, True) == _work.key(get("act.sigmoid"), True)
    assert _work.key(entry, True) != _work.key(entry, False)
    assert _work.key(entry, True) != _work.key(dataclasses.replace(entry, display="x"), True)
    assert _work.key(SYNTHETIC["syn.dot"], True) is None  # a plain function: never cached
    # A user's entry naming its own module: editing that module's source changes the key.
    module = tmp_path / "user_forms_for_key.py"
    module.write_text("from mathcheck.symbolic.activations import sigmoid as f\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    users = dataclasses.replace(entry, symbolic=Ref("user_forms_for_key:f"))
    before = _work.key(users, True)
    module.write_text("from mathcheck.symbolic.activations import sigmoid as f  # edited\n")
    cache.source_digest.cache_clear()  # a new process, as the next build is
    assert _work.key(users, True) != before


def test_the_key_follows_the_notation_modules() -> None:
    """A textbook display is printed from `mathcheck.symbolic.notation`: a subpackage, which
    the source digest must walk (editing a notation once served the old display)."""
    entry = get("opt.adam")
    assert "mathcheck.symbolic.notation.optimization" in _work._modules(entry)
    assert "mathcheck.symbolic.notation" in _work.PACKAGES


def test_parts_whose_time_limit_ran_out_on_a_busy_machine_are_computed_again(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = select((), ("linalg.dot",))
    real = _work.compute(entries[0], None)
    busy = dataclasses.replace(real, seconds=10.0, cpu_seconds=3.0, expired=1)
    assert not busy.cacheable
    assert dataclasses.replace(busy, cpu_seconds=9.5).cacheable  # a core to itself
    assert dataclasses.replace(busy, expired=0).cacheable
    monkeypatch.setattr(_work, "compute", lambda *_: busy)
    _work.parts(entries, None, jobs=1)
    monkeypatch.setattr(_work, "compute", lambda *_: real)
    _work.parts(entries, None, jobs=1)  # computed again, and now kept
    monkeypatch.setattr(_work, "compute", _computed_again)
    assert _work.parts(entries, None, jobs=1)[0].displays == real.displays


def test_a_missing_latexmk_stops_the_command_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mathcheck.cli.latex as command
    import mathcheck.reference

    found = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "latexmk" else found(name, *a, **k)
    )

    def no_work(*_: object, **__: object) -> None:
        raise AssertionError("work started before the TeX preflight")

    monkeypatch.setattr(command, "_verify", no_work)
    monkeypatch.setattr(mathcheck.reference, "build_reference", no_work)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(REPORT))
    out = tmp_path / "out"
    for verification in ([], ["--results", str(report)], ["--no-verify"]):
        result = CliRunner().invoke(latex, ["-o", str(out), "--pdf", *verification])
        assert result.exit_code == EXIT_USAGE, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("mathcheck: error: TeX is incomplete: missing latexmk (Debian")
        assert "apt-get install --no-install-recommends" in lines[0]
        assert " latexmk" in lines[0].split("apt-get install --no-install-recommends", 1)[1]
        assert not out.exists(), "nothing is built"
