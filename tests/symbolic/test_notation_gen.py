"""The textbook notations of the activations, generative-model and RLHF sections: each proven
equal to its entry's SymPy form at two size sets, the printed constants tied to the form's
exact rationals, the key shapes of the displays pinned, and one planted wrong notation per
display family rejected (so a proof compares, never passes by itself)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import sympy as sp

from mathcheck.formulas import all_entries
from mathcheck.formulas._model import resolve
from mathcheck.symbolic import activations as act_forms
from mathcheck.symbolic import generative as gen_forms
from mathcheck.symbolic import rlhf as rlhf_forms
from mathcheck.symbolic.latex import Tex
from mathcheck.symbolic.notation import activations as act
from mathcheck.symbolic.notation import generative as gen
from mathcheck.symbolic.notation import notation_latex, prove_notation, rlhf
from mathcheck.symbolic.notation._core import Notation
from mathcheck.symbolic.notation.activations import Clip, Log, Min2, Plus, Sigmoid, Times

MINE = ("act.", "vae.", "gan.", "ddpm.", "rlhf.")
WIRED = [e for e in all_entries() if e.id.startswith(MINE) and e.notation is not None]


def _sizes(form_builder: Any) -> list[dict[str, int]]:
    names = list(inspect.signature(form_builder).parameters)
    if not names:
        return [{}]
    return [{k: 2 for k in names}, {k: 3 for k in names}]


def _status(builder: Any, form_builder: Any) -> str:
    status, _ = prove_notation(builder, form_builder, _sizes(form_builder))
    return status


def test_the_sections_are_wired() -> None:
    """The entries this notation covers (a dropped `notation=` would print the raw form)."""
    assert {e.id for e in WIRED} == {
        "act.gelu_sigmoid", "act.gelu_tanh", "act.log_sigmoid", "act.erf", "act.softplus",
        "vae.elbo", "vae.reparameterization", "gan.minimax", "gan.optimal_discriminator",
        "gan.equilibrium", "ddpm.forward", "ddpm.marginal", "ddpm.reverse", "ddpm.loss",
        "rlhf.bradley_terry", "rlhf.ppo_clip", "rlhf.kl_penalty", "rlhf.dpo", "rlhf.sft",
    }


@pytest.mark.parametrize("entry", WIRED, ids=lambda e: e.id)
def test_notation_proves_equal_to_its_form(entry: Any) -> None:
    form_builder = resolve(entry.symbolic)
    status, detail = prove_notation(resolve(entry.notation), form_builder, _sizes(form_builder))
    assert status == "proven", detail


# --------------------------------------------------------------------------- constants


def test_printed_decimals_are_the_forms_exact_rationals() -> None:
    tanh_text, sigmoid_text = notation_latex(act.gelu_tanh()), notation_latex(act.gelu_sigmoid())
    assert "0.044715 x^{3}" in tanh_text and r"\sqrt{2/\pi}" in tanh_text
    assert r"x \sigma\left(1.702 x\right)" in sigmoid_text
    assert "8943" not in tanh_text and "851" not in sigmoid_text
    # the decimal printed is the rational the proof substitutes, digit for digit
    assert sp.Rational("0.044715") == act_forms.GELU_TANH_C
    assert sp.Rational("1.702") == act_forms.GELU_SIGMOID_K
    c = Tex("0.044715")
    assert act.gelu_tanh().inputs[c]({}) == act_forms.GELU_TANH_C


def _rebound(notation: Notation, symbol: Tex, value: Any) -> Notation:
    inputs = dict(notation.inputs)
    inputs[symbol] = lambda args: value
    return Notation(notation.lines, notation.result, inputs)


def test_a_rounded_constant_is_rejected() -> None:
    """0.0447 for 0.044715 (or 1.7 for 1.702) is a different function: the proof says so."""
    tanh = _rebound(act.gelu_tanh(), Tex("0.044715"), sp.Rational(447, 10000))
    assert _status(lambda: tanh, act_forms.gelu_tanh) == "failed"
    sig = _rebound(act.gelu_sigmoid(), Tex("1.702"), sp.Rational(17, 10))
    assert _status(lambda: sig, act_forms.gelu_sigmoid) == "failed"


def test_softplus_as_log_one_plus_exp() -> None:
    """The form computes log1p(e^{−|x|}) + max(x, 0): proven by rewriting log1p as a log."""
    assert _status(act.softplus, act_forms.softplus) == "proven"


# --------------------------------------------------------------------------- shapes


def _lines(text: str) -> int:
    return text.count("&=") if r"\begin{aligned}" in text else 1


def test_elbo_prints_the_bound_then_its_two_closed_forms() -> None:
    text = notation_latex(gen.elbo())
    assert _lines(text) == 3
    first = text.split(r" \\ ")[0]
    assert r"\operatorname{ELBO}" in first and r"- D_{\mathrm{KL}}" in first
    assert (r"- \frac{1}{2} \sum_{j=1}^{k} \left(1 + \log \sigma_{j}^{2} - \mu_{j}^{2} - "
            r"\sigma_{j}^{2}\right)") in text
    assert r"\mathbf{x} - \mathbf{W} \boldsymbol{\mu} - \mathbf{b}" in text


def test_ddpm_marginal_prints_alpha_bar_as_a_product() -> None:
    text = notation_latex(gen.ddpm_marginal())
    assert _lines(text) == 3
    assert (r"\mathbf{x}_{t} &= \sqrt{\bar{\alpha}_{t}} \mathbf{x}_{0} + "
            r"\sqrt{1 - \bar{\alpha}_{t}} \boldsymbol{\epsilon}") in text
    assert r"\bar{\alpha}_{t} &= \prod_{s=1}^{t} \alpha_{s}" in text
    assert r"\alpha_{s} &= 1 - \beta_{s}" in text


def test_rlhf_displays_read_as_the_papers() -> None:
    ppo = notation_latex(rlhf.ppo_clip())
    assert ppo.endswith(r"= \min\left(r_{t}(\theta) A_{t}, \operatorname{clip}\left(r_{t}"
                        r"(\theta), 1 - \epsilon, 1 + \epsilon\right) A_{t}\right)")
    dpo = notation_latex(rlhf.dpo())
    assert dpo.startswith(r"\mathcal{L}_{\mathrm{DPO}} = - \log \sigma\left(\beta \log "
                          r"\frac{\pi_{\theta}(y_{w} \mid x)}{\pi_{\mathrm{ref}}(y_{w} \mid x)}"
                          r" - \beta \log \frac{\pi_{\theta}(y_{l} \mid x)}")
    sft = notation_latex(rlhf.sft())
    assert _lines(sft) == 2 and r"m_{t} \log P_{\theta}(y_{t} \mid x, y_{<t})" in sft


def test_ordered_nodes_print_as_given_and_evaluate_to_their_definition() -> None:
    a, b, u = Tex("a"), Tex("b"), sp.Symbol("u", real=True)
    assert notation_latex(Notation(((Tex("y"), Plus(b, -a)),), Tex("y"), {})) == "y = b - a"
    assert Times(b, a).xreplace({a: 2, b: u}).doit() == 2 * u
    assert Min2(b, a).xreplace({a: 1, b: u}).doit() == sp.Min(1, u)
    assert Clip(a, 0, 1).xreplace({a: u}).doit() == sp.Min(sp.Max(u, 0), 1)
    assert Sigmoid(a).xreplace({a: u}).doit() == 1 / (1 + sp.exp(-u))
    assert Log(a).xreplace({a: u}).doit() == sp.log(u)


# --------------------------------------------------------------------------- wrong variants


def test_wrong_gaussian_kl_is_rejected() -> None:
    """+σ² for −σ² in the KL: a plausible slip the proof must catch."""
    good = gen.elbo(2, 2)
    (recon, r), (kl, k_rhs), bound = good.lines
    wrong_kl = k_rhs.replace(lambda e: isinstance(e, Plus),
                             lambda e: Plus(*e.args[:-1], -e.args[-1]))
    assert wrong_kl != k_rhs
    wrong = Notation(((recon, r), (kl, wrong_kl), bound), good.result, good.inputs)
    assert prove_notation(lambda n, k: wrong, gen_forms.elbo, [{"n": 2, "k": 2}])[0] == "failed"


def test_wrong_alpha_bar_is_rejected() -> None:
    """ᾱ_t as a sum of the α_s instead of their product."""
    good = gen.ddpm_marginal(2, 2)
    (abar, product), line = good.lines
    wrong = Notation(((abar, sp.Sum(*product.args)), line), good.result, good.inputs)
    assert prove_notation(lambda d, T: wrong, gen_forms.ddpm_marginal,
                          [{"d": 2, "T": 2}])[0] == "failed"


def test_clip_with_swapped_bounds_is_rejected() -> None:
    """clip(r, 1 + ε, 1 − ε) is the constant 1 − ε: not PPO's objective."""
    r, adv, eps = Tex(r"r_{t}(\theta)"), Tex(r"A_{t}"), rlhf_forms.eps
    good = rlhf.ppo_clip()
    swapped = Min2(Times(r, adv), Times(Clip(r, 1 + eps, 1 - eps), adv))
    wrong = Notation(((good.result, swapped),), good.result, good.inputs)
    # simplification of nested min/max gives up slowly; the numeric check then tells them apart
    status, detail = prove_notation(lambda: wrong, rlhf_forms.ppo_clip, [{}], time_budget=2.0)
    assert status == "failed" and "differ" in detail


def test_dpo_without_the_second_beta_is_rejected() -> None:
    good = rlhf.dpo()
    ((lhs, rhs),) = good.lines
    first = True

    def drop(e: Times) -> sp.Basic:  # β on the rejected response's log-ratio only
        nonlocal first
        keep, first = first, False
        return e if keep else Times(*e.args[1:])

    wrong = rhs.replace(lambda e: isinstance(e, Times) and e.args[0] == rlhf_forms.beta, drop)
    assert wrong != rhs
    assert _status(lambda: Notation(((lhs, wrong),), lhs, good.inputs), rlhf_forms.dpo) == \
        "failed"


def test_sft_without_the_mask_is_rejected() -> None:
    good = rlhf.sft(2, 2)
    (logp, element), (lhs, total) = good.lines
    unmasked = total.replace(lambda e: isinstance(e, Times), lambda e: e.args[-1])
    wrong = Notation(((logp, element), (lhs, unmasked)), good.result, good.inputs)
    assert prove_notation(lambda T, V: wrong, rlhf_forms.sft, [{"T": 2, "V": 2}])[0] == "failed"
