"""The stateful zoo: optimizers and learning-rate schedules written the way training code
writes them (a minGPT/fairseq-style `torch.optim.Optimizer` subclass, torch's SGD by hand,
Hugging Face's `LambdaLR` warmup-cosine, a closed-form `LRScheduler` subclass, optax chains),
each correct one passing or named as its convention, and a plausible bug of each caught by
`check_optimizer` (200 steps × 4 objectives) or `check_schedule` (every step)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.optim.lr_scheduler import LambdaLR, LRScheduler

import mathcheck

EXACT = ("float64", "float32")
ALL = ("float64", "float32", "float16", "bfloat16")
EPS_INSIDE = "eps inside the square root"
PAPER_DECAY = "decay not multiplied by the learning rate"

# --- optimizers ------------------------------------------------------------------------------


class HandAdamW(torch.optim.Optimizer):
    """AdamW as minGPT/fairseq-style code writes it: decoupled decay first, then the
    bias-corrected step, ε added to the corrected √v̂. `quirk` plants one known difference."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, quirk: str | None = None) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay})
        self.quirk = quirk

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> None:
        quirk = self.quirk
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            if quirk == "betas swapped":
                beta1, beta2 = beta2, beta1
            lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.state[p]
                if not state:
                    state.update(step=0, exp_avg=torch.zeros_like(p),
                                 exp_avg_sq=torch.zeros_like(p))
                if quirk != "step never incremented":
                    state["step"] += 1
                t = max(state["step"], 1)
                if quirk == "L2 through the gradient":
                    grad = grad.add(p, alpha=wd)
                elif quirk == "paper decay":
                    p.mul_(1 - wd)
                elif quirk != "decay after the step" and wd:
                    p.mul_(1 - lr * wd)
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(grad, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                bc1, bc2 = 1 - beta1**t, 1 - beta2**t
                if quirk == "bias correction without the root":
                    denom = (v.sqrt() / bc2).add_(eps)
                elif quirk == "eps inside":
                    denom = (v / bc2).add_(eps).sqrt_()
                else:
                    denom = (v.sqrt() / math.sqrt(bc2)).add_(eps)
                p.addcdiv_(m, denom, value=-lr / bc1)
                if quirk == "decay after the step" and wd:
                    p.mul_(1 - lr * wd)


class HandSGD(torch.optim.Optimizer):
    """torch.optim.SGD's momentum by hand: b = μb + g (b = g at the first step), θ −= ηb."""

    def __init__(self, params: Any, lr: float = 1e-2, momentum: float = 0.9,
                 quirk: str | None = None) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})
        self.quirk = quirk

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> None:
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                state = self.state[p]
                if self.quirk == "buffer not carried":  # a local, rebuilt every step
                    buf = torch.zeros_like(p).mul_(mu).add_(p.grad)
                elif "momentum_buffer" not in state:
                    buf = state["momentum_buffer"] = p.grad.detach().clone()
                else:
                    buf = state["momentum_buffer"]
                    if self.quirk == "EMA momentum":
                        buf.mul_(mu).add_(p.grad, alpha=1 - mu)
                    else:
                        buf.mul_(mu).add_(p.grad)
                p.add_(buf, alpha=-group["lr"])


class SutskeverSGD(torch.optim.Optimizer):
    """The cheatsheet's form: v = γv + ηg, θ −= v (lr inside the buffer)."""

    def __init__(self, params: Any, lr: float = 1e-2, momentum: float = 0.9) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                p.sub_(v.mul_(group["momentum"]).add_(p.grad, alpha=group["lr"]))


class OptimizerStepAdam(torch.optim.Optimizer):
    """Adam with one step counter for the optimizer, bumped once per *parameter* (bug), or
    reading the rate from `self.defaults` instead of the group (bug: a scheduler's rate never
    reaches the step)."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, quirk: str = "counter per parameter") -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})
        self.quirk, self.t = quirk, 0

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> None:
        if self.quirk != "counter per parameter":
            self.t += 1
        for group in self.param_groups:
            b1, b2 = group["betas"]
            lr = self.defaults["lr"] if self.quirk == "rate from defaults" else group["lr"]
            for p in group["params"]:
                if self.quirk == "counter per parameter":
                    self.t += 1
                state = self.state[p]
                if not state:
                    state.update(m=torch.zeros_like(p), v=torch.zeros_like(p))
                state["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                state["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                m_hat, v_hat = state["m"] / (1 - b1**self.t), state["v"] / (1 - b2**self.t)
                p.sub_(lr * m_hat / (v_hat.sqrt() + group["eps"]))


def _optax() -> Any:
    return pytest.importorskip("optax", reason="optax is not installed (the jax extra)")


ADAMW = {"lr": 1e-3, "weight_decay": 0.1}
SGD = {"lr": 1e-2, "momentum": 0.9}

#: (entry, optimizer factory, hyperparameters, constructor options, the bug)
BUGGY_OPTIMIZERS = [
    ("opt.adam", lambda: HandAdamW, {"lr": 1e-3}, {"quirk": "betas swapped"}, "β₁ and β₂ swapped"),
    ("opt.adam", lambda: HandAdamW, {"lr": 1e-3}, {"quirk": "step never incremented"},
     "bias corrections stuck at t = 1"),
    ("opt.adam", lambda: HandAdamW, {"lr": 1e-3}, {"quirk": "bias correction without the root"},
     "√v divided by 1 − β₂ᵗ, not its root"),
    ("opt.adam", lambda: torch.optim.Adam, {"lr": 1e-3}, {"amsgrad": True},
     "amsgrad left on: max of v"),
    ("opt.adamw", lambda: HandAdamW, ADAMW, {"quirk": "L2 through the gradient"},
     "decay through the gradient (L2), not decoupled"),
    ("opt.adamw", lambda: HandAdamW, ADAMW, {"quirk": "decay after the step"},
     "decay applied to the updated θ"),
    ("opt.adamw", lambda: _optax().chain(_optax().add_decayed_weights(0.1), _optax().adam(1e-3)),
     ADAMW, {}, "optax: add_decayed_weights before adam (L2)"),
    ("opt.sgd_momentum", lambda: HandSGD, SGD, {"quirk": "buffer not carried"},
     "momentum buffer not carried between steps"),
    ("opt.sgd_momentum", lambda: HandSGD, SGD, {"quirk": "EMA momentum"},
     "momentum as an EMA: (1 − μ)g"),
    ("opt.sgd_momentum", lambda: torch.optim.SGD, SGD, {"dampening": 0.5}, "dampening 0.5"),
]


@pytest.mark.parametrize(("formula", "make", "hyper", "options", "bug"), BUGGY_OPTIMIZERS,
                         ids=[b[4] for b in BUGGY_OPTIMIZERS])
def test_buggy_optimizer_is_caught(formula, make, hyper, options, bug):
    optimizer = make()
    result = mathcheck.check_optimizer(formula, optimizer, dtypes=("float64",),
                                       options=options if isinstance(optimizer, type) else None,
                                       **hyper)
    assert result.verdict == "fail", f"{bug}: not caught\n{result}"
    assert result.variant is None, str(result)
    assert result.counterexample.startswith("step "), str(result)
    assert len(BUGGY_OPTIMIZERS) + len(BUGGY_SCHEDULES) >= 6


def test_a_bug_below_fp32_resolution_is_caught_in_fp64_only():
    """Decay applied after the step differs by η²λ·d ≈ 1e-7 per step: within fp32's budget
    over 200 steps, caught in fp64 at step 1."""
    result = mathcheck.check_optimizer("opt.adamw", HandAdamW, dtypes=EXACT, **ADAMW,
                                       options={"quirk": "decay after the step"})
    assert result.per_dtype == {"float64/cpu": "fail", "float32/cpu": "pass"}, str(result)
    assert result.counterexample.startswith("step 1 of")


#: (entry, optimizer factory, hyperparameters, constructor options, dtypes, expected per dtype)
CORRECT_OPTIMIZERS = [
    ("opt.adamw", lambda: HandAdamW, ADAMW, {}, EXACT, "pass"),
    ("opt.adam", lambda: HandAdamW, {"lr": 1e-3}, {}, EXACT, "pass"),
    ("opt.adam", lambda: HandAdamW, {"lr": 1e-3}, {"quirk": "eps inside"}, EXACT, EPS_INSIDE),
    ("opt.adamw", lambda: HandAdamW, {"lr": 1e-3, "weight_decay": 1e-4},
     {"quirk": "paper decay"}, EXACT, PAPER_DECAY),
    # torch's form (b = γb + g, θ −= ηb): the same iterates at a constant rate, the named
    # variant once a scheduler changes the rate
    ("opt.sgd_momentum", lambda: HandSGD, SGD, {}, ALL, "lr outside the buffer"),
    ("opt.sgd_momentum", lambda: SutskeverSGD, SGD, {}, ALL, "pass"),
    ("opt.adam", lambda: _optax().adam(1e-3), {"lr": 1e-3}, {}, EXACT, "pass"),
    ("opt.sgd_momentum", lambda: _optax().sgd(1e-2, momentum=0.9), SGD, {}, EXACT, "pass"),
    ("opt.adamw", lambda: _optax().chain(_optax().scale_by_adam(),
                                         _optax().add_decayed_weights(0.1), _optax().scale(-1e-3)),
     ADAMW, {}, EXACT, "pass"),
]


@pytest.mark.parametrize(("formula", "make", "hyper", "options", "dtypes", "expected"),
                         CORRECT_OPTIMIZERS,
                         ids=[f"{c[0]}-{c[5]}-{i}" for i, c in enumerate(CORRECT_OPTIMIZERS)])
def test_correct_optimizer_passes_or_is_named(formula, make, hyper, options, dtypes, expected):
    optimizer = make()
    result = mathcheck.check_optimizer(formula, optimizer, dtypes=dtypes,
                                       options=options if isinstance(optimizer, type) else None,
                                       **hyper)
    if expected == "pass":
        assert set(result.per_dtype.values()) == {"pass"}, str(result)
        assert result.verdict == "pass", str(result)
    else:  # named where the dtype tells the two apart (fp16/bf16 may resolve no difference)
        assert expected in set(result.per_dtype.values()) <= {expected, "pass"}, str(result)
        assert (result.verdict, result.variant) == ("variant", expected), str(result)


def test_hand_written_adamw_in_fp16_is_a_nonfinite_finding_not_a_hidden_pass():
    """State kept in fp16 as torch does: ε = 1e-8 is 0 there, so a zero v gives ±∞ (a finding
    beside the verdict); every other dtype passes."""
    result = mathcheck.check_optimizer("opt.adamw", HandAdamW, dtypes=ALL, **ADAMW)
    assert result.verdict == "fail"
    assert {k: v for k, v in result.per_dtype.items() if k != "float16/cpu"} == {
        "float64/cpu": "pass", "float32/cpu": "pass", "bfloat16/cpu": "pass"}, str(result)
    (finding,) = result.findings
    assert (finding.kind, finding.where) == ("nonfinite", "float16/cpu")
    assert "eps = 1e-08 underflows" in finding.text


# --- found by the zoo: bugs one parameter at a constant rate could not see (now two tensors
# --- and a rate changed between steps, so both are caught) ---------------------------------


#: quirk -> what shows it
BLIND_SPOTS = {
    "counter per parameter": (
        "a step counter kept per optimizer but bumped once per parameter (t advances by the "
        "number of parameters each step) is exactly Adam on one tensor; check_optimizer holds θ "
        "as two"),
    "rate from defaults": (
        "an optimizer that reads lr from self.defaults instead of param_groups (a scheduler's "
        "rate never reaches the step) is exactly Adam at a constant rate; check_optimizer also "
        "runs one with the rate changed between steps"),
}


@pytest.mark.parametrize("quirk", list(BLIND_SPOTS))
def test_an_optimizer_bug_outside_the_trajectories_is_caught(quirk):
    result = mathcheck.check_optimizer("opt.adam", OptimizerStepAdam, lr=1e-3, dtypes=EXACT,
                                       options={"quirk": quirk})
    assert result.verdict == "fail", str(result)


def test_the_planted_multi_parameter_bugs_are_real():
    """Both quirks above do differ from torch.optim.Adam once there are two parameters and a
    scheduled rate: what check_optimizer catches is a real difference, not a harmless one."""
    for quirk in BLIND_SPOTS:
        mine = [torch.nn.Parameter(torch.ones(3, dtype=torch.float64)) for _ in range(2)]
        ref = [torch.nn.Parameter(torch.ones(3, dtype=torch.float64)) for _ in range(2)]
        opt, adam = OptimizerStepAdam(mine, quirk=quirk), torch.optim.Adam(ref, lr=1e-3)
        scheds = [LambdaLR(o, lambda t: 1 / (t + 1)) for o in (opt, adam)]
        for i in range(3):
            for p in (*mine, *ref):
                p.grad = torch.full((3,), 0.5 * (i + 1), dtype=torch.float64)
            opt.step()
            adam.step()
            for s in scheds:
                s.step()
        gap = max(float((a - b).detach().abs().max()) for a, b in zip(mine, ref, strict=True))
        assert gap > 1e-5, quirk


# --- schedules -------------------------------------------------------------------------------


def hf_cosine_with_warmup(warmup: int, total: int, min_ratio: float = 0.0,
                          warmup_from_one: bool = False) -> Callable[[int], float]:
    """transformers' get_cosine_schedule_with_warmup lambda (with a floor, as in its
    min-lr variant); the bug counts the warmup from t + 1."""

    def lr_lambda(current_step: int) -> float:
        if current_step < warmup:
            step = current_step + 1 if warmup_from_one else current_step
            return float(step) / float(max(1, warmup))
        progress = float(current_step - warmup) / float(max(1, total - warmup))
        cosine = max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
        return min_ratio + (1 - min_ratio) * cosine

    return lr_lambda


class WarmupCosine(LRScheduler):
    """A closed-form scheduler (timm/fairseq style, from last_epoch); the bug spreads the
    cosine over the whole run instead of the steps after the warmup."""

    def __init__(self, optimizer: Any, warmup: int, total: int, eta_min: float = 0.0,
                 last_epoch: int = -1, span_whole_run: bool = False) -> None:
        self.warmup, self.total, self.eta_min = warmup, total, eta_min
        self.span_whole_run = span_whole_run
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        rates = []
        for base in self.base_lrs:
            if t < self.warmup:
                rates.append(base * t / self.warmup)
                continue
            span = self.total if self.span_whole_run else self.total - self.warmup
            progress = min((t - self.warmup) / span, 1.0)
            rates.append(self.eta_min
                         + 0.5 * (base - self.eta_min) * (1 + math.cos(math.pi * progress)))
        return rates


WARMUP = {"eta_max": 3e-4, "eta_min": 3e-5, "warmup": 20, "T": 200}


def _optax_x64() -> Any:
    """optax with jax_enable_x64 on, as a user checking fp64 rates sets it (process-wide; the
    jax pack and check_optimizer(optax...) set it too)."""
    optax = _optax()
    import jax

    jax.config.update("jax_enable_x64", True)
    return optax


#: (entry, schedule factory, check_schedule keywords, the bug)
BUGGY_SCHEDULES = [
    ("sched.warmup_cosine",
     lambda: (LambdaLR, {"lr_lambda": hf_cosine_with_warmup(20, 200, 0.1, True)}),
     WARMUP, "warmup counted from t + 1 (η₀ ≠ 0)"),
    ("sched.warmup_cosine",
     lambda: (WarmupCosine, {"warmup": 20, "total": 200, "eta_min": 3e-5,
                             "span_whole_run": True}),
     WARMUP, "cosine over T, not T − warmup"),
    ("sched.warmup_cosine",
     lambda: (_optax_x64().warmup_cosine_decay_schedule(0.0, 3e-4, 20, 180, 3e-5), None),
     WARMUP, "optax decay_steps read as excluding the warmup"),
]


@pytest.mark.parametrize(("formula", "make", "params", "bug"), BUGGY_SCHEDULES,
                         ids=[b[3] for b in BUGGY_SCHEDULES])
def test_buggy_schedule_is_caught(formula, make, params, bug):
    schedule, init = make()
    result = mathcheck.check_schedule(formula, schedule, init=init, **params)
    assert result.verdict == "fail", f"{bug}: not caught\n{result}"
    assert result.counterexample.startswith("step "), str(result)
    assert not result.findings, str(result)  # a wrong formula, not a precision mode


#: (entry, schedule factory, check_schedule keywords)
CORRECT_SCHEDULES = [
    ("sched.warmup_cosine", lambda: (LambdaLR, {"lr_lambda": hf_cosine_with_warmup(20, 200)}),
     {**WARMUP, "eta_min": 0.0}),
    ("sched.warmup_cosine",
     lambda: (LambdaLR, {"lr_lambda": hf_cosine_with_warmup(20, 200, 0.1)}), WARMUP),
    ("sched.warmup_cosine",
     lambda: (WarmupCosine, {"warmup": 20, "total": 200, "eta_min": 3e-5}), WARMUP),
    ("sched.warmup_cosine",
     lambda: (_optax_x64().warmup_cosine_decay_schedule(0.0, 3e-4, 20, 200, 3e-5), None),
     WARMUP),
]


@pytest.mark.parametrize(("formula", "make", "params"), CORRECT_SCHEDULES,
                         ids=["hf-lambda", "hf-lambda-floor", "closed-form-scheduler", "optax"])
def test_correct_schedule_passes(formula, make, params):
    schedule, init = make()
    result = mathcheck.check_schedule(formula, schedule, init=init, **params)
    assert result.verdict == "pass", str(result)
    assert len(CORRECT_OPTIMIZERS) + len(CORRECT_SCHEDULES) >= 4
