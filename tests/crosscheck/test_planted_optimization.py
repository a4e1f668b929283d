"""Section 6 · Optimization: deliberately wrong implementations the engine must reject."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import sympy as sp
import torch

from mathcheck.formulas import Derivative, Identity, get
from mathcheck.numeric import backend
from mathcheck.numeric.checks import optimization as checks
from mathcheck.numeric.numpy_forms import optimization as np_forms
from mathcheck.numeric.torch_forms import optimization as torch_forms
from mathcheck.symbolic import Equation
from mathcheck.symbolic import optimization as sym
from tests.crosscheck.planted import FP32, failed_everywhere, only, run

# ----------------------------------------------------------------- Adam without bias correction


def adam_no_bias_correction_np(theta, m, v, g, *, lr, beta1, beta2, eps, t):
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g * g
    return np.stack((theta - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new), axis=-2)


def adam_no_bias_correction_torch(theta, m, v, g, *, lr, beta1, beta2, eps, t):
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g * g
    return torch.stack((theta - lr * m_new / (torch.sqrt(v_new) + eps), m_new, v_new), dim=-2)


def test_agreement_rejects_adam_without_bias_correction():
    results = run(only("opt.adam", "agreement"), FP32,
                  numpy=adam_no_bias_correction_np, torch=adam_no_bias_correction_torch)
    assert failed_everywhere(results)


def test_many_steps_reject_adam_without_bias_correction():
    outcome = checks.run_many_steps("adam", adam_no_bias_correction_np,
                                    backend("numpy", "float64"), 8.0, steps=20, objectives=[0])
    assert outcome.status == "failed"


def test_many_steps_accept_the_right_adam():
    outcome = checks.run_many_steps("adam", np_forms.adam, backend("numpy", "float64"), 8.0,
                                    steps=20, objectives=[0])
    assert outcome.status == "passed", outcome.detail


# ----------------------------------------------------------------- AdamW with coupled decay


def adamw_decay_through_gradient_np(theta, m, v, g, *, weight_decay, **params):
    return np_forms.adam(theta, m, v, g + weight_decay * theta, **params)


def adamw_decay_through_gradient_torch(theta, m, v, g, *, weight_decay, **params):
    return torch_forms.adam(theta, m, v, g + weight_decay * theta, **params)


def test_agreement_rejects_adamw_with_decay_through_the_gradient():
    results = run(only("opt.adamw", "agreement"), FP32,
                  numpy=adamw_decay_through_gradient_np,
                  torch=adamw_decay_through_gradient_torch)
    assert failed_everywhere(results)


def test_many_steps_reject_adamw_with_decay_through_the_gradient():
    outcome = checks.run_many_steps("adamw", adamw_decay_through_gradient_np,
                                    backend("numpy", "float64"), 8.0, steps=20, objectives=[0])
    assert outcome.status == "failed"


# ----------------------------------------------------------------- momentum, torch's convention


def momentum_lr_outside_np(theta, v, g, *, lr, momentum):
    """torch.optim.SGD's buffer (b = γb + g, θ −= ηb) passed off as the cheatsheet's v."""
    b = momentum * v + g
    return np.stack((theta - lr * b, b), axis=-2)


def test_agreement_rejects_momentum_with_the_other_buffer_convention():
    results = run(only("opt.sgd_momentum", "agreement"),
                  dataclasses.replace(FP32, backends=("numpy",)),
                  numpy=momentum_lr_outside_np)
    assert failed_everywhere(results)


# ----------------------------------------------------------------- cosine off by one


def cosine_off_by_one_np(t, *, eta_max, eta_min, T):
    s = np.clip(t + 1, 0, T) / T
    return (eta_min + 0.5 * (eta_max - eta_min) * (1 + np.cos(np.pi * s))).astype(t.dtype)


def cosine_off_by_one_torch(t, *, eta_max, eta_min, T):
    s = (t + 1).clamp(0, T) / T
    return eta_min + 0.5 * (eta_max - eta_min) * (1 + torch.cos(math.pi * s))


def test_agreement_rejects_cosine_off_by_one():
    results = run(only("sched.cosine", "agreement"), FP32,
                  numpy=cosine_off_by_one_np, torch=cosine_off_by_one_torch)
    assert failed_everywhere(results)


def test_every_step_check_rejects_cosine_off_by_one():
    from mathcheck.outcome import CheckContext

    ctx = CheckContext("torch", "float64", "cpu", 0, 10, entry=get("sched.cosine"))
    assert checks._schedule_every_step("cosine", ctx, cosine_off_by_one_torch).status == "failed"
    assert checks.cosine_every_step(ctx).status == "passed"


# ----------------------------------------------------------------- clipping that always rescales


def clip_always_np(g, *, max_norm):
    """Normalises every gradient to norm c, small ones included."""
    return max_norm * g / np.maximum(np.linalg.norm(g, axis=-1, keepdims=True), 1e-30)


def test_agreement_rejects_clipping_that_rescales_small_gradients():
    results = run(only("opt.clip_grad_norm", "agreement"),
                  dataclasses.replace(FP32, backends=("numpy",)), numpy=clip_always_np)
    assert failed_everywhere(results)


# ----------------------------------------------------------------- dropout without the 1/(1 − p)


def dropout_not_inverted_np(h, mask, *, p):
    return mask * h


def dropout_not_inverted_torch(h, mask, *, p):
    return mask * h


def test_agreement_rejects_dropout_without_inverted_scaling():
    results = run(only("reg.dropout", "agreement"), FP32,
                  numpy=dropout_not_inverted_np, torch=dropout_not_inverted_torch)
    assert failed_everywhere(results)


def test_statistical_check_rejects_dropout_without_inverted_scaling():
    outcome = checks.run_dropout_expectation(dropout_not_inverted_np,
                                             backend("numpy", "float64"), 0)
    assert outcome.status == "failed"


# ----------------------------------------------------------------- derivative, identity, gradient


def test_derivative_rejects_l2_gradient_without_the_factor_two():
    entry = get("reg.l2")
    wrong = Derivative(lambda form: sym.lam * form.args["theta"], wrt="theta")
    (result,) = run(dataclasses.replace(entry, claims=(wrong,)), FP32)
    assert result.status == "failed"


def test_identity_rejects_weight_decay_with_the_wrong_factor():
    def build(n: int = 3) -> Equation:
        right = sym.l2_step_is_weight_decay(n)
        theta = sp.Matrix([s for s in right.lhs.free_symbols if s.name.startswith("theta")])
        g = right.rhs + sym.lr * sym.lam * sp.Matrix(sorted(theta, key=str))  # (1 − ηλ), not 2ηλ
        return Equation(right.lhs, g)

    entry = dataclasses.replace(get("reg.l2"), claims=(Identity("wrong decay", build),))
    (result,) = run(entry, FP32)
    assert result.status == "failed"


def l2_detached_torch(theta, *, lam):
    """Autograd sees only half of θ²: one factor detached."""
    return lam * (theta * theta.detach()).sum(dim=-1)


def test_gradient_rejects_a_half_detached_penalty():
    results = run(only("reg.l2", "gradient"), FP32, torch=l2_detached_torch)
    assert failed_everywhere(results)


def test_jensen_check_would_flag_a_nonconvex_loss():
    """The counterexample check is exact: its gap is positive; confirmed (not the prover's)."""
    outcome = checks.nonconvex_counterexample(None)  # type: ignore[arg-type]
    assert outcome.status == "confirmed" and outcome.error == 1.0
