"""The pytest plugin: a user's regression test is one line."""

from __future__ import annotations

pytest_plugins = ["pytester"]


def test_plugin_fixture_passes_and_fails_with_counterexample(pytester):
    pytester.makepyfile(
        """
        import torch

        def test_good(mathcheck):
            mathcheck.assert_matches("act.softmax", lambda z: torch.softmax(z, -1),
                                     examples=5, dtypes=["float32"], gradients=False)

        def test_bad(mathcheck):
            def naive(z):
                return torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)

            mathcheck.assert_matches("act.softmax", naive, examples=5, dtypes=["float64"],
                                     gradients=False)
        """
    )
    # A subprocess: an in-process run would unload and re-import SymPy under our feet.
    result = pytester.runpytest_subprocess("-q")  # the plugin loads through its entry point
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*act.softmax: fail*", "*reproduce(*"])


def test_plugin_refuses_an_unknown_device_before_any_test(pytester):
    pytester.makepyfile(
        """
        def test_never_runs(mathcheck):
            raise AssertionError("ran")
        """
    )
    result = pytester.runpytest_subprocess("-q", "--mathcheck-device", "tpu")
    assert result.ret == 4  # pytest's usage error
    assert "invalid choice: 'tpu'" in result.stderr.str()
    assert "ran" not in result.stdout.str()


def test_a_failure_shows_the_users_line_not_mathcheck_frames(pytester):
    pytester.makepyfile(
        """
        import torch

        def test_bad(mathcheck):
            def naive(z):
                return torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)

            mathcheck.assert_matches("act.softmax", naive, examples=3, inputs=200,
                                     dtypes=["float64"], gradients=False)  # the user's line
        """
    )
    result = pytester.runpytest_subprocess("-q", "--tb=long")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "the user's line" in out and "act.softmax: fail" in out
    assert "mathcheck/regress" not in out and "pytest_plugin.py" not in out, out


def test_the_fixture_is_documented_in_pytest_fixtures(pytester):
    pytester.makepyfile("def test_nothing(): pass\n")
    result = pytester.runpytest_subprocess("--fixtures")
    result.stdout.fnmatch_lines(["mathcheck*", "*Regression-test an implementation*"])


def test_the_marker_checks_what_the_test_returns(pytester):
    pytester.makepyfile(
        """
        import pytest
        import torch

        QUICK = dict(examples=3, inputs=200, dtypes=["float64"], gradients=False)

        @pytest.mark.mathcheck("act.softmax", **QUICK)
        def test_good():
            return lambda z: torch.softmax(z, -1)

        @pytest.mark.mathcheck("act.softmax", **QUICK)
        def test_bad():
            return lambda z: torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)

        @pytest.mark.mathcheck("act.gelu", allow_variants=["tanh"], **QUICK)
        def test_allowed_variant():
            return lambda x: torch.nn.functional.gelu(x, approximate="tanh")

        @pytest.mark.mathcheck("act.softmax", **QUICK)
        def test_returns_nothing():
            torch.softmax(torch.zeros(2), -1)

        @pytest.mark.mathcheck("act.sofmax", **QUICK)
        def test_unknown_id():
            return torch.tanh
        """
    )
    result = pytester.runpytest_subprocess("-q", "--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=3)
    out = result.stdout.str()
    assert "act.softmax: fail" in out
    assert "must return the implementation to check (a callable); it returned NoneType" in out
    assert "did you mean act.softmax" in out
    assert "mathcheck/regress" not in out and "Traceback" not in out, out
    assert "During handling" not in out, out
