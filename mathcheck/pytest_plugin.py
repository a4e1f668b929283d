"""pytest plugin (registered by the `pytest11` entry point): one-line regression tests.

    def test_my_softmax(mathcheck):
        mathcheck.assert_matches("act.softmax", my_softmax)

    @pytest.mark.mathcheck("act.gelu", allow_variants=["tanh"], dtypes=["float32"])
    def test_my_gelu():
        return my_gelu          # the test returns the implementation; the marker checks it

A failure prints the verdict, the worst error per dtype and device, the variant matched (if
any) and the minimal counterexample, at the test's own line: mathcheck's frames are hidden
(`__tracebackhide__`). Options: --mathcheck-device (cpu or cuda; an absent device is a usage
error unless --mathcheck-skip-missing-devices), --mathcheck-examples. The implementation runs
in mathcheck's worker process, so a hang or crash in it fails the test with its verdict
instead of ending the session; no SIGALRM is used (pytest-timeout keeps its timer).
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

MARKER = (
    "mathcheck(formula_id, allow_variants=(), **check_options): the test returns an "
    "implementation; check it against the catalog entry formula_id (mathcheck.assert_matches)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mathcheck")
    group.addoption("--mathcheck-device", action="append", default=None,
                    choices=("cpu", "cuda"),
                    help="device(s) for mathcheck regression checks (default: cpu)")
    group.addoption("--mathcheck-skip-missing-devices", action="store_true", default=False,
                    help="check on the devices present instead of failing on an absent one")
    group.addoption("--mathcheck-examples", type=int, default=20,
                    help="generated examples per mathcheck check (default 20)")


def pytest_configure(config: pytest.Config) -> None:
    """Bad options are a usage error of the whole session, before any test runs."""
    config.addinivalue_line("markers", MARKER)
    examples = config.getoption("--mathcheck-examples", default=20)
    if examples is not None and examples < 1:
        raise pytest.UsageError(f"--mathcheck-examples must be at least 1, got {examples}")


class MathcheckFixture:
    """`check` and `assert_matches` with the session's device and effort as defaults."""

    def __init__(self, devices: tuple[str, ...], examples: int, skip_missing: bool) -> None:
        self.defaults: dict[str, Any] = {
            "devices": devices,
            "examples": examples,
            "skip_missing_devices": skip_missing,
        }

    def check(self, formula_id: str, impl: Any, **options: Any) -> Any:
        """`mathcheck.check` with the session's defaults: the result, never an exception for
        a miss (a usage error still raises)."""
        from mathcheck.regress import check

        __tracebackhide__ = True
        try:
            return check(formula_id, impl, **{**self.defaults, **options})
        except Exception as exc:  # raised again from here: the test's line, not ours
            raise exc.with_traceback(None) from None

    def assert_matches(self, formula_id: str, impl: Any, **options: Any) -> Any:
        """`mathcheck.assert_matches` with the session's defaults: the AssertionError carries
        the verdict, the worst errors and the counterexample."""
        from mathcheck.regress import assert_matches

        __tracebackhide__ = True
        try:
            return assert_matches(formula_id, impl, **{**self.defaults, **options})
        except Exception as exc:  # raised again from here: the test's line, not ours
            raise exc.with_traceback(None) from None


def _fixture(config: pytest.Config) -> MathcheckFixture:
    return MathcheckFixture(
        tuple(config.getoption("--mathcheck-device") or ("cpu",)),
        config.getoption("--mathcheck-examples"),
        config.getoption("--mathcheck-skip-missing-devices"),
    )


@pytest.fixture
def mathcheck(request: pytest.FixtureRequest) -> MathcheckFixture:
    """Regression-test an implementation against mathcheck's catalog:
    `mathcheck.assert_matches("act.softmax", my_softmax, allow_variants=[...], **options)`
    fails the test with the verdict, the worst ulps and a minimal counterexample;
    `mathcheck.check(...)` returns the result instead. Defaults come from --mathcheck-device,
    --mathcheck-examples and --mathcheck-skip-missing-devices."""
    return _fixture(request.config)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """`@pytest.mark.mathcheck(ID, ...)`: call the test, then check what it returned."""
    marker = pyfuncitem.get_closest_marker("mathcheck")
    if marker is None:
        return None
    name = pyfuncitem.name
    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        pytest.fail(f"{name}: write @pytest.mark.mathcheck(FORMULA_ID, **options), "
                    f"got args {marker.args!r}", pytrace=False)
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        pytest.fail(f"{name}: @pytest.mark.mathcheck needs a plain (not async) test that "
                    "returns the implementation", pytrace=False)
    names = pyfuncitem._fixtureinfo.argnames  # what pytest's own pyfunc_call passes
    impl = pyfuncitem.obj(**{arg: pyfuncitem.funcargs[arg] for arg in names})
    if not callable(impl):
        pytest.fail(f"{name}: a test marked @pytest.mark.mathcheck({marker.args[0]!r}) must "
                    f"return the implementation to check (a callable); it returned "
                    f"{type(impl).__name__} {_short(impl)}", pytrace=False)
    from mathcheck.errors import MathcheckError

    failure = None
    try:
        _fixture(pyfuncitem.config).assert_matches(marker.args[0], impl, **marker.kwargs)
    except (AssertionError, MathcheckError) as exc:
        failure = str(exc)
    if failure is not None:  # outside the handler: no "during handling" chain is printed
        pytest.fail(failure, pytrace=False)
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
