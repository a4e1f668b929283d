"""Section 6 · Optimization: SymPy forms of the update rules, schedules and penalties.

An optimizer is a step function: the state (θ and its moment buffers) and the gradient go in,
the new state comes out, stacked row-wise (θ' first). The same expression, iterated at 50
digits, is the exact recurrence the many-step checks compare against.
"""

from __future__ import annotations

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, real, vector

lr, momentum = real("eta", positive=True), real("gamma", positive=True)
beta1, beta2 = real("beta_1", positive=True), real("beta_2", positive=True)
eps, weight_decay = real("epsilon", positive=True), real("lambda", positive=True)
step = sp.Symbol("t", positive=True, integer=True)
max_norm = real("c", positive=True)
eta_max, eta_min = real("eta_max", positive=True), real("eta_min", nonnegative=True)
horizon, warmup = real("T", positive=True), real("T_w", positive=True)
lam = real("lambda", positive=True)
p = real("p", positive=True)


def _rows(*columns: sp.Matrix) -> sp.Matrix:
    """Stack n×1 columns into a k×n state matrix (one row per state component)."""
    return sp.Matrix.vstack(*(c.T for c in columns))


def gd(n: int) -> SymForm:
    """θ_{t+1} = θ_t − η∇L(θ_t)."""
    theta, g = vector("theta", n), vector("g", n)
    return SymForm(theta - lr * g, {"theta": theta, "g": g}, {"lr": lr})


def sgd_momentum(n: int) -> SymForm:
    """v_t = γv_{t−1} + η∇L(θ_t), θ_{t+1} = θ_t − v_t; state rows (θ, v)."""
    theta, v, g = vector("theta", n), vector("v", n), vector("g", n)
    v_new = momentum * v + lr * g
    return SymForm(_rows(theta - v_new, v_new), {"theta": theta, "v": v, "g": g},
                   {"lr": lr, "momentum": momentum})


def _adam_moments(
    m: sp.Matrix, v: sp.Matrix, g: sp.Matrix
) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """New moments and the bias-corrected direction m̂/(√v̂ + ε)."""
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g.applyfunc(lambda x: x**2)
    m_hat = m_new / (1 - beta1**step)
    v_hat = v_new / (1 - beta2**step)
    direction = sp.Matrix([m_hat[i] / (sp.sqrt(v_hat[i]) + eps) for i in range(m.shape[0])])
    return m_new, v_new, direction


ADAM_PARAMS = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps, "t": step}


def adam(n: int) -> SymForm:
    """Adam with bias correction: θ_{t+1} = θ_t − η m̂_t/(√v̂_t + ε); state rows (θ, m, v)."""
    theta, m, v, g = vector("theta", n), vector("m", n), vector("v", n), vector("g", n)
    m_new, v_new, direction = _adam_moments(m, v, g)
    return SymForm(_rows(theta - lr * direction, m_new, v_new),
                   {"theta": theta, "m": m, "v": v, "g": g}, dict(ADAM_PARAMS))


def adamw(n: int) -> SymForm:
    """AdamW: θ_{t+1} = θ_t − η(m̂_t/(√v̂_t + ε) + λθ_t); the moments never see λθ."""
    theta, m, v, g = vector("theta", n), vector("m", n), vector("v", n), vector("g", n)
    m_new, v_new, direction = _adam_moments(m, v, g)
    return SymForm(_rows(theta - lr * (direction + weight_decay * theta), m_new, v_new),
                   {"theta": theta, "m": m, "v": v, "g": g},
                   {**ADAM_PARAMS, "weight_decay": weight_decay})


def adam_on_l2(n: int) -> SymForm:
    """Adam on L + (λ/2)‖θ‖² (decay through the gradient): what AdamW is *not*."""
    theta, m, v, g = vector("theta", n), vector("m", n), vector("v", n), vector("g", n)
    m_new, v_new, direction = _adam_moments(m, v, g + weight_decay * theta)
    return SymForm(_rows(theta - lr * direction, m_new, v_new),
                   {"theta": theta, "m": m, "v": v, "g": g},
                   {**ADAM_PARAMS, "weight_decay": weight_decay})


def clip_grad_norm(n: int) -> SymForm:
    """ĝ = g if ‖g‖ ≤ c, else c·g/‖g‖."""
    g = vector("g", n)
    norm = sp.sqrt(sum(x**2 for x in g))
    clipped = sp.Matrix([sp.Piecewise((x, norm <= max_norm), (max_norm * x / norm, True))
                         for x in g])
    return SymForm(clipped, {"g": g}, {"max_norm": max_norm})


def _cosine(progress: sp.Expr) -> sp.Expr:
    return eta_min + sp.Rational(1, 2) * (eta_max - eta_min) * (1 + sp.cos(sp.pi * progress))


def cosine() -> SymForm:
    """η_t = η_min + ½(η_max − η_min)(1 + cos(πt/T)) for 0 ≤ t ≤ T; held at η_min after T."""
    t = real("t", nonnegative=True)
    expr = sp.Piecewise((_cosine(t / horizon), t <= horizon), (eta_min, True))
    return SymForm(expr, {"t": t}, {"eta_max": eta_max, "eta_min": eta_min, "T": horizon})


def warmup_cosine() -> SymForm:
    """Linear warmup η_max·t/T_w for t < T_w, then cosine decay over [T_w, T], η_min after T."""
    t = real("t", nonnegative=True)
    expr = sp.Piecewise(
        (eta_max * t / warmup, t < warmup),
        (_cosine((t - warmup) / (horizon - warmup)), t <= horizon),
        (eta_min, True),
    )
    return SymForm(expr, {"t": t},
                   {"eta_max": eta_max, "eta_min": eta_min, "warmup": warmup, "T": horizon})


def l2(n: int) -> SymForm:
    """The L2 penalty λΣθ_i² (added to the loss L)."""
    theta = vector("theta", n)
    return SymForm(lam * sum(x**2 for x in theta), {"theta": theta}, {"lam": lam})


def d_l2_stated(form: SymForm) -> sp.Matrix:
    """∇(λΣθ²) = 2λθ."""
    return 2 * lam * form.args["theta"]


def l1(n: int) -> SymForm:
    """The L1 penalty λΣ|θ_i| (added to the loss L)."""
    theta = vector("theta", n)
    return SymForm(lam * sum(sp.Abs(x) for x in theta), {"theta": theta}, {"lam": lam})


def d_l1_stated(form: SymForm) -> sp.Matrix:
    """∂(λΣ|θ|) = λ·sign(θ) (the subgradient 0 at θ_i = 0)."""
    return lam * form.args["theta"].applyfunc(sp.sign)


def l2_step_is_weight_decay(n: int = 3) -> Equation:
    """A GD step on L + λΣθ² is the decayed step (1 − 2ηλ)θ − η∇L (true for SGD, not Adam)."""
    form = l2(n)
    theta, g = form.args["theta"], vector("g", n)
    penalty_grad = sp.Matrix([sp.diff(form.expr, x) for x in theta])
    return Equation(theta - lr * (g + penalty_grad), (1 - 2 * lr * lam) * theta - lr * g)


def dropout() -> SymForm:
    """Inverted dropout h = mask ⊙ f(x)/(1 − p), mask ~ Bernoulli(1 − p)."""
    h, mask = real("h"), real("mask")
    return SymForm(mask * h / (1 - p), {"h": h, "mask": mask}, {"p": p})


def dropout_expectation() -> Equation:
    """E[mask·h/(1 − p)] over mask ~ Bernoulli(1 − p) equals h."""
    h = real("h")
    q = sp.Symbol("p", positive=True)
    expectation = (1 - q) * (1 * h / (1 - q)) + q * (0 * h / (1 - q))
    return Equation(expectation, h, {q: (0.01, 0.99)})


# ------------------------------------------------------------------ convention variants


def _adam_variant(n: int, direction_of: str, decay: str | None = None) -> SymForm:
    """Adam/AdamW steps whose ε or decay sits elsewhere (the conventions frameworks differ on)."""
    theta, m, v, g = vector("theta", n), vector("m", n), vector("v", n), vector("g", n)
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g.applyfunc(lambda x: x**2)
    c1, c2 = 1 - beta1**step, 1 - beta2**step
    if direction_of == "eps_in_sqrt":  # m̂/√(v̂ + ε)
        direction = sp.Matrix([m_new[i] / c1 / sp.sqrt(v_new[i] / c2 + eps) for i in range(n)])
    else:  # ε̂ outside the bias correction: (√(1−β₂ᵗ)/(1−β₁ᵗ))·m/(√v + ε)
        direction = sp.Matrix([sp.sqrt(c2) / c1 * m_new[i] / (sp.sqrt(v_new[i]) + eps)
                               for i in range(n)])
    params = dict(ADAM_PARAMS)
    step_ = lr * direction
    if decay == "unscaled":  # θ' = θ − ηd − λθ
        step_ = step_ + weight_decay * theta
        params["weight_decay"] = weight_decay
    return SymForm(_rows(theta - step_, m_new, v_new), {"theta": theta, "m": m, "v": v, "g": g},
                   params)


def adam_eps_in_sqrt(n: int) -> SymForm:
    """θ' = θ − η m̂/√(v̂ + ε): ε added to v̂ under the root (some RMSProp/Adam ports)."""
    return _adam_variant(n, "eps_in_sqrt")


def adam_eps_outside_correction(n: int) -> SymForm:
    """θ' = θ − η·(√(1 − β₂ᵗ)/(1 − β₁ᵗ))·m/(√v + ε̂): Kingma & Ba's 'efficient' ordering, the
    TensorFlow/Keras ε̂ (ε is not bias-corrected, so it acts √(1 − β₂ᵗ) times larger)."""
    return _adam_variant(n, "eps_outside")


def adamw_decay_not_scaled(n: int) -> SymForm:
    """θ' = θ − η m̂/(√v̂ + ε) − λθ: decay not multiplied by the learning rate (Loshchilov &
    Hutter's schedule multiplier 1; some JAX/Keras configurations)."""
    theta, m, v, g = vector("theta", n), vector("m", n), vector("v", n), vector("g", n)
    m_new, v_new, direction = _adam_moments(m, v, g)
    return SymForm(_rows(theta - lr * direction - weight_decay * theta, m_new, v_new),
                   {"theta": theta, "m": m, "v": v, "g": g},
                   {**ADAM_PARAMS, "weight_decay": weight_decay})


def sgd_momentum_lr_outside(n: int) -> SymForm:
    """torch.optim.SGD: b' = γb + g, θ' = θ − ηb'; state rows (θ, b). With a constant η the
    iterates equal the canonical ones (v = ηb); the step function (and a schedule) differ."""
    theta, v, g = vector("theta", n), vector("v", n), vector("g", n)
    v_new = momentum * v + g
    return SymForm(_rows(theta - lr * v_new, v_new), {"theta": theta, "v": v, "g": g},
                   {"lr": lr, "momentum": momentum})
