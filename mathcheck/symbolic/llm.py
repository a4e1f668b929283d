"""Section 9 · LLM-specific: SymPy forms, derivations and identities."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import sympy as sp

from mathcheck.symbolic._form import Equation, SymForm, matrix, real, vector

# ----------------------------------------------------------------------------- positions

PE_DIM = 8
ROPE_DIM = 6
BASE = 10000


def _frequency(i: int, d: int) -> sp.Expr:
    """ω_i = 10000^(−2i/d) for the pair (2i, 2i+1)."""
    return sp.Integer(BASE) ** sp.Rational(-2 * i, d)


def sinusoidal(d: int = PE_DIM) -> SymForm:
    """PE(pos, 2i) = sin(pos·ω_i), PE(pos, 2i+1) = cos(pos·ω_i), as a d-vector of pos."""
    pos = real("pos")
    entries = []
    for k in range(d):
        w = _frequency(k // 2, d)
        entries.append(sp.sin(pos * w) if k % 2 == 0 else sp.cos(pos * w))
    return SymForm(sp.Matrix(entries), {"pos": pos})


def sinusoidal_shift(d: int = 4) -> Equation:
    """PE(p + k) = M_k PE(p): each (sin, cos) pair is rotated by k·ω_i (a linear map in k only)."""
    p, k = real("p"), real("k")
    pe = sinusoidal(d).expr
    lhs = pe.subs(real("pos"), p + k)
    blocks = []
    for i in range(d // 2):
        a = k * _frequency(i, d)
        blocks.append(sp.Matrix([[sp.cos(a), sp.sin(a)], [-sp.sin(a), sp.cos(a)]]))
    rhs = sp.diag(*blocks) * pe.subs(real("pos"), p)
    return Equation(sp.expand_trig(lhs), sp.expand(rhs), {p: (0, 64), k: (0, 64)})


def _rotate(x: sp.Matrix, m: sp.Expr, thetas: list[sp.Expr]) -> sp.Matrix:
    """R_m x: the pair (x_2i, x_2i+1) rotated by m·θ_i (interleaved pairs, Su et al. 2021)."""
    out = []
    for i, t in enumerate(thetas):
        a, b = x[2 * i], x[2 * i + 1]
        c, s = sp.cos(m * t), sp.sin(m * t)
        out.extend([a * c - b * s, a * s + b * c])
    return sp.Matrix(out)


#: The RoPE base b (θ_i = b^(−2i/r)) and the number r of rotated dimensions, as parameters.
rope_base = real("base", positive=True)
rotary_dim = real("rotary_dim", positive=True)


def _partial(x: sp.Matrix, m: sp.Expr, pairs: Callable[[int], list[tuple[int, int]]]
             ) -> sp.Matrix:
    """R_m applied to the first r coordinates of x (r = rotary_dim, even, ≤ d), the rest
    passed through; θ_i = base^(−2i/r) over the rotated ones (GPT-NeoX rotary_pct, GPT-J
    rotary_dim). `pairs(r)` lists the rotated (first, second) coordinates of pair i. r is a
    stated parameter, so the form is a Piecewise over the even r ≤ d (full rotation last)."""
    d = x.shape[0]
    pieces = []
    for r in range(2, d + 1, 2):
        out = list(x)
        for i, (a, b) in enumerate(pairs(r)):
            angle = m * rope_base ** sp.Rational(-2 * i, r)
            c, s = sp.cos(angle), sp.sin(angle)
            out[a], out[b] = x[a] * c - x[b] * s, x[a] * s + x[b] * c
        pieces.append(sp.Matrix(out))
    return sp.Matrix(d, 1, lambda j, _: sp.Piecewise(
        *((p[j], sp.Eq(rotary_dim, r)) for p, r in zip(pieces[:-1], range(2, d, 2),
                                                      strict=True)),
        (pieces[-1][j], True)))


def _interleaved(r: int) -> list[tuple[int, int]]:
    return [(2 * i, 2 * i + 1) for i in range(r // 2)]


def _half_split(r: int) -> list[tuple[int, int]]:
    return [(i, i + r // 2) for i in range(r // 2)]


def rope() -> SymForm:
    """f(x, m) = R_m x for d = 6: interleaved pairs (x_2i, x_2i+1) rotated by m·θ_i,
    θ_i = base^(−2i/r) (base 10⁴ in Su et al.; 5·10⁵ in LLaMA 3, 10⁶ in Qwen and Code LLaMA),
    the first r = rotary_dim coordinates rotated (r = d: all); m is a 1-vector."""
    x, m = vector("x", ROPE_DIM), vector("m", 1)
    return SymForm(_partial(x, m[0], _interleaved), {"x": x, "m": m},
                   {"base": rope_base, "rotary_dim": rotary_dim})


def rope_relative(d: int = 4) -> Equation:
    """⟨f(q, m), f(k, n)⟩ = qᵀ R_{n−m} k: a function of q, k and m − n only (symbolic θ_i)."""
    q, k = vector("q", d), vector("k", d)
    m, n = real("m"), real("n")
    thetas = [sp.Symbol(f"theta_{i}", positive=True) for i in range(d // 2)]
    lhs = (_rotate(q, m, thetas).T * _rotate(k, n, thetas))[0, 0]
    rhs = (q.T * _rotate(k, n - m, thetas))[0, 0]
    # angle-addition expanded on both sides, so the proof is a polynomial identity in
    # cos(mθ), sin(mθ), cos(nθ), sin(nθ)
    return Equation(*(sp.expand(sp.expand_trig(sp.expand(side))) for side in (lhs, rhs)))


def rope_norm(d: int = 4) -> Equation:
    """‖R_m x‖² = ‖x‖²."""
    x, m = vector("x", d), real("m")
    thetas = [sp.Symbol(f"theta_{i}", positive=True) for i in range(d // 2)]
    y = _rotate(x, m, thetas)
    return Equation(sp.expand((y.T * y)[0, 0]), sp.expand((x.T * x)[0, 0]))


def rope_shift_derivative(d: int = 4) -> sp.Expr:
    """∂/∂n ⟨f(q, n + Δ), f(k, n)⟩: zero iff the score depends on m − n = Δ alone."""
    q, k = vector("q", d), vector("k", d)
    n, delta = real("n"), real("Delta")
    thetas = [sp.Symbol(f"theta_{i}", positive=True) for i in range(d // 2)]
    score = (_rotate(q, n + delta, thetas).T * _rotate(k, n, thetas))[0, 0]
    return sp.diff(score, n)


def rope_offset_only(d: int = 4) -> Equation:
    """∂/∂n ⟨f(q, n + Δ), f(k, n)⟩ = 0: at a fixed offset Δ = m − n the score is constant in n."""
    return Equation(rope_shift_derivative(d), sp.Integer(0))


# ----------------------------------------------------------------------------- sampling

#: logits → (τ → 0⁺ limit, τ → ∞ limit) of softmax(z/τ): one-hot on the argmax, ties sharing
#: it, and uniform. The second case is a tie.
TEMPERATURE_CASES: dict[tuple[int, ...], tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]] = {
    (1, 3, 2): ((sp.Integer(0), sp.Integer(1), sp.Integer(0)), (sp.Rational(1, 3),) * 3),
    (2, 2, 1): ((sp.Rational(1, 2), sp.Rational(1, 2), sp.Integer(0)), (sp.Rational(1, 3),) * 3),
}


def temperature_limits() -> Equation:
    """lim τ→0⁺ softmax(z/τ) = one-hot argmax (uniform over tied maxima); lim τ→∞ = uniform.

    SymPy takes the limits; the equation stacks them against the stated values.
    """
    tau = sp.Symbol("tau", positive=True)
    lhs: list[sp.Expr] = []
    rhs: list[sp.Expr] = []
    for z, (cold, hot) in TEMPERATURE_CASES.items():
        e = [sp.exp(sp.Integer(v) / tau) for v in z]
        probs = [v / sum(e) for v in e]
        lhs += [sp.limit(p, tau, 0, "+") for p in probs] + [sp.limit(p, tau, sp.oo) for p in probs]
        rhs += [*cold, *hot]
    return Equation(sp.Matrix(lhs), sp.Matrix(rhs))


# ----------------------------------------------------------------------------- LM probability


def _log_softmax(z: sp.Matrix) -> sp.Matrix:
    return z - sp.ones(*z.shape) * sp.log(sum(z.applyfunc(sp.exp)))


def sequence_logprob(T: int, V: int) -> SymForm:
    """log P(x_1..x_T) = Σ_t log P(x_t | x_<t): logits z (T×V), one-hot targets y (T×V)."""
    z, y = matrix("z", T, V), matrix("y", T, V)
    total = sp.Add(*((y[t, :] * _log_softmax(z[t, :].T))[0, 0] for t in range(T)))
    return SymForm(total, {"z": z, "y": y})


def nll(T: int, V: int) -> SymForm:
    """L = −(1/T) Σ_t log P(x_t | x_<t)."""
    form = sequence_logprob(T, V)
    return SymForm(-form.expr / T, form.args)


def d_nll_stated(form: SymForm) -> sp.Matrix:
    """∂L/∂z_tv = (softmax(z_t)_v·Σ_u y_tu − y_tv)/T, flattened row-major (the engine's order).

    For one-hot (or any probability) targets Σ_u y_tu = 1 and this is the familiar
    (softmax − y)/T; the SymPy form treats y as free symbols, so the factor is kept.
    """
    z, y = form.args["z"], form.args["y"]
    T, V = z.shape
    grad = []
    for t in range(T):
        e = [sp.exp(z[t, v]) for v in range(V)]
        total, mass = sp.Add(*e), sp.Add(*(y[t, u] for u in range(V)))
        grad.extend((e[v] / total * mass - y[t, v]) / T for v in range(V))
    return sp.Matrix(grad)


def chain_rule(T: int = 3, V: int = 2) -> Equation:
    """Π_t P(x_t | x_<t) = P(x_1..x_T) for every sequence, with P(x_t | x_<t) obtained from a
    symbolic joint table by marginalisation (the chain rule is a telescoping product)."""
    seqs = list(itertools.product(range(V), repeat=T))
    joint = {s: sp.Symbol("p_" + "".join(map(str, s)), positive=True) for s in seqs}

    def marginal(prefix: tuple[int, ...]) -> sp.Expr:
        return sp.Add(*(p for s, p in joint.items() if s[: len(prefix)] == prefix))

    lhs, rhs = [], []
    for s in seqs:
        product = sp.Integer(1)
        for t in range(T):
            product *= marginal(s[: t + 1]) / marginal(s[:t])
        total = marginal(())
        lhs.append(sp.cancel(product))
        rhs.append(joint[s] / total)  # the joint, normalised (a table need not sum to 1)
    return Equation(sp.Matrix(lhs), sp.Matrix(rhs))


# ----------------------------------------------------------------------------- sampling


def _softmax(z: list[sp.Expr]) -> list[sp.Expr]:
    e = [sp.exp(v) for v in z]
    total = sp.Add(*e)
    return [v / total for v in e]


def temperature(n: int) -> SymForm:
    """softmax(z/τ); τ is a 1-vector input."""
    z, tau = vector("z", n), vector("tau", 1, positive=True)
    return SymForm(sp.Matrix(_softmax([v / tau[0] for v in z])), {"z": z, "tau": tau})


def _indicator(cond: sp.Basic) -> sp.Expr:
    return sp.Piecewise((1, cond), (0, True), evaluate=False)


def top_k(n: int, k: int = 2) -> SymForm:
    """Keep token i iff z_i ≥ the k-th largest logit, i.e. fewer than k logits are strictly
    larger; renormalise. (Ties with the k-th largest are all kept: the set is closed under ties.)

    The k-th largest of n symbols is max over k-subsets of their min.
    """
    z = vector("z", n)
    kk = min(k, n)
    kth = sp.Max(*(sp.Min(*c) for c in itertools.combinations(list(z), kk)))
    e = [_indicator(sp.GreaterThan(z[i], kth, evaluate=False)) * sp.exp(z[i]) for i in range(n)]
    total = sp.Add(*e)
    return SymForm(sp.Matrix([v / total for v in e]), {"z": z})


def top_p(n: int, p: float = 0.9) -> SymForm:
    """Keep token i iff the mass of tokens strictly more probable than i is < p; renormalise.

    Sorted by probability, that is the smallest prefix whose mass reaches p (the token that
    crosses p is kept); tokens tied with the crossing token are kept with it.
    """
    z = vector("z", n)
    probs = _softmax(list(z))
    pp = sp.Symbol("p", positive=True)
    keep = []
    for i in range(n):
        above = sp.Add(
            *(
                probs[j] * _indicator(sp.StrictGreaterThan(z[j], z[i], evaluate=False))
                for j in range(n)
                if j != i
            )
        )
        keep.append(_indicator(sp.StrictLessThan(above, pp, evaluate=False)))
    e = [keep[i] * sp.exp(z[i]) for i in range(n)]
    total = sp.Add(*e)
    return SymForm(sp.Matrix([v / total for v in e]), {"z": z}, {"p": pp})


# ----------------------------------------------------------------------------- Chinchilla

E_, A_, B_ = sp.symbols("E A B", positive=True)
ALPHA, BETA = sp.symbols("alpha beta", positive=True)
CHINCHILLA_PARAMS = {"E": E_, "A": A_, "B": B_, "alpha": ALPHA, "beta": BETA}


def chinchilla_loss() -> SymForm:
    """L(N, D) = E + A/N^α + B/D^β."""
    n, d = real("N", positive=True), real("D", positive=True)
    return SymForm(E_ + A_ / n**ALPHA + B_ / d**BETA, {"N": n, "D": d}, CHINCHILLA_PARAMS)


def d_chinchilla_loss_dN(form: SymForm) -> sp.Expr:
    """∂L/∂N = −α A N^(−α−1)."""
    n = form.args["N"]
    return -ALPHA * A_ * n ** (-ALPHA - 1)


def _optimal_exprs(c: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """N_opt = G (C/6)^(β/(α+β)), D_opt = G⁻¹ (C/6)^(α/(α+β)), G = (αA/(βB))^(1/(α+β))."""
    g = (ALPHA * A_ / (BETA * B_)) ** (1 / (ALPHA + BETA))
    return g * (c / 6) ** (BETA / (ALPHA + BETA)), (c / 6) ** (ALPHA / (ALPHA + BETA)) / g


def chinchilla_optimal() -> SymForm:
    """(N_opt, D_opt) minimising L(N, D) subject to C = 6ND."""
    c = real("C", positive=True)
    n_opt, d_opt = _optimal_exprs(c)
    params = {k: v for k, v in CHINCHILLA_PARAMS.items() if k != "E"}
    return SymForm(sp.Matrix([n_opt, d_opt]), {"C": c}, params)


def _expand_powers(expr: sp.Expr) -> sp.Expr:
    """(ab)^c = a^c b^c and back together: valid here, every symbol is positive."""
    return sp.powsimp(sp.expand_power_base(expr, force=True), force=True)


def chinchilla_stationary() -> Equation:
    """At the stated N_opt: N·∂L(N, C/(6N))/∂N = 0 (stationary) and C/(6N_opt) = D_opt.

    Power bases are expanded first (valid, all symbols positive), which the prover's
    simplification does not do on its own.
    """
    n, c = real("N", positive=True), real("C", positive=True)
    loss = E_ + A_ * n**-ALPHA + B_ * (c / (6 * n)) ** -BETA
    n_opt, d_opt = _optimal_exprs(c)
    stationarity = (sp.diff(loss, n) * n).subs(n, n_opt)
    lhs = sp.Matrix([_expand_powers(stationarity), _expand_powers(c / (6 * n_opt) / d_opt)])
    ranges = {ALPHA: (0.1, 0.9), BETA: (0.1, 0.9), A_: (1.0, 1000.0), B_: (1.0, 1000.0)}
    return Equation(lhs, sp.Matrix([0, 1]), ranges)


# ----------------------------------------------------------------------------- LoRA, quant, KV


def lora(d: int, r: int) -> SymForm:
    """W' = W0 + B A with B (d×r), A (r×d)."""
    w0, b, a = matrix("W0", d, d), matrix("B", d, r), matrix("A", r, d)
    return SymForm(w0 + b * a, {"W0": w0, "B": b, "A": a})


def _round_half_even(y: sp.Expr) -> sp.Expr:
    f = sp.floor(y)
    return sp.Piecewise(
        (f + sp.Mod(f, 2), sp.Eq(y - f, sp.Rational(1, 2))), (sp.floor(y + sp.Rational(1, 2)), True)
    )


def fake_quant() -> SymForm:
    """x̂ = s·(clamp(round(x/s) + z, q_min, q_max) − z), round half to even; 8-bit unsigned."""
    x = real("x")
    s, z = sp.Symbol("s", positive=True), sp.Symbol("z")
    qmin, qmax = sp.Symbol("qmin"), sp.Symbol("qmax")
    q = sp.Min(sp.Max(_round_half_even(x / s) + z, qmin), qmax)
    return SymForm(s * (q - z), {"x": x}, {"s": s, "z": z, "qmin": qmin, "qmax": qmax})


def kv_cache_bytes() -> SymForm:
    """2 × n_layers × n_heads × d_head × seq_len × bytes per element (K and V, batch 1)."""
    names = ("layers", "heads", "d_head", "seq_len", "bytes_per_elem")
    syms = {n: real(n, positive=True) for n in names}
    return SymForm(2 * sp.Mul(*syms.values()), syms)


def kv_cache_flops() -> SymForm:
    """Matmul FLOPs of one decoding step at context length n, one attention layer of width d.

    Without a cache all n tokens are re-projected (3 projections, 2nd² each), scored (2n²d),
    mixed (2n²d) and projected out (2nd²): 8nd² + 4n²d. With a cache only the new token is
    projected (8d²) and its one query row scored and mixed against n keys (4nd): 8d² + 4nd.
    """
    n, d = real("n", positive=True), real("d", positive=True)
    return SymForm(sp.Matrix([8 * n * d**2 + 4 * n**2 * d, 8 * d**2 + 4 * n * d]), {"n": n, "d": d})


# ------------------------------------------------------------------ convention variants


def rope_half() -> SymForm:
    """GPT-NeoX / HF LLaMA RoPE: the pair (x_i, x_{i+r/2}) rotated by m·θ_i ('rotate_half')
    within the first r = rotary_dim coordinates, d = 6 as in `rope`."""
    x, m = vector("x", ROPE_DIM), vector("m", 1)
    return SymForm(_partial(x, m[0], _half_split), {"x": x, "m": m},
                   {"base": rope_base, "rotary_dim": rotary_dim})


def _round_half_away(y: sp.Expr) -> sp.Expr:
    """sign(y)·⌊|y| + ½⌋: C's round(), Python's decimal ROUND_HALF_UP on magnitudes."""
    return sp.sign(y) * sp.floor(sp.Abs(y) + sp.Rational(1, 2))


def fake_quant_half_away() -> SymForm:
    """`fake_quant` with round half away from zero (C round(), many INT8 kernels) instead of
    half to even; they differ only at exact ties x/s = k + ½."""
    x = real("x")
    s, z = sp.Symbol("s", positive=True), sp.Symbol("z")
    qmin, qmax = sp.Symbol("qmin"), sp.Symbol("qmax")
    q = sp.Min(sp.Max(_round_half_away(x / s) + z, qmin), qmax)
    return SymForm(s * (q - z), {"x": x}, {"s": s, "z": z, "qmin": qmin, "qmax": qmax})


def lora_minors(d: int = 3) -> Equation:
    """Every (r+1)×(r+1) minor of B A (B d×r, A r×d symbolic, r = 1, 2) is 0: rank BA ≤ r."""
    minors: list[sp.Expr] = []
    for r in (1, 2):
        ba = matrix("B", d, r) * matrix("A", r, d)
        for rows in itertools.combinations(range(d), r + 1):
            for cols in itertools.combinations(range(d), r + 1):
                minors.append(ba.extract(list(rows), list(cols)).det())
    return Equation(sp.Matrix(minors), sp.zeros(len(minors), 1))
