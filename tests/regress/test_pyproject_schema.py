"""User input to `mathcheck regress` (`[tool.mathcheck]`, `--kwargs`): one line, never a traceback.

Every bad value is an `InvalidInputError` (exit 2) whose message names the key path; the
fuzz tests feed arbitrary TOML values to every key of a target table, arbitrary bytes to the
file reader and arbitrary text to `parse_kwargs`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from mathcheck.cli import cli
from mathcheck.errors import EXIT_USAGE, InvalidInputError
from mathcheck.regress._targets import (
    MAX_KWARG_CHARS,
    REQUIRED,
    SCHEMA,
    Target,
    from_pyproject,
    parse_kwargs,
    targets_from_document,
)

HEADER = '[[tool.mathcheck.targets]]\ntarget = "torch:tanh"\nformula = "act.tanh"\n'
FUZZ = settings(max_examples=200, deadline=None, database=None)


def _raises_one_line(call: Any, *args: Any) -> str:
    with pytest.raises(InvalidInputError) as info:
        call(*args)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and message.strip() == message, repr(message)
    return message


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "pyproject.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BAD = [
    # (pyproject text, a substring the message must contain)
    ('[[tool.mathcheck.targets]]\ntarget = 42\nformula = "act.tanh"\n',
     "tool.mathcheck.targets[0].target: expected a string module:callable, got int 42"),
    ('[[tool.mathcheck.targets]]\ntarget = "torch.tanh"\nformula = "act.tanh"\n',
     "targets[0].target: expected module:callable"),
    ('[[tool.mathcheck.targets]]\ntarget = "torch:"\nformula = "act.tanh"\n',
     "targets[0].target: expected module:callable"),
    ('[[tool.mathcheck.targets]]\ntarget = "torch:tanh"\nformula = 1.5\n',
     "targets[0].formula: expected a formula id"),
    ('[[tool.mathcheck.targets]]\ntarget = "torch:tanh"\nformula = ""\n',
     "targets[0].formula: expected a non-empty string"),
    (HEADER + "dtypes = 5\n",
     "tool.mathcheck.targets[0].dtypes: expected a list of dtype names, got int 5"),
    (HEADER + 'dtypes = "float32"\n',
     "targets[0].dtypes: expected a list of dtype names, got str 'float32' (write ['float32'])"),
    (HEADER + 'dtypes = ["float32", "fp8"]\n', "targets[0].dtypes[1]: unknown dtype 'fp8'"),
    (HEADER + 'dtypes = ["float32", 3]\n', "targets[0].dtypes[1]: expected a dtype name"),
    (HEADER + 'devices = ["tpu"]\n', "targets[0].devices[0]: expected one of cpu, cuda"),
    (HEADER + 'devices = "cuda"\n', "targets[0].devices: expected a list of devices"),
    (HEADER + 'kwargs = "dim=-1"\n', "targets[0].kwargs: expected a table of keyword arguments"),
    (HEADER + 'kwargs = { "a b" = 1 }\n', "targets[0].kwargs: 'a b' is not a Python identifier"),
    (HEADER + "init = 3\n", "targets[0].init: expected a table of constructor arguments"),
    (HEADER + "args = [1, 2]\n",
     "targets[0].args[0]: expected an argument name (a string), got int 1"),
    (HEADER + 'args = "z"\n', "targets[0].args: expected a list of argument names"),
    (HEADER + "adapter = 7\n", "targets[0].adapter: expected one of function, kwargs, module"),
    (HEADER + 'adapter = "class"\n', "targets[0].adapter: expected one of function"),
    (HEADER + 'backend = "jax"\n', "targets[0].backend: expected one of numpy, torch, got str"),
    (HEADER + "allow_variants = [true]\n", "targets[0].allow_variants[0]: expected a variant"),
    (HEADER + 'params = { eps = "1e-5" }\n',
     "targets[0].params.eps: expected a number, got str '1e-5'"),
    (HEADER + "params = { eps = true }\n", "targets[0].params.eps: expected a number, got bool"),
    (HEADER + "params = { eps = nan }\n", "targets[0].params.eps: expected a finite number"),
    (HEADER + "params = [1]\n", "targets[0].params: expected a table of parameter values"),
    (HEADER + "params = { 1x = 1 }\n", "targets[0].params: '1x' is not a Python identifier"),
    (HEADER + "sizes = { n = 4 }\n", "targets[0].sizes.n: expected [lo, hi], two integers ≥ 1"),
    (HEADER + "sizes = { n = [0, 4] }\n", "targets[0].sizes.n: expected [lo, hi], two integers"),
    (HEADER + "sizes = { n = [2.5, 4] }\n", "targets[0].sizes.n: expected [lo, hi], two integ"),
    (HEADER + "sizes = { n = [5, 4] }\n", "targets[0].sizes.n: expected [lo, hi] with lo ≤ hi"),
    (HEADER + "ranges = { z = [1, 2, 3] }\n", "targets[0].ranges.z: expected [lo, hi], two num"),
    (HEADER + 'ranges = { z = ["a", 2] }\n', "targets[0].ranges.z: expected [lo, hi], two num"),
    (HEADER + "ranges = { z = [nan, 2] }\n", "targets[0].ranges.z: expected [lo, hi], two num"),
    (HEADER + "ranges = { z = [3, -3] }\n", "targets[0].ranges.z: expected [lo, hi] with lo ≤"),
    (HEADER + "state = { weight = 1 }\n",
     "targets[0].state.weight: expected a canonical input name (a string), got int 1"),
    (HEADER + 'state = { weight = "not a name" }\n',
     "targets[0].state.weight: 'not a name' is not a Python identifier"),
    (HEADER + 'state = { "norm..weight" = "gamma" }\n',
     "targets[0].state: 'norm..weight' is not an attribute name"),
    (HEADER + 'state = "weight=gamma"\n', "targets[0].state: expected a table of module attrib"),
    (HEADER + "adapters = 3\n", "targets[0].adapters: expected an array of one-key tables"),
    (HEADER + "adapters = [{ per_row = 1 }]\n", "targets[0].adapters[0].per_row: write per_row"),
    (HEADER + 'adapters = [{ layout = "sbhd" }]\n', "layout 'sbhd'"),
    (HEADER + "adapters = [{ nope = 1 }]\n", "targets[0].adapters[0].nope: unknown adapter"),
    (HEADER + 'adapters = [{ rename = { z = "input" } }, { per_row = true }]\n',
     "targets[0].adapters: adapter rename(z='input') calls the implementation itself"),
    (HEADER + "formul = 1\nzzz = 2\n",
     "targets[0]: unknown keys 'formul' (did you mean formula?), 'zzz'"),
    ('[[tool.mathcheck.targets]]\ntarget = "torch:tanh"\n', "targets[0]: missing formula"),
    ("[[tool.mathcheck.targets]]\n", "targets[0]: missing target and formula"),
    (HEADER + HEADER + HEADER + "dtypes = 5\n", "tool.mathcheck.targets[2].dtypes: expected"),
    ("tool = 5\n", "tool: expected a table, got int 5"),
    ("[tool]\nmathcheck = 5\n", "tool.mathcheck: expected a table, got int 5"),
    ("[tool]\nmathcheck = [1]\n", "tool.mathcheck: expected a table, got list [1]"),
    ("[tool.mathcheck]\ntargets = 5\n", "tool.mathcheck.targets: expected an array of tables"),
    ('[tool.mathcheck]\ntargets = "x"\n', "tool.mathcheck.targets: expected an array of tables"),
    ("[tool.mathcheck]\ntargets = [1]\n", "tool.mathcheck.targets[0]: expected a table, got int"),
    ("[tool.mathcheck.targets]\nx = 1\n", "tool.mathcheck.targets: expected an array of tables"),
    ("[tool.mathcheck]\ntargets = []\n", "has no [[tool.mathcheck.targets]]"),
    ("[tool.mathcheck]\n", "has no [[tool.mathcheck.targets]]"),
    ("", "has no [[tool.mathcheck.targets]]"),
    ('[[tool.mathcheck.target]]\ntarget = "a:b"\n', "(tool.mathcheck has 'target')"),
    ("[tool.mathcheck\n", "is not valid TOML: "),
    ("a = 1\na = 2\n", "is not valid TOML: "),
    ("a = " + "[" * 50_000 + "]" * 50_000 + "\n", "is not valid TOML: nested too deeply"),
    ("a = " + "{b=" * 5_000 + "1" + "}" * 5_000 + "\n", "is not valid TOML: nested too deeply"),
    ("a = " + "9" * 5_000 + "\n", "is not valid TOML: "),
    ('[[tool.mathcheck.targets]]\n"\\n\\u2028" = 1\n', "unknown keys '\\n\\u2028'"),
    (HEADER + 'dtypes = ["' + "x" * 100_000 + '"]\n', "targets[0].dtypes[0]: unknown dtype 'xx"),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_pyproject_is_one_line_naming_the_key(tmp_path, text, expected):
    path = _write(tmp_path, text)
    message = _raises_one_line(from_pyproject, path)
    assert expected in message
    assert message.startswith(str(path))
    assert len(message) < 400


def test_good_pyproject_is_normalised(tmp_path):
    path = _write(tmp_path, "\ufeff" + HEADER + 'dtypes = ["bf16", "FP32"]\ndevices = ["cpu"]\n'
                  'adapter = "module"\ninit = { dim = "$n", train = false }\n'
                  'args = ["z"]\nallow_variants = ["tanh"]\nbackend = "numpy"\n'
                  'kwargs = { dim = -1 }\nstate = { "norm.weight" = "gamma" }\n'
                  "params = { eps = 1e-5, t = 3 }\nsizes = { n = [2, 8] }\n"
                  "ranges = { z = [-5, 5.5], eps = [1e-8, inf] }\n"
                  'adapters = [{ shared = ["gamma"] }, { cast_output = "input" }]\n')
    (target,) = from_pyproject(str(path))
    assert target == Target(target="torch:tanh", formula="act.tanh", adapter="module",
                            kwargs={"dim": -1}, init={"dim": "$n", "train": False},
                            args=("z",), backend="numpy", dtypes=("bfloat16", "float32"),
                            devices=("cpu",), allow_variants=("tanh",),
                            state={"norm.weight": "gamma"}, params={"eps": 1e-5, "t": 3},
                            sizes={"n": (2, 8)},
                            ranges={"z": (-5.0, 5.5), "eps": (1e-8, math.inf)},
                            adapters=({"shared": ["gamma"]}, {"cast_output": "input"}))
    assert target.check_options() == {
        "backend": "numpy", "dtypes": ("bfloat16", "float32"), "devices": ("cpu",),
        "params": {"eps": 1e-5, "t": 3}, "sizes": {"n": (2, 8)},
        "ranges": {"z": (-5.0, 5.5), "eps": (1e-8, math.inf)}}


def test_schema_covers_every_target_field():
    assert set(SCHEMA) == {f.name for f in dataclasses.fields(Target)}


def test_unreadable_files(tmp_path, monkeypatch):
    assert "no such file" in _raises_one_line(from_pyproject, tmp_path / "missing.toml")
    assert "is a directory" in _raises_one_line(from_pyproject, tmp_path)
    assert "not UTF-8 at byte 10" in _raises_one_line(
        from_pyproject, _write(tmp_path, b'[tool]\nx="\xff"\n'))
    assert "not UTF-8 at byte 0" in _raises_one_line(
        from_pyproject, _write(tmp_path, "a = 1".encode("utf-16")))
    assert "cannot read" in _raises_one_line(from_pyproject, str(tmp_path / "a\x00b"))
    odd = tmp_path / "odd\nname\u2028.toml"
    assert "no such file" in _raises_one_line(from_pyproject, odd)

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(Path, "open", denied)
        assert "permission denied" in _raises_one_line(from_pyproject, tmp_path / "x.toml")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads any file")
def test_permission_denied_on_disk(tmp_path):
    path = _write(tmp_path, HEADER)
    path.chmod(0)
    try:
        assert "permission denied" in _raises_one_line(from_pyproject, path)
    finally:
        path.chmod(0o600)


def test_parse_kwargs_limits():
    assert parse_kwargs(("dim=-1", "eps=1e-6", "mode=mean", "x=", "t=(1, [2])")) == {
        "dim": -1, "eps": 1e-6, "mode": "mean", "x": "", "t": (1, [2])}
    assert parse_kwargs(("s=" + "[" * 300 + "]" * 300,))["s"].startswith("[[")  # parser limit
    cases = {
        "dim=" + "-" * 100_000: "--kwargs dim: value is 100000 characters",
        "dim=" + "-" * (MAX_KWARG_CHARS - 1) + "1": "--kwargs dim: value is nested too deeply",
        "dim=" + "~" * 5_000 + "1": "--kwargs dim: value is nested too deeply",
        "dim=" + "1+" * 3_000 + "1": "--kwargs dim: value is nested too deeply",
        "k={[1]: 2}": "--kwargs k: '{[1]: 2}' is not a valid literal (unhashable",
        "k={1, [2]}": "--kwargs k:",
        "k=" + "1" * 4_000 + "+1j": "--kwargs k: ",
        "1x=2": "keyword argument '1x=2' must be name=value",
        "novalue": "must be name=value",
        "a\nb=1": "keyword argument 'a\\nb=1'",
    }
    for item, expected in cases.items():
        assert expected in _raises_one_line(parse_kwargs, (item,)), item[:40]


def test_cli_exits_2_without_traceback(tmp_path):
    runner = CliRunner()
    path = _write(tmp_path, HEADER + "dtypes = 5\n")
    bad = runner.invoke(cli, ["regress", "--config", str(path)])
    assert bad.exit_code == EXIT_USAGE, bad.output
    assert "targets[0].dtypes: expected a list of dtype names, got int 5" in bad.output
    assert "Traceback" not in bad.output and isinstance(bad.exception, (SystemExit, type(None)))
    deep = runner.invoke(cli, ["regress", "torch:tanh=act.tanh", "--kwargs", "dim=" + "-" * 9999])
    assert deep.exit_code == EXIT_USAGE and "--kwargs dim:" in deep.output, deep.output


# --- fuzzing ---------------------------------------------------------------------------------

SCALARS = (st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=12)
           | st.booleans())
TOML_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
PLAUSIBLE = st.sampled_from([
    "torch:tanh", "a.b:c.d", "a:", ":b", "act.tanh", "", "float32", "bf16", "fp8", "cpu", "cuda",
    "torch", "numpy", "jax", "module", "kwargs", "z", "$n", "tanh", "x y", "1x", "\n",
])
VALUES = (TOML_VALUES | PLAUSIBLE | st.lists(PLAUSIBLE | SCALARS, max_size=3)
          | st.dictionaries(PLAUSIBLE, TOML_VALUES, max_size=3))
GOOD = {  # a valid value per key, so that most tables get past their first key
    "target": st.sampled_from(["torch:tanh", "torch.nn.functional:softmax"]),
    "formula": st.sampled_from(["act.tanh", "act.softmax"]),
    "adapter": st.sampled_from(["function", "kwargs", "module", "positional"]),
    "kwargs": st.dictionaries(st.sampled_from(["dim", "eps"]), TOML_VALUES, max_size=2),
    "init": st.dictionaries(st.sampled_from(["dim", "train"]), TOML_VALUES, max_size=2),
    "args": st.lists(st.sampled_from(["z", "x"]), max_size=2),
    "backend": st.sampled_from(["numpy", "torch"]),
    "dtypes": st.lists(st.sampled_from(["float32", "bf16", "FP16", "double"]), max_size=3),
    "devices": st.lists(st.sampled_from(["cpu", "cuda"]), max_size=2),
    "allow_variants": st.lists(st.sampled_from(["tanh", "half_split"]), max_size=2),
    "state": st.dictionaries(st.sampled_from(["weight", "norm.bias"]),
                             st.sampled_from(["gamma", "beta"]), max_size=2),
    "params": st.dictionaries(st.sampled_from(["eps", "t"]),
                              st.integers(0, 9) | st.floats(1e-9, 1.0), max_size=2),
    "sizes": st.dictionaries(st.sampled_from(["n", "m"]),
                             st.tuples(st.integers(1, 4), st.integers(4, 9)).map(list),
                             max_size=2),
    "ranges": st.dictionaries(st.sampled_from(["z", "eps"]),
                              st.tuples(st.floats(-9, 0), st.floats(0, 9)).map(list),
                              max_size=2),
    "adapters": st.lists(st.sampled_from([{"per_row": True}, {"shared": ["gamma"]},
                                          {"layout": "bshd"}, {"cast_output": "input"},
                                          {"drop": "eps"}]), min_size=1, max_size=2),
}
assert set(GOOD) == set(SCHEMA)
TABLES = st.builds(
    lambda good, bad, unknown: {**good, **bad, **unknown},
    st.fixed_dictionaries({k: GOOD[k] for k in ("target", "formula")},
                          optional={k: v for k, v in GOOD.items() if k not in REQUIRED}),
    st.dictionaries(st.sampled_from(list(SCHEMA)), VALUES, max_size=2),  # overrides, or removes
    st.dictionaries(st.sampled_from(["formul", "dtype", ""]) | st.text(max_size=6), VALUES,
                    max_size=1) | st.just({}),
)
DOCUMENTS = st.one_of(
    st.lists(TABLES, max_size=3).map(lambda ts: {"tool": {"mathcheck": {"targets": ts}}}),
    st.dictionaries(st.sampled_from(["tool", "project"]), TOML_VALUES, max_size=2),
    TOML_VALUES.map(lambda v: {"tool": {"mathcheck": v}}),
    TOML_VALUES.map(lambda v: {"tool": {"mathcheck": {"targets": v}}}),
)


def _targets_or_invalid(call: Any, *args: Any) -> None:
    try:
        targets = call(*args)
    except InvalidInputError as exc:
        message = str(exc)
        assert len(message.splitlines()) == 1 and message, repr(message)
        return
    assert targets and all(isinstance(t, Target) for t in targets)


@seed(0)
@FUZZ
@given(DOCUMENTS)
def test_fuzz_document_targets_or_invalid_input(data):
    _targets_or_invalid(targets_from_document, data)


def _toml(value: Any) -> str:
    """A tiny TOML serializer for the values above (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)  # 'inf', '-inf', '1e+16' are TOML
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    return "{" + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + "}"


@seed(0)
@FUZZ
@given(st.lists(TABLES, min_size=1, max_size=2))
def test_fuzz_pyproject_file_targets_or_invalid_input(tmp_path_factory, tables):
    text = "".join("[[tool.mathcheck.targets]]\n"
                   + "".join(f"{_toml(k)} = {_toml(v)}\n" for k, v in table.items())
                   for table in tables)
    path = _write(tmp_path_factory.mktemp("fuzz"), text)
    _targets_or_invalid(from_pyproject, path)


@seed(0)
@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzz_pyproject_bytes_targets_or_invalid_input(tmp_path_factory, raw):
    path = _write(tmp_path_factory.mktemp("fuzz"), HEADER.encode() + raw)
    _targets_or_invalid(from_pyproject, path)


PATHOLOGICAL = st.text(alphabet="-+~([{}]),:'\"1j.e* ", max_size=3_000) | st.builds(
    lambda piece, n: piece * n, st.sampled_from(["-", "~", "[", "(", "1+", "-(", "{1:"]),
    st.integers(0, 12_000))


@seed(0)
@FUZZ
@given(st.lists(st.text() | st.text().map(lambda v: "k=" + v)
                | PATHOLOGICAL.map(lambda v: "k=" + v), max_size=3))
def test_fuzz_parse_kwargs_dict_or_invalid_input(items):
    try:
        parsed = parse_kwargs(tuple(items))
    except InvalidInputError as exc:
        assert len(str(exc).splitlines()) == 1
        return
    assert isinstance(parsed, dict) and all(k.isidentifier() for k in parsed)
