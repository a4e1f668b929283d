"""`mathcheck selftest`: mutants are generated deterministically by every operator, a known-bad
mutant is killed, an unchanged one survives, a broken one is invalid, and the command reports
the kill rate with the documented exit codes."""

from __future__ import annotations

import ast
import dataclasses
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from mathcheck.cli import cli
from mathcheck.crosscheck import RunOptions
from mathcheck.formulas import all_entries, get
from mathcheck.numeric.numpy_forms import activations as np_activations
from mathcheck.selftest import OPERATORS, generate, mutants_of
from mathcheck.selftest._run import Runner, select, summarize
from mathcheck.selftest.equivalent import EQUIVALENT

FAST = RunOptions(examples=5, devices=("cpu",), dtypes=("float64", "float32"))


@pytest.fixture(scope="module")
def catalog_mutants():
    return generate(all_entries(), ("numpy", "torch"))


def by_operator(mutants, operator):
    return [m for m in mutants if m.operator == operator]


# ------------------------------------------------------------------ generation


def test_softmax_numpy_mutants_are_deterministic_and_include_the_dropped_max_shift():
    first = mutants_of(get("act.softmax"), "numpy")
    again = mutants_of(get("act.softmax"), "numpy")
    assert [(m.id, m.description, m.diff) for m in first] == [
        (m.id, m.description, m.diff) for m in again
    ]
    kinds = {m.operator for m in first}
    assert {"drop-max-shift", "arith", "minmax", "axis", "keepdims"} <= kinds
    (dropped,) = by_operator(first, "drop-max-shift")
    assert dropped.id == "act.softmax:numpy:drop-max-shift:L3C15"
    assert "-    e = np.exp(z - z.max(axis=-1, keepdims=True))" in dropped.diff
    assert "+    e = np.exp(z)" in dropped.diff
    assert dropped.line == np_activations.softmax.__code__.co_firstlineno + 2
    assert len({m.id for m in first}) == len(first)


def test_the_catalog_yields_every_operator_the_forms_use(catalog_mutants):
    kinds = {m.operator for m in catalog_mutants}
    # const-eps and naive-logaddexp have no site in the catalog's form bodies (see below)
    assert set(OPERATORS) - {"const-eps", "naive-logaddexp"} <= kinds
    assert len({m.id for m in catalog_mutants}) == len(catalog_mutants)


def _synthetic(x):
    y = np.logaddexp(x, 1e-5 * x).astype(np.float64)
    return np.log1p(y) - np.expm1(x)


def test_operators_on_a_synthetic_form():
    entry = dataclasses.replace(get("act.relu"), numpy=_synthetic)
    mutants = {m.operator: m for m in mutants_of(entry, "numpy")}
    assert {"const-eps", "naive-logaddexp", "drop-upcast", "naive-log1p", "naive-expm1"} <= set(
        mutants
    )
    assert "np.log(np.exp(x) + np.exp(1e-05 * x))" in mutants["naive-logaddexp"].diff
    assert "0.001" in mutants["const-eps"].diff
    x = np.array([0.5, 2.0])
    assert np.allclose(mutants["naive-log1p"].build()(x), _synthetic(x))
    # Line numbers in the mutant point into this file, after its compile in copied globals
    assert mutants["naive-expm1"].build().__code__.co_firstlineno == (
        _synthetic.__code__.co_firstlineno
    )


def test_a_mutant_runs_in_a_copy_of_its_module_globals():
    mutant = mutants_of(get("act.gelu_sigmoid"), "numpy")[0]
    fn = mutant.build()
    assert fn.__globals__ is not np_activations.__dict__
    assert fn.__globals__["sigmoid"] is np_activations.sigmoid  # the helper still resolves
    assert np_activations.gelu_sigmoid is get("act.gelu_sigmoid").numpy.load()  # untouched
    assert fn(np.array([0.0, 1.0])).shape == (2,)


def test_the_diff_parses_back_to_the_mutant(catalog_mutants):
    """The shown line is the mutant's own code (parenthesised where precedence needs it)."""
    for mutant in catalog_mutants[::7]:
        plus = [line[1:] for line in mutant.diff.splitlines()[3:] if line.startswith("+")]
        assert plus and not plus[0].lstrip().startswith("#"), mutant.id


# ------------------------------------------------------------------ running


def test_softmax_without_the_max_shift_is_killed():
    (mutant,) = by_operator(mutants_of(get("act.softmax"), "numpy"), "drop-max-shift")
    result = Runner(FAST).run(mutant)
    assert result.status == "killed", result.reason
    assert "agreement" in result.reason and not result.timed_out


def test_relu_with_a_wrong_constant_is_killed():
    mutants = by_operator(mutants_of(get("act.relu"), "torch"), "const-plus1")
    assert mutants
    assert {Runner(FAST).run(m).status for m in mutants} == {"killed"}


def test_a_custom_check_sees_the_mutant_in_place_and_the_module_is_restored():
    from mathcheck.numeric.numpy_forms import embeddings

    original = embeddings.pq_adc
    mutants = [m for m in mutants_of(get("ann.pq"), "numpy") if m.operator == "arith"]
    result = Runner(FAST).run(mutants[0])  # ann.pq has only a custom check (recall, ADC)
    assert result.status == "killed" and "ADC" in result.reason, result.reason
    assert embeddings.pq_adc is original


def test_an_unchanged_mutant_survives_and_a_broken_one_is_invalid():
    mutant = mutants_of(get("act.softmax"), "numpy")[0]
    source = "def softmax(z):\n    e = np.exp(z - z.max(axis=-1, keepdims=True))\n" \
             "    return e / e.sum(axis=-1, keepdims=True)\n"  # fmt: skip
    same = dataclasses.replace(mutant, tree=ast.parse(source))
    result = Runner(FAST, {mutant.id: "test"}).run(same)
    assert result.status == "survived" and result.checks > 0
    assert result.equivalent == "test"
    broken = dataclasses.replace(mutant, tree=ast.parse("def softmax(z=undefined_name): pass"))
    invalid = Runner(FAST).run(broken)
    assert invalid.status == "invalid" and "NameError" in invalid.reason
    totals = summarize([result, invalid, Runner(FAST).run(mutant)])["total"]
    assert (totals["killed"], totals["survived"], totals["invalid"]) == (1, 1, 1)
    assert totals["kill_rate"] == 0.5 and totals["kill_rate_non_equivalent"] == 1.0


def test_limit_picks_a_seeded_stable_spread(catalog_mutants):
    chosen = select(catalog_mutants, 40, seed=0)
    assert [m.id for m in chosen] == [m.id for m in select(catalog_mutants, 40, seed=0)]
    assert [m.id for m in chosen] != [m.id for m in select(catalog_mutants, 40, seed=1)]
    assert len(chosen) == 40 and len({m.section for m in chosen}) >= 6
    order = {m.id: i for i, m in enumerate(catalog_mutants)}
    assert [order[m.id] for m in chosen] == sorted(order[m.id] for m in chosen)


def test_every_listed_equivalent_is_a_current_mutant_with_a_reason(catalog_mutants):
    ids = {m.id for m in catalog_mutants}
    for mutant_id, reason in EQUIVALENT.items():
        assert mutant_id in ids, f"stale equivalent {mutant_id}: the form changed"
        assert len(reason.split()) >= 4, mutant_id


# ------------------------------------------------------------------ the command


def run(*args: str):
    return CliRunner().invoke(cli, ["selftest", *args])


SMALL = ("--formula", "act.softmax", "--limit", "6", "--backend", "numpy",
         "--dtype", "fp64", "--dtype", "fp32", "--examples", "5")  # fmt: skip


def test_cli_reports_the_kill_rate_and_exits_0(tmp_path):
    path = tmp_path / "selftest.json"
    result = run(*SMALL, "--json", str(path))
    assert result.exit_code == 0, result.output
    assert "kill rate" in result.output and "activations" in result.output
    document = json.loads(path.read_text())
    assert document["schema"] == "mathcheck-selftest/1" and document["complete"] is True
    assert len(document["mutants"]) == 6
    total = document["summary"]["total"]
    assert total["killed"] + total["survived"] + total["invalid"] == 6
    rate = total["kill_rate"]
    assert rate is not None and f"{100 * rate:.1f}%" in result.output
    assert not math.isnan(rate)


def test_cli_fail_under_exits_1():
    result = run(*SMALL, "--fail-under", "1.01")
    assert result.exit_code == 1, result.output
    assert "below --fail-under" in result.output


def test_cli_bad_input_exits_2():
    assert run("--formula", "act.softmx").exit_code == 2
    assert run("--formula", "act.softmax", "--dtype", "fp8").exit_code == 2
    assert run("--formula", "act.softmax", "--limit", "0").exit_code == 2
    assert run("--formula", "act.softmax", "--fail-under", "-1").exit_code == 2


def test_cli_list_runs_nothing():
    result = run("--formula", "act.softmax", "--backend", "numpy", "--list")
    assert result.exit_code == 0
    assert "act.softmax:numpy:drop-max-shift:L3C15" in result.output
