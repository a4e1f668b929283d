"""Re-run one failing case from a report's reproduction snippet."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import numpy as np

from mathcheck.crosscheck._agreement import FormCache, call_form
from mathcheck.crosscheck._inputs import Case
from mathcheck.formulas import Agreement, get, resolve
from mathcheck.numeric import backend as make_backend
from mathcheck.numeric import error_scale, output_shape, ulp_errors


def reproduce(
    formula_id: str,
    backend: str = "numpy",
    dtype: str = "float64",
    device: str = "cpu",
    impl: Any = None,
    adapter: Any = None,
    **inputs: Any,
) -> dict[str, Any]:
    """Evaluate the form (or `impl`) and the oracle at `inputs`; print and return both.

    Keywords naming one of the entry's parameters (a drawn δ, ε, τ...) set it; the others
    are the inputs. `impl` is called as `check` calls it: through `adapter` (any
    `adapter(impl) -> fn(**canonical)`, e.g. `mathcheck.adapters.with_kwargs(dim=-1)`), or by
    default with the inputs positionally in the entry's order and the parameters by keyword,
    so library callables (`torch.softmax`, `F.gelu`) work as they are."""
    entry = get(formula_id)
    b = make_backend(backend, dtype, device)
    domain = entry.domain
    assert domain is not None
    params = {k: float(v) for k, v in inputs.items() if k in domain.params}
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items() if k not in params}
    domain = dataclasses.replace(domain, params={**domain.params, **params})
    sizes: dict[str, int] = {}
    for arg in domain.args:
        for axis, dim in enumerate(reversed(arg.shape)):
            if isinstance(dim, str):
                sizes[dim] = arrays[arg.name].shape[-1 - axis]
    case = Case(sizes, arrays)
    cache = FormCache(entry, domain)
    hi, lo = cache.oracle(sizes)(arrays)
    if impl is None:
        fn = resolve(entry.form(backend))
    else:
        names = tuple(a.name for a in domain.args)
        if adapter is None:
            fn = positional_call(impl, names)
        else:  # mathcheck's adapters take the input names; a plain adapter(impl) does not
            takes_inputs = "inputs" in inspect.signature(adapter).parameters
            fn = adapter(impl, inputs=names) if takes_inputs else adapter(impl)
    computed = b.to_numpy(call_form(fn, case, b, domain.params))
    agreement = next((c for c in entry.claims if isinstance(c, Agreement)), None)
    scale_mode = agreement.budget.scale if agreement else "elementwise"
    scale = error_scale(hi, scale_mode, len(output_shape(cache.form(sizes))))
    errors = ulp_errors(computed.reshape(hi.shape), hi, lo, scale, b.dtype)
    report = {"computed": computed, "exact": hi, "ulp_error": errors}
    print(f"{formula_id} [{backend} {b.dtype} {device}]")
    for key, value in report.items():
        print(f"  {key:>9}: {np.array2string(np.asarray(value), precision=17)}")
    return report


def positional_call(impl: Any, inputs: tuple[str, ...]) -> Any:
    """`impl` called with the canonical keyword arguments: `inputs` positionally in this order,
    everything else (the parameters) by keyword. The one default calling rule (`check`,
    `reproduce`)."""

    def call(**kwargs: Any) -> Any:
        args = [kwargs.pop(n) for n in inputs if n in kwargs]
        return impl(*args, **kwargs)

    return call
