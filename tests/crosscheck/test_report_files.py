"""The report files of `verify` and `regress`: one writer, strict JSON, schema-valid JUnit XML,
output paths checked before any work, partial reports, and evidence printed verbatim."""

from __future__ import annotations

import io
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from mathcheck.cli import _render
from mathcheck.crosscheck import _writer, report
from mathcheck.crosscheck._results import Result, RunOptions
from mathcheck.errors import InvalidInputError
from mathcheck.regress import runner

INF, NAN = float("inf"), float("nan")
NASTY = "computed [nan, inf] vs exact [1.0, 0.0] [/red] [bold]x[/bold] <b>&amp; :smile:"
CONTROL = "\x00\x01\x07\x0b\x0c\x1b[31mred\x1b[0m\x7f\ud800\ufffe"


# --------------------------------------------------------------------------- fixtures


def _result(status: str, **kw) -> Result:
    base = dict(
        entry_id="act.softmax",
        section="activations",
        claim="agreement",
        kind="agreement",
        backend="numpy",
        dtype="float64",
        device="cpu",
        status=status,
        seconds=0.25,
    )
    return Result(**{**base, **kw})


def _results() -> list[Result]:
    return [
        _result(
            "failed",
            error=INF,
            budget=4.0,
            budget_note="4 ulp [per row] [/]",
            detail=f"{NASTY} {CONTROL}",
            worst_input=f"reproduce('act.softmax', z=[[710.0]]){CONTROL}",
            extra={"drift": INF, "neg": -INF, "rows": np.array([1.0, NAN, -INF]), 2: (NAN,)},
        ),
        _result("error", claim="gradient", kind="gradient", error=NAN, budget=-INF, detail=NASTY),
        _result("skipped", dtype="bfloat16", detail="no bfloat16 in NumPy \x1b[2m"),
        _result("passed", backend="torch", error=np.float32(0.5), extra={"x": np.float64(NAN)}),
        _result("proven", section="calculus", entry_id="calc.chain", backend="sympy"),
    ]


def _rows() -> list[dict]:
    def row(verdict: str, note: str = "", **kw) -> dict:
        return {
            "name": f"mypkg.ops:{verdict.replace(' ', '_')}",
            "formula": "act.gelu",
            "verdict": verdict,
            "variant": None,
            "worst_ulp": {},
            "note": note,
            "expected": "pass",
            "counterexample": None,
            **kw,
        }

    return [
        row("pass", worst_ulp={"float32/cpu": 0.5}),
        row("variant", f"misses canonical {NASTY}", variant="tanh", worst_ulp={"f": INF}),
        row(
            "fail",
            NASTY + CONTROL,
            worst_ulp={"float64/cpu": NAN, "bf16": -INF},
            counterexample=f"reproduce('act.gelu', x=[nan, inf]){CONTROL}",
        ),
        row("not checked", "error: unknown dtype"),
        row("timeout", f"at import: hung {CONTROL}"),
        row("crashed", "worker died (signal 11)"),
    ]


def _strict_loads(text: str):
    def reject(constant: str):
        raise AssertionError(f"non-strict JSON constant {constant}")

    return json.loads(text, parse_constant=reject)


def _walk(value):
    yield value
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


# --------------------------------------------------------------------------- JSON


def test_json_safe_maps_every_non_finite_value_to_a_string():
    import torch

    value = {
        "drift": INF,
        "nested": [{"a": -INF, "b": (NAN, 1.5)}],
        "np": np.array([[1.0, NAN], [INF, -INF]]),
        "np32": np.float32("nan"),
        "np_int": np.int64(3),
        "np_bool": np.bool_(True),
        "torch": torch.tensor(INF),
        "torch_vec": torch.tensor([1.0, NAN]),
        "set": {3, 1},
        INF: "key",
        None: b"bytes",
        "obj": object(),
    }
    safe = _writer.json_safe(value)
    assert safe["drift"] == "inf"
    assert safe["nested"] == [{"a": "-inf", "b": ["nan", 1.5]}]
    assert safe["np"] == [[1.0, "nan"], ["inf", "-inf"]]
    assert safe["np32"] == "nan" and safe["np_int"] == 3 and safe["np_bool"] is True
    assert safe["torch"] == "inf" and safe["torch_vec"] == [1.0, "nan"]
    assert safe["set"] == [1, 3] and safe["inf"] == "key" and safe["null"] == "bytes"
    assert safe["obj"].startswith("<object object")
    text = json.dumps(safe, allow_nan=False)  # would raise on any NaN/inf left
    for item in _walk(_strict_loads(text)):
        assert not (isinstance(item, float) and not math.isfinite(item))
    assert float(safe["drift"]) == INF and math.isnan(float(safe["np32"]))


def test_verify_json_is_strict_even_with_inf_in_extra(tmp_path):
    path = tmp_path / "r.json"
    results = _results()
    report.write_json(path, report.to_json_dict(results, RunOptions(), errata=[{"x": NAN}]))
    text = path.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
    data = _strict_loads(text)
    assert list(data)[:3] == ["schema", "complete", "incomplete_reason"]
    assert data["schema"] == "mathcheck-report/1"
    assert data["complete"] is True and data["incomplete_reason"] is None
    first, second = data["results"][0], data["results"][1]
    assert first["error"] == "inf" and first["detail"].startswith(NASTY)
    assert first["extra"] == {
        "drift": "inf",
        "neg": "-inf",
        "rows": [1.0, "nan", "-inf"],
        "2": ["nan"],
    }
    assert second["error"] == "nan" and second["budget"] == "-inf"
    assert data["results"][3]["error"] == 0.5 and data["results"][3]["extra"] == {"x": "nan"}
    assert data["errata"] == [{"x": "nan"}]
    assert data["summary"]["checks"] == len(results)


def test_regress_json_is_strict(tmp_path):
    path = tmp_path / "regress.json"
    runner.write_reports(_rows(), str(path), None)
    text = path.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
    data = _strict_loads(text)
    assert data["schema"] == "mathcheck-regress/1" and data["complete"] is True
    fail = data["targets"][2]
    assert fail["worst_ulp"] == {"float64/cpu": "nan", "bf16": "-inf"}
    assert data["targets"][1]["worst_ulp"] == {"f": "inf"}


def test_incomplete_reports_say_so(tmp_path):
    json_path, junit_path = tmp_path / "r.json", tmp_path / "r.xml"
    _render.write_reports(
        _results()[:2], RunOptions(), str(json_path), str(junit_path), incomplete="interrupted"
    )
    data = _strict_loads(json_path.read_text())
    assert data["complete"] is False and data["incomplete_reason"] == "interrupted"
    root = ET.parse(junit_path).getroot()
    check_junit(root)
    for suite in root.iter("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert props == {"complete": "false", "incomplete_reason": "interrupted"}
        assert "interrupted" in suite.find("system-err").text

    # interrupted before the first result: still a valid report that says it is partial
    runner.write_reports([], str(json_path), str(junit_path), incomplete="interrupted")
    assert _strict_loads(json_path.read_text())["complete"] is False
    root = ET.parse(junit_path).getroot()
    check_junit(root)
    (suite,) = root.findall("testsuite")
    assert suite.get("tests") == "0"
    assert suite.find("properties/property[@name='incomplete_reason']").get("value") == (
        "interrupted"
    )


# --------------------------------------------------------------------------- JUnit XML

# The Jenkins/Surefire JUnit XML schema (junit-10.xsd), as rules.
_INT = re.compile(r"\d+")
_FLOAT = re.compile(r"\d+(\.\d+)?")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SUITES_ATTRS = {"name", "time", "tests", "failures", "disabled", "errors"}
_SUITE_ATTRS = {
    "name",
    "tests",
    "failures",
    "errors",
    "time",
    "disabled",
    "skipped",
    "timestamp",
    "hostname",
    "id",
    "package",
    "file",
    "log",
    "url",
    "version",
}
_CASE_ATTRS = {
    "name",
    "assertions",
    "time",
    "timestamp",
    "classname",
    "status",
    "class",
    "file",
    "line",
    "log",
    "group",
    "url",
}
# child -> (allowed attributes, required attributes)
_CASE_CHILDREN = {
    "skipped": ({"message"}, set()),
    "error": ({"message", "type"}, {"message", "type"}),
    "failure": ({"message", "type"}, {"message", "type"}),
    "system-out": (set(), set()),
    "system-err": (set(), set()),
}
_CASE_ORDER = ["skipped", "error", "failure", "system-out", "system-err"]
_SUITE_ORDER = ["properties", "testcase", "system-out", "system-err"]


def _attrs(node: ET.Element, allowed: set[str], required: set[str]) -> None:
    assert set(node.attrib) <= allowed, (node.tag, set(node.attrib) - allowed)
    assert required <= set(node.attrib), (node.tag, required - set(node.attrib))
    for key in ("tests", "failures", "errors", "skipped", "disabled", "assertions"):
        if key in node.attrib:
            assert _INT.fullmatch(node.get(key)), (node.tag, key, node.get(key))
    if "time" in node.attrib:
        assert _FLOAT.fullmatch(node.get("time")), (node.tag, node.get("time"))


def _ordered(node: ET.Element, order: list[str], once: set[str]) -> None:
    tags = [child.tag for child in node]
    assert set(tags) <= set(order), (node.tag, tags)
    assert [order.index(t) for t in tags] == sorted(order.index(t) for t in tags), tags
    for tag in once:
        assert tags.count(tag) <= 1, (node.tag, tag)


def _text_only(node: ET.Element) -> None:
    assert len(node) == 0, f"<{node.tag}> must hold text only"


def check_junit(root: ET.Element) -> None:
    """Raise AssertionError unless `root` follows the Jenkins/Surefire JUnit XML schema."""
    assert root.tag == "testsuites"
    _attrs(root, _SUITES_ATTRS, set())
    assert all(child.tag == "testsuite" for child in root)
    totals = dict.fromkeys(("tests", "failures", "errors"), 0)
    for suite in root:
        _attrs(suite, _SUITE_ATTRS, {"name", "tests", "failures", "errors", "skipped", "time"})
        _ordered(suite, _SUITE_ORDER, {"properties", "system-out", "system-err"})
        for props in suite.findall("properties"):
            for prop in props:
                assert prop.tag == "property"
                _attrs(prop, {"name", "value"}, {"name", "value"})
                _text_only(prop)
        for tag in ("system-out", "system-err"):
            for node in suite.findall(tag):
                _attrs(node, set(), set())
                _text_only(node)
        cases = suite.findall("testcase")
        outcomes = {"failure": 0, "error": 0, "skipped": 0}
        for case in cases:
            _attrs(case, _CASE_ATTRS, {"classname", "name", "time"})
            _ordered(case, _CASE_ORDER, {"skipped"})
            for child in case:
                allowed, required = _CASE_CHILDREN[child.tag]
                _attrs(child, allowed, required)
                _text_only(child)
                if child.tag in outcomes:
                    outcomes[child.tag] += 1
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == outcomes["failure"]
        assert int(suite.get("errors")) == outcomes["error"]
        assert int(suite.get("skipped")) == outcomes["skipped"]
        for key in totals:
            totals[key] += int(suite.get(key))
    for key, total in totals.items():
        if key in root.attrib:
            assert int(root.get(key)) == total, key
    for node in root.iter():
        for value in [*node.attrib.values(), node.text or "", node.tail or ""]:
            assert not _NOT_XML.search(value), (node.tag, value)
            assert "\x1b" not in value and "\x7f" not in value


def _parse_file(path: Path) -> ET.Element:
    raw = path.read_bytes()
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert not _NOT_XML.search(raw.decode("utf-8"))  # strict UTF-8, XML 1.0 characters only
    return ET.fromstring(raw)


def test_verify_junit_is_valid_and_keeps_evidence_verbatim(tmp_path):
    path = tmp_path / "r.xml"
    report.write_junit(path, _results())
    root = _parse_file(path)
    check_junit(root)
    assert root.get("name") == "mathcheck"
    assert [s.get("name") for s in root] == ["activations", "calculus"]
    activations = root.find("testsuite")
    assert activations.get("tests") == "4" and activations.get("failures") == "1"
    assert activations.get("errors") == "1" and activations.get("skipped") == "1"
    failed, errored, skipped, passed = activations.findall("testcase")
    assert failed.get("classname") == "activations.act.softmax"
    assert failed.get("name") == "agreement[numpy-float64-cpu]"
    assert failed.get("time") == "0.250"
    failure = failed.find("failure")
    assert failure.get("type") == "agreement"
    assert failure.get("message").startswith(NASTY)  # "[nan, inf]", "<b>&amp;" as text
    assert "\n" not in failure.get("message")
    assert NASTY in failure.text and "4 ulp [per row] [/]" in failure.text
    assert "reproduce('act.softmax', z=[[710.0]])red" in failure.text  # controls stripped
    assert errored.find("error").get("message") == NASTY
    assert errored.find("error").get("type") == "gradient"
    assert skipped.find("skipped").get("message") == "no bfloat16 in NumPy"
    assert passed.find("system-out").text == "passed: "
    assert root.find("testsuite/properties/property").attrib == {
        "name": "complete",
        "value": "true",
    }


def test_regress_junit_is_valid(tmp_path):
    path = tmp_path / "regress.xml"
    runner.write_reports(_rows(), None, str(path))
    root = _parse_file(path)
    check_junit(root)
    (suite,) = root.findall("testsuite")
    assert root.get("name") == suite.get("name") == "mathcheck-regress"
    assert suite.get("tests") == "6" and suite.get("failures") == "1"
    assert suite.get("errors") == "3" and suite.get("skipped") == "0"
    cases = {c.get("name").split(":")[1]: c for c in suite.findall("testcase")}
    assert cases["pass"].find("*") is None
    assert cases["variant"].find("system-out").text.startswith("variant tanh: misses canonical")
    assert NASTY in cases["variant"].find("system-out").text
    failure = cases["fail"].find("failure")
    assert failure.get("type") == "mismatch" and failure.get("message").startswith(NASTY)
    assert "reproduce('act.gelu', x=[nan, inf])" in failure.text
    assert {cases[v].find("error").get("type") for v in ("not_checked", "timeout", "crashed")} == {
        "not-checked",
        "timeout",
        "crashed",
    }
    assert cases["timeout"].find("error").get("message") == "at import: hung red"

    runner.write_reports(_rows(), None, str(path), strict=True)  # a variant fails --strict
    root = _parse_file(path)
    check_junit(root)
    variant = next(c for c in root.iter("testcase") if c.get("name").endswith(":variant"))
    assert variant.find("failure").get("type") == "variant"
    assert root.find("testsuite").get("failures") == "2"


def test_the_checker_rejects_what_the_schema_forbids():
    good = (
        "<testsuites><testsuite name='s' tests='1' failures='0' errors='0' skipped='0' "
        "time='0.000'><testcase classname='c' name='n' time='1.5'/></testsuite></testsuites>"
    )
    check_junit(ET.fromstring(good))
    for bad in (
        good.replace("<testsuites>", "<testsuites skipped='0'>"),  # not a testsuites attribute
        good.replace(" tests='1'", ""),  # required
        good.replace("time='1.5'", "time='1,5'"),  # float format
        good.replace("failures='0'", "failures='x'"),  # integer format
        good.replace("/></testsuite>", "><failure message='m'/></testcase></testsuite>"),
        good.replace("/></testsuite>", "><system-out/><skipped/></testcase></testsuite>"),
        good.replace("/></testsuite>", "><junk/></testcase></testsuite>"),
        good.replace("tests='1'", "tests='2'"),  # counts
    ):
        with pytest.raises(AssertionError):
            check_junit(ET.fromstring(bad))


# --------------------------------------------------------------------------- paths


def test_check_writable_rejects_a_missing_folder_in_one_line(tmp_path):
    target = tmp_path / "x" / "y.json"
    with pytest.raises(InvalidInputError) as info:
        _writer.check_writable(target, "--json")
    assert str(info.value) == f"cannot write --json report to {target}: No such file or directory"
    with pytest.raises(InvalidInputError, match=r"^cannot write --junit report to .*: Is a dir"):
        _writer.check_writable(tmp_path, "--junit")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InvalidInputError, match="Not a directory"):
        _writer.check_writable(blocker / "r.json")
    with pytest.raises(InvalidInputError, match="also the --json report"):
        _writer.check_report_paths(tmp_path / "r", tmp_path / "." / "r")


def test_check_writable_neither_truncates_nor_leaves_files(tmp_path):
    existing = tmp_path / "old.json"
    existing.write_text("keep me")
    _writer.check_writable(existing)
    assert existing.read_text() == "keep me"
    fresh = tmp_path / "new.xml"
    _writer.check_report_paths(tmp_path / "new.json", fresh)
    _writer.check_report_paths(None, None)
    assert sorted(os.listdir(tmp_path)) == ["old.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only file")
def test_check_writable_rejects_a_read_only_file(tmp_path):
    locked = tmp_path / "locked.json"
    locked.write_text("")
    locked.chmod(0o444)
    with pytest.raises(InvalidInputError, match="Permission denied"):
        _writer.check_writable(locked)


def test_check_writable_reports_a_refused_open(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(InvalidInputError) as info:
        _writer.check_writable(tmp_path / "r.xml", "--junit")
    assert (
        str(info.value) == f"cannot write --junit report to {tmp_path / 'r.xml'}: Permission denied"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_check_writable_does_not_block_on_a_fifo_without_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInputError, match="No such device or address"):
        _writer.check_writable(fifo)
    assert fifo.exists()


def test_writing_never_tracebacks_on_an_os_error(tmp_path):
    missing = tmp_path / "gone" / "r"
    with pytest.raises(InvalidInputError, match=r"cannot write --json report to .*gone"):
        _render.write_reports(_results(), RunOptions(), str(missing), None)
    with pytest.raises(InvalidInputError, match=r"cannot write --junit report to .*gone"):
        _render.write_reports(_results(), RunOptions(), None, str(missing))
    with pytest.raises(InvalidInputError, match="cannot write --json report"):
        runner.write_reports(_rows(), str(tmp_path), None)
    with pytest.raises(InvalidInputError, match="cannot write --junit report"):
        runner.write_reports(_rows(), None, str(missing))


# --------------------------------------------------------------------------- console


def test_print_failures_prints_details_verbatim(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(
        _render, "console", Console(file=out, width=400, highlight=False, color_system=None)
    )
    detail = "computed [nan, inf] vs exact [1.0, 0.0] [/red] [bold]b[/bold] :smile: \\"
    result = _result(
        "failed",
        detail=detail,
        budget_note="4 ulp [per row] [/]",
        worst_input="reproduce('act.softmax', z=[[nan, inf]])",
    )
    _render.print_failures([result, _result("passed", detail="[red]not shown[/red]")])
    text = out.getvalue()
    assert f"FAILED act.softmax · agreement · numpy float64 cpu: {detail}\n" in text
    assert "  budget: 4 ulp [per row] [/]\n" in text
    assert "    reproduce('act.softmax', z=[[nan, inf]])\n" in text
    assert "not shown" not in text


def test_print_failures_keeps_its_own_styling(monkeypatch):
    out = io.StringIO()
    console = Console(
        file=out, width=400, highlight=False, force_terminal=True, color_system="standard"
    )
    monkeypatch.setattr(_render, "console", console)
    _render.print_failures([_result("error", detail="[nan, inf]")])
    text = out.getvalue()
    assert "\x1b[31mFAILED\x1b[0m" in text and "[nan, inf]" in text


def test_the_environment_names_the_profile_the_options_match() -> None:
    from mathcheck.crosscheck._results import PROFILES, RunOptions
    from mathcheck.crosscheck.report import environment

    for name, effort in PROFILES.items():
        assert environment(RunOptions(**effort))["profile"] == name
    custom = environment(RunOptions(examples=7))
    assert custom["profile"] == "custom" and custom["examples"] == 7
    assert custom["inputs"] == RunOptions().inputs
