"""The textbook displays of calculus (rules stated in general, checked at the form's
instance), the FFNs and the residual connection, and the variance: each proven equal to its
form, a planted slip in each rejected (so the rule line is compared, not only printed), and
the printed shape pinned."""

from __future__ import annotations

import random
from typing import Any

import pytest
import sympy as sp

from mathcheck.formulas import all_entries, resolve
from mathcheck.symbolic import attention as attn_forms
from mathcheck.symbolic import calculus as calc_forms
from mathcheck.symbolic import probability as prob_forms
from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.notation import attention as attn
from mathcheck.symbolic.notation import calculus as calc
from mathcheck.symbolic.notation import notation_latex, prove_notation
from mathcheck.symbolic.notation import probability as prob
from mathcheck.symbolic.notation._blocks import Elementwise
from mathcheck.symbolic.notation._core import Notation, instantiate
from mathcheck.symbolic.notation.calculus import (
    Call,
    Diag,
    Prime,
    U,
    X,
    _checked,
    _rule,
    _table,
)
from mathcheck.symbolic.notation.linalg import Term
from mathcheck.symbolic.notation.optimization import Ordered

#: Entries whose displays these modules give, with the size sets they are proven at.
MINE: dict[str, list[dict[str, int]]] = {
    "calc.d_power": [{}], "calc.d_exp": [{}], "calc.d_log": [{}], "calc.d_sigmoid": [{}],
    "calc.d_tanh": [{}], "calc.chain_rule": [{}], "calc.product_rule": [{}],
    "calc.sum_rule": [{}], "calc.gradient": [{"n": 2}, {"n": 3}],
    "calc.jacobian": [{"m": 2, "n": 2}, {"m": 3, "n": 3}],
    "calc.hessian": [{"n": 2}, {"n": 3}],
    "ffn.gelu": [{"d": 2, "f": 2}, {"d": 3, "f": 3}],
    "ffn.swiglu": [{"d": 2, "f": 2}, {"d": 3, "f": 3}],
    "block.residual": [{"n": 2}, {"n": 3}],
    "block.transformer": [{"n": 2}, {"n": 3}],
    "prob.variance": [{"n": 2}, {"n": 3}],
    "prob.map": [{"n": 2}, {"n": 3}], "prob.mle": [{"n": 2}, {"n": 3}],
    "prob.gaussian": [{}], "prob.bernoulli": [{}], "prob.expectation": [{"n": 2}, {"n": 3}],
}
ENTRIES = {e.id: e for e in all_entries() if e.id in MINE}


@pytest.mark.parametrize("entry_id", sorted(MINE))
def test_display_is_wired_and_proven(entry_id: str) -> None:
    entry = ENTRIES[entry_id]
    assert entry.notation is not None, entry_id
    status, detail = prove_notation(resolve(entry.notation), resolve(entry.symbolic),
                                    MINE[entry_id])
    assert status == "proven", detail


def _rejected(builder: Any, form_builder: Any, sizes: list[dict[str, int]]) -> None:
    status, detail = prove_notation(builder, form_builder, sizes, time_budget=5.0)
    assert status == "failed", detail


# --------------------------------------------------------------------------- planted slips


def _chain_without_inner_point() -> Notation:  # f′(x) g′(x): f′ at x instead of g(x)
    f_line, g_line = _checked("f(u)"), Tex("g(x)")
    g = Call(g_line, X, X, "g")
    rule = Ordered(Prime(f_line, U, X, "f"), Prime(g_line, X, X, "g"))
    instance = ((f_line, sp.log(1 + U)), (g_line, X**2))
    return _rule(Tex(r"(f \circ g)^{\prime}(x)"), rule, Call(f_line, U, g, "f"), instance)


def _product_of_derivatives() -> Notation:  # (fg)′ = f′g′
    f_line, g_line = _checked("f(x)"), Tex("g(x)")
    f, g = Call(f_line, X, X, "f"), Call(g_line, X, X, "g")
    rule = Ordered(Prime(f_line, X, X, "f"), Prime(g_line, X, X, "g"))
    return _rule(Tex(r"(fg)^{\prime}(x)"), rule, f * g,
                 ((f_line, X**2), (g_line, sp.exp(X))))


def _sum_rule_minus() -> Notation:  # (f + g)′ = f′ − g′
    f_line, g_line = _checked("f(x)"), Tex("g(x)")
    f, g = Call(f_line, X, X, "f"), Call(g_line, X, X, "g")
    rule = Prime(f_line, X, X, "f") - Prime(g_line, X, X, "g")
    return _rule(Tex(r"(f + g)^{\prime}(x)"), rule, f + g,
                 ((f_line, X**2), (g_line, sp.exp(X))))


def _power_rule_unshifted() -> Notation:  # d/dx xⁿ = n xⁿ
    return _table(X**calc_forms.n_exp, calc_forms.n_exp * X**calc_forms.n_exp)


def _sigmoid_derivative_squared() -> Notation:  # σ′ = σ²
    s, s_prime = Tex(r"\sigma(x)"), Tex(r"\sigma^{\prime}(x)")
    return _table(1 / (1 + sp.exp(-X)), s**2, s, s_prime)


def _jacobian_without_slope(m: Any = 2, n: Any = 2) -> Notation:  # J = W
    good = calc.jacobian(m, n)
    (f, value), by_entry_line, (closed, _) = good.lines
    W = next(k for k, v in good.inputs.items() if v == "W")
    return Notation(((f, value), by_entry_line, (closed, W)), good.result, good.inputs,
                    shown=good.shown)


def _jacobian_transposed(m: Any = 2, n: Any = 2) -> Notation:  # diag(…) Wᵀ (square sizes)
    good = calc.jacobian(m, n)
    (f, value), by_entry_line, (closed, rhs) = good.lines
    slope, W = rhs.args
    return Notation(((f, value), by_entry_line, (closed, Diag(slope.args[0]) * W.T)),
                    good.result, good.inputs, shown=good.shown)


def _gradient_first_partial_only(n: Any = 2) -> Notation:  # ∇f = (∂f/∂x₁, …, ∂f/∂x₁)
    good = calc.gradient(n)
    (f, value), (grad, _) = good.lines
    x = next(k for k, v in good.inputs.items() if v == "x")
    wrong = calc.ByEntry(calc.Partial(f, x, 1), (calc.i, calc.j), n, 1)
    return Notation(((f, value), (grad, wrong)), good.result, good.inputs, shown=good.shown)


def _variance_plus(n: Any = 2) -> Notation:  # E[X²] + (E[X])²
    good = prob.variance(n)
    *rest, (var, rhs) = good.lines
    square, mean_sq = rhs.args if rhs.args[0].is_Symbol else rhs.args[::-1]
    return Notation((*rest, (var, square - mean_sq)), var, good.inputs)


def _variance_unnormalised(n: Any = 2) -> Notation:  # P(x_i) = p_i (weights not normalised)
    good = prob.variance(n)
    (p_line, _), *rest = good.lines
    p = next(k for k, v in good.inputs.items() if v == "p")
    c = sp.Symbol("c", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    return Notation(((p_line, calc.ByEntry(Term(p, "p_{#1}", i), (i, c), n, 1)), *rest),
                    good.result, good.inputs)


def _map_without_prior(n: Any = 2) -> Notation:  # argmax of the likelihood alone
    good = prob.map_estimate(n)
    (objective, posterior), argmax_line = good.lines
    likelihood = next(a for a in posterior.args if isinstance(a, sp.Sum))
    return Notation(((objective, likelihood), argmax_line), good.result, good.inputs)


def _mle_with_n_minus_one(n: Any = 2) -> Notation:  # σ̂² = Σ(x − μ̂)²/(n − 1) at the argmax
    good = prob.mle(n)
    ell, mu, (var, rhs), both = good.lines
    return Notation((ell, mu, (var, rhs * n / (n - 1)), both), good.result, good.inputs)


def _ffn_without_b2(d: Any = 2, f: Any = 2) -> Notation:  # W₂ GELU(W₁x + b₁)
    good = attn.ffn_gelu(d, f)
    ((out, rhs),) = good.lines
    product = next(a for a in rhs.args if isinstance(a, sp.MatMul))
    return Notation(((out, product),), out, good.inputs)


def _swiglu_gate_on_w3(d: Any = 2, f: Any = 2) -> Notation:  # SiLU(W₃x) ⊙ W₁x
    good = attn.ffn_swiglu(d, f)
    names = {v: k for k, v in good.inputs.items()}
    x, W1, W3, W2 = names["x"], names["W1"], names["W3"], names["W2"]
    t = sp.Symbol("t", real=True)
    gate = Elementwise(sp.Lambda(t, t / (1 + sp.exp(-t))), W3 * x, r"\operatorname{SiLU}")
    out = good.lines[0][0]
    return Notation(((out, W2 * attn.Gated(gate, W1 * x)),), out, good.inputs)


def _residual_without_skip(n: Any = 2) -> Notation:  # y = Sublayer(x)
    good = attn.residual(n)
    checked_line, sub_line, (out, _) = good.lines
    return Notation((checked_line, sub_line, (out, sub_line[0])), out, good.inputs,
                    shown=good.shown)


PLANTED = [
    ("chain f′(x)", _chain_without_inner_point, calc_forms.chain_rule, [{}]),
    ("product f′g′", _product_of_derivatives, calc_forms.product_rule, [{}]),
    ("sum f′ − g′", _sum_rule_minus, calc_forms.sum_rule, [{}]),
    ("power n xⁿ", _power_rule_unshifted, calc_forms.power, [{}]),
    ("sigmoid σ²", _sigmoid_derivative_squared, calc_forms.sigmoid, [{}]),
    ("jacobian W", _jacobian_without_slope, calc_forms.jacobian, [{"m": 2, "n": 2}]),
    ("jacobian Wᵀ", _jacobian_transposed, calc_forms.jacobian, [{"m": 2, "n": 2}]),
    ("gradient ∂₁", _gradient_first_partial_only, calc_forms.gradient, [{"n": 2}]),
    ("variance +", _variance_plus, prob_forms.variance, [{"n": 2}]),
    ("variance p", _variance_unnormalised, prob_forms.variance, [{"n": 2}]),
    ("map no prior", _map_without_prior, prob_forms.map_estimate, [{"n": 2}]),
    ("mle n − 1", _mle_with_n_minus_one, prob_forms.mle, [{"n": 2}]),
    ("ffn no b2", _ffn_without_b2, attn_forms.ffn_gelu, [{"d": 2, "f": 2}]),
    ("swiglu W3 gate", _swiglu_gate_on_w3, attn_forms.ffn_swiglu, [{"d": 2, "f": 2}]),
    ("residual no skip", _residual_without_skip, attn_forms.residual, [{"n": 2}]),
]


@pytest.mark.parametrize(("name", "builder", "form", "sizes"), PLANTED,
                         ids=[p[0] for p in PLANTED])
def test_planted_slip_is_rejected(name: str, builder: Any, form: Any,
                                  sizes: list[dict[str, int]]) -> None:
    _rejected(builder, form, sizes)


def test_transformer_block_with_the_first_norm_gain_in_the_ffn_differs() -> None:
    """The block proves because its instance is the form's expression term for term; a slip
    (γ₁ where the FFN's RMSNorm has γ₂) is shown wrong numerically: the simplifier would take
    minutes on the difference, and lambdify ~30 s."""
    form = attn_forms.transformer_block(2)
    good = attn.transformer_block(2)
    inputs = {k: ("g1" if v == "g2" else v) for k, v in good.inputs.items()}
    wrong = instantiate(Notation(good.lines, good.result, inputs), form.args)
    rng = random.Random(0)
    point = {s: sp.Float(rng.uniform(0.2, 1.0), 30) for s in form.expr.free_symbols}
    gap = max(abs(sp.N((w - f).xreplace(point), 30)) for w, f in zip(wrong, form.expr,
                                                                      strict=True))
    assert gap > 1e-6
    right = instantiate(good, form.args)
    assert all(sp.sympify(r - f) == 0 for r, f in zip(right, form.expr, strict=True))


# --------------------------------------------------------------------------- printed shape


def _rows(text: str) -> list[str]:
    body = text.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    return body.split(r" \\ ")


def test_rules_print_the_rule_first_then_the_instance() -> None:
    rows = _rows(notation_latex(calc.chain_rule()))
    assert rows[0] == r"(f \circ g)^{\prime}(x) &= f^{\prime}(g(x)) g^{\prime}(x)"
    assert rows[1].startswith(r"\text{checked at } f(u) &= \log")
    assert rows[2] == "g(x) &= x^{2}"
    product = _rows(notation_latex(calc.product_rule()))[0]
    assert product == r"(fg)^{\prime}(x) &= f^{\prime}(x) g(x) + f(x) g^{\prime}(x)"


def test_derivative_table_prints_the_derivative() -> None:
    assert notation_latex(calc.power()) == (
        r"\begin{aligned}f(x) &= x^{n} \\ f^{\prime}(x) &= n x^{n - 1}\end{aligned}")
    assert r"\tanh^{\prime}(x) &= 1 - \tanh^{2}\left(x\right)" in notation_latex(calc.tanh())
    assert r"\sigma(x) \left(1 - \sigma(x)\right)" in notation_latex(calc.sigmoid())


def test_multivariate_definitions_come_before_the_instance() -> None:
    jac = _rows(notation_latex(calc.jacobian()))
    assert jac[0] == r"J_{ij} &= \frac{\partial f_{i}}{\partial x_{j}}"
    assert jac[1] == (r"\mathbf{J} &= \operatorname{diag}\left(1 - \tanh^{2}\left(\mathbf{W} "
                      r"\mathbf{x} + \mathbf{b}\right)\right) \mathbf{W}")
    assert jac[2].startswith(r"\text{checked at } \mathbf{f}(\mathbf{x}) &= \tanh")
    grad = _rows(notation_latex(calc.gradient()))
    assert grad[0].startswith(r"\nabla f(\mathbf{x}) &= \left(\frac{\partial f}{\partial x_{1}}")
    hess = _rows(notation_latex(calc.hessian()))
    assert hess[0] == r"H_{ij} &= \frac{\partial^{2} f}{\partial x_{i} \partial x_{j}}"
    assert "exp" not in notation_latex(calc.jacobian())  # tanh is printed as tanh


def test_ffn_and_residual_read_as_the_cheatsheet() -> None:
    assert notation_latex(attn.ffn_gelu()) == (
        r"\operatorname{FFN}(\mathbf{x}) = \mathbf{W}_2 \operatorname{GELU}\left(\mathbf{W}_1 "
        r"\mathbf{x} + \mathbf{b}_1\right) + \mathbf{b}_2")
    assert notation_latex(attn.ffn_swiglu()) == (
        r"\operatorname{SwiGLU}(\mathbf{x}) = \mathbf{W}_2 \left(\operatorname{SiLU}\left("
        r"\mathbf{W}_1 \mathbf{x}\right) \odot \mathbf{W}_3 \mathbf{x}\right)")
    rows = _rows(notation_latex(attn.residual()))
    assert rows[0] == r"\mathbf{y} &= \mathbf{x} + \operatorname{Sublayer}(\mathbf{x})"
    assert rows[1].startswith(r"\text{checked at } \operatorname{Sublayer}")


def test_transformer_block_prints_its_lines() -> None:
    rows = _rows(notation_latex(attn.transformer_block()))
    assert rows[0] == r"\mathbf{A} &= \operatorname{RMSNorm}_{1}\left(\mathbf{X}\right)"
    assert rows[1].startswith(r"\mathbf{H} &= \mathbf{X} + \operatorname{Concat}")
    assert rows[2].startswith(r"\mathbf{Y} &= \mathbf{H} + \operatorname{GELU}")
    assert rows[3].startswith(r"\mathrm{head}_{i} &= \operatorname{Attention}")


def test_probability_displays_keep_the_textbook_order() -> None:
    assert notation_latex(prob.gaussian()) == (
        r"\mathcal{N}(x; \mu, \sigma^{2}) = \frac{1}{\sigma \sqrt{2\pi}} \exp\left(- "
        r"\frac{\left(x - \mu\right)^{2}}{2 \sigma^{2}}\right)")
    assert notation_latex(prob.bernoulli()) == r"P(X = x) = p^{x} \left(1 - p\right)^{1 - x}"
    assert notation_latex(prob.expectation()).endswith(r"x_{i} P(x_{i})")


def test_estimators_state_the_argmax() -> None:
    rows = _rows(notation_latex(prob.map_estimate()))
    assert rows[0].startswith(r"\hat{\theta}_{\mathrm{MAP}} &= \operatorname*{arg\,max}_{\theta}")
    assert rows[1].endswith(r"\log \mathcal{N}\left(\theta; 0, \tau^{2}\right)")
    rows = _rows(notation_latex(prob.mle()))
    assert rows[0] == (r"(\hat{\mu}, \hat{\sigma}^{2}) &= \operatorname*{arg\,max}_{\mu, "
                       r"\sigma^{2}} \ell(\mu, \sigma^{2})")


def test_variance_reads_as_the_shortcut() -> None:
    rows = _rows(notation_latex(prob.variance()))
    assert rows[0] == r"\mathrm{Var}(X) &= \mathbb{E}[X^{2}] - \left(\mathbb{E}[X]\right)^{2}"
    assert len(rows) == 4

