"""Bulk screening finds what 20 random inputs miss; only the oracle's figures are reported."""

from __future__ import annotations

import numpy as np

from mathcheck.crosscheck import RunOptions, verify_entry
from mathcheck.formulas import get
from mathcheck.numeric.numpy_forms.activations import sigmoid

FP64 = RunOptions(backends=("numpy",), dtypes=("float64",), devices=("cpu",))


def agreement(results):
    (result,) = [r for r in results if r.kind == "agreement" and r.status != "skipped"]
    return result


def sigmoid_four_ulps_off_in_a_narrow_band(x: np.ndarray) -> np.ndarray:
    """Right everywhere except x in [2, 2.5), where it is 4 ulps high: a planted bug."""
    y = sigmoid(x)
    band = (x >= 2.0) & (x < 2.5)
    return np.where(band, y * (1 + 4 * np.finfo(np.float64).eps), y)


def test_the_screen_finds_a_planted_four_ulp_error_in_float64():
    result = agreement(verify_entry(get("act.sigmoid"), FP64,
                                    numpy=sigmoid_four_ulps_off_in_a_narrow_band))
    assert result.status == "failed", result.detail
    assert result.error is not None and result.error >= 3.5
    assert "x=[2." in (result.worst_input or "")


def test_the_same_band_passes_twenty_hypothesis_style_samples():
    """Why bulk screening: with 20 inputs the band is missed (a control for the test above)."""
    twenty = RunOptions(backends=("numpy",), dtypes=("float64",), devices=("cpu",), inputs=20)
    result = agreement(verify_entry(get("act.sigmoid"), twenty,
                                    numpy=sigmoid_four_ulps_off_in_a_narrow_band))
    assert result.status == "passed"


def test_the_correct_form_passes_and_says_how_many_inputs_and_how():
    result = agreement(verify_entry(get("act.sigmoid"), FP64))
    assert result.status == "passed"
    assert result.extra["inputs"] >= 10_000 and result.extra["search"] == "screened"
    assert result.extra["confirmed"] >= 8


def test_a_wrong_screen_cannot_fail_a_right_form_or_produce_a_figure(monkeypatch):
    """The screen only chooses: told every value is off, the oracle clears them all."""
    from mathcheck.numeric import _screen

    real_call = _screen.Screen.__call__

    def lying(self, arrays, values=None):
        hi, lo = real_call(self, arrays, values)
        return hi * 1.5 + 1.0, lo

    monkeypatch.setattr(_screen.Screen, "__call__", lying)
    result = agreement(verify_entry(get("act.sigmoid"), FP64))
    assert result.status == "passed"
    assert result.error is not None and result.error <= result.budget  # the oracle's figure
    assert result.extra["confirmed"] == 256 and result.extra["flagged_unmeasured"] > 0


def test_bf16_one_input_entries_are_checked_on_every_value():
    options = RunOptions(backends=("torch",), dtypes=("bfloat16",), devices=("cpu",))
    result = agreement(verify_entry(get("act.gelu"), options))
    assert result.status == "passed"
    assert result.extra["search"] == "exhaustive"


def test_a_form_that_breaks_on_batches_fails_though_each_input_alone_passes():
    """A dropped keepdims broadcasts only with one row: the selftest's survivor, now killed."""

    def log_softmax_without_keepdims(z):
        shifted = z - z.max(axis=-1)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    result = agreement(verify_entry(get("act.log_softmax"), FP64,
                                    numpy=log_softmax_without_keepdims))
    assert result.status == "failed" and "batch dimensions mishandled" in result.detail


FP16_NUMPY = RunOptions(backends=("numpy",), dtypes=("float16",), devices=("cpu",))


def test_exhaustive_checks_fail_a_swallowed_nan_and_a_wrong_limit_but_report_nan_at_infinity():
    from mathcheck.numeric.numpy_forms.activations import gelu, relu

    def relu_hiding_nan(x):
        return np.where(x > 0, x, np.zeros_like(x))  # NaN > 0 is False: NaN becomes 0

    def gelu_wrong_at_minus_infinity(x):
        return np.where(x == -np.inf, np.float16(1.0), gelu(x))

    def gelu_nan_at_minus_infinity(x):
        return np.where(x == -np.inf, np.float16(np.nan), gelu(x))

    hidden = agreement(verify_entry(get("act.relu"), FP16_NUMPY, numpy=relu_hiding_nan))
    assert hidden.status == "failed" and "x=nan" in hidden.detail
    wrong = agreement(verify_entry(get("act.gelu"), FP16_NUMPY,
                                   numpy=gelu_wrong_at_minus_infinity))
    assert wrong.status == "failed" and "the limit" in wrong.detail
    convention = agreement(verify_entry(get("act.gelu"), FP16_NUMPY,
                                        numpy=gelu_nan_at_minus_infinity))
    assert convention.status == "passed" and "NaN at x=-inf" in convention.detail
    assert agreement(verify_entry(get("act.gelu"), FP16_NUMPY, numpy=gelu)).extra["inputs"] == 65536
    assert agreement(verify_entry(get("act.relu"), FP16_NUMPY, numpy=relu)).status == "passed"


def _l2_norm_mixing_rows(a):
    """The catalog's l2_norm with keepdims dropped: each row is scaled by row 0's norm (the
    selftest's survivor: every row alone is right, so only its batch value shows it)."""
    from mathcheck.numeric.numpy_forms import linalg

    e = linalg._pow2_scale(a)
    s = np.sqrt(np.sum(np.ldexp(a, -e) ** 2, axis=-1))
    return np.ldexp(s, e)[..., 0].astype(a.dtype, copy=False)


def _l2_norm_wrong_squeeze(a):
    """Squeezes axis −2: a no-op for a batch, so the output is (rows, 1), right for one row."""
    from mathcheck.numeric.numpy_forms import linalg

    norms = linalg.l2_norm(a)[..., None]
    return norms.squeeze(-2) if norms.shape[-2] == 1 else norms


def test_the_oracle_judges_the_value_a_form_gave_in_its_batch():
    result = agreement(verify_entry(get("linalg.l2_norm"), FP64, numpy=_l2_norm_mixing_rows))
    assert result.status == "failed"
    # the reported error is the batch's, the one that failed (the row alone may pass)
    assert result.error > result.budget, (result.error, result.budget, result.detail)
    right = agreement(verify_entry(get("linalg.l2_norm"), FP64))
    assert right.status == "passed"


def test_an_output_shaped_unlike_the_batch_fails_though_one_row_is_right():
    result = agreement(verify_entry(get("linalg.l2_norm"), FP64, numpy=_l2_norm_wrong_squeeze))
    assert result.status == "failed" and "batch dimensions mishandled" in result.detail
