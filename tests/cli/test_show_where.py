"""`mathcheck show ID --where`: path:line of the entry, its three forms and each claim."""

from __future__ import annotations

import dataclasses
import functools
import pickle
import re
from importlib import import_module
from pathlib import Path

import cloudpickle
from click.testing import CliRunner

from mathcheck.cli import cli
from mathcheck.cli.catalog import _form_site
from mathcheck.formulas import SECTION_MODULES, all_entries, get

ROOT = Path(__file__).resolve().parents[2]
PLACE = re.compile(r"(?P<path>\S+):(?P<line>\d+)")


def where(formula_id: str, *more: str):
    return CliRunner().invoke(cli, ["show", formula_id, *more])


def places(output: str) -> dict[str, list[tuple[Path, int, str]]]:
    """The printed places by kind ("entry", "sympy", ..., "claims"): (file, line, its text)."""
    found: dict[str, list[tuple[Path, int, str]]] = {}
    kind = ""
    for line in output.splitlines():
        label, _, rest = line.partition(": ")
        if line.startswith("  "):
            rest = line.strip()
        elif line == "claims:":
            kind = "claims"
            continue
        else:
            kind = label
        match = PLACE.match(rest)
        if match:
            path, number = Path(match["path"]), int(match["line"])
            assert path.is_file(), f"{path} does not exist"
            text = path.read_text(encoding="utf-8").splitlines()[number - 1]
            found.setdefault(kind, []).append((path, number, text))
        else:
            found.setdefault(kind, [])
    return found


def test_rope_points_at_the_entry_its_forms_and_each_claim(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = where("pos.rope", "--where")
    assert result.exit_code == 0, result.output
    found = places(result.output)
    assert set(found) == {"entry", "sympy", "numpy", "torch", "claims"}
    [(path, _, text)] = found["entry"]
    assert path == Path("mathcheck/formulas/llm.py")  # relative: inside the current directory
    assert "Entry(" in text or "pos.rope" in text
    for kind, folder in (("sympy", "symbolic"), ("numpy", "numeric/numpy_forms"),
                         ("torch", "numeric/torch_forms")):
        [(path, _, text)] = found[kind]
        assert path == Path(f"mathcheck/{folder}/llm.py")
        assert text.lstrip().startswith("def rope("), (kind, text)
    claims = get("pos.rope").claims
    assert len(found["claims"]) == len(claims) == 6
    for claim, (path, _, text) in zip(claims, found["claims"], strict=True):
        assert path == Path("mathcheck/formulas/llm.py")
        assert f"{type(claim).__name__}(" in text, (claim.label, text)
    assert "LaTeX" not in result.output and "Signature" not in result.output  # only places


def test_outside_the_current_directory_paths_are_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = where("pos.rope", "--where")
    assert result.exit_code == 0, result.output
    found = places(result.output)
    assert all(path.is_absolute() for group in found.values() for path, _, _ in group)


def test_an_entry_without_forms_says_so_on_those_lines():
    entry = next(e for e in all_entries()
                 if e.symbolic is None and e.numpy is None and e.torch is None)
    result = where(entry.id, "--where")
    assert result.exit_code == 0, result.output
    assert "sympy: none (no SymPy form)" in result.output
    for backend in ("numpy", "torch"):
        assert f"{backend}: none ({entry.no_numeric_reason})" in result.output
    found = places(result.output)
    assert [text for _, _, text in found["entry"]] and found["sympy"] == found["numpy"] == []
    assert len(found["claims"]) == len(entry.claims)


def test_an_entry_built_by_a_helper_also_names_the_call():
    result = where("calc.d_exp", "--where")
    assert result.exit_code == 0, result.output
    entry_line = next(line for line in result.output.splitlines() if line.startswith("entry:"))
    built, called = PLACE.findall(entry_line)
    assert "return Entry(" in Path(built[0]).read_text().splitlines()[int(built[1]) - 1]
    assert '_table_entry("exp"' in Path(called[0]).read_text().splitlines()[int(called[1]) - 1]


def test_an_unknown_id_is_the_usual_one_line_error():
    plain, located = where("pos.rop"), where("pos.rop", "--where")
    assert located.exit_code == plain.exit_code == 2
    assert located.output == plain.output
    assert len(located.output.strip().splitlines()) == 1
    assert "did you mean pos.rope" in located.output and "Traceback" not in located.output


def _decorated(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@_decorated
def _planted(x, scale=1.0):
    return x * scale


def test_a_form_behind_a_partial_and_a_decorator_points_at_its_def():
    place = _form_site(functools.partial(_planted, scale=2.0))
    match = PLACE.match(place)
    assert match is not None, place
    lines = Path(match["path"]).read_text().splitlines()
    assert lines[int(match["line"]) - 1].startswith("def _planted(")
    assert "no source" in _form_site(len)  # a builtin: said, not raised


def test_the_site_survives_replace_and_pickling_and_is_no_part_of_equality():
    entry = get("pos.rope")
    assert entry.defined_at is not None and entry.defined_at.path.endswith("llm.py")
    moved = dataclasses.replace(entry, notes="changed")
    assert moved.defined_at == entry.defined_at
    for dumps, loads in ((pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)):
        back = loads(dumps(entry))
        assert back == entry and back.defined_at == entry.defined_at
        assert [c.defined_at for c in back.claims] == [c.defined_at for c in entry.claims]
    elsewhere = dataclasses.replace(entry, defined_at=dataclasses.replace(entry.defined_at,
                                                                           line=1))
    assert elsewhere == entry and "defined_at" not in repr(entry)


def test_every_entry_and_claim_knows_its_section_module_line():
    for module in SECTION_MODULES:
        path = Path(import_module(f"mathcheck.formulas.{module}").__file__)
        lines = path.read_text(encoding="utf-8").splitlines()
        for entry in import_module(f"mathcheck.formulas.{module}").ENTRIES:
            for obj in (entry, *entry.claims):
                assert obj.defined_at is not None, entry.id
                assert Path(obj.defined_at.path) == path, (entry.id, obj.defined_at)
                assert 1 <= obj.defined_at.line <= len(lines), (entry.id, obj.defined_at)
