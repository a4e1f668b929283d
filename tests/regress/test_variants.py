"""Convention variants: an implementation of a variant is reported as that variant (not as a
pass and not as a failure), judged against the variant's own SymPy oracle."""

from __future__ import annotations

import pytest

import mathcheck
from mathcheck.formulas import get, resolve
from mathcheck.regress.packs._common import check_on

FAST = {"examples": 5, "gradients": False, "dtypes": ("float64",)}

# (entry, variant, extra check options): every variant added for the framework conventions
CASES = [
    ("loss.huber", "SmoothL1 (Huber/δ)", {"params": {"delta": 2.0}}),
    ("loss.triplet", "plain distances (torch TripletMarginLoss)", {}),
    ("info.kl", "reversed order KL(q‖p)", {}),
    ("info.kl", "mean over elements (reduction='mean')", {}),
    ("cnn.convolution", "cross-correlation (conv layers)", {}),
    ("pos.rope", "half-split (GPT-NeoX, HF LLaMA)", {}),
    ("quant.uniform", "round half away from zero", {}),
    ("opt.adam", "eps inside the square root", {}),
    ("opt.adam", "eps outside the bias correction (TF/Keras ε̂)", {}),
    ("opt.adamw", "decay not multiplied by the learning rate", {}),
    ("opt.sgd_momentum", "lr outside the buffer", {}),
    ("act.softplus", "threshold (torch)", {}),
]


def _variant(formula: str, name: str):
    return next(v for v in get(formula).variants if v.name == name)


@pytest.mark.parametrize(("formula", "name", "options"), CASES, ids=[c[1] for c in CASES])
def test_variant_implementation_is_reported_as_that_variant(formula, name, options):
    variant = _variant(formula, name)
    assert variant.symbolic is not None, "judged against an oracle, not bit for bit"
    result = mathcheck.check(formula, resolve(variant.torch), **FAST, **options)
    assert result.verdict == "variant" and result.variant == name, str(result)


@pytest.mark.parametrize("formula", ["sim.cosine", "linalg.cosine_similarity"])
def test_eps_clamped_cosine_is_its_variant_below_eps(formula):
    """torch's clamp acts only for a norm below ε = 1e-8: on such vectors it is the variant."""
    tiny = {"low": -1e-9, "high": 1e-9, "extremes": (1e-9, -1e-9, 3e-10)}
    impl = resolve(_variant(formula, "eps-clamped norms (torch)").torch)
    result = check_on(formula, impl, {"a": tiny, "b": tiny}, **FAST)
    assert (result.verdict, result.variant) == ("variant", "eps-clamped norms (torch)"), str(result)
    # with norms well above ε it is the canonical formula
    away = {"kind": "positive", "low": 1e-3, "high": 10.0, "extremes": (10.0, 1e-3)}
    assert check_on(formula, impl, {"a": away, "b": away}, **FAST).verdict == "pass"


def test_smooth_l1_is_huber_at_delta_one_and_the_variant_elsewhere():
    """SmoothL1 and Huber coincide at δ = 1, so pinned there it passes as the canonical form;
    left to the drawn δ values it is told apart and named."""
    impl = resolve(_variant("loss.huber", "SmoothL1 (Huber/δ)").torch)
    assert mathcheck.check("loss.huber", impl, params={"delta": 1.0}, **FAST).verdict == "pass"
    drawn = mathcheck.check("loss.huber", impl, **FAST)
    assert (drawn.verdict, drawn.variant) == ("variant", "SmoothL1 (Huber/δ)")


def test_half_away_rounding_differs_only_at_ties():
    import torch

    from mathcheck.numeric.torch_forms.llm import fake_quant, fake_quant_half_away

    ties = torch.tensor([1 / 32, -1 / 32, 3 / 32, 5 / 32, 0.3], dtype=torch.float64)
    even, away = fake_quant(ties), fake_quant_half_away(ties)
    assert torch.equal(even[-1:], away[-1:])
    assert torch.equal(away[:4], torch.tensor([1, -1, 2, 3], dtype=torch.float64) / 16)
    assert torch.equal(even[:4], torch.tensor([0, 0, 2, 2], dtype=torch.float64) / 16)


def test_batch_norm_running_variance_is_documented_not_a_form():
    variant = _variant("norm.batch_norm", "unbiased running variance")
    assert variant.symbolic is None and variant.torch is None and "running" in variant.description
