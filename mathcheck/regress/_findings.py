"""Per-dtype verdicts and precision findings: what a miss in one dtype says about the code.

A verdict across all dtypes hides what users need to know: a correct fp64 match next to an
fp16 NaN, a correct algorithm that computes in fp32 whatever it is given. Each dtype × device
gets its own verdict (pass, a variant's name, fail), and each failing one is explained where
the evidence allows by a *finding*:

* `nonfinite` — NaN or ±∞ out where the exact value is finite; when a parameter of the call
  rounds to zero in that dtype (ε = 1e-8 in fp16) the finding says so;
* `internal_precision` — the error, measured in the ulps of a lower precision L, is within
  the budget (and at least 1/16 of an L ulp), and L's own check was made and passes: the
  code computes in L internally (Hugging Face LLaMA's RMSNorm computes fp64 inputs in fp32);
* `over_budget` — the error is finite and within `NEAR_MISS` × the budget: a precision
  shortfall of the right formula rather than another formula.

Findings never change a verdict: a dtype that misses is "fail" with its finding, and
`assert_matches(..., allow_findings=[kind])` is the caller's explicit acceptance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mathcheck.numeric import FORMATS

#: A finite miss within this many budgets is reported as a precision shortfall.
NEAR_MISS = 64.0
KINDS = ("nonfinite", "internal_precision", "over_budget")
#: the misses that say "another function": what a variant's match can explain
EXPLAINED_BY_VARIANTS = ("agreement", "reference")
#: A miss explained as computing in a lower precision L is at least this many ulps of L
#: (rounding to L leaves about ½ ulp at the worst of 10⁴ inputs): a 6-ulp fp64 miss is a
#: shortfall in fp64, not fp32 arithmetic.
MIN_LOWER_ULP = 1 / 16
#: Lower precisions a fp64 / fp32 implementation may be computing in, closest first.
LOWER = {"float64": ("float32", "bfloat16", "float16"), "float32": ("bfloat16", "float16")}


@dataclass(frozen=True)
class Finding:
    """One named observation about a dtype × device: `kind` is one of `KINDS`."""

    kind: str
    where: str  # "float16/cpu"
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def key_of(result: Any) -> str:
    return f"{result.dtype}/{result.device}"


def by_key(results: Iterable[Any]) -> dict[str, list[Any]]:
    """Checked (not skipped) results per dtype/device, in first-seen order."""
    grouped: dict[str, list[Any]] = {}
    for r in results:
        if r.status != "skipped" and r.dtype not in ("exact", "-"):
            grouped.setdefault(key_of(r), []).append(r)
    return grouped


def failed(results: Iterable[Any]) -> list[Any]:
    return [r for r in results if r.status not in ("proven", "confirmed", "passed", "skipped")]


def per_dtype(canonical: Mapping[str, list[Any]],
              variants: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, str]:
    """dtype/device -> "pass", the first variant matching there, or "fail".

    A variant explains a dtype only where the implementation is not the canonical function
    there, i.e. misses its agreement (or a reference, which implements the canonical
    formula); the canonical properties and gradient it then misses follow from the
    convention. Where the canonical agreement holds and only a property fails, no variant
    explains that: it stays "fail" whatever matches."""
    verdicts = {}
    for key, results in canonical.items():
        misses = failed(results)
        if not misses:
            verdicts[key] = "pass"
            continue
        explainable = any(r.kind in EXPLAINED_BY_VARIANTS for r in misses)
        verdicts[key] = next(
            (name for name, by in variants.items()
             if explainable and by.get(key) and not failed(by[key])),
            "fail",
        )
    return verdicts


def convention_matches(key: str, variants: Mapping[str, Mapping[str, list[Any]]]) -> bool:
    """Whether some variant's agreement holds at `key`: the canonical miss there is then a
    convention's difference, whatever else fails, never a precision finding."""
    return any(
        [r for r in by.get(key, []) if r.kind == "agreement"]
        and not failed([r for r in by.get(key, []) if r.kind == "agreement"])
        for by in variants.values()
    )


def findings(canonical: Mapping[str, list[Any]], verdicts: Mapping[str, str],
             params: Mapping[str, Any],
             variants: Mapping[str, Mapping[str, list[Any]]] | None = None,
             ) -> tuple[Finding, ...]:
    """A finding for each failing dtype/device the evidence explains. Where a lower precision
    matched a variant, the miss of that variant is what a lower internal precision would
    explain (HF's rotary: fp32 angles, half-split)."""
    found = []
    for key, verdict in verdicts.items():
        if verdict != "fail":
            continue
        misses = [r for r in failed(canonical[key]) if r.kind == "agreement"] or failed(
            canonical[key]
        )
        convention = convention_matches(key, variants or {})
        finding = _nonfinite(key, misses, params) or (
            None if convention else _internal(key, misses, verdicts, "pass"))
        for name, by in (variants or {}).items():
            if finding is None and by.get(key):
                finding = _internal(key, failed(by[key]), verdicts, name)
        finding = finding or (None if convention else _over_budget(key, misses))
        if finding is not None:
            found.append(finding)
    return tuple(found)


def _nonfinite(key: str, misses: Sequence[Any], params: Mapping[str, Any]) -> Finding | None:
    bad = next((r for r in misses if _is_nonfinite(r)), None)
    if bad is None:
        return None
    dtype = key.split("/")[0]
    fmt = FORMATS.get(dtype)
    underflows = [
        f"{name} = {value:g}" for name, value in params.items()
        if fmt is not None and isinstance(value, (int, float)) and 0 < abs(value) < fmt.tiny
        * fmt.eps / 2
    ]
    because = (f" because {', '.join(underflows)} underflows to 0 in {dtype}" if underflows
               else "")
    return Finding("nonfinite", key, f"NaN or ±∞ for {dtype}{because}{_at(bad)}")


def _is_nonfinite(result: Any) -> bool:
    detail = (result.detail or "").lower()
    computed = detail.partition("computed")[2].partition(" vs ")[0]
    return "nan" in computed or "inf" in computed or "non-finite" in detail


def _internal(key: str, misses: Sequence[Any], verdicts: Mapping[str, str],
              matched: str) -> Finding | None:
    """`misses` (of the canonical form, or of the variant `matched`) as a lower precision's
    rounding, where that precision was checked and gave `matched`."""
    dtype, _, device = key.partition("/")
    errors = [r for r in misses if r.kind == "agreement" and _finite(r.error) and r.budget]
    if dtype not in LOWER or not errors or len(errors) != len(misses):
        return None
    worst = max(errors, key=lambda r: r.error)
    of = "" if matched == "pass" else f" (the variant {matched!r})"
    for lower in LOWER[dtype]:
        if verdicts.get(f"{lower}/{device}") != matched:
            continue  # the lower precision must have been checked and given the same
        in_lower = worst.error * FORMATS[dtype].eps / FORMATS[lower].eps
        if MIN_LOWER_ULP <= in_lower <= worst.budget:
            return Finding(
                "internal_precision", key,
                f"behaves like {lower} internally for {dtype} inputs{of}: worst "
                f"{in_lower:.3g} {lower} ulp (budget {worst.budget:g}), {worst.error:.3g} "
                f"{dtype} ulp",
            )
    return None


def _over_budget(key: str, misses: Sequence[Any]) -> Finding | None:
    errors = [r for r in misses if r.kind == "agreement" and _finite(r.error) and r.budget]
    if not errors or len(errors) != len(misses):
        return None
    worst = max(errors, key=lambda r: r.error)
    if worst.error > NEAR_MISS * worst.budget:
        return None
    return Finding(
        "over_budget", key,
        f"exceeds the budget by {worst.error - worst.budget:.3g} ulp ({worst.error:.3g} > "
        f"{worst.budget:g}){_at(worst)}",
    )


def _at(result: Any) -> str:
    """" at x=[...]": the inputs of the result's case, from its one-line detail (the snippet
    in `worst_input` is several lines, printed once under the verdict)."""
    detail = (result.detail or "").splitlines()[0] if result.detail else ""
    _, found, rest = detail.partition(" at ")
    inputs = rest.partition(": computed")[0].strip()
    return f" at {inputs}" if found and inputs and len(inputs) <= 200 else ""


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def closest(misses: Mapping[str, float], canonical_error: float | None,
            budget: float | None) -> str | None:
    """The variant that comes close (within NEAR_MISS budgets, 4× closer than the canonical
    form), for the headline of a fail."""
    if not misses or not budget:
        return None
    name, error = min(misses.items(), key=lambda kv: kv[1])
    if error > NEAR_MISS * budget or (_finite(canonical_error) and error * 4 > canonical_error):
        return None
    return f"closest convention: {name} (misses by {error:.3g} ulp, budget {budget:g})"
