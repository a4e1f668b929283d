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
