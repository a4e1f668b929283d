"""The command line as a hostile, clumsy user meets it: a table of bad invocations (one per
class of mistake) and Hypothesis-driven argument lists, checking the promise of
`mathcheck.cli`: no traceback ever, every error one line on stderr starting with
"mathcheck: " (or click's own usage block for its parse errors, exit 2), the exit code of its
class (0 pass, 1 fail or nothing checked, 2 usage, 3 the code under test broke, 4 never).

Tests marked `xfail(strict=True)` document a defect that is still there; the reason names it,
and the test starts passing (and so fails as XPASS) once it is fixed.

Also the hostile-code functions at the bottom: targets for `mathcheck regress` runs in a
subprocess (`tests.cli.test_fuzz:...`), so that nothing they do reaches this process's worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from mathcheck.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CHEAP = ["--dtype", "fp32", "--examples", "1", "--backend", "numpy"]
VERIFY = ["verify", "--formula", "act.relu", *CHEAP]
REGRESS = ["regress", "--dtype", "fp32", "--examples", "2", "--time-budget", "5"]
GOOD = "tests.regress.hostile:good=act.softmax"
CLICK = "click"  # expected: click's own usage error (exit 2)
#: Seconds any single in-process invocation here may take: none of them should get near it.
WITHIN = 60.0


def invoke(args: list[str]):
    start = time.monotonic()
    result = CliRunner().invoke(cli, args)
    result.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    return result


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def is_click_usage_error(result) -> bool:
    lines = stderr_lines(result)
    return (
        result.exit_code == 2
        and any(line.startswith("Error: ") for line in lines)
        and not any(line.startswith("mathcheck: ") for line in lines)
    )


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.output, result.output
    # Anything but SystemExit escaping `cli` would be a traceback for a real user.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code != 4 and "internal error" not in result.output, result.output


def assert_clean_error(result, code: int | str) -> None:
    """Exit `code` with one line on stderr (or, for CLICK, click's usage block)."""
    assert_no_traceback(result)
    if code == CLICK:
        assert is_click_usage_error(result), f"exit {result.exit_code}:\n{result.output}"
        return
    assert result.exit_code == code, f"exit {result.exit_code}, want {code}:\n{result.output}"
    lines = stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith("mathcheck: "), result.stderr


def assert_verdict(result, code: int) -> None:
    """A verdict (exit 0, 1 or 3): no error line at all."""
    assert_no_traceback(result)
    assert result.exit_code == code, f"exit {result.exit_code}, want {code}:\n{result.output}"
    assert not any(line.startswith("mathcheck: ") for line in stderr_lines(result)), result.stderr


def defect(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def bug(name: str, args: list[str], expected: int | str, reason: str) -> tuple:
    """A table row that fails today because of the defect `reason` (an xfail, strict)."""
    return (name, args, expected, reason)


# ------------------------------------------------------------------ (a) the table

# (id, args, expected). "{tmp}" in an argument is this test's tmp_path; "{file}" a regular
# file in it, "{fifo}" a FIFO in it. Expected: an exit code (one-line error), CLICK.
TABLE = [
    # list
    ("list-unknown-section", ["list", "--section", "nonsense"], 2),
    ("list-empty-section", ["list", "--section", ""], 2),
    ("list-section-99", ["list", "--section", "99"], 2),
    ("list-section-negative", ["list", "--section", "-1"], 2),
    ("list-section-ambiguous-prefix", ["list", "--section", "a"], 2),
    ("list-section-ansi", ["list", "--section", "\x1b[31mred"], 2),
    ("list-section-bidi", ["list", "--section", "ä\u202eb"], 2),
    ("list-section-surrogate", ["list", "--section", "\udcff"], 2),
    ("list-section-long", ["list", "--section", "s" * 5000], 2),
    ("list-bogus-option", ["list", "--bogus"], CLICK),
    ("list-extra-argument", ["list", "extra"], CLICK),
    ("list-section-missing-value", ["list", "--section"], CLICK),
    # show
    ("show-typo", ["show", "act.softmx"], 2),
    ("show-empty", ["show", ""], 2),
    ("show-dot", ["show", "."], 2),
    ("show-glob", ["show", "act.*"], 2),
    ("show-very-long", ["show", "x" * 100_000], 2),
    ("show-unicode-bidi", ["show", "act.söftmax\u202e"], 2),
    ("show-ansi", ["show", "\x1b[31m"], 2),
    ("show-rich-markup", ["show", "[red]x[/red]"], 2),
    ("show-surrogate", ["show", "x\udcff"], 2),
    ("show-nul", ["show", "a\x00b"], 2),
    ("show-max-codepoint", ["show", "\U0010ffff"], 2),
    ("show-missing-id", ["show"], CLICK),
    ("show-two-ids", ["show", "act.relu", "act.softmax"], CLICK),
    # errata
    ("errata-bogus-option", ["errata", "--bogus"], CLICK),
    ("errata-extra-argument", ["errata", "x"], CLICK),
    # the group
    ("top-bogus-option", ["--bogus"], CLICK),
    ("top-unknown-command", ["nosuchcmd"], CLICK),
    # verify: selection
    ("verify-unknown-id", ["verify", "--formula", "nope"], 2),
    ("verify-empty-id", ["verify", "--formula", ""], 2),
    ("verify-glob-matches-nothing", ["verify", "--formula", "zz*"], 2),
    ("verify-very-long-id", ["verify", "--formula", "x" * 100_000], 2),
    ("verify-unicode-id", ["verify", "--formula", "act.söftmax\u202e"], 2),
    ("verify-unknown-section", ["verify", "--section", "nonsense"], 2),
    (
        "verify-id-outside-section",
        ["verify", "--section", "activations", "--formula", "loss.mse"],
        2,
    ),
    # verify: dtype
    *[
        (f"verify-dtype-{name}", [*VERIFY, "--dtype", value], 2)
        for name, value in [
            ("fp8", "fp8"), ("float128", "float128"), ("empty", ""), ("int8", "int8"),
            ("bf17", "bf17"), ("nul", "fp32\x00"), ("control", "fp32\x01"), ("long", "f" * 3000),
        ]
    ],
    # verify: device, backend, profile
    ("verify-device-tpu", [*VERIFY, "--device", "tpu"], CLICK),
    ("verify-device-empty", [*VERIFY, "--device", ""], CLICK),
    ("verify-backend-jax", [*VERIFY, "--backend", "jax"], CLICK),
    ("verify-profile-bogus", [*VERIFY, "--profile", "bogus"], CLICK),
    ("verify-profile-empty", [*VERIFY, "--profile", ""], CLICK),
    # verify: seed, examples, time budget
    *[
        (f"verify-seed-{value or 'empty'}", [*VERIFY, "--seed", value], CLICK)
        for value in ["-1", str(2**40), str(2**32), "abc", "1.5", "", "0x10", "1e3"]
    ],
    *[
        (f"verify-examples-{value or 'empty'}", [*VERIFY, "--examples", value], CLICK)
        for value in ["0", "-3", "1e9", "abc", "", "1.5"]
    ],
    *[
        (f"verify-time-budget-{value or 'empty'}", [*VERIFY, "--time-budget", value], CLICK)
        for value in ["-1", "0", "inf", "-inf", "abc", "", "1e999", "0.05", "1e6"]
    ],
    ("verify-time-budget-nan", [*VERIFY, "--time-budget", "nan"], 2),
    ("verify-examples-missing-value", ["verify", "--examples"], CLICK),
    ("verify-bogus-option", ["verify", "--bogus"], CLICK),
    # verify: report paths
    ("verify-json-missing-folder", [*VERIFY, "--json", "{tmp}/no/such/dir/r.json"], 2),
    ("verify-junit-missing-folder", [*VERIFY, "--junit", "{tmp}/no/such/dir/r.xml"], 2),
    ("verify-json-is-a-directory", [*VERIFY, "--json", "{tmp}"], CLICK),
    ("verify-junit-is-a-directory", [*VERIFY, "--junit", "{tmp}"], CLICK),
    ("verify-json-under-a-file", [*VERIFY, "--json", "{file}/r.json"], 2),
    ("verify-junit-under-a-file", [*VERIFY, "--junit", "{file}/r.xml"], 2),
    ("verify-json-in-proc", [*VERIFY, "--json", "/proc/1/no-such.json"], 2),
    ("verify-json-fifo", [*VERIFY, "--json", "{fifo}"], 2),
    ("verify-same-report-path", [*VERIFY, "--json", "{tmp}/r.out", "--junit", "{tmp}/r.out"], 2),
    (
        "verify-same-report-path-spelled-differently",
        [*VERIFY, "--json", "{tmp}/r.out", "--junit", "{tmp}/../{tmpname}/r.out"],
        2,
    ),
    bug(
        "verify-json-empty-path", [*VERIFY, "--json", ""], 2,
        "--json '' is silently ignored: exit 0 and no report (check_report_paths "
        "tests `if json_path:`, so check_writable's 'empty path' never runs)",
    ),
    bug(
        "verify-junit-empty-path", [*VERIFY, "--junit", ""], 2,
        "--junit '' is silently ignored: exit 0 and no report",
    ),
    bug(
        "verify-json-nul-in-path", [*VERIFY, "--json", "r\x00.json"], 2,
        "a NUL in --json (via mathcheck.cli.main(argv)) is exit 4: check_writable "
        "catches OSError, os.open raises ValueError('embedded null byte')",
    ),
    # regress: malformed targets (found before any worker starts)
    *[
        (f"regress-target-{name}", [*REGRESS, target], 2)
        for name, target in [
            ("colon", ":"), ("no-attr", "a:"), ("no-module", ":b"), ("equals", "="),
            ("empty-module-and-attr", ":=act.softmax"), ("empty-attr", "a:=act.softmax"),
            ("empty-module", ":b=act.softmax"), ("empty-formula", "a:b="),
            ("empty-target", "=act.softmax"), ("double-equals", "a:b==act.softmax"),
            ("no-equals", "tests.regress.hostile:good"),
            ("unknown-formula", "tests.regress.hostile:good=nope.id"),
            ("glob-formula", "tests.regress.hostile:good=lin.*"),
        ]
    ],
    # regress: targets that fail to import or are not callable (found in the worker)
    *[
        (f"regress-target-{name}", [*REGRESS, target], 2)
        for name, target in [
            ("missing-module", "nomodule_xyz_fuzz:f=act.softmax"),
            ("missing-attribute", "os:no_such_attribute=act.softmax"),
            ("not-callable", "os:sep=act.softmax"),
            ("unicode-module", "ü:f=act.softmax"),
            ("relative-path-module", "../etc:f=act.softmax"),
            ("very-long-module", "x" * 5000 + ":f=act.softmax"),
        ]
    ],
    # regress: --kwargs
    ("regress-kwargs-no-name", [*REGRESS, GOOD, "--kwargs", "=1"], 2),
    ("regress-kwargs-no-equals", [*REGRESS, GOOD, "--kwargs", "dim"], 2),
    ("regress-kwargs-bad-name", [*REGRESS, GOOD, "--kwargs", "1dim=1"], 2),
    ("regress-kwargs-too-long", [*REGRESS, GOOD, "--kwargs", "dim=" + "-" * 20_000], 2),
    ("regress-kwargs-huge-string", [*REGRESS, GOOD, "--kwargs", "dim=" + "x" * 20_000], 2),
    ("regress-kwargs-deep-nesting", [*REGRESS, GOOD, "--kwargs", "dim=" + "-" * 5000 + "1"], 2),
    ("regress-kwargs-long-sum", [*REGRESS, GOOD, "--kwargs", "dim=1" + "+1" * 4000], 2),
    ("regress-kwargs-unhashable-key", [*REGRESS, GOOD, "--kwargs", "dim={[1]: 2}"], 2),
    # regress: --config
    ("regress-config-missing", [*REGRESS, "--config", "{tmp}/none.toml"], 2),
    ("regress-config-directory", [*REGRESS, "--config", "{tmp}"], CLICK),
    ("regress-config-not-toml", [*REGRESS, "--config", "{tmp}/garbage.toml"], 2),
    ("regress-config-targets-not-a-list", [*REGRESS, "--config", "{tmp}/targets5.toml"], 2),
    ("regress-config-empty", [*REGRESS, "--config", "/dev/null"], 2),
    ("regress-config-empty-path", [*REGRESS, "--config", ""], 2),
    # regress: options
    ("regress-pack-bogus", [*REGRESS, "--pack", "bogus"], 2),  # packs: an entry-point group
    ("regress-pack-and-targets", [*REGRESS, "--pack", "torch", GOOD], 2),
    ("regress-pack-bad-dtype", [*REGRESS, "--pack", "torch", "--dtype", "fp8"], 2),
    ("regress-dtype-fp8", [*REGRESS, GOOD, "--dtype", "fp8"], 2),
    ("regress-device-tpu", [*REGRESS, GOOD, "--device", "tpu"], CLICK),
    ("regress-seed-negative", [*REGRESS, GOOD, "--seed", "-1"], CLICK),
    ("regress-examples-zero", [*REGRESS, GOOD, "--examples", "0"], CLICK),
    ("regress-time-budget-nan", [*REGRESS, GOOD, "--time-budget", "nan"], 2),
    ("regress-time-budget-inf", [*REGRESS, GOOD, "--time-budget", "inf"], CLICK),
    ("regress-target-budget-zero", [*REGRESS, GOOD, "--target-budget", "0"], CLICK),
    ("regress-json-missing-folder", [*REGRESS, GOOD, "--json", "{tmp}/no/dir/r.json"], 2),
    ("regress-junit-directory", [*REGRESS, GOOD, "--junit", "{tmp}"], CLICK),
    ("regress-same-report-path", [*REGRESS, GOOD, "--json", "{tmp}/s", "--junit", "{tmp}/s"], 2),
    bug(
        "regress-target-budget-nan", [*REGRESS, GOOD, "--target-budget", "nan"], 2,
        "--target-budget nan passes click's FloatRange (NaN compares false) and "
        "silently disables the per-target budget: exit 0",
    ),
    bug(
        "regress-json-empty-path", [*REGRESS, GOOD, "--json", ""], 2,
        "regress --json '' is silently ignored: exit 0 and no report",
    ),
    # adapter='positional' with args=['nope']: an AdapterError, exit 2 (fixed)
    ("regress-positional-unknown-arg", [*REGRESS, "--config", "{tmp}/positional.toml"], 2),
    # adapter='module' with init={dim='$m'} (no argument m): an AdapterError, exit 2 (fixed)
    ("regress-module-unknown-size", [*REGRESS, "--config", "{tmp}/module.toml"], 2),
    # latex
    ("latex-results-missing", ["latex", "--results", "{tmp}/none.json"], CLICK),
    ("latex-results-directory", ["latex", "--results", "{tmp}"], CLICK),
    ("latex-unknown-section", ["latex", "--section", "bogus"], 2),
    ("latex-examples-zero", ["latex", "--examples", "0"], CLICK),
    ("latex-seed-abc", ["latex", "--seed", "abc"], CLICK),
    ("latex-output-is-a-file", ["latex", "--no-verify", "-o", "{file}"], CLICK),
    *[
        (f"latex-results-{name}", ["latex", "--no-verify", "--results", f"{{tmp}}/{name}.json",
                                   "-o", "{tmp}/out"], 2)
        for name in ["not-json", "a-list", "results-not-a-list", "results-of-non-objects",
        "empty", "deeply-nested", "not-utf8"]
    ],
    ("latex-results-dev-null", ["latex", "--no-verify", "--results", "/dev/null"], 2),
    *[
        (f"latex-sweeps-{name}", ["latex", "--no-verify", "--sweeps", f"{{tmp}}/{name}.json",
                                  "-o", "{tmp}/out"], 2)
        for name in ["not-json", "a-list", "results-not-a-list", "empty", "not-utf8"]
    ],
    bug(
        "latex-output-under-a-file",
        ["latex", "--no-verify", "--section", "activations", "-o", "{file}/sub"], 2,
        "latex -o under a regular file is 'internal error: NotADirectoryError' "
        "(exit 4): the output folder is never checked",
    ),
    bug(
        "latex-output-in-proc",
        ["latex", "--no-verify", "--section", "activations", "-o", "/proc/mathcheck-out"], 2,
        "latex -o /proc/x is 'internal error: FileNotFoundError' (exit 4)",
    ),
]

RESULTS_FILES = {
    "not-json": b"not json",
    "a-list": b"[1, 2, 3]",
    "results-not-a-list": b'{"results": 5}',
    "results-of-non-objects": b'{"results": [null, 1, "x"]}',
    "empty": b"",
    "deeply-nested": b"[" * 100_000,
    "not-utf8": b'{"results": ["\xff\xfe"]}',
}
CONFIG_FILES = {
    "garbage.toml": b"garbage \x00\xff[[[",
    "targets5.toml": b"[tool.mathcheck]\ntargets = 5\n",
    "positional.toml": b'[[tool.mathcheck.targets]]\ntarget = "tests.regress.hostile:good"\n'
    b'formula = "act.softmax"\nadapter = "positional"\nargs = ["nope"]\n',
    "module.toml": b'[[tool.mathcheck.targets]]\ntarget = "tests.regress.hostile:good"\n'
    b'formula = "act.softmax"\nadapter = "module"\ninit = { dim = "$m" }\n',
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("a regular file\n")
    os.mkfifo(tmp_path / "fifo")
    for name, data in RESULTS_FILES.items():
        (tmp_path / f"{name}.json").write_bytes(data)
    for name, data in CONFIG_FILES.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def _fill(args: list[str], tmp: Path) -> list[str]:
    return [
        a.replace("{tmpname}", tmp.name).replace("{tmp}", str(tmp))
        .replace("{file}", str(tmp / "file")).replace("{fifo}", str(tmp / "fifo"))
        for a in args
    ]


def _params():
    for name, args, expected, *reason in TABLE:
        marks = [defect(reason[0])] if reason else []
        yield pytest.param(args, expected, id=name, marks=marks)


@pytest.mark.parametrize(("args", "expected"), list(_params()))
def test_a_bad_invocation_is_one_clean_line_with_its_exit_code(args, expected, workspace):
    result = invoke(_fill(args, workspace))
    assert_clean_error(result, expected)
    assert result.elapsed < WITHIN
    # A usage error is found before any work: no verdict table, no report. A bad regress
    # target is the exception: it is its own "not checked" row while the others run.
    bad_target_row = _fill(args, workspace)[0] == "regress" and "not checked" in result.stderr
    assert "checks in" not in result.stdout
    assert "targets:" not in result.stdout or bad_target_row


def test_fp32_in_capitals_is_a_dtype():
    assert_verdict(invoke([*VERIFY, "--dtype", "FP32"]), 0)


def test_an_absent_cuda_is_a_usage_error_unless_skipped():
    from mathcheck.numeric import device_available

    if device_available("cuda")[0]:
        pytest.skip("needs a machine without CUDA")
    assert_clean_error(invoke([*VERIFY, "--device", "cuda"]), 2)
    assert_clean_error(invoke([*REGRESS, GOOD, "--device", "cuda"]), 2)
    assert_verdict(invoke([*VERIFY, "--device", "cuda", "--skip-missing-devices"]), 0)
    # Only an absent device asked for: nothing checked is exit 1, never a pass.
    assert_verdict(invoke([*REGRESS, GOOD, "--device", "cuda", "--skip-missing-devices"]), 1)


def test_kwargs_are_never_evaluated(tmp_path):
    """A --kwargs value that would run code stays a string: the target gets it (and fails)."""
    marker = tmp_path / "pwned"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    result = invoke([*REGRESS, GOOD, "--kwargs", f"dim={code}"])
    assert_verdict(result, 1)  # hostile.good takes no `dim`: a miss, not a usage error
    assert not marker.exists()


def test_regress_without_targets_or_pyproject_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_clean_error(invoke(REGRESS), 2)


def _python_m_mathcheck(*args: str, timeout: float):
    """`python -m mathcheck ...` in the repository root (as test_isolation runs it: the
    `mathcheck` script would not find `tests.*` targets, the root not being on its path)."""
    return subprocess.run(
        [sys.executable, "-m", "mathcheck", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["latex", "--no-verify", "--results", "{fifo}"], id="latex-results-fifo"),
        pytest.param(["regress", "--config", "{fifo}"], id="regress-config-fifo"),
    ],
)
@defect("a FIFO passed as an input file blocks forever on open() (click.Path(exists=True) "
        "accepts it; nothing checks for a regular file): a hang, not exit 2")
def test_a_fifo_as_an_input_file_is_refused_not_waited_on(args, workspace):
    try:
        run = _python_m_mathcheck(*_fill(args, workspace), timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail("hung reading a FIFO")
    assert run.returncode == 2 and run.stderr.startswith("mathcheck: "), run.stderr


# ------------------------------------------------------------------ (b) Hypothesis

def _not_big_number(text: str) -> bool:
    try:
        return abs(float(text)) <= 5
    except (ValueError, OverflowError):
        return True


# Hostile text: control characters, bidi marks, markup, lone surrogates (as a shell passes
# undecodable bytes), very long strings. NUL is left out of paths (see the xfail above).
TEXT = st.text(max_size=12)
HOSTILE = st.one_of(
    st.sampled_from([
        "", " ", "-", "--", "-1", "0", "nan", "inf", "-inf", "1e999", "abc", "None", "{}",
        "x" * 3000, "\x1b[31m", "[red]x[/red]", "[/]", "ä\u202eb", "\udcff", "%s%n", "\t\n",
    ]),
    TEXT,
)


def _values(*known: str, numeric: bool = False) -> st.SearchStrategy[str]:
    hostile = HOSTILE.filter(_not_big_number) if numeric else HOSTILE
    return st.one_of(st.sampled_from(known), hostile)


def _relative_path(text: str) -> bool:
    """Paths the fuzzer may write to: inside the isolated folder, never elsewhere."""
    return "\x00" not in text and not text.startswith(("/", "~")) and ".." not in text


PATHS = st.one_of(
    st.sampled_from(["r.json", "r.xml", "same.out", ".", "no/such/dir/r.json", "sub/"]),
    HOSTILE.filter(_relative_path),
)


def _option(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return values.map(lambda value: [name, value])


def _flatten(groups: list[list[str]]) -> list[str]:
    return [item for group in groups for item in group]


JUNK = st.sampled_from([["--bogus"], ["-x"], ["extra"], ["--"], ["--help"], ["-h"]])

VERIFY_OPTIONS = st.one_of(
    _option("--formula", _values("act.relu", "act.sigmoid", "nope", "", "zz*", "act.relu*")
            .filter(lambda v: not v.endswith("*") or v in ("zz*", "act.relu*"))),
    _option("--section", _values("activations", "4", "losses", "nonsense", "", "a", "99")),
    _option("--dtype", _values("fp32", "FP32", "fp16", "bf16", "fp64", "fp8", "float128",
                               "float", "int8", "")),
    _option("--device", _values("cpu", "cuda", "tpu", "", "CPU")),
    _option("--backend", _values("numpy", "torch", "jax", "")),
    _option("--seed", _values("0", "7", "-1", str(2**32 - 1), str(2**32), str(2**40), "1.5",
                              "abc", "")),
    _option("--examples", _values("1", "2", "0", "-3", "1e9", "abc", "", numeric=True)),
    _option("--time-budget", _values("5", "0.5", "0.1", "0.05", "-1", "0", "nan", "inf", "abc",
                                     "", numeric=True)),
    _option("--profile", _values("quick", "ci", "deep", "bogus", "")),
    _option("--json", PATHS),
    _option("--junit", PATHS),
    st.just(["--skip-missing-devices"]),
    st.just(["--no-errata"]),
    JUNK,
)
#: Valid options only (cheap ones: act.relu or act.sigmoid, 1-2 examples), so that most
#: fuzzed runs get past parsing and do work, with at most one hostile option mixed in.
VALID_VERIFY_OPTIONS = st.one_of(
    _option("--formula", st.sampled_from(["act.relu", "act.sigmoid"])),
    _option("--section", st.sampled_from(["activations", "4", "act"])),
    _option("--dtype", st.sampled_from(["fp32", "FP32", "fp16", "bf16", "fp64", "float", "half"])),
    _option("--device", st.sampled_from(["cpu"])),
    _option("--backend", st.sampled_from(["numpy", "torch"])),
    _option("--seed", st.sampled_from(["0", "7", str(2**32 - 1)])),
    _option("--examples", st.sampled_from(["1", "2"])),
    _option("--time-budget", st.sampled_from(["5", "0.5", "0.1", "86400"])),
    _option("--profile", st.sampled_from(["quick", "ci", "deep"])),
    _option("--json", st.sampled_from(["r.json", "a b.json", "ü.json", "same.out"])),
    _option("--junit", st.sampled_from(["r.xml", "a b.xml", "ü.xml", "same.out"])),
    st.just(["--skip-missing-devices"]),
    st.just(["--no-errata"]),
)
MOSTLY_VALID_VERIFY = st.tuples(
    st.lists(VALID_VERIFY_OPTIONS, max_size=4), st.lists(VERIFY_OPTIONS, max_size=1)
).flatmap(lambda parts: st.permutations(parts[0] + parts[1])).map(_flatten)
LIST_OPTIONS = st.one_of(
    _option("--section", _values("activations", "4", "17", "losses", "nonsense", "", "a", "0")),
    st.just(["--ids"]),
    JUNK,
)
SHOW_IDS = _values("act.relu", "act.softmax", "loss.mse", "act.softmx", "", "act.*", "show")


FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def assert_sane(result, args: list[str]) -> None:
    """The fuzzing oracle: finished, exit 0/1/2, no traceback, errors one line."""
    shown = repr(args)[:500]
    assert_no_traceback(result)
    assert result.exit_code in (0, 1, 2), f"exit {result.exit_code} for {shown}:\n{result.output}"
    assert result.elapsed < WITHIN, f"{result.elapsed:.0f} s for {shown}"
    if result.exit_code == 2 and not is_click_usage_error(result):
        lines = stderr_lines(result)
        assert len(lines) == 1 and lines[0].startswith("mathcheck: "), f"{shown}:\n{result.stderr}"


@FUZZ
@seed(0)
@given(st.lists(LIST_OPTIONS, max_size=4).map(_flatten))
def test_fuzz_list(options):
    args = ["list", *options]
    assert_sane(invoke(args), args)


@FUZZ
@seed(0)
@given(SHOW_IDS, st.lists(JUNK, max_size=2).map(_flatten))
def test_fuzz_show(formula_id, junk):
    args = ["show", formula_id, *junk]
    assert_sane(invoke(args), args)


def _verify_in_a_fresh_folder(options: list[str]) -> None:
    args = [*VERIFY, *options]  # the fuzzed options come last: they override or add
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:  # report paths land in a fresh folder
        os.chdir(folder)
        try:
            result = invoke(args)
        finally:
            os.chdir(here)
    assert_sane(result, args)


@FUZZ
@seed(0)
@given(st.lists(VERIFY_OPTIONS, max_size=5).map(_flatten))
def test_fuzz_verify(options):
    _verify_in_a_fresh_folder(options)


@FUZZ
@seed(0)
@given(MOSTLY_VALID_VERIFY)
def test_fuzz_verify_mostly_valid(options):
    _verify_in_a_fresh_folder(options)


# ------------------------------------------------------------------ hostile code, end to end

def test_regress_over_targets_that_exit_and_return_nonsense_is_exit_3_without_traceback():
    run = _python_m_mathcheck(
        "regress", "tests.regress.hostile:calls_sys_exit=act.softmax",
        "tests.regress.hostile:returns_string=act.softmax",
        "tests.regress.hostile:good=act.softmax",
        "--dtype", "fp32", "--examples", "2", "--time-budget", "5", timeout=120,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "mathcheck:" not in run.stderr, run.stderr
    assert "1 pass" in run.stdout and "1 fail" in run.stdout and "1 crashed" in run.stdout


@defect("targets share one warm worker and nothing is reset between them: a target that "
        "patches torch.softmax makes the next, correct target fail")
def test_one_target_cannot_change_the_verdict_of_the_next():
    run = _python_m_mathcheck(
        "regress", "tests.cli.test_fuzz:patches_torch=act.softmax",
        "tests.regress.hostile:good=act.softmax",
        "--dtype", "fp32", "--examples", "2", "--time-budget", "5", timeout=120,
    )
    assert "Traceback" not in run.stdout + run.stderr
    rows = [line for line in run.stdout.splitlines() if "hostile:good" in line]
    assert rows and "pass" in rows[0], run.stdout


@defect("code under test that closes the worker's socket makes the worker print its own "
        "Python traceback (OSError: Bad file descriptor in _serve) to the user's stderr")
def test_a_target_that_closes_the_workers_descriptors_leaves_no_traceback():
    run = _python_m_mathcheck(
        "regress", "tests.cli.test_fuzz:closes_descriptors=act.softmax",
        "--dtype", "fp32", "--examples", "2", "--time-budget", "5", timeout=120,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr, run.stderr


# ------------------------------------------------------------------ the API's edges

def _python(code: str, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )


API_OPTIONS = "dict(examples=2, dtypes=['float32'], gradients=False, time_budget=3.0)"


@defect("check(time_budget=2**70) raises OverflowError after the request was sent; the worker "
        "answers anyway and every later check() in the process gets the previous one's verdict")
def test_a_huge_time_budget_is_a_usage_error_and_the_next_check_gets_its_own_verdict():
    run = _python(f"""
        import mathcheck
        from mathcheck.errors import MathcheckError
        from tests.regress import hostile
        O = {API_OPTIONS}
        try:
            mathcheck.check("act.softmax", hostile.good, **{{**O, "time_budget": 2**70}})
            print("huge budget: accepted")
        except MathcheckError:
            print("huge budget: usage error")
        except Exception as exc:
            print("huge budget:", type(exc).__name__)
        print("next:", mathcheck.check("act.softmax", hostile.returns_none, **O).verdict)
    """)
    assert "huge budget: usage error" in run.stdout, run.stdout + run.stderr
    assert "next: fail" in run.stdout, run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr


@defect("Ctrl-C (or pytest-timeout) during check() leaves the worker running the old check; "
        "the next check() reads that stale reply: a correct implementation is reported with the "
        "previous one's verdict")
def test_after_an_interrupted_check_the_next_check_gets_its_own_verdict():
    run = _python(f"""
        import _thread, threading, mathcheck
        from tests.regress import hostile
        O = {API_OPTIONS}
        mathcheck.check("act.softmax", hostile.good, **O)  # the worker is warm
        threading.Timer(1.0, _thread.interrupt_main).start()
        try:
            mathcheck.check("act.softmax", hostile.python_hang, **O)
        except KeyboardInterrupt:
            print("interrupted")
        print("next:", mathcheck.check("act.softmax", hostile.returns_none, **O).verdict)
        print("then:", mathcheck.check("act.softmax", hostile.good, **O).verdict)
    """)
    assert "interrupted" in run.stdout, run.stdout + run.stderr
    assert "next: fail" in run.stdout and "then: pass" in run.stdout, run.stdout + run.stderr


def test_a_wrong_parameter_value_is_a_usage_error_in_one_line():
    import mathcheck
    from mathcheck.errors import MathcheckError
    from tests.regress import hostile

    options = {"examples": 2, "dtypes": ["float32"], "gradients": False, "time_budget": 3.0}
    for bad in (
        {"dtypes": "float32"}, {"dtypes": [5]}, {"dtypes": []}, {"devices": ["tpu"]},
        {"backend": "jax"}, {"seed": -1}, {"seed": 2**40}, {"examples": 0}, {"examples": 1.5},
        {"time_budget": float("nan")}, {"time_budget": float("inf")}, {"target_budget": -1},
        {"sizes": {"zz": (1, 2)}}, {"params": {"zz": 1.0}},
    ):
        with pytest.raises(MathcheckError) as caught:
            mathcheck.check("act.softmax", hostile.good, **{**options, **bad})
        assert "\n" not in str(caught.value), bad
    with pytest.raises(MathcheckError, match="not callable"):
        mathcheck.check("act.softmax", "not a function", **options)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"formula_id": None}, id="formula-id-None"),
        pytest.param({"formula_id": 5}, id="formula-id-int"),
        pytest.param({"formula_id": ["act.softmax"]}, id="formula-id-list"),
        pytest.param({"sizes": 5}, id="sizes-int"),
        pytest.param({"params": 5}, id="params-int"),
    ],
)
@defect("a formula_id, sizes or params of the wrong type escapes as a raw TypeError or "
        "AttributeError from mathcheck's internals (difflib, dict(...)), e.g. 'NoneType' object "
        "is not iterable, not an InvalidInputError")
def test_a_wrong_parameter_type_is_a_usage_error(bad):
    import mathcheck
    from mathcheck.errors import MathcheckError
    from tests.regress import hostile

    formula_id = bad.pop("formula_id", "act.softmax")
    with pytest.raises(MathcheckError):
        mathcheck.check(formula_id, hostile.good, examples=2, dtypes=["float32"],
                        gradients=False, time_budget=3.0, **bad)


@pytest.mark.parametrize(
    "sizes",
    [
        pytest.param({"n": (5, 1)}, id="min-above-max"),
        pytest.param({"n": (-1, 3)}, id="negative"),
        pytest.param({"n": 3}, id="not-a-range"),
        pytest.param({"n": ("a", "b")}, id="not-integers"),
    ],
)
@defect("sizes are not validated: a range with min > max, a negative size, a bare int or "
        "strings reach the checks and come back as the implementation's 'fail' (exit 1), "
        "e.g. 'no inputs could be generated' or 'cannot unpack non-iterable int object'")
def test_a_bad_size_range_is_a_usage_error(sizes):
    import mathcheck
    from mathcheck.errors import MathcheckError
    from tests.regress import hostile

    with pytest.raises(MathcheckError):
        result = mathcheck.check("act.softmax", hostile.good, sizes=sizes, examples=2,
                                 dtypes=["float32"], gradients=False, time_budget=3.0)
        pytest.fail(f"a verdict instead of a usage error: {result.verdict}: {result.reason}")


def test_a_non_callable_adapter_is_a_usage_error():
    import mathcheck
    from mathcheck.errors import InvalidInputError
    from tests.regress import hostile

    with pytest.raises(InvalidInputError):
        mathcheck.check("act.softmax", hostile.good, adapter=5, examples=2,
                        dtypes=["float32"], gradients=False, time_budget=3.0)


# ------------------------------------------------------------------ targets for the runs above
# Imported by name in a `python -m mathcheck regress` worker, never called in this process.

def patches_torch(z):
    import torch

    torch.softmax = lambda *args, **kwargs: None  # a global change that outlives this call
    return torch.nn.functional.softmax(z, dim=-1)


def closes_descriptors(z):
    for fd in range(3, 256):
        try:
            os.close(fd)
        except OSError:
            pass
    return z

