"""check_optimizer / check_schedule: real stateful optimizers over 200 steps against the
catalog's recurrences, the conventions named per dtype, and bugs caught at their first step."""

from __future__ import annotations

import pytest
import torch

import mathcheck
from mathcheck.errors import InvalidInputError, NotSupportedError

ALL = ("float64", "float32", "float16", "bfloat16")


class TFAdam(torch.optim.Optimizer):
    """Keras's Adam: the bias corrections folded into the rate, ε̂ added to √v uncorrected."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7, correct_v=True):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})
        self.correct_v = correct_v

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                state["t"] += 1
                t = state["t"]
                state["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                state["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                correction = (1 - b2**t) ** 0.5 if self.correct_v else 1.0
                lr_t = group["lr"] * correction / (1 - b1**t)
                p.sub_(lr_t * state["m"] / (state["v"].sqrt() + group["eps"]))


def test_torch_adamw_over_200_steps_passes_where_eps_is_defined():
    result = mathcheck.check_optimizer("opt.adamw", torch.optim.AdamW, lr=1e-3,
                                       weight_decay=0.1, dtypes=ALL)
    assert {k: v for k, v in result.per_dtype.items() if k != "float16/cpu"} == {
        "float64/cpu": "pass", "float32/cpu": "pass", "bfloat16/cpu": "pass"}
    # torch keeps fp16 state in fp16: ε = 1e-8 is 0 there and v underflows, so θ becomes ±∞
    assert result.per_dtype["float16/cpu"] == "fail"
    (finding,) = result.findings
    assert finding.kind == "nonfinite" and "eps = 1e-08 underflows" in finding.text
    assert mathcheck.check_optimizer("opt.adamw", torch.optim.AdamW, lr=1e-3, weight_decay=0.1,
                                     dtypes=("float64", "float32")).verdict == "pass"


def test_tf_eps_placement_is_named_in_every_dtype_where_it_is_distinguishable():
    result = mathcheck.check_optimizer("opt.adam", TFAdam, lr=1e-3, eps=1e-7,
                                       dtypes=("float64", "float32", "bfloat16"))
    tf = "eps outside the bias correction (TF/Keras ε̂)"
    assert result.verdict == "variant" and result.variant == tf
    assert result.per_dtype["float64/cpu"] == result.per_dtype["float32/cpu"] == tf
    # bf16 resolves no step at |g| ≈ ε: both placements agree there, and that is a pass
    assert result.per_dtype["bfloat16/cpu"] in ("pass", tf)


def test_buggy_optimizers_are_caught_at_their_first_bad_step():
    no_v_correction = mathcheck.check_optimizer("opt.adam", TFAdam, lr=1e-3, eps=1e-7,
                                                options={"correct_v": False},
                                                dtypes=("float64",))
    assert no_v_correction.verdict == "fail"
    assert no_v_correction.counterexample.startswith("step 1 of")
    # Adam with weight_decay is L2 through the gradient, not AdamW's decoupled decay
    coupled = mathcheck.check_optimizer("opt.adamw", torch.optim.Adam, lr=1e-3,
                                        weight_decay=0.1, dtypes=("float64",))
    assert coupled.verdict == "fail"
    nesterov = mathcheck.check_optimizer("opt.sgd_momentum", torch.optim.SGD, lr=1e-2,
                                         momentum=0.9, options={"nesterov": True},
                                         dtypes=("float64",))
    assert nesterov.verdict == "fail"


def test_torch_sgd_momentum_is_the_lr_outside_the_buffer_variant_under_a_changing_rate():
    """torch keeps b = γb + g and steps θ −= ηb: the canonical iterates at a constant rate
    (v = ηb), the named variant once the rate changes between steps."""
    result = mathcheck.check_optimizer("opt.sgd_momentum", torch.optim.SGD, lr=1e-2,
                                       momentum=0.9, dtypes=ALL)
    assert result.verdict == "variant" and result.variant == "lr outside the buffer", str(result)
    assert "rate decayed" in result.counterexample


def test_optax_transformations_run_over_the_same_trajectories():
    optax = pytest.importorskip("optax", reason="optax is not installed (the jax extra)")
    result = mathcheck.check_optimizer("opt.adamw", optax.adamw(1e-3, weight_decay=0.1),
                                       lr=1e-3, weight_decay=0.1, dtypes=("float64", "float32"))
    assert result.verdict == "pass", str(result)
    # optax.adamw multiplies the decay by the rate, like torch; not multiplying is the paper's
    wrong_rate = mathcheck.check_optimizer("opt.adamw", optax.adamw(1e-3, weight_decay=0.1),
                                           lr=1e-2, weight_decay=0.1, dtypes=("float64",))
    assert wrong_rate.verdict == "fail"


def test_schedules_torch_and_a_bug():
    from torch.optim.lr_scheduler import CosineAnnealingLR

    params = {"eta_max": 3e-4, "eta_min": 3e-5, "T": 200}
    ok = mathcheck.check_schedule("sched.cosine", CosineAnnealingLR,
                                  init={"T_max": 200, "eta_min": 3e-5}, **params)
    assert ok.verdict == "pass", str(ok)
    off = mathcheck.check_schedule("sched.cosine", CosineAnnealingLR,
                                   init={"T_max": 199, "eta_min": 3e-5}, **params)
    assert off.verdict == "fail" and off.counterexample.startswith("step 1:")


def test_an_fp32_schedule_is_reported_as_fp32_internally():
    def fp32_cosine(t):
        t = torch.tensor(float(t), dtype=torch.float32)
        return 3e-5 + 0.5 * (3e-4 - 3e-5) * (1 + torch.cos(torch.pi * t / 200))

    result = mathcheck.check_schedule("sched.cosine", fp32_cosine, eta_max=3e-4,
                                      eta_min=3e-5, T=200)
    assert result.verdict == "fail"
    assert [f.kind for f in result.findings] == ["internal_precision"]


def test_usage_errors():
    with pytest.raises(NotSupportedError):
        mathcheck.check_optimizer("act.relu", torch.optim.SGD)
    with pytest.raises(InvalidInputError, match="no parameter 'betas'"):
        mathcheck.check_optimizer("opt.adam", torch.optim.Adam, betas=(0.9, 0.99))
    with pytest.raises(InvalidInputError, match="neither"):
        mathcheck.check_optimizer("opt.adam", object())
    with pytest.raises(InvalidInputError, match="steps"):
        mathcheck.check_optimizer("opt.adam", torch.optim.Adam, steps=0)


def test_a_step_function_is_also_held_to_the_many_step_recurrence():
    """A Check that `uses_form` runs on the implementation: a step that ignores its step
    count t passes the one-step agreement (drawn at the stated t = 10) but not 120 steps."""
    import math

    def adam_step(theta, m, v, g, lr, beta1, beta2, eps, t, stuck_t=10.0):
        m2 = beta1 * m + (1 - beta1) * g
        v2 = beta2 * v + (1 - beta2) * g * g
        mh = m2 / -math.expm1(stuck_t * math.log(beta1))
        vh = v2 / -math.expm1(stuck_t * math.log(beta2))
        return torch.stack((theta - lr * mh / (vh.sqrt() + eps), m2, v2), dim=-2)

    result = mathcheck.check("opt.adam", adam_step, dtypes=("float64",), examples=5,
                             inputs=1000, gradients=False, isolate=False)
    assert result.verdict == "fail"
    failed = [r for r in result.results if r.status == "failed"]
    assert {r.claim for r in failed} == {"120 steps on 4 objectives = exact recurrence"}
    honest = mathcheck.check("opt.adam", lambda *a, stuck_t=None, **k: adam_step(
        *a, **k, stuck_t=k["t"]), dtypes=("float64",), examples=5, inputs=1000,
        gradients=False, isolate=False)
    assert honest.verdict == "pass", str(honest)
