"""pytest plugin (registered by the `pytest11` entry point): one-line regression tests.

    def test_my_softmax(mathcheck):
        mathcheck.assert_matches("act.softmax", my_softmax)

A failure prints the verdict, the worst error per dtype and device, the variant matched (if
any) and the minimal counterexample. Options: --mathcheck-device, --mathcheck-examples.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mathcheck")
    group.addoption("--mathcheck-device", action="append", default=None,
                    help="device(s) for mathcheck regression checks (default: cpu)")
    group.addoption("--mathcheck-examples", type=int, default=20,
                    help="generated examples per mathcheck check (default 20)")


class MathcheckFixture:
    """`check` and `assert_matches` with the session's device and effort as defaults."""

    def __init__(self, devices: tuple[str, ...], examples: int) -> None:
        self.defaults: dict[str, Any] = {"devices": devices, "examples": examples}

    def check(self, formula_id: str, impl: Any, **options: Any) -> Any:
        from mathcheck.regress import check

        return check(formula_id, impl, **{**self.defaults, **options})

    def assert_matches(self, formula_id: str, impl: Any, **options: Any) -> Any:
        from mathcheck.regress import assert_matches

        __tracebackhide__ = True
        return assert_matches(formula_id, impl, **{**self.defaults, **options})


@pytest.fixture
def mathcheck(request: pytest.FixtureRequest) -> MathcheckFixture:
    devices = tuple(request.config.getoption("--mathcheck-device") or ("cpu",))
    return MathcheckFixture(devices, request.config.getoption("--mathcheck-examples"))
