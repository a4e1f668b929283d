"""Section 15 · Model-specific: forms against NumPy/torch references; the checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mathcheck.numeric.checks import models as checks
from mathcheck.numeric.numpy_forms import models as np_forms
from mathcheck.numeric.torch_forms import models as torch_forms
from mathcheck.outcome import CheckContext

CTX = CheckContext("torch", "float64", "cpu", 0, 20)
RNG = np.random.default_rng(2)


def test_convolution_matches_np_convolve_batched():
    f, g = RNG.normal(size=(3, 7)), RNG.normal(size=(3, 4))
    expected = np.stack([np.convolve(a, b) for a, b in zip(f, g, strict=True)])
    np.testing.assert_allclose(np_forms.convolution(f, g), expected, rtol=1e-13)
    np.testing.assert_allclose(
        torch_forms.convolution(torch.from_numpy(f), torch.from_numpy(g)).numpy(),
        expected,
        rtol=1e-13,
    )


def test_convolution_preserves_dtype():
    f = torch.ones(5, dtype=torch.bfloat16)
    assert torch_forms.convolution(f, f[:2]).dtype == torch.bfloat16


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "expected"),
    [(32, 3, 1, 1, 32), (224, 7, 3, 2, 112), (5, 3, 0, 2, 2), (10, 4, 0, 3, 3)],
)
def test_output_size_known_values(n, k, p, s, expected):
    assert np_forms.output_size(np.float64(n), k, p, s) == expected
    args = (torch.tensor(float(v)) for v in (n, k, p, s))
    assert float(torch_forms.output_size(*args)) == expected


def test_rnn_step_matches_rnncell():
    cell = torch.nn.RNNCell(3, 4).double()
    x, h = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64)
    ours = torch_forms.rnn_step(h, x, cell.weight_hh, cell.weight_ih, cell.bias_ih + cell.bias_hh)
    torch.testing.assert_close(ours, cell(x, h))
    np.testing.assert_allclose(
        np_forms.rnn_step(
            h.numpy(),
            x.numpy(),
            cell.weight_hh.detach().numpy(),
            cell.weight_ih.detach().numpy(),
            (cell.bias_ih + cell.bias_hh).detach().numpy(),
        ),
        ours.detach().numpy(),
        rtol=1e-13,
    )


def test_lstm_numpy_equals_torch():
    x, h, c = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 4)), RNG.normal(size=(2, 4))
    W, b = RNG.normal(size=(16, 7)), RNG.normal(size=16)
    ours = np_forms.lstm_cell(x, h, c, W, b)
    assert ours.shape == (2, 8)
    theirs = torch_forms.lstm_cell(*(torch.from_numpy(v) for v in (x, h, c, W, b))).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)


def test_gcn_on_a_path_graph():
    A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    H, W = np.eye(3), np.eye(3)
    d = np.array([2, 3, 2.0])
    expected = (A + np.eye(3)) / np.sqrt(np.outer(d, d))
    np.testing.assert_allclose(np_forms.gcn_layer(A, H, W), expected, rtol=1e-15)
    np.testing.assert_allclose(
        torch_forms.gcn_layer(*(torch.from_numpy(v) for v in (A, H, W))).numpy(),
        expected,
        rtol=1e-15,
    )


def test_conv_layer_is_cross_correlation():
    x = torch.tensor([[[0.0, 1.0, 2.0, 3.0]]])
    w = torch.tensor([[[1.0, 0.0, -1.0]]])
    assert F.conv1d(x, w).flatten().tolist() == [-2.0, -2.0]  # Σ x(t + j) w(j)
    assert torch_forms.convolution(x.flatten(), w.flatten())[2:4].tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    "name",
    [
        "conv_layers_cross_correlate",
        "output_size_vs_torch",
        "rnn_vs_torch",
        "lstm_vs_torch",
        "gcn_message_passing",
        "gcn_normalisation",
    ],
)
def test_checks_pass(name):
    outcome = getattr(checks, name)(CTX)
    assert outcome.status == "passed", outcome.detail
