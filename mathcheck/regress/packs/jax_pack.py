"""The `jax` pack: JAX's `jax.nn` activations and attention, and Optax's losses, schedules and
optimizers (one step, and 200 steps through `check_optimizer`), against the catalog, on JAX's
CPU backend.

Every job runs through the NumPy backend: the engine hands NumPy arrays, JAX takes them as
they are and the result comes back through `np.asarray`. No job needs a gradient, so nothing
crosses into Torch. JAX computes in fp32 unless 64-bit mode is on, so the pack turns on
`jax_enable_x64` before it calls JAX (in the process that calls it, a process-wide setting):
fp64 is then fp64, and a Python scalar (a learning rate, ε) stays weakly typed, so fp32 and
fp16 inputs keep their dtype. Each function is called under `jax.jit`, as it runs inside a
jitted model or train step (the schedules, which need Python integers, run eagerly).

An Optax optimizer's `update(grads, state, params)` is a pure function of its state, so one
step from any (θ, m, v, t) is built by putting m, v and the count t − 1 into the state `init`
returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mathcheck.formulas.activations import SCALAR_EXTREMES
from mathcheck.regress.packs._common import custom_job, domain_job, fn_job, verdict
from mathcheck.regress.runner import Job

EXACT = ("float64", "float32")


def unavailable() -> str | None:
    try:
        import jax  # noqa: F401
        import optax  # noqa: F401
    except ImportError:
        return "JAX and Optax are not installed (pip install 'mathcheck[jax]')"
    return None


def _x64() -> Any:
    """jax.numpy with 64-bit mode on (idempotent; without it fp64 inputs run in fp32)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jnp


def _out(value: Any) -> Any:
    import numpy as np

    return np.asarray(value)


def _numpy(fn: Callable[..., Any], *, jit: bool = True) -> Callable[..., Any]:
    """fn with 64-bit mode on and a NumPy result (what the NumPy backend compares), called
    under `jax.jit` (as it runs inside a jitted model or train step) unless it needs Python
    values (`jit=False`). Its keyword parameters (ε, α, η) are then traced scalars, weakly
    typed as Python floats are, so they neither widen fp32 nor force a recompile."""
    compiled: list[Any] = []  # built on the first call, in the process that runs it

    def call(*args: Any, **kwargs: Any) -> Any:
        _x64()
        if not jit:
            return _out(fn(*args, **kwargs))
        if not compiled:
            import jax

            compiled.append(jax.jit(fn))
        return _out(compiled[0](*args, **kwargs))

    call.__name__ = getattr(fn, "__name__", "jax_fn")
    return call


def _in_x64(compare: Callable[[], Any]) -> Callable[[], Any]:
    """A custom comparison (run in the calling process) with 64-bit mode on first."""

    def run() -> Any:
        _x64()
        return compare()

    return run


def _attention_fp16() -> Any:
    """jax.nn.dot_product_attention on fp16 inputs, jitted and eager, against the catalog's
    form in fp64 (the entry's 72-ulp budget at n = 2, m = 3, d = e = 2)."""
    import jax
    import numpy as np

    from mathcheck.numeric.numpy_forms.attention import scaled_dot_product

    rng = np.random.default_rng(0)
    Q, K, V = (rng.uniform(-2, 2, (1, *shape, 1, 2)).astype(np.float16)
               for shape in ((2,), (3,), (3,)))
    exact = scaled_dot_product(*(a[:, :, 0].astype(np.float64) for a in (Q, K, V)))
    scale = float(np.spacing(np.float16(np.abs(exact).max())))  # row scale, as the entry's

    def ulps(out: Any) -> float:
        return float(np.max(np.abs(np.asarray(out)[:, :, 0].astype(np.float64) - exact)) / scale)

    ulp = ulps(jax.nn.dot_product_attention(Q, K, V))
    try:
        err = ulps(jax.jit(jax.nn.dot_product_attention)(Q, K, V))
    except ValueError as exc:
        return verdict("attn.scaled_dot_product", False, ulp, f"jitted: {exc}; eager: "
                       f"{ulp:.3g} ulp", key="float16/cpu", budget=72.0)
    return verdict("attn.scaled_dot_product", max(err, ulp) <= 72, max(err, ulp),
                   f"jitted {err:.3g} ulp, eager {ulp:.3g} ulp", key="float16/cpu", budget=72.0)


def jobs() -> list[Job]:
    import jax
    import jax.numpy as jnp
    import optax

    from mathcheck.regress._optimizers import check_optimizer
    from mathcheck.regress._schedules import check_schedule

    def job(name: str, formula: str, impl: Callable[..., Any], *, jit: bool = True,
            **options: Any) -> Job:
        return fn_job(name, formula, _numpy(impl, jit=jit), backend="numpy", **options)

    def narrowed(name: str, formula: str, impl: Callable[..., Any],
                 args: dict[str, dict[str, Any]], **options: Any) -> Job:
        """A job on the entry with some argument ranges replaced (_common.check_on)."""
        return domain_job(name, formula, _numpy(impl), args, backend="numpy", **options)

    # -- jax.nn --------------------------------------------------------------------------
    def leaky_relu(x: Any, alpha: float) -> Any:
        return jax.nn.leaky_relu(x, negative_slope=alpha)

    def layer_norm(algorithm: str) -> Callable[..., Any]:
        def norm(x: Any, gamma: Any, beta: Any, eps: float) -> Any:
            return jax.nn.standardize(x, axis=-1, epsilon=eps, algorithm=algorithm) * gamma + beta

        return norm

    def attention(causal: bool) -> Callable[..., Any]:
        def attend(Q: Any, K: Any, V: Any) -> Any:
            """(..., n, d) → (B, n, 1 head, d), the layout jax.nn.dot_product_attention takes."""
            lead = Q.shape[:-2]

            def heads(a: Any) -> Any:
                return a.reshape((-1, a.shape[-2], 1, a.shape[-1]))

            out = jax.nn.dot_product_attention(heads(Q), heads(K), heads(V), is_causal=causal)
            return out.reshape((*lead, Q.shape[-2], V.shape[-1]))

        return attend

    # -- optax losses --------------------------------------------------------------------
    def cross_entropy(z: Any, y: Any) -> Any:
        return optax.softmax_cross_entropy(z, y)

    def safe_cross_entropy(z: Any, y: Any) -> Any:
        return optax.safe_softmax_cross_entropy(z, y)

    def bce_with_logits(z: Any, y: Any) -> Any:
        return optax.sigmoid_binary_cross_entropy(z, y)

    def squared_error(y: Any, y_hat: Any) -> Any:
        return optax.squared_error(y_hat, y).mean(-1)

    def l2_loss(y: Any, y_hat: Any) -> Any:
        return optax.l2_loss(y_hat, y).mean(-1)

    def huber(y: Any, y_hat: Any, delta: float) -> Any:
        return optax.huber_loss(y_hat, y, delta=delta)

    def cosine(epsilon: float) -> Callable[..., Any]:
        return lambda a, b: optax.cosine_similarity(a, b, epsilon=epsilon)

    def kl(p: Any, q: Any) -> Any:
        return optax.kl_divergence(jnp.log(q), p)

    # -- optax schedules -----------------------------------------------------------------
    def at_count(schedule: Any, t: Any) -> Any:
        """The schedule at the int32 step count an optimizer passes it, in t's dtype."""
        return _out(schedule(jnp.asarray(t, dtype=jnp.int32))).astype(t.dtype)

    def cosine_schedule(t: Any, eta_max: float, eta_min: float, T: float) -> Any:
        return at_count(optax.cosine_decay_schedule(
            init_value=eta_max, decay_steps=int(T), alpha=eta_min / eta_max), t)

    def warmup_cosine(t: Any, eta_max: float, eta_min: float, warmup: float, T: float) -> Any:
        return at_count(optax.warmup_cosine_decay_schedule(
            init_value=0.0, peak_value=eta_max, warmup_steps=int(warmup), decay_steps=int(T),
            end_value=eta_min), t)

    # -- optax optimizers, one step ------------------------------------------------------
    def gd_step(theta: Any, g: Any, lr: float) -> Any:
        tx = optax.sgd(lr)
        updates, _ = tx.update(g, tx.init(theta), theta)
        return optax.apply_updates(theta, updates)

    def sgd_momentum_step(theta: Any, v: Any, g: Any, lr: float, momentum: float) -> Any:
        tx = optax.sgd(lr, momentum=momentum)
        trace, *rest = tx.init(theta)
        state = (trace._replace(trace=v), *rest)
        updates, (new, *_) = tx.update(g, state, theta)
        return jnp.stack([optax.apply_updates(theta, updates), new.trace], axis=-2)

    def adam_step(kind: str) -> Callable[..., Any]:
        def step(theta: Any, m: Any, v: Any, g: Any, lr: float, beta1: float, beta2: float,
                 eps: float, t: float, weight_decay: float = 0.0) -> Any:
            """optax.adam/adamw from the state ScaleByAdamState(count = t − 1, mu = m, nu = v)."""
            if kind == "adam":
                tx = optax.adam(lr, b1=beta1, b2=beta2, eps=eps)
            else:
                tx = optax.adamw(lr, b1=beta1, b2=beta2, eps=eps, weight_decay=weight_decay)
            adam, *rest = tx.init(theta)
            count = (jnp.asarray(t) - 1).astype(adam.count.dtype)
            state = (adam._replace(count=count, mu=m, nu=v), *rest)
            updates, (new, *_) = tx.update(g, state, theta)
            theta_new = optax.apply_updates(theta, updates)
            return jnp.stack([theta_new, new.mu, new.nu], axis=-2)

        return step

    def clip_global_norm(g: Any, max_norm: float) -> Any:
        """optax.clip_by_global_norm, vmapped over rows (its norm spans the whole tree)."""
        tx = optax.clip_by_global_norm(max_norm)
        rows = g.reshape(-1, g.shape[-1])
        return jax.vmap(lambda row: tx.update(row, tx.init(row))[0])(rows).reshape(g.shape)

    x64 = "jax_enable_x64 on"
    ftz = ("XLA's CPU kernels flush subnormal results to zero (FTZ/DAZ)")
    moderate = {"low": -1e4, "high": 1e4}
    subnormal = {"extremes": (*SCALAR_EXTREMES, 1e-38, 2e-308)}  # just below fp32/fp64 tiny
    tail = {"extremes": (*SCALAR_EXTREMES, -7.3453)}
    positive = {"kind": "positive", "low": 1e-3, "high": 1.0, "extremes": (1.0, 0.5, 1e-3)}
    return [
        # jax.nn activations ----------------------------------------------------------------
        narrowed("jax.nn.relu", "act.relu", jax.nn.relu, {"x": subnormal}, expect="fail",
                 note=f"finding: {ftz}: relu(x) = 0 for a subnormal x > 0: 0.9 ulp (of the "
                      "smallest normal) at x = 2e-308 in fp64, 0.85 at 1e-38 in fp32, budget "
                      "0.5 (both are extremes added here)"),
        job("jax.nn.leaky_relu", "act.leaky_relu", leaky_relu, note="negative_slope = α"),
        job("jax.nn.gelu(approximate=False)", "act.gelu",
            lambda x: jax.nn.gelu(x, approximate=False),
            note=f"½x·erfc(−x/√2); {x64}"),
        narrowed("jax.nn.gelu (approximate=True, the default)", "act.gelu", jax.nn.gelu,
                 {"x": tail}, expect="fail",
            note="JAX's default is the tanh approximation: it matches the tanh variant in "
                 "fp32; finding: in fp64 it misses that variant's 4-ulp budget too (9.7 ulp of "
                 "1 at x = −7.3453, an extreme added here): XLA's fp64 tanh is a few ulp off "
                 "near ±1 (see jax.nn.tanh) and 1 + tanh(·) turns that into an absolute error"),
        narrowed("jax.nn.gelu vs act.gelu_tanh", "act.gelu_tanh", jax.nn.gelu, {"x": tail},
                 expect="fail", note="the same fp64 tanh finding (x = −7.3453 is an extreme)"),
        job("jax.nn.silu", "act.silu", jax.nn.silu, expect="fail",
            note=f"x·sigmoid(x); finding: {ftz}, so sigmoid(x) is 0 for x ≲ −708 in fp64 "
                 "(−87 in fp32) and x·σ(x) comes out −0 where it is a normal number "
                 "(−6.4e-308 at x = −713.9)"),
        job("jax.nn.sigmoid", "act.sigmoid", jax.nn.sigmoid),
        job("jax.nn.tanh", "act.tanh", jax.nn.tanh, expect="fail",
            note="finding: XLA's CPU tanh is an approximation: 6.4 ulp in fp64 at x = 18.96 "
                 "(0.9999999999999992 for 0.9999999999999999), 3.4 ulp in fp32; budget 2"),
        job("jax.nn.softmax", "act.softmax", jax.nn.softmax),
        job("jax.nn.log_softmax", "act.log_softmax", jax.nn.log_softmax),
        job("jax.nn.standardize · γ + β", "norm.layer_norm", layer_norm("fast"), expect="fail",
            note="algorithm='fast' (the default): Var = E[x²] − E[x]²; finding: x² overflows "
                 "for |x| ≥ 1.3e154 in fp64 (1.8e19 in fp32) and the row becomes NaN; on "
                 "|x| ≤ 1e4 the difference cancels (7e11 ulp at a row ≈ −2788 ± 1e-3)"),
        job("jax.nn.standardize(algorithm='stable') · γ + β", "norm.layer_norm",
            layer_norm("stable"), expect="fail",
            note="two-pass variance; finding: the mean's sum overflows at x ≈ 3.6e307 (NaN); "
                 "on |x| ≤ 1e4 the mean of a nearly constant row is an ulp off and 1/√ε "
                 "amplifies it (3e6 ulp at a row ≈ 8633.1257389097 ± 4e-12)"),
        job("jax.nn.dot_product_attention", "attn.scaled_dot_product", attention(False),
            sizes={"d": (2, 2)}, dtypes=EXACT, expect="fail",
            note="one head, layout (B, n, 1, d); d = e = 2 (JAX requires V's head size to be "
                 "Q's); fp64/fp32 (fp16: the next job); finding: the softmax is always "
                 "computed in fp32, so fp64 attention is fp32-accurate (1.3e8 ulp: "
                 "1.0000000298 for 1); fp32 passes"),
        custom_job("jax.jit(jax.nn.dot_product_attention) in fp16", "attn.scaled_dot_product",
                   _in_x64(_attention_fp16), expect="fail",
                   note="finding: under jit, fp16 attention on CPU raises ValueError "
                        "(precision F16_F16_F32 is not supported by dot_general on CPU): "
                        "JAX's fallback to the default precision is a try/except that only "
                        "catches the error in eager calls, where fp16 passes"),
        job("jax.nn.dot_product_attention(is_causal=True)", "attn.causal_mask",
            attention(True), sizes={"d": (2, 2)}, dtypes=EXACT, expect="fail",
            note="one head, d = e = 2; the same fp32-softmax finding as above (and the same "
                 "fp16 error under jit)"),
        # optax losses ----------------------------------------------------------------------
        job("optax.softmax_cross_entropy", "loss.cross_entropy", cross_entropy),
        job("optax.safe_softmax_cross_entropy", "loss.cross_entropy", safe_cross_entropy),
        job("optax.sigmoid_binary_cross_entropy", "loss.bce_with_logits", bce_with_logits,
            expect="fail",
            note=f"−y·log σ(z) − (1 − y)·log σ(−z); finding: {ftz}, so log σ(−z) = "
                 "−log1p(e^−z) is 0 for z ≳ 708 and the (1 − y) term vanishes: 7.7e-8 "
                 "relative at z = −709.7, y = 1.1e-304 in fp64 (6e8 ulp); in fp32 a "
                 "subnormal y·z is 0 (z = −9227, y = 5e-42)"),
        job("optax.squared_error, mean over the last axis", "loss.mse", squared_error,
            expect="fail",
            note="finding: the jitted, vectorised kernel flushes a subnormal square to zero: "
                 "283 ulp in fp32 at ŷ ≈ (−6e-44, −4e-29, −4e-18, −2.3e-20, 2e-28), y = 0 in "
                 "a batch of 500 rows, 0.7 ulp on its own; fp64 passes"),
        job("optax.l2_loss, mean over the last axis", "loss.mse", l2_loss, expect="fail",
            note="convention: l2_loss is ½(ŷ − y)² (Bishop's ½), so its mean is ½·MSE, named "
                 "in fp64 and fp16; finding: fp32 misses that variant by 261 ulp, the same "
                 "flush of subnormal squares to zero as optax.squared_error"),
        job("optax.huber_loss", "loss.huber", huber, note="½q² + δ(|r| − q), q = min(|r|, δ)"),
        job("optax.cosine_similarity", "sim.cosine", cosine(0.0), expect="fail",
            note="epsilon = 0 (the default); convention: a zero vector gives 0/0 = NaN (the "
                 "catalog's 0); finding: ‖a‖² overflows for entries ≳ 1.3e154 in fp64, "
                 "giving 0"),
        narrowed("optax.cosine_similarity(epsilon=1e-16), |a|, |b| ≤ 1e4", "sim.cosine",
                 cosine(1e-16), {"a": moderate, "b": moderate}, dtypes=EXACT,
                 expect="eps-clamped norms (torch)",
                 note="epsilon clamps ‖a‖² from below: ‖a‖ ≥ 1e-8, torch's clamp; fp64/fp32 "
                      "(1e-16 is 0 in fp16, where a zero vector gives NaN again)"),
        job("optax.kl_divergence(log q, p)", "info.kl", kl, expect="fail",
            note="kl_divergence(log_predictions, targets) is KL(targets‖predictions); "
                 "finding (documented: targets must be positive): where p = q = 0 it computes "
                 "0·(0 − log 0) = NaN, not the 0 of 0·log 0"),
        narrowed("optax.kl_divergence(log q, p), p, q > 0", "info.kl", kl,
                 {"p": positive, "q": positive}, properties=False,
                 note="unnormalised positive vectors, so the properties (KL ≥ 0) are not "
                      "checked"),
        # optax schedules -------------------------------------------------------------------
        custom_job("optax.cosine_decay_schedule, t = 0…T", "sched.cosine", _in_x64(
            lambda: check_schedule("sched.cosine", optax.cosine_decay_schedule(
                3e-4, 200, alpha=0.1), eta_max=3e-4, eta_min=3e-5, T=200)),
            note=f"check_schedule: every step of one schedule in fp64 ({x64})"),
        custom_job("optax.warmup_cosine_decay_schedule, t = 0…T", "sched.warmup_cosine",
                   _in_x64(lambda: check_schedule(
                       "sched.warmup_cosine",
                       optax.warmup_cosine_decay_schedule(0.0, 3e-4, 20, 200, 3e-5),
                       eta_max=3e-4, eta_min=3e-5, warmup=20, T=200)),
                   note="check_schedule, as above"),
        job("optax.cosine_decay_schedule", "sched.cosine", cosine_schedule, jit=False,
            note=f"init_value = η_max, decay_steps = T, alpha = η_min/η_max; t passed as the "
                 f"int32 step count an optimizer gives it ({x64}: the value is fp64), rounded "
                 f"to the checked dtype"),
        job("optax.warmup_cosine_decay_schedule", "sched.warmup_cosine", warmup_cosine,
            jit=False,
            expect="fail",
            note="init_value = 0, peak_value = η_max, warmup_steps = T_w, decay_steps = T "
                 "(which includes the warm-up), end_value = η_min; t as an int32 count, as "
                 "above; finding: linear_schedule's count / transition_steps of an int32 "
                 "count is fp32 even with x64 on, so the warm-up is fp32-accurate in fp64 "
                 "(1.5e-7 relative at t = 1: 1.3e9 ulp). With a float count it passes in "
                 "fp64 at 8 ulp, the budget: (0 − η_max)(1 − t/T_w) + η_max cancels near "
                 "t = 0"),
        # optax optimizers, one step --------------------------------------------------------
        job("optax.sgd, one step", "opt.gd", gd_step),
        job("optax.sgd(momentum), one step", "opt.sgd_momentum", sgd_momentum_step,
            dtypes=EXACT, expect="lr outside the buffer",
            note="TraceState(trace = v): b' = g + γb, θ' = θ − ηb'; fp64/fp32: in fp16 optax "
                 "updates the state in fp16 arithmetic, 1.09 ulp off the variant's fp16 form "
                 "(computed in fp32 and rounded once, budget 1)"),
        job("optax.adam, one step", "opt.adam", adam_step("adam"), dtypes=EXACT,
            sizes={"n": (2, 2)}, expect="fail",
            note="ScaleByAdamState(count = t − 1, mu = m, nu = v); n = 2 (the update is "
                 "elementwise; each new shape is a compilation); fp64/fp32 (fp16: the 200-step "
                 "job); ε outside the square root of the bias-corrected v̂ (canonical, not the "
                 "ε̂ variant); finding: 1 − β₂ᵗ is formed directly and cancels (30 ulp "
                 "relative at β₂ = 0.999, t = 10), so θ' is 8.7 ulp off in fp64 at θ = 0, "
                 "m = 1, v = 0, g = 2⁻⁸ and up to 15 elsewhere (budget 8), as torch.optim.Adam"),
        job("optax.adamw, one step", "opt.adamw", adam_step("adamw"), dtypes=EXACT,
            sizes={"n": (2, 2)}, expect="fail",
            note="add_decayed_weights then scale_by_learning_rate: −η(d + λθ) (canonical); the "
                 "same 1 − β₂ᵗ finding as optax.adam (up to 17 ulp in fp64)"),
        custom_job("optax.adam, 200 steps", "opt.adam", _in_x64(lambda: check_optimizer(
            "opt.adam", optax.adam(1e-3), lr=1e-3)), expect="fail",
            note="check_optimizer: 200 steps × 4 objectives against the recurrence on the same "
                 "gradients; fp64/fp32/bf16 pass; finding: optax keeps fp16 state in fp16 and "
                 "ε = 1e-8 underflows to 0 there, so a zero v̂ gives −inf at step 1"),
        custom_job("optax.adamw, 200 steps", "opt.adamw", _in_x64(lambda: check_optimizer(
            "opt.adamw", optax.adamw(1e-3, weight_decay=0.1), lr=1e-3, weight_decay=0.1)),
            expect="fail", note="as optax.adam: fp16's ε underflow; the rest pass"),
        custom_job("optax.sgd(momentum), 200 steps", "opt.sgd_momentum", _in_x64(
            lambda: check_optimizer("opt.sgd_momentum", optax.sgd(1e-2, momentum=0.9), lr=1e-2,
                                    momentum=0.9)),
            note="a constant η: the buffer convention gives the same iterates (v = ηb)"),
        job("optax.clip_by_global_norm", "opt.clip_grad_norm", clip_global_norm, expect="fail",
            note="vmapped over rows; finding: the global norm √Σg² is not rescaled, so it "
                 "overflows for |g| ≳ 1.3e154 in fp64 (1.8e19 in fp32) and the clipped "
                 "gradient is 0"),
    ]
