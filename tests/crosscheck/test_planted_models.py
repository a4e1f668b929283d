"""Section 15 · Model-specific: deliberately wrong implementations the engine must reject
(agreement, identity, gradient); the catalog's forms pass the same claims."""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
import torch
import torch.nn.functional as F

from mathcheck.formulas import Identity, get
from mathcheck.numeric.numpy_forms import models as np_forms
from mathcheck.numeric.torch_forms import models as torch_forms
from mathcheck.symbolic import Equation, vector
from mathcheck.symbolic import models as sym
from tests.crosscheck.planted import NUMPY, TORCH, only, run, statuses


def cross_correlation_torch(f, g):
    """What nn.Conv1d computes (no kernel flip), padded to the full length."""
    k = g.shape[-1]
    return (F.pad(f, (k - 1, k - 1)).unfold(-1, k, 1) * g[..., None, :]).sum(dim=-1)


def test_agreement_rejects_cross_correlation_as_convolution():
    entry = only("cnn.convolution", "agreement")
    assert statuses(run(entry, TORCH)) == {"passed"}
    assert statuses(run(entry, TORCH, torch=cross_correlation_torch)) == {"failed"}


def lstm_torch_gate_order_np(x, h, c, W, b):
    """Reads the row blocks in torch's order [i; f; g; o] instead of [f; i; c̃; o]."""
    i, f, g, o = np.split(np.einsum("...ij,...j->...i", W, np.concatenate([h, x], -1)) + b, 4, -1)
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    c_new = sig(f) * c + sig(i) * np.tanh(g)
    return np.concatenate([sig(o) * np.tanh(c_new), c_new], -1)


def test_agreement_rejects_lstm_with_swapped_gate_blocks():
    entry = only("lstm.cell", "agreement")
    assert statuses(run(entry, NUMPY, numpy=lstm_torch_gate_order_np)) == {"failed"}


def test_agreement_rejects_gcn_without_self_loops():
    entry = only("gcn.layer", "agreement")

    def no_self_loops(A, H, W):
        r = 1 / np.sqrt(np.maximum(A.sum(-1), 1))
        return np.maximum((r[..., :, None] * A * r[..., None, :]) @ (H @ W), 0)

    assert statuses(run(entry, NUMPY, numpy=no_self_loops)) == {"failed"}


def test_identity_rejects_convolution_equals_unflipped_correlation():
    entry = get("cnn.convolution")

    def wrong(n: int = 4, k: int = 3) -> Equation:
        right = sym.convolution_is_flipped_cross_correlation(n, k)
        f, g = vector("f", n), vector("g", k)
        padded = [0] * (k - 1) + list(f) + [0] * (k - 1)
        unflipped = sp.Matrix(
            [sum(padded[t + j] * g[j] for j in range(k)) for t in range(n + k - 1)]
        )
        return Equation(right.lhs, unflipped)

    results = run(
        dataclasses.replace(entry, claims=(Identity("planted", wrong, sizes={"n": 4, "k": 3}),))
    )
    assert statuses(results) == {"failed"}


def rnn_detached_state_torch(h, x, W_h, W_x, b):
    """Truncated backprop by accident: no gradient flows into the previous state."""
    return torch_forms.rnn_step(h.detach(), x, W_h, W_x, b)


def test_gradient_rejects_rnn_with_a_detached_state():
    entry = only("rnn.step", "gradient")
    results = run(entry, TORCH, torch=rnn_detached_state_torch, numpy=np_forms.rnn_step)
    assert statuses(results) == {"failed"}


# ---------------------------------------------------------------- check (torch layers)


def test_check_rejects_lstm_with_torch_gate_order(monkeypatch):
    """The LSTMCell comparison must notice gate blocks read in torch's order."""
    import mathcheck.numeric.torch_forms.models as forms

    def swapped(x, h, c, W, b):
        i, f, g, o = ((W @ torch.cat([h, x], -1)[..., None]).squeeze(-1) + b).chunk(4, -1)
        c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.cat([torch.sigmoid(o) * torch.tanh(c_new), c_new], -1)

    entry = only("lstm.cell", "check")
    assert statuses(run(entry)) == {"passed"}
    monkeypatch.setattr(forms, "lstm_cell", swapped)
    assert statuses(run(entry)) == {"failed"}
