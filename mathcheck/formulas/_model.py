"""The catalog's data model: one frozen dataclass per entry, claims as plain data.

Why data and not behaviour: an entry must import in milliseconds (`mathcheck list` never
imports SymPy or Torch) and read like a row of the cheatsheet. Forms are held as `Ref`s,
resolved only when a check needs them; all behaviour lives in `mathcheck.crosscheck`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import import_module
from typing import Any, Literal, Union

DTYPES: tuple[str, ...] = ("float64", "float32", "float16", "bfloat16")
LOW_PRECISION: frozenset[str] = frozenset({"float16", "bfloat16"})
BACKENDS: tuple[str, ...] = ("numpy", "torch")


@dataclass(frozen=True)
class Ref:
    """A lazy "package.module:attribute" reference to a form or a check function."""

    target: str

    def load(self) -> Any:
        module_name, _, attribute = self.target.partition(":")
        obj: Any = import_module(module_name)
        for part in attribute.split("."):
            obj = getattr(obj, part)
        return obj

    @property
    def name(self) -> str:
        return self.target.partition(":")[2]


@dataclass(frozen=True)
class Site:
    """Where a catalog object was constructed: `path:line` of the call that built it and, for
    one built inside a helper function of that file, the module-level line that called it."""

    path: str
    line: int
    called_from: int | None = None


_FORMULAS = os.path.dirname(os.path.abspath(__file__))
_NOT_A_SITE = frozenset({os.path.abspath(dataclasses.__file__)})


def _constructed_at() -> Site | None:
    """The first frame outside this package's private modules (`_model`, `_reference`: the
    factories) and dataclasses' generated code: where the object was written. Runs for every
    entry and claim at import of the catalog, so it only walks a few frames."""
    frame = sys._getframe(1)
    while frame is not None:
        path = frame.f_code.co_filename
        private = os.path.basename(path).startswith("_") and os.path.dirname(path) == _FORMULAS
        if not (private or path.startswith("<") or path in _NOT_A_SITE):
            break
        frame = frame.f_back
    if frame is None:
        return None
    site = Site(path, frame.f_lineno)
    outer = frame
    while outer.f_code.co_name != "<module>":  # built by a helper: where it was called from
        outer = outer.f_back
        if outer is None or outer.f_code.co_filename != path:
            return site
    return site if outer is frame else Site(path, site.line, outer.f_lineno)


@dataclass(frozen=True)
class Located:
    """A catalog object that knows where it was constructed (`mathcheck show ID --where`).

    `defined_at` is recorded at construction and kept by `dataclasses.replace` (it is passed on
    like any field); it is no part of equality, hashing or repr.
    """

    defined_at: Site | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.defined_at is None:
            object.__setattr__(self, "defined_at", _constructed_at())


#: A form or check: a lazy `Ref` in the catalog, or a plain callable (tests, user targets).
Loadable = Union["Ref", Callable[..., Any]]


def resolve(item: Loadable) -> Any:
    """The callable behind a `Ref`, or the callable itself."""
    return item.load() if isinstance(item, Ref) else item


def symbolic(section: str, name: str) -> Ref:
    return Ref(f"mathcheck.symbolic.{section}:{name}")


def notation(section: str, name: str) -> Ref:
    return Ref(f"mathcheck.symbolic.notation.{section}:{name}")


def numpy_form(section: str, name: str) -> Ref:
    return Ref(f"mathcheck.numeric.numpy_forms.{section}:{name}")


def torch_form(section: str, name: str) -> Ref:
    return Ref(f"mathcheck.numeric.torch_forms.{section}:{name}")


def check_fn(section: str, name: str) -> Ref:
    """A backend-neutral property or custom check in `mathcheck.numeric.checks.<section>`."""
    return Ref(f"mathcheck.numeric.checks.{section}:{name}")


def forms(section: str, name: str) -> dict[str, Ref]:
    """The three forms of an entry by the naming convention (same function name everywhere)."""
    return {
        "symbolic": symbolic(section, name),
        "numpy": numpy_form(section, name),
        "torch": torch_form(section, name),
    }


ArgKind = Literal[
    "real",  # uniform-ish reals in [low, high] (Hypothesis floats: boundaries included)
    "positive",  # reals in [low, high] with low > 0 (log-uniform spread)
    "probability",  # a vector on the simplex (last axis sums to 1)
    "spd",  # a symmetric positive definite matrix, near-singular ones included
    "square",  # a general square matrix, well and badly conditioned
    "symmetric",  # a symmetric matrix
    "integer",  # integers in [low, high]
    "binary",  # 0/1 labels
    "onehot",  # one-hot rows (last axis)
]


@dataclass(frozen=True)
class Arg:
    """One input of a formula: its name in all three forms, its shape and where it lives.

    `shape` names dimensions by size symbols ("n", "m") or fixes them (3). An empty shape is
    an elementwise scalar: the numeric forms then receive a batch of independent samples.
    """

    name: str
    shape: tuple[str | int, ...] = ()
    low: float = -10.0
    high: float = 10.0
    kind: ArgKind = "real"
    extremes: tuple[float, ...] = ()  # values every run must include (e.g. ±1e4 logits)
    #: The implementation is specified only on [low, high] (a caller's `ranges` in regress):
    #: a property that moves inputs (a shift, a scale) keeps them inside.
    bounded: bool = False


@dataclass(frozen=True)
class Domain:
    """Inputs of a formula: args, size ranges, and fixed keyword parameters (eps, alpha...).

    `params` are passed by keyword to all three forms (the SymPy form gets them as numbers).
    `batch` says whether the numeric forms accept leading batch dimensions.
    `ranges` are where agreement checks draw parameters from (log-uniformly when the range is
    positive and spans a decade or more); the stated `params` value is always one of the draws,
    and the only one properties, gradients and checks use.
    `why` says why a claim's own domain is narrower than its entry's; reports print it.
    """

    args: tuple[Arg, ...]
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    params: dict[str, float] = field(default_factory=dict)
    batch: bool = True
    why: str = ""
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)


def spanning(domain: Domain, *names: str) -> Domain:
    """`domain` with the named real arguments (every real one if none is named) over the
    whole line: each dtype's own range is then the limit (fp16 to ±65504, fp64 to ±4e307),
    where the stable forms earn their keep. Used by agreement claims, whose oracle is exact
    there; gradients against finite differences keep the entry's bounded domain."""
    chosen = set(names) or {a.name for a in domain.args if a.kind == "real"}
    args = tuple(
        replace(a, low=-math.inf, high=math.inf) if a.name in chosen else a
        for a in domain.args
    )
    return replace(domain, args=args)


Scale = Literal["elementwise", "row", "unit"]


@dataclass(frozen=True)
class Budget:
    """An error budget in ulps of the output dtype, derived from an error model.

    allowed = (ulps + per_length * n) * (cond(A) if cond_arg else 1), where cond is the
    matrix condition number or the spread of a vector (`cond_kind`), measured per input row.
    where n is the size named by `length`. `scale` says which magnitude the ulp is taken of:
    "elementwise" |y_i| (relative error), "row" max_j |y_j| over the last axis (norm-wise error,
    the natural model for reductions and matrix outputs), "unit" max(|y_i|, 1).
    `why` is printed in reports: it is the derivation of the numbers.
    """

    ulps: float
    why: str
    per_length: float = 0.0
    length: str | tuple[str, ...] | None = None  # several: the largest of those sizes
    scale: Scale = "elementwise"
    low_precision_ulps: float | None = None  # replaces `ulps` for float16/bfloat16
    cond_arg: str | tuple[str, ...] | None = None  # several: the largest of their conditions
    # "matrix": the 2-norm condition number of the (square) argument, per batch row;
    # "spread": 1 + max − min over its last axis (exp's condition number |t| after a max-shift);
    # "offset": n·max|x|/σ over the last axis (σ weighted by `cond_weights` if named), the
    # size of a common offset against the spread: a centred sum's first-pass mean errs by
    # δ ≤ n·u·max|x|, which enters as (δ/σ)² — the budget then *adds* cond²·u ulps.
    # "magnitude": max|x| over the last axis, e.g. a position m, whose angle m·θ errs by
    # ~m·u: the budget then *adds* `per_unit`·max|x| ulps (`low_precision_per_unit` in
    # fp16/bf16, whose angles are computed in fp32).
    cond_kind: Literal["matrix", "spread", "offset", "magnitude"] = "matrix"
    cond_weights: str | None = None
    per_unit: float = 0.0
    low_precision_per_unit: float | None = None
    # A term inversely proportional to a parameter (InfoNCE's logits are cos/τ, so their
    # error is ∝ 1/τ): `at(params)` folds (inverse_ulps + inverse_per_length·n)/params[name]
    # into ulps and per_length for one parameter value.
    inverse_of: str | None = None
    inverse_ulps: float = 0.0
    inverse_per_length: float = 0.0

    def at(self, params: dict[str, float]) -> Budget:
        """This budget for one set of parameter values (itself if no term depends on one)."""
        if self.inverse_of is None:
            return self
        value = float(params[self.inverse_of])
        return replace(
            self, ulps=self.ulps + self.inverse_ulps / value,
            per_length=self.per_length + self.inverse_per_length / value,
            low_precision_ulps=None if self.low_precision_ulps is None
            else self.low_precision_ulps + self.inverse_ulps / value,
            inverse_of=None, inverse_ulps=0.0, inverse_per_length=0.0,
        )

    def allowed(self, dtype: str, sizes: dict[str, int], cond: Any = 1.0) -> Any:
        """The budget in ulps; `cond` (a number or an array of per-row conditions)."""
        base = self.ulps
        if dtype in LOW_PRECISION and self.low_precision_ulps is not None:
            base = self.low_precision_ulps
        n = max((sizes.get(name, 0) for name in self._lengths()), default=0)
        if self.cond_arg and self.cond_kind == "offset":
            import numpy as np  # lazy: the catalog imports in ms

            from mathcheck.numeric import fmt

            with np.errstate(over="ignore"):  # a huge offset: an infinite budget, as it should
                return base + self.per_length * n + np.square(cond) * fmt(dtype).eps
        if self.cond_arg and self.cond_kind == "magnitude":
            slope = self.per_unit
            if dtype in LOW_PRECISION and self.low_precision_per_unit is not None:
                slope = self.low_precision_per_unit
            return base + self.per_length * n + slope * cond
        factor = cond if self.cond_arg else 1.0
        return (base + self.per_length * n) * factor

    def _lengths(self) -> tuple[str, ...]:
        if self.length is None:
            return ()
        return (self.length,) if isinstance(self.length, str) else self.length

    def describe(self) -> str:
        if self.inverse_of is not None:
            size = "·".join(self._lengths()) or "n"
            return (f"{self.ulps:g} ulp + {self.per_length:g}·{size} + ({self.inverse_ulps:g} + "
                    f"{self.inverse_per_length:g}·{size})/{self.inverse_of}")
        parts = [f"{self.ulps:g} ulp"]
        if self.low_precision_ulps is not None:
            parts.append(f"({self.low_precision_ulps:g} ulp in fp16/bf16)")
        if self.per_length:
            lengths = self._lengths()
            size = lengths[0] if len(lengths) == 1 else f"max({', '.join(lengths)})"
            parts.append(f"+ {self.per_length:g}·{size}")
        if self.cond_arg:
            names = self.cond_arg if isinstance(self.cond_arg, str) else ", ".join(self.cond_arg)
            if self.cond_kind == "offset":
                parts.append(f"+ (n·max|x|/σ)²·u over {names}")
            elif self.cond_kind == "magnitude":
                parts.append(f"+ {self.per_unit:g}·|{names}|")
                if self.low_precision_per_unit is not None:
                    parts.append(f"({self.low_precision_per_unit:g}·|{names}| in fp16/bf16)")
            else:
                kind = "cond" if self.cond_kind == "matrix" else "(1 + spread)"
                parts.append(f"× {kind}({names})")
        return f"{' '.join(parts)} of {self.scale} scale: {self.why}"


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class Agreement(Located):
    """The NumPy and Torch forms agree with the high-precision oracle within `budget`."""

    budget: Budget
    backends: tuple[str, ...] = BACKENDS
    dtypes: tuple[str, ...] = DTYPES
    domain: Domain | None = None  # overrides the entry's domain for this claim
    label: str = "agreement"
    kind: str = "agreement"


@dataclass(frozen=True)
class Derivative(Located):
    """SymPy's derivative of the form equals the stated one, proven by simplification.

    `expected` builds the stated derivative from the same SymForm (its symbols). For a vector
    output this is the Jacobian with respect to `wrt`. `sizes` fixes vector sizes for the proof.
    """

    expected: Loadable
    wrt: str = "x"
    sizes: dict[str, int] = field(default_factory=dict)
    label: str = "derivative"
    kind: str = "derivative"


@dataclass(frozen=True)
class Identity(Located):
    """Two expressions are equal: proven by simplification, else confirmed at random points.

    `build(**sizes)` returns a `mathcheck.symbolic.Equation`.
    """

    name: str
    build: Loadable
    sizes: dict[str, int] = field(default_factory=dict)
    kind: str = "identity"

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Gradient(Located):
    """Torch autograd of the Torch form against the SymPy gradient and fp64 finite differences."""

    wrt: tuple[str, ...]
    budget: Budget
    dtypes: tuple[str, ...] = ("float64", "float32")
    domain: Domain | None = None  # e.g. one that stays away from kinks
    fd_rtol: float = 1e-6  # central differences in fp64, step eps^(1/3)
    label: str = "gradient"
    kind: str = "gradient"


@dataclass(frozen=True)
class Property(Located):
    """An invariant over generated inputs. `check(f, args, backend)` returns the violation.

    The violation is measured in machine epsilons of the dtype under test (0 = holds exactly);
    `tolerance` is how many are allowed and `why` says where that number comes from.
    """

    name: str
    check: Loadable
    tolerance: float
    why: str
    backends: tuple[str, ...] = BACKENDS
    dtypes: tuple[str, ...] = DTYPES
    domain: Domain | None = None
    kind: str = "property"

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Check(Located):
    """Anything else (a statistical test, a computed figure, a many-step recurrence).

    `run(ctx: CheckContext) -> Outcome`. `per` says how often it runs: once, or once per
    backend x dtype x device combination listed. A check that `uses_form` checks `ctx.form`,
    the form under test, so it also runs on an implementation substituted by `regress`.
    """

    name: str
    run: Loadable
    kind: str = "check"
    per: Literal["once", "combination"] = "once"
    backends: tuple[str, ...] = ("torch",)
    dtypes: tuple[str, ...] = ("float64",)
    uses_form: bool = False

    @property
    def label(self) -> str:
        return self.name


#: What |x| gives at 0 under autograd, for entries built on abs.
ABS_AT_ZERO = (
    "torch.abs's backward is sign(x), 0 at 0 (run on CPU); JAX's lax.abs JVP is "
    "select(x ≥ 0, g, −g), 1 at 0 (in the lax source versions seen)"
)


@dataclass(frozen=True)
class Kink:
    """What autograd returns where the formula is not differentiable: a convention, stated.

    At the point where every input component equals `at`, the Torch form's gradient of the
    summed output with respect to `wrt` (the entry's first argument when None) must be `grad`
    in every component, exactly (in the dtype). `why` says which framework defines it so.
    `grad` may name a parameter ("alpha": leaky ReLU's slope is its subgradient at 0).
    """

    at: float
    grad: float | str
    why: str
    wrt: str | None = None


@dataclass(frozen=True)
class Kinks(Located):
    """The engine's claim for an entry's `kinks` (planned from `Entry.kinks`, not listed).

    Torch: autograd at each kink equals the stated subgradient, and the value there is the
    SymPy form's; NumPy: the value only. Both exact in fp64 and fp32.
    """

    kinks: tuple[Kink, ...]
    backends: tuple[str, ...] = BACKENDS
    dtypes: tuple[str, ...] = ("float64", "float32")
    label: str = "autograd at kinks"
    kind: str = "kink"


Claim = Agreement | Derivative | Identity | Gradient | Property | Check | Kinks


@dataclass(frozen=True)
class Variant:
    """A named convention that real frameworks ship (GELU tanh, RoPE interleaved, ...)."""

    name: str
    description: str
    numpy: Loadable | None = None
    torch: Loadable | None = None
    symbolic: Loadable | None = None
    # The agreement budget for this variant's formula where it has other operations than the
    # entry's (None: the entry's own budget).
    budget: Budget | None = None


@dataclass(frozen=True)
class Section:
    number: int
    slug: str
    title: str


@dataclass(frozen=True)
class Entry(Located):
    """One formula of the catalog, in three forms, with its domain and claims."""

    id: str
    section: Section
    title: str
    used_in: str
    symbolic: Loadable | None
    numpy: Loadable | None
    torch: Loadable | None
    domain: Domain | None
    claims: tuple[Claim, ...]
    notes: str = ""
    # A hand-written LaTeX display, only where SymPy cannot print the notation (the exception).
    display: str | None = None
    # The formula as its field writes it (`mathcheck.symbolic.notation`): structured SymPy
    # objects the reference prints, proven equal to `symbolic` at concrete sizes.
    notation: Loadable | None = None
    # Why the entry has no numeric forms, when it has none (a count, a prose statement).
    no_numeric_reason: str | None = None
    variants: tuple[Variant, ...] = ()
    # The canonical signature users' implementations are adapted to (regression testing).
    signature: str = ""
    # Points where it is not differentiable, with the subgradient autograd returns there.
    kinks: tuple[Kink, ...] = ()

    def checked_claims(self) -> tuple[Claim, ...]:
        """The listed claims, plus the kink claim the engine derives from `kinks`."""
        return (*self.claims, Kinks(self.kinks)) if self.kinks else self.claims

    def form(self, backend: str) -> Ref | None:
        return {"sympy": self.symbolic, "numpy": self.numpy, "torch": self.torch}[backend]
