"""Drive Hypothesis programmatically: run a check over generated cases, keep the worst one,
and on failure let Hypothesis shrink to a minimal counterexample.

`body(case)` returns a score (error / budget, > 1 fails) or raises. The last failing case
Hypothesis replays is the shrunk one; that is the one reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from mathcheck._hypothesis import without_local_constants
from mathcheck.outcome import Outcome


class Violation(AssertionError):
    """A case that breaks the claim (caught by Hypothesis, which then shrinks it)."""


@dataclass
class Search:
    worst_score: float = 0.0
    worst_case: Any = None
    worst_info: Any = None
    failing_case: Any = None
    failure: BaseException | None = None
    examples: int = 0


def search(
    strategy: st.SearchStrategy[Any],
    body: Callable[[Any], tuple[float, Any]],
    *,
    examples: int,
    seed: int,
    fixed: Iterable[Any] = (),
) -> Search:
    """Run `body` over the fixed cases, then over up to `examples` generated ones."""
    state = Search()

    def run_one(case: Any) -> None:
        state.examples += 1
        try:
            score, info = body(case)
        except Exception as exc:
            state.failing_case, state.failure = case, exc
            raise
        if score > state.worst_score or state.worst_case is None:
            state.worst_score, state.worst_case, state.worst_info = score, case, info
        if not score <= 1.0:  # also catches NaN
            state.failing_case = case
            state.failure = Violation(_describe(score, info))
            raise state.failure

    for case in fixed:
        try:
            run_one(case)
        except Exception:
            break  # a fixed extreme already fails: still let Hypothesis try to find a smaller one

    @hypothesis_seed(seed)
    @settings(
        max_examples=max(1, examples),
        deadline=None,
        database=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def test(case: Any) -> None:
        run_one(case)

    fixed_failure = state.failure
    try:
        with without_local_constants():
            test()
    except Exception as exc:  # the shrunk failure (state.failing_case is the minimal case)
        state.failure = state.failure or exc
    else:
        if fixed_failure is not None:
            state.failure = fixed_failure
    return state


def no_inputs(found: Search, dtype: str) -> Outcome | None:
    """The outcome when the search failed before any case ran, else None.

    A domain with no inputs in this dtype (Hypothesis: Unsatisfiable) is not applicable, so
    skipped with the reason; anything else that stopped the generation is a failure, never a
    silent skip.
    """
    if found.failure is None or found.failing_case is not None:
        return None
    if isinstance(found.failure, Unsatisfiable):
        return Outcome("skipped", f"no inputs in {dtype}: {found.failure}")
    return Outcome(
        "failed",
        f"no inputs could be generated in {dtype}: "
        f"{type(found.failure).__name__}: {found.failure}",
    )


def _describe(score: float, info: Any) -> str:
    if isinstance(info, dict) and "error" in info and "budget" in info:
        return f"error {info['error']:.3g} ulp > budget {info['budget']:.3g} ulp"
    return f"{score:.3g}× over the budget"
