"""pytest plugin (registered by the `pytest11` entry point): one-line regression tests.

    def test_my_softmax(mathcheck):
        mathcheck.assert_matches("act.softmax", my_softmax)

A failure prints the verdict, the worst error per dtype and device, the variant matched (if
any) and the minimal counterexample. Options: --mathcheck-device (cpu or cuda; an absent
device is a usage error unless --mathcheck-skip-missing-devices), --mathcheck-examples.
The implementation runs in mathcheck's worker process, so a hang or crash in it fails the
test with its verdict instead of ending the session; no SIGALRM is used (pytest-timeout
keeps its timer).
"""

from __future__ import annotations

from typing import Any

import pytest


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
        from mathcheck.regress import check

        return check(formula_id, impl, **{**self.defaults, **options})

    def assert_matches(self, formula_id: str, impl: Any, **options: Any) -> Any:
        from mathcheck.regress import assert_matches

        __tracebackhide__ = True
        return assert_matches(formula_id, impl, **{**self.defaults, **options})


@pytest.fixture
def mathcheck(request: pytest.FixtureRequest) -> MathcheckFixture:
    """`check` and `assert_matches` with this session's --mathcheck-* options as defaults."""
    config = request.config
    devices = tuple(config.getoption("--mathcheck-device") or ("cpu",))
    return MathcheckFixture(
        devices,
        config.getoption("--mathcheck-examples"),
        config.getoption("--mathcheck-skip-missing-devices"),
    )
