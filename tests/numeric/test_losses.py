"""Section 5 · Losses: the NumPy and Torch forms on their own (dtype, extremes, no warnings,
agreement with torch.nn.functional and with direct reference computations)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mathcheck.numeric.numpy_forms import losses as np_forms
from mathcheck.numeric.torch_forms import losses as torch_forms

RNG = np.random.default_rng(0)
LOGITS = np.concatenate([RNG.normal(0, 4, (20, 5)),
                         [[1e4, -1e4, 0.0, 30.0, -30.0], [-1e4, -1e4, -1e4, 1e4, 0.0]]])
SOFT = RNG.dirichlet(np.ones(5), LOGITS.shape[0])
ONEHOT = np.eye(5)[RNG.integers(0, 5, LOGITS.shape[0])]
Z1 = np.concatenate([RNG.normal(0, 10, 40), [1e4, -1e4, 0.0, 50.0, -50.0]])
Y1 = RNG.uniform(0, 1, Z1.size)


def _inputs(name: str) -> dict[str, np.ndarray]:
    return {
        "cross_entropy": {"z": LOGITS, "y": SOFT},
        "focal": {"z": LOGITS, "y": ONEHOT},
        "bce": {"p": RNG.uniform(1e-3, 0.99, 30), "y": RNG.uniform(0, 1, 30)},
        "bce_with_logits": {"z": Z1, "y": Y1},
        "mse": {"y": RNG.normal(0, 3, (4, 6)), "y_hat": RNG.normal(0, 3, (4, 6))},
        "mae": {"y": RNG.normal(0, 3, (4, 6)), "y_hat": RNG.normal(0, 3, (4, 6))},
        "huber": {"y": RNG.normal(0, 3, 30), "y_hat": RNG.normal(0, 3, 30)},
        "infonce": {"a": RNG.normal(0, 1, (2, 3, 4)), "b": RNG.normal(0, 1, (2, 3, 4))},
        "infonce_clip": {"a": RNG.normal(0, 1, (2, 3, 4)), "b": RNG.normal(0, 1, (2, 3, 4))},
        "triplet": {"anchor": RNG.uniform(-1, 1, (5, 3)), "positive": RNG.uniform(-1, 1, (5, 3)),
                    "negative": RNG.uniform(-1, 1, (5, 3))},
    }[name]


NAMES = ["cross_entropy", "focal", "bce", "bce_with_logits", "mse", "mae", "huber", "infonce",
         "infonce_clip", "triplet"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_numpy_forms_preserve_dtype_and_raise_no_fp_warnings(name, dtype):
    inputs = {k: v.astype(dtype) for k, v in _inputs(name).items()}
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = getattr(np_forms, name)(**inputs)
    assert out.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_torch_forms_preserve_dtype_device_and_stay_finite(name, dtype, device):
    inputs = {k: torch.tensor(v, dtype=dtype, device=device) for k, v in _inputs(name).items()}
    out = getattr(torch_forms, name)(**inputs)
    assert out.dtype == dtype and out.device.type == torch.device(device).type
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_numpy_and_torch_forms_agree_in_float64(name):
    inputs = _inputs(name)
    ours = getattr(np_forms, name)(**inputs)
    theirs = getattr(torch_forms, name)(**{k: torch.tensor(v) for k, v in inputs.items()})
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-13, atol=1e-300)


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


def test_cross_entropy_matches_torch_at_logits_of_1e4():
    expected = F.cross_entropy(_t(LOGITS), _t(SOFT), reduction="none")
    np.testing.assert_allclose(np_forms.cross_entropy(LOGITS, SOFT), expected.numpy(), rtol=1e-14)
    assert np_forms.cross_entropy(LOGITS, SOFT)[-2] > 1e3  # large but finite


def test_cross_entropy_gradient_is_softmax_minus_target():
    z = _t(LOGITS[:20]).requires_grad_()
    torch_forms.cross_entropy(z, _t(SOFT[:20])).sum().backward()
    torch.testing.assert_close(z.grad, torch.softmax(z.detach(), -1) - _t(SOFT[:20]))


def test_bce_with_logits_matches_torch_and_its_gradient_is_sigma_minus_y():
    expected = F.binary_cross_entropy_with_logits(_t(Z1), _t(Y1), reduction="none")
    # Torch forms (1 − y)z + softplus(−z), which cancels where L ≪ |z| (measured 44 ulp at
    # L = 0.0082, z = 1.26 against mpmath, where ours is within 1 ulp): compare loosely.
    np.testing.assert_allclose(np_forms.bce_with_logits(Z1, Y1), expected.numpy(), rtol=1e-12)
    z = _t(Z1).requires_grad_()
    torch_forms.bce_with_logits(z, _t(Y1)).sum().backward()
    torch.testing.assert_close(z.grad, torch.sigmoid(z.detach()) - _t(Y1))


def test_bce_with_logits_equals_bce_of_sigmoid_where_both_are_finite():
    z = np.linspace(-20, 20, 81)
    y = RNG.uniform(0, 1, z.size)
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(np_forms.bce_with_logits(z, y), np_forms.bce(p, y), rtol=1e-7)


def test_focal_is_cross_entropy_at_gamma_zero_alpha_one():
    np.testing.assert_array_equal(np_forms.focal(LOGITS, ONEHOT, alpha=1.0, gamma=0.0),
                                  np_forms.cross_entropy(LOGITS, ONEHOT))


def test_regression_losses_match_torch():
    y, y_hat = _inputs("mse")["y"], _inputs("mse")["y_hat"]
    for ours, theirs in ((np_forms.mse, F.mse_loss), (np_forms.mae, F.l1_loss)):
        expected = theirs(_t(y_hat), _t(y), reduction="none").mean(-1)
        np.testing.assert_allclose(ours(y, y_hat), expected.numpy(), rtol=1e-14)
    h = _inputs("huber")
    np.testing.assert_allclose(np_forms.huber(h["y"], h["y_hat"]),
                               F.huber_loss(_t(h["y_hat"]), _t(h["y"]), reduction="none").numpy(),
                               rtol=1e-14)


def test_huber_is_continuous_and_c1_at_the_seam():
    delta = 1.0
    r = np.array([delta - 1e-9, delta, delta + 1e-9])
    values = np_forms.huber(r, np.zeros(3), delta=delta)
    assert np.ptp(values) < 3e-9
    x = torch.tensor([delta - 1e-12, delta + 1e-12], dtype=torch.float64, requires_grad=True)
    torch_forms.huber(x, torch.zeros(2, dtype=torch.float64), delta=delta).sum().backward()
    torch.testing.assert_close(x.grad, torch.ones(2, dtype=torch.float64))


def test_infonce_matches_cross_entropy_over_masked_similarities():
    """NT-Xent as SimCLR's reference code writes it: CE over the masked 2N×2N logits."""
    a, b = _inputs("infonce")["a"], _inputs("infonce")["b"]
    for i in range(a.shape[0]):
        z = F.normalize(torch.cat([_t(a[i]), _t(b[i])]), dim=-1)
        n = a.shape[1]
        logits = (z @ z.T / 0.5).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
        targets = (torch.arange(2 * n) + n) % (2 * n)
        expected = F.cross_entropy(logits, targets)
        np.testing.assert_allclose(np_forms.infonce(a[i], b[i], tau=0.5), expected.item(),
                                   rtol=1e-14)


def test_infonce_clip_matches_the_clip_reference():
    a, b = _inputs("infonce_clip")["a"], _inputs("infonce_clip")["b"]
    for i in range(a.shape[0]):
        logits = F.normalize(_t(a[i]), dim=-1) @ F.normalize(_t(b[i]), dim=-1).T / 0.5
        labels = torch.arange(a.shape[1])
        expected = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
        np.testing.assert_allclose(np_forms.infonce_clip(a[i], b[i], tau=0.5), expected.item(),
                                   rtol=1e-14)


def test_triplet_is_zero_when_the_negative_is_far_and_margin_when_all_coincide():
    a = np.zeros((1, 3))
    assert np_forms.triplet(a, a, a + 5.0, margin=1.0)[0] == 0.0
    assert np_forms.triplet(a, a, a, margin=1.0)[0] == 1.0
