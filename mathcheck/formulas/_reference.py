"""`Reference`: a claim that a form agrees with a library's implementation of the formula.

Data like every claim: which library function (by name, for reports and the torch pack),
how it is called with the canonical arguments (a `SameAs` check in
`mathcheck.numeric.checks`), the budget in ulps and why. It runs as a property over the
entry's generated inputs, extremes included, on the catalog's form and on any implementation
`regress` substitutes; the torch pack generates one job per torch reference.
"""

from __future__ import annotations

from mathcheck.formulas._model import Domain, Property, Ref

REFERENCE_KIND = "reference"


def Reference(  # reads as the claim kind it builds, like the other claims
    library: str,
    same_as: Ref,
    ulps: float,
    why: str,
    *,
    dtypes: tuple[str, ...] = ("float64", "float32"),
    backends: tuple[str, ...] = ("torch",),
    domain: Domain | None = None,
) -> Property:
    """`Property` of kind "reference": `matches <library>` within `ulps` (of `same_as`'s
    scale), with `why` stating the budget (usually the sum of both sides' errors)."""
    return Property(f"matches {library}", same_as, ulps, why, backends=backends, dtypes=dtypes,
                    domain=domain, kind=REFERENCE_KIND)


def library_of(claim: Property) -> str:
    """The library function a reference claim names ("torch.nn.functional.gelu")."""
    return claim.name.removeprefix("matches ")
