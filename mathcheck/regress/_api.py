"""`check` and `assert_matches`: is this implementation the catalog's formula?

The implementation replaces the entry's NumPy or Torch form and goes through the same
Agreement (and, for Torch, Gradient and Property) claims as the catalog's own forms. When it
misses, each of the entry's named variants (GELU tanh, RoPE interleaved, ...) is tried as the
reference instead: a match is reported as that variant, not as a failure.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from mathcheck.crosscheck import DEFAULT_INPUTS
from mathcheck.errors import InvalidInputError, NotSupportedError
from mathcheck.formulas import (
    DTYPES,
    Agreement,
    Check,
    Entry,
    Gradient,
    Property,
    get,
    resolve,
)
from mathcheck.numeric import canonical
from mathcheck.numeric.checks import SameAs
from mathcheck.regress import _findings
from mathcheck.regress._adapters import AdapterError, Canonical, apply
from mathcheck.regress._findings import Finding

#: pass / variant (a known convention) / fail (a wrong result); not checked (no claim ran);
#: timeout and crashed (the code under test hung, exited or was killed: exit code 3).
Verdict = Literal["pass", "variant", "fail", "not checked", "timeout", "crashed"]
#: Verdicts that mean the code under test could not be run to the end.
BROKE = ("timeout", "crashed")


@dataclass(frozen=True)
class CheckResult:
    """A verdict with its evidence. `str()` is the explanation `assert_matches` raises."""

    formula_id: str
    verdict: Verdict
    worst_ulp: dict[str, float | None]  # "dtype/device" -> worst agreement error in ulps
    budgets: dict[str, float | None]
    counterexample: str | None = None  # a reproduction snippet of the minimal failing case
    reason: str = ""
    variant: str | None = None  # the variant it matches, if it misses the canonical form
    variant_misses: dict[str, str] = field(default_factory=dict)  # variant -> how far off
    results: tuple[Any, ...] = ()
    warnings: int = 0  # warnings the code under test raised (captured, not printed)
    first_warning: str = ""
    isolation: str = "worker process"  # where the code under test ran
    #: "dtype/device" -> "pass", the variant matched there, or "fail"
    per_dtype: dict[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()  # precision findings beside the verdict (_findings.py)

    @property
    def ok(self) -> bool:
        return self.verdict == "pass"

    def __str__(self) -> str:
        lines = [
            f"{self.formula_id}: {self.verdict}"
            + (f" (matches variant {self.variant!r})" if self.variant else "")
        ]
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        if self.warnings:
            lines.append(f"  warnings: {self.warnings} (first: {self.first_warning})")
        if self.isolation != "worker process":
            lines.append(f"  ran {self.isolation}")
        for key, err in self.worst_ulp.items():
            budget = self.budgets.get(key)
            shown = "—" if err is None else f"{err:.3g}"
            state = self.per_dtype.get(key)
            lines.append(
                f"  {key}: worst {shown} ulp (budget {budget if budget is not None else '—'})"
                + (f" — {state}" if state and state != self.verdict else "")
            )
        for finding in self.findings:
            lines.append(f"  finding ({finding.kind}) {finding}")
        for name, miss in self.variant_misses.items():
            lines.append(f"  variant {name}: {miss}")
        if self.counterexample:
            lines.append("  counterexample (re-run with impl=your function, adapter=its adapter):")
            lines.extend(f"    {line}" for line in self.counterexample.splitlines())
        return "\n".join(lines)


def _with_domain(
    entry: Entry,
    sizes: dict[str, tuple[int, int]],
    params: dict[str, float],
    ranges: dict[str, tuple[float, float]] | None = None,
) -> Entry:
    """The entry with the caller's sizes, parameter values and narrowed ranges.

    `ranges` may name an input (its values are drawn from [lo, hi]; the stated extremes
    outside it are dropped) or a parameter (drawn over [lo, hi] instead of the entry's range).
    """
    ranges = ranges or {}
    if not (sizes or params or ranges) or entry.domain is None:
        return entry
    domain = entry.domain
    args = {a.name for a in domain.args}
    unknown = ((set(sizes) - set(domain.sizes)) | (set(params) - set(domain.params))
               | (set(ranges) - args - set(domain.params)))
    if unknown:
        raise InvalidInputError(f"{entry.id} has no size, parameter or input named "
                                f"{sorted(unknown)}")
    for name, bounds in ranges.items():
        if not (isinstance(bounds, (tuple, list)) and len(bounds) == 2
                and all(isinstance(b, (int, float)) and b == b for b in bounds)
                and bounds[0] <= bounds[1]):
            raise InvalidInputError(f"ranges[{name!r}] must be (low, high) with low ≤ high, "
                                    f"got {bounds!r}")
    arg_ranges = {k: tuple(map(float, v)) for k, v in ranges.items() if k in args}
    param_ranges = {k: tuple(map(float, v)) for k, v in ranges.items() if k not in args}
    if clash := set(param_ranges) & set(params):
        raise InvalidInputError(f"{sorted(clash)[0]!r} is given both a value and a range")

    def narrowed(arg: Any) -> Any:
        if arg.name not in arg_ranges:
            return arg
        lo, hi = arg_ranges[arg.name]
        return dataclasses.replace(
            arg, low=lo, high=hi, extremes=tuple(e for e in arg.extremes if lo <= e <= hi),
            bounded=True,
        )

    def adjust(domain: Any) -> Any:
        if domain is None:
            return None
        return dataclasses.replace(
            domain,
            args=tuple(narrowed(a) for a in domain.args),
            sizes={**domain.sizes, **{k: v for k, v in sizes.items() if k in domain.sizes}},
            params={**domain.params, **params},
            # a value the implementation states is checked as stated, never drawn
            ranges={**{k: v for k, v in domain.ranges.items() if k not in params},
                    **{k: v for k, v in param_ranges.items() if k in domain.params}},
        )

    claims = tuple(
        dataclasses.replace(c, domain=adjust(c.domain))
        if getattr(c, "domain", None) is not None
        else c
        for c in entry.claims
    )
    return dataclasses.replace(entry, domain=adjust(entry.domain), claims=claims)


def _claims_for(entry: Entry, backend: str, gradients: bool) -> tuple[Any, ...]:
    claims = [c for c in entry.claims if isinstance(c, (Agreement, Property))
              or (isinstance(c, Check) and c.uses_form and c.per == "combination")]
    if gradients and backend == "torch":
        claims += [c for c in entry.claims if isinstance(c, Gradient)]
    if entry.kinks and (gradients or backend == "numpy"):  # Torch kinks check autograd
        claims += [c for c in entry.checked_claims() if c.kind == "kink"]
    if not any(isinstance(c, Agreement) for c in claims):
        raise NotSupportedError(
            f"{entry.id} has no numeric agreement claim to check an implementation against"
        )
    return tuple(c for c in claims if backend in getattr(c, "backends", ("torch",)))


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInputError(f"{what} must be a list of names, got {value!r}")
    names = tuple(value)
    if not names:
        raise InvalidInputError(f"{what} is empty: nothing would be checked")
    if bad := [v for v in names if not isinstance(v, str)]:
        raise InvalidInputError(f"{what} must be names (strings), got {bad[0]!r}")
    return names


@dataclass(frozen=True)
class Plan:
    """A check request validated before any work: the entry, its claims and the options."""

    entry: Entry
    claims: tuple[Any, ...]
    options: Any  # RunOptions
    backend: str
    gradients: bool


def plan_check(
    formula_id: str | Entry,
    *,
    backend: str = "torch",
    dtypes: Iterable[str] = DTYPES,
    devices: Iterable[str] = ("cpu",),
    gradients: bool = True,
    seed: int = 0,
    examples: int = 20,
    inputs: int = DEFAULT_INPUTS,
    time_budget: float = 60.0,
    sizes: dict[str, tuple[int, int]] | None = None,
    params: dict[str, float] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    skip_missing_devices: bool = False,
) -> Plan:
    """Every usage error of a check, found before anything runs (exit code 2)."""
    from mathcheck.crosscheck import RunOptions
    from mathcheck.numeric import device_available

    catalog_entry = formula_id if isinstance(formula_id, Entry) else get(formula_id)
    entry = _with_domain(catalog_entry, sizes or {}, params or {}, ranges)
    if backend not in ("numpy", "torch"):
        raise InvalidInputError(f"unknown backend {backend!r}; use numpy or torch")
    dtypes = tuple(canonical(d) for d in _names(dtypes, "dtypes"))
    devices = _names(devices, "devices")
    if unknown := [d for d in devices if d not in ("cpu", "cuda")]:
        raise InvalidInputError(f"unknown device {unknown[0]!r}; use cpu or cuda")
    if backend == "numpy" and set(devices) != {"cpu"}:
        raise InvalidInputError("the numpy backend runs on the cpu only")
    if backend == "numpy" and set(dtypes) == {"bfloat16"}:
        raise NotSupportedError("NumPy has no bfloat16 dtype: nothing would be checked")
    missing = {d: device_available(d)[1] for d in devices if not device_available(d)[0]}
    if missing and not skip_missing_devices:
        raise InvalidInputError(
            "; ".join(f"device {d} is not available ({why})" for d, why in missing.items())
            + " (skip_missing_devices / --skip-missing-devices checks the others)"
        )
    present = tuple(d for d in devices if d not in missing) or devices
    options = RunOptions(
        seed=seed,
        examples=examples,
        inputs=inputs,
        backends=(backend,),
        dtypes=dtypes,
        devices=present,
        time_budget=time_budget,
    )
    return Plan(entry, _claims_for(entry, backend, gradients), options, backend, gradients)


def check(
    formula_id: str | Entry,
    impl: Callable[..., Any],
    *,
    adapter: Callable[[Any], Callable[..., Any]] | None = None,
    backend: str = "torch",
    dtypes: Iterable[str] = DTYPES,
    devices: Iterable[str] = ("cpu",),
    gradients: bool = True,
    seed: int = 0,
    examples: int = 20,
    inputs: int = DEFAULT_INPUTS,
    time_budget: float = 60.0,
    target_budget: float | None = None,
    sizes: dict[str, tuple[int, int]] | None = None,
    params: dict[str, float] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    skip_missing_devices: bool = False,
    isolate: bool | None = None,
) -> CheckResult:
    """Check `impl` (after `adapter`) against the catalog entry `formula_id`.

    `formula_id` may also be an `Entry` (e.g. a catalog entry with narrowed argument ranges).
    `sizes` narrows the entry's size ranges (e.g. a batch norm that refuses a batch of one)
    and `params` sets its keyword parameters (eps, delta) to the implementation's values;
    `ranges` narrows where an input or a parameter is drawn ({"x": (-30, 30)}).

    The implementation runs in a worker process (`isolate=None` or True): a hang, even in C,
    an `os._exit` or a segfault becomes a verdict ("timeout", "crashed") instead of ending
    this process. `time_budget` bounds each check, `target_budget` (default 20 checks' worth)
    the whole call. `inputs` is how many bulk inputs each agreement check screens (fewer for
    an implementation that is slow per input). `isolate=None` falls back to this process, and
    says so in the result, when `impl` cannot be sent to a worker; `isolate=False` always runs
    here.
    """
    from mathcheck.regress import _worker

    __tracebackhide__ = True  # a failing test shows its own line, not mathcheck's
    plan = plan_check(
        formula_id, backend=backend, dtypes=dtypes, devices=devices, gradients=gradients,
        seed=seed, examples=examples, inputs=inputs, time_budget=time_budget, sizes=sizes,
        params=params, ranges=ranges, skip_missing_devices=skip_missing_devices,
    )
    if not callable(impl):
        raise InvalidInputError(f"{impl!r} is not callable")
    if target_budget is not None and not (
        isinstance(target_budget, (int, float)) and 0 < target_budget < float("inf")
    ):
        raise InvalidInputError(f"target_budget must be a positive number, got {target_budget!r}")
    if isolate is False or (isolate is None and _worker.IN_WORKER):
        return run_plan(plan, impl, adapter)
    try:
        payload = _worker.pack(run_plan, plan, impl, adapter)
    except _worker.Unpicklable as exc:
        if isolate:
            raise InvalidInputError(
                f"cannot send {impl!r} to a worker process ({exc}); isolate=False runs it here"
            ) from None
        return dataclasses.replace(
            run_plan(plan, impl, adapter), isolation=f"in this process ({exc})"
        )
    reply = _worker.shared().call(
        payload, check_budget=time_budget, total_budget=target_budget or 20 * time_budget
    )
    return from_reply(plan.entry.id, reply)


def from_reply(formula_id: str, reply: Any) -> CheckResult:
    """The verdict for what a worker sent back (or how it ended)."""

    if reply.status == "ok":
        return reply.value
    if reply.status == "error":  # a usage error found in the worker (a bad adapter argument)
        error = _error_class(reply.error_class)(reply.message)
        error.exit_code = reply.exit_code or error.exit_code
        raise error
    verdict: Verdict = "timeout" if reply.status == "timeout" else "crashed"
    where = f" in {reply.current}" if reply.current and reply.current not in reply.message else ""
    return CheckResult(
        formula_id, verdict, {}, {}, reason=f"{reply.message}{where}", results=tuple(reply.results)
    )


def _error_class(name: str) -> type:
    """The MathcheckError subclass a worker raised, by "module:name" within mathcheck (an
    AdapterError stays an AdapterError); anything else is the base class."""
    from importlib import import_module

    from mathcheck.errors import MathcheckError

    module, _, attr = name.partition(":")
    if module.startswith("mathcheck.") or module == "mathcheck":
        try:
            cls = getattr(import_module(module), attr, None)
        except ImportError:
            cls = None
        if isinstance(cls, type) and issubclass(cls, MathcheckError):
            return cls
    return MathcheckError


def run_plan(
    plan: Plan, impl: Callable[..., Any], adapter: Callable[[Any], Callable[..., Any]] | None
) -> CheckResult:
    """The check itself, in this process; warnings of the code under test are counted."""
    with _counting_warnings() as seen:
        result = _verdict(plan, impl, adapter)
    if seen["count"]:
        return dataclasses.replace(
            result, warnings=seen["count"], first_warning=seen["first"]
        )
    return result


@contextmanager
def _counting_warnings() -> Iterator[dict[str, Any]]:
    """Count warnings instead of printing them; keep the first message."""
    seen: dict[str, Any] = {"count": 0, "first": ""}

    def show(message: Any, category: Any, filename: str, lineno: int, *_: Any) -> None:
        if not seen["count"]:
            seen["first"] = f"{category.__name__}: {message} ({filename}:{lineno})"
        seen["count"] += 1

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield seen


def _verdict(
    plan: Plan, impl: Callable[..., Any], adapter: Callable[[Any], Callable[..., Any]] | None
) -> CheckResult:
    from mathcheck.crosscheck import plan as plan_tasks
    from mathcheck.crosscheck import run_task

    entry, claims, options, backend = plan.entry, plan.claims, plan.options, plan.backend
    formula_id = entry.id
    fn = apply(adapter, impl, Canonical.of(entry))
    results = []
    targeted = dataclasses.replace(entry, claims=claims, kinks=())  # kinks: in `claims`
    for task in plan_tasks(targeted, options, {backend: fn}):
        results.append(run_task(task, options))
        if "timed_out" in results[-1].extra:  # the rest would only wait for it again
            break
    _raise_adapter_errors(results)
    checked = [r for r in results if r.status != "skipped"]
    worst, budgets = _worst_by_key(checked)
    if not checked:
        reasons = sorted({r.detail for r in results}) or ["no claim applies"]
        return CheckResult(
            formula_id, "not checked", worst, budgets, reason="; ".join(reasons),
            results=tuple(results),
        )
    timed_out = [r for r in checked if "timed_out" in r.extra]
    if timed_out:
        r = timed_out[0]
        return CheckResult(
            formula_id, "timeout", worst, budgets, r.worst_input,
            f"{r.detail} in {r.claim} [{r.dtype} {r.device}]", results=tuple(results),
        )
    canonical = _findings.by_key(results)
    if not _findings.failed(checked):
        verdicts = {key: "pass" for key in canonical}
        return CheckResult(formula_id, "pass", worst, budgets, results=tuple(results),
                           per_dtype=verdicts)
    failed = _findings.failed(checked)
    first = next((r for r in failed if r.kind == "agreement"), failed[0])
    reason = f"{first.claim} [{first.dtype} {first.device}]: {first.detail}"
    failing = {key for key, rs in canonical.items() if _findings.failed(rs)}
    by_variant: dict[str, dict[str, list[Any]]] = {}
    misses: dict[str, str] = {}
    miss_ulp: dict[str, float] = {}
    for variant in entry.variants:
        v_results = _against_variant(entry, variant, claims, fn, backend, options)
        if v_results is None:
            continue
        by_variant[variant.name] = grouped = _findings.by_key(v_results)
        v_failed = _findings.failed(v_results)
        matched = [k for k in failing if grouped.get(k) and not _findings.failed(grouped[k])]
        if not v_failed:
            v_worst = max((r.error or 0.0) for r in v_results) if v_results else 0.0
            misses[variant.name] = f"matches, worst {v_worst:.3g} ulp"
        elif matched:
            misses[variant.name] = (f"matches in {', '.join(sorted(matched))}; elsewhere "
                                    + _miss(v_failed))
        else:
            misses[variant.name] = _miss(v_failed)
            errors = [r.error for r in v_failed if isinstance(r.error, (int, float))]
            if errors and len(errors) == len(v_failed):
                miss_ulp[variant.name] = max(errors)
    verdicts = _findings.per_dtype(canonical, by_variant)
    found = _findings.findings(canonical, verdicts, entry.domain.params if entry.domain else {},
                               by_variant)
    matched_variants = {v for v in verdicts.values() if v not in ("pass", "fail")}
    common = dict(results=tuple(results), per_dtype=verdicts, findings=found)
    if "fail" not in verdicts.values() and len(matched_variants) == 1 and not [
        r for r in failed if _findings.key_of(r) not in canonical
    ]:
        (name,) = matched_variants
        return CheckResult(formula_id, "variant", worst, budgets, first.worst_input, reason,
                           name, misses, **common)
    if matched_variants:
        where = {v: sorted(k for k, x in verdicts.items() if x == v) for v in matched_variants}
        reason = "; ".join(
            [f"matches variant {v!r} in {', '.join(ks)}" for v, ks in sorted(where.items())]
            + [str(f) for f in found] + [reason]
        )
    elif near := _findings.closest(miss_ulp, first.error, first.budget):
        reason = f"{near}; {reason}"
    variant = next(iter(sorted(matched_variants)), None)
    return CheckResult(formula_id, "fail", worst, budgets, first.worst_input, reason, variant,
                       misses, **common)


def _worst_by_key(checked: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per dtype/device: the worst error in ulps over every claim measured in ulps (agreement,
    gradients, references), relative to its budget, and that claim's budget."""
    worst: dict[str, Any] = {}
    budgets: dict[str, Any] = {}
    ratio: dict[str, float] = {}
    for r in checked:
        if r.unit != "ulp" or r.dtype in ("exact", "-") or not isinstance(r.error, (int, float)):
            continue
        key = _findings.key_of(r)
        score = r.error / r.budget if r.budget else (0.0 if r.error == 0 else float("inf"))
        score = float("inf") if score != score else score  # NaN errors rank worst
        ties = r.kind == "agreement" and score == ratio.get(key)  # the agreement on a tie
        if key not in ratio or score > ratio[key] or ties:
            worst[key], budgets[key], ratio[key] = r.error, r.budget, score
    return worst, budgets


def _raise_adapter_errors(results: Iterable[Any]) -> None:
    """An adapter that failed is a usage error (exit 2), not a verdict on the implementation."""
    for r in results:
        _, found, message = (r.detail or "").partition("AdapterError: ")
        if found:
            raise AdapterError(message.splitlines()[0] if message else "adapter error")


def _against_variant(
    entry: Entry, variant: Any, claims: tuple[Any, ...], fn: Any, backend: str, options: Any
) -> list[Any] | None:
    """Results of `fn` checked against a variant: its SymPy form as the oracle when it has one,
    else its numeric form in the same dtype (casting-order variants differ only in rounding:
    within 1 ulp of that form counts as a match)."""
    from mathcheck.crosscheck import verify_entry

    agreement = tuple(
        dataclasses.replace(c, budget=variant.budget) if variant.budget else c
        for c in claims if isinstance(c, Agreement)
    )
    if variant.symbolic is not None:
        as_reference = dataclasses.replace(
            entry, symbolic=variant.symbolic, claims=agreement, kinks=()
        )
        return [
            r for r in verify_entry(as_reference, options, **{backend: fn}) if r.status != "skipped"
        ]
    reference = variant.torch if backend == "torch" else variant.numpy
    if reference is None:
        return None
    same_form = Property(
        f"matches variant {variant.name}",
        SameAs(resolve(reference), variant.name),
        1.0,
        "within 1 ulp of the variant's own form in the same dtype",
        backends=(backend,),
    )
    return [
        r
        for r in verify_entry(
            dataclasses.replace(entry, claims=(same_form,), kinks=()), options, **{backend: fn}
        )
        if r.status != "skipped"
    ]


def _miss(failed: list[Any]) -> str:
    errors = [r.error for r in failed if isinstance(r.error, (int, float))]
    if errors:
        return f"misses by {max(errors):.3g} ulp"
    return f"misses: {failed[0].detail[:120]}" if failed else "misses"


def assert_matches(
    formula_id: str,
    impl: Callable[..., Any],
    *,
    allow_variants: Iterable[str] = (),
    allow_findings: Iterable[str] = (),
    **options: Any,
) -> CheckResult:
    """`check`, raising an AssertionError with the verdict, errors, variant and counterexample.

    `allow_variants` accepts named conventions; `allow_findings` accepts precision findings by
    kind ("nonfinite", "internal_precision", "over_budget"): a dtype that fails is accepted
    when it has an allowed finding, every other dtype passing or matching an allowed variant.
    """
    __tracebackhide__ = True
    variants, kinds = set(_names_or_empty(allow_variants)), set(_names_or_empty(allow_findings))
    if unknown := kinds - set(_findings.KINDS):
        raise InvalidInputError(f"unknown finding kind {sorted(unknown)[0]!r}; use one of "
                                f"{', '.join(_findings.KINDS)}")
    result = check(formula_id, impl, **options)
    if _accepted(result, variants, kinds):
        return result
    raise AssertionError(str(result))


def _names_or_empty(value: Iterable[str]) -> tuple[str, ...]:
    return () if not value else _names(value, "allow_variants / allow_findings")


def _accepted(result: CheckResult, variants: set[str], kinds: set[str]) -> bool:
    if result.verdict == "pass" or (result.verdict == "variant" and result.variant in variants):
        return True
    if result.verdict != "fail" or not kinds or not result.per_dtype:
        return False
    explained = {f.where for f in result.findings if f.kind in kinds}
    return all(
        v == "pass" or v in variants or (v == "fail" and key in explained)
        for key, v in result.per_dtype.items()
    ) and not [r for r in _findings.failed(result.results)
               if _findings.key_of(r) not in result.per_dtype]
