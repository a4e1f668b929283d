"""Adapters: fit a real function, module class or layout to an entry's canonical signature.

The engine calls the implementation as the entry's canonical form: `f(**canonical)` with the
inputs named and shaped as `mathcheck show ID` prints them (a leading batch axis of rows,
one set of weights per row) and the parameters (eps, alpha) by keyword. With no adapter the
inputs go positionally in the entry's order and the parameters by keyword.

Adapters compose with `|`, outermost first: the canonical call goes through each in turn,
and the last one decides how the implementation itself is called. Examples (run as written
by tests/regress/test_adapters.py):

    import torch
    import torch.nn.functional as F
    from mathcheck import check
    from mathcheck.adapters import cast_output, layout, module, per_row, rename, shared
    from mathcheck.adapters import with_kwargs

    check("act.softmax", torch.softmax, adapter=with_kwargs(dim=-1))

    def softmax_of_one_row(z):  # z: (n,)
        e = torch.exp(z - z.max())
        return e / e.sum()

    check("act.softmax", softmax_of_one_row, adapter=per_row())

    def rms_norm(x, weight, eps):  # one weight (n,) for every row of x: (batch, n)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight

    # x² overflows beyond |x| ≈ 1e154 (fp64), as in torch's own RMSNorm: narrow the range
    check("norm.rms_norm", rms_norm, adapter=shared("gamma"), ranges={"x": (-1e3, 1e3)})
    check("norm.rms_norm", torch.nn.RMSNorm, ranges={"x": (-1e3, 1e3)},
          adapter=module(normalized_shape="$n", eps="$eps", state={"weight": "gamma"}))

    def flash_style(q, k, v):  # (batch, seq, heads, dim); fp16/bf16 in, fp32 out
        up = torch.promote_types(q.dtype, torch.float32)
        out = F.scaled_dot_product_attention(*(t.transpose(1, 2).to(up) for t in (q, k, v)))
        return out.transpose(1, 2)

    check("attn.scaled_dot_product", flash_style, adapter=layout("bshd") | cast_output())
    check("loss.mse", lambda input, target: F.mse_loss(input, target, reduction="none").mean(-1),
          adapter=rename(y="target", y_hat="input"))

Anything else is a plain callable `adapter(impl) -> fn`, `fn` taking the canonical keyword
arguments. An adapter's own failure (a module that cannot be built, a layout that does not
fit the input) is an `AdapterError`, a usage error naming the adapter, never a verdict on the
implementation.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mathcheck.errors import InvalidInputError

#: `adapter(impl) -> fn(**canonical)`: what every adapter is, an `Adapter` or a plain callable.
AdapterLike = Callable[[Any], Callable[..., Any]]


class AdapterError(InvalidInputError):
    """An adapter could not do its part (exit code 2): the implementation was not judged."""


@dataclass(frozen=True)
class Canonical:
    """What adapters need to know of the entry: input names in order and their core ranks."""

    inputs: tuple[str, ...] = ()
    core_ndim: Mapping[str, int] = field(default_factory=dict)  # rank without batch axes
    params: tuple[str, ...] = ()

    @classmethod
    def of(cls, entry: Any) -> Canonical:
        domain = getattr(entry, "domain", None)
        if domain is None:
            return cls()
        return cls(
            tuple(a.name for a in domain.args),
            {a.name: len(a.shape) for a in domain.args},
            tuple(domain.params),
        )


@dataclass(frozen=True)
class Adapter:
    """One step between the canonical call and the implementation.

    A *transform* (`wrap`) rewrites the canonical call for the next step; a *convention*
    (`bind`) calls the implementation itself and must come last.
    """

    name: str
    wrap: Callable[[Callable[..., Any], Canonical], Callable[..., Any]] | None = None
    bind: Callable[[Any, Canonical], Callable[..., Any]] | None = None
    steps: tuple[Adapter, ...] = ()

    def __or__(self, other: Adapter | AdapterLike) -> Adapter:
        return chain(self, other)

    def __ror__(self, other: Adapter | AdapterLike) -> Adapter:
        return chain(other, self)

    def __call__(self, impl: Any, canonical: Canonical | None = None,
                 inputs: tuple[str, ...] = ()) -> Callable[..., Any]:
        """`adapter(impl) -> fn`, like any adapter; `inputs` (the canonical input names, in
        order) is what the default call needs where no `canonical` is given (`reproduce`)."""
        return apply(self, impl, canonical or Canonical(tuple(inputs)))

    def __repr__(self) -> str:
        return self.name


def chain(*adapters: Adapter | AdapterLike) -> Adapter:
    """The adapters in order (outermost first); only the last may call the implementation."""
    steps: list[Adapter] = []
    for a in adapters:
        step = a if isinstance(a, Adapter) else _plain(a)
        steps.extend(step.steps or (step,))
    for step in steps[:-1]:
        if step.wrap is None:
            raise InvalidInputError(
                f"adapter {step.name} calls the implementation itself, so it must come last "
                f"in {' | '.join(s.name for s in steps)}"
            )
    return Adapter(" | ".join(s.name for s in steps), steps=tuple(steps))


def apply(adapter: Adapter | AdapterLike | None, impl: Any, canonical: Canonical) -> Callable:
    """The canonical-signature function for `impl` behind `adapter` (None: the default call)."""
    if adapter is None:
        return _default_call(impl, canonical)
    step = adapter if isinstance(adapter, Adapter) else _plain(adapter)
    steps = step.steps or (step,)
    last = steps[-1]
    fn = last.bind(impl, canonical) if last.bind is not None else _default_call(impl, canonical)
    for s in reversed(steps if last.bind is None else steps[:-1]):
        assert s.wrap is not None
        fn = s.wrap(fn, canonical)
    return fn


def _plain(fn: AdapterLike) -> Adapter:
    if not callable(fn):
        raise InvalidInputError(f"adapter {fn!r} is not callable")
    return Adapter(getattr(fn, "__name__", "adapter"), bind=lambda impl, _c: fn(impl))


def _default_call(impl: Any, canonical: Canonical) -> Callable[..., Any]:
    """Inputs positionally in the entry's order, parameters (and anything else) by keyword."""
    from mathcheck.crosscheck import positional_call

    return positional_call(impl, canonical.inputs)


@contextmanager
def _adapter_step(name: str) -> Any:
    """Errors raised by the adapter's own code (not the implementation's) name the adapter."""
    try:
        yield
    except AdapterError:
        raise
    except Exception as exc:
        raise AdapterError(f"adapter {name}: {type(exc).__name__}: {exc}") from None


# --- transforms ------------------------------------------------------------------------------


def with_kwargs(**fixed: Any) -> Adapter:
    """Extra keyword arguments on every call (dim=-1, eps=1e-6, reduction="sum")."""

    def wrap(inner: Callable[..., Any], _c: Canonical) -> Callable[..., Any]:
        return lambda **kwargs: inner(**{**kwargs, **fixed})

    return Adapter(f"with_kwargs({_show_kwargs(fixed)})", wrap=wrap)


def drop(*names: str) -> Adapter:
    """Leave canonical arguments out of the call (an implementation with eps built in)."""

    def wrap(inner: Callable[..., Any], _c: Canonical) -> Callable[..., Any]:
        return lambda **kwargs: inner(**{k: v for k, v in kwargs.items() if k not in names})

    return Adapter(f"drop({', '.join(names)})", wrap=wrap)


def per_row() -> Adapter:
    """Apply an implementation written for one row (one sample, unbatched) to every row.

    Torch: `torch.vmap` over the leading batch axes (all of them, flattened), falling back to
    a loop over rows when the implementation cannot be vmapped (data-dependent control flow,
    `.item()`); NumPy: a loop. Each call sees every input at its core rank.
    """
    return Adapter("per_row()", wrap=lambda inner, c: _rowwise(inner, c, keep=frozenset()))


def shared(*weights: str) -> Adapter:
    """For implementations taking one weight for all rows where the entry draws one per row:
    row by row, each call gets that row's weights (at core rank) and its inputs with a batch
    axis of one, which is removed from the output again."""
    if not weights:
        raise InvalidInputError("shared() needs the names of the shared weights")

    def wrap(inner: Callable[..., Any], c: Canonical) -> Callable[..., Any]:
        unknown = [w for w in weights if c.inputs and w not in c.inputs]
        if unknown:
            raise AdapterError(f"adapter shared: no canonical input named {unknown[0]!r} "
                               f"(inputs: {', '.join(c.inputs)})")
        batched = frozenset(n for n in c.inputs if n not in weights)
        return _rowwise(inner, c, keep=batched)

    return Adapter(f"shared({', '.join(weights)})", wrap=wrap)


def layout(spec: str, inputs: Sequence[str] | None = None) -> Adapter:
    """Attention tensors in another axis order: canonical (batch…, seq, dim) is read as
    heads-first "bhsd" (a heads axis of one is inserted: (b, 1, s, d)) or as "bshd"
    (flash-attention style, (b, s, 1, d)); the output is brought back. `inputs` are the
    arguments to lay out (default: every input of core rank 2)."""
    if spec not in ("bhsd", "bshd"):
        raise InvalidInputError(f"layout {spec!r}: use 'bhsd' or 'bshd'")
    axis = -3 if spec == "bhsd" else -2

    def wrap(inner: Callable[..., Any], c: Canonical) -> Callable[..., Any]:
        names = tuple(inputs) if inputs is not None else tuple(
            n for n in c.inputs if c.core_ndim.get(n) == 2
        )

        def call(**kwargs: Any) -> Any:
            with _adapter_step(f"layout({spec!r})"):
                moved = {k: (_unsqueeze(v, axis) if k in names else v) for k, v in kwargs.items()}
            out = inner(**moved)
            with _adapter_step(f"layout({spec!r})"):
                return _squeeze(out, axis)

        return call

    return Adapter(f"layout({spec!r})", wrap=wrap)


def cast_output(dtype: Any = "input") -> Adapter:
    """Cast the output to the inputs' dtype ("input": that of the first floating input) or to
    a named dtype: for implementations that return fp32 for fp16 inputs, say."""

    def wrap(inner: Callable[..., Any], c: Canonical) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            out = inner(**kwargs)
            with _adapter_step("cast_output"):
                target = _first_float_dtype(kwargs.values()) if dtype == "input" else dtype
                return _cast(out, target) if target is not None else out

        return call

    return Adapter(f"cast_output({dtype!r})", wrap=wrap)


# --- conventions (they call the implementation) ---------------------------------------------


def positional(*names: str) -> Adapter:
    """Pass these canonical arguments positionally, in this order (for `f(input, target)`
    APIs); the rest by keyword."""

    def bind(impl: Any, _c: Canonical) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            with _adapter_step("positional"):
                args = [kwargs.pop(n) for n in names]
            return impl(*args, **kwargs)

        return call

    return Adapter(f"positional({', '.join(names)})", bind=bind)


def rename(**mapping: str) -> Adapter:
    """Call by keyword under other names: rename(z="input") calls impl(input=...)."""

    def bind(impl: Any, _c: Canonical) -> Callable[..., Any]:
        return lambda **kwargs: impl(**{mapping.get(k, k): v for k, v in kwargs.items()})

    return Adapter(f"rename({_show_kwargs(mapping)})", bind=bind)


def module(state: Mapping[str, str] | None = None, input_arg: str | None = None,
           **init: Any) -> Adapter:
    """Build an `nn.Module` (the implementation is its class or factory) per input shape, on
    the input's device and dtype, and call it with the canonical inputs that `state` does not
    take.

    `init` values may be "$name": the last axis of the canonical input `name` ("$n": of the
    first input), or the value of the parameter `name` ("$eps"). `state` maps module
    parameters or buffers to canonical inputs ({"weight": "gamma"}): the canonical values are
    used as the module's (one set per row when the entry draws per-row weights), through
    `torch.func.functional_call`, so gradients reach them. Parameters not routed into `init`
    are not passed to `forward`. The module is in eval mode unless `train=True` is in `init`.
    """
    train = bool(init.pop("train", False))
    state = dict(state or {})

    def bind(factory: Any, c: Canonical) -> Callable[..., Any]:
        cache: dict[tuple[Any, ...], Any] = {}
        forward_inputs = [n for n in c.inputs if n not in state.values()]

        def build(kwargs: Mapping[str, Any]) -> Any:
            first = kwargs[input_arg or (forward_inputs or list(kwargs))[0]]
            resolved = {k: _resolve(v, kwargs, first, c) for k, v in init.items()}
            key = (tuple(first.shape), first.dtype, str(first.device), repr(resolved))
            if key not in cache:
                mod = factory(**resolved).to(device=first.device, dtype=first.dtype)
                mod.train(train)
                missing = [a for a in state if a not in dict(mod.named_parameters())
                           and a not in dict(mod.named_buffers())]
                if missing:
                    raise AdapterError(f"adapter module: {type(mod).__name__} has no parameter "
                                       f"or buffer {missing[0]!r} for state")
                cache[key] = mod
            return cache[key]

        def call(**kwargs: Any) -> Any:
            from torch.func import functional_call

            with _adapter_step(f"module({getattr(factory, '__name__', 'factory')})"):
                mod = build(kwargs)
                inputs = [kwargs[n] for n in (forward_inputs or [next(iter(kwargs))])
                          if n in kwargs]
                weights = {attr: kwargs[arg] for attr, arg in state.items()}
                reference = dict(mod.named_parameters()) | dict(mod.named_buffers())
                per_row = any(w.ndim > reference[a].ndim for a, w in weights.items())
            if not weights:
                return mod(*inputs)
            if not per_row:
                return functional_call(mod, weights, tuple(inputs))
            names = [*state, *(f"input{i}" for i in range(len(inputs)))]
            ranks = Canonical(tuple(names), {a: reference[a].ndim for a in state}
                              | {f"input{i}": inputs[i].ndim - 1 for i in range(len(inputs))})

            # one row's inputs get a batch axis of one only where they are vectors: a core
            # input that is a batch already (batch norm's x: (m, n)) goes in as it is
            unbatched = all(ranks.core_ndim[f"input{i}"] <= 1 for i in range(len(inputs)))

            def one(**row: Any) -> Any:
                xs = tuple(row[f"input{i}"] for i in range(len(inputs)))
                if unbatched:
                    return functional_call(mod, {a: row[a] for a in state},
                                           tuple(x[None] for x in xs)).squeeze(0)
                return functional_call(mod, {a: row[a] for a in state}, xs)

            values = dict(zip(names, [*weights.values(), *inputs], strict=True))
            return _rowwise(lambda **kw: one(**kw), ranks, keep=frozenset())(**values)

        return call

    shown = _show_kwargs({**init, **({"state": state} if state else {})})
    return Adapter(f"module({shown})", bind=bind)


# --- building adapters from a pyproject table ------------------------------------------------

#: [[tool.mathcheck.targets]] `adapters = [{per_row = true}, {layout = "bshd"}, ...]`
SPEC_KEYS = ("kwargs", "drop", "per_row", "shared", "layout", "cast_output", "positional",
             "rename", "module")


def from_spec(items: Any, where: str = "adapters") -> Adapter:
    """One composed adapter from TOML-like data: a table or an array of one-key tables, e.g.
    `[{shared = ["gamma"]}, {rename = {x = "input"}}]`. Every problem names its key path."""
    tables = [items] if isinstance(items, dict) else items
    if not isinstance(tables, list) or not tables:
        raise InvalidInputError(f"{where}: expected an array of one-key tables, got {items!r}")
    steps = []
    for i, table in enumerate(tables):
        at = f"{where}[{i}]"
        if not isinstance(table, dict) or len(table) != 1:
            raise InvalidInputError(f"{at}: expected a table with one of {', '.join(SPEC_KEYS)}")
        (key, value), = table.items()
        try:
            steps.append(_one_spec(key, value, f"{at}.{key}"))
        except InvalidInputError as exc:  # a step's own constructor: name where it came from
            message = str(exc)
            raise InvalidInputError(message if message.startswith(at) else f"{at}.{key}: "
                                    f"{message}") from None
    try:
        return chain(*steps)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}: {exc}") from None


def _one_spec(key: str, value: Any, at: str) -> Adapter:
    def names(v: Any) -> list[str]:
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(s, str) and s.isidentifier() for s in v):
            raise InvalidInputError(f"{at}: expected a list of argument names, got {v!r}")
        return v

    def table(v: Any) -> dict[str, Any]:
        if not isinstance(v, dict) or not all(isinstance(k, str) and k.isidentifier() for k in v):
            raise InvalidInputError(f"{at}: expected a table of name = value, got {v!r}")
        return v

    if key == "kwargs":
        return with_kwargs(**table(value))
    if key == "drop":
        return drop(*names(value))
    if key == "per_row":
        if value is not True:
            raise InvalidInputError(f"{at}: write per_row = true")
        return per_row()
    if key == "shared":
        return shared(*names(value))
    if key in ("layout", "cast_output"):
        if not isinstance(value, str):
            raise InvalidInputError(f"{at}: expected a string, got {value!r}")
        return layout(value) if key == "layout" else cast_output(value)
    if key == "positional":
        return positional(*names(value))
    if key == "rename":
        mapping = table(value)
        if not all(isinstance(v, str) and v.isidentifier() for v in mapping.values()):
            raise InvalidInputError(f"{at}: new names must be identifiers")
        return rename(**mapping)
    if key == "module":
        spec = table(value)
        unknown = set(spec) - {"init", "state", "input"}
        if unknown:
            raise InvalidInputError(f"{at}: unknown keys {sorted(unknown)}; use init, state, input")
        return module(state=table(spec.get("state", {})), input_arg=spec.get("input"),
                      **table(spec.get("init", {})))
    raise InvalidInputError(f"{at}: unknown adapter {key!r}; use one of {', '.join(SPEC_KEYS)}")


# --- helpers ---------------------------------------------------------------------------------


def _rowwise(inner: Callable[..., Any], c: Canonical, keep: frozenset[str]) -> Callable[..., Any]:
    """Call `inner` row by row over the leading batch axes of the inputs (params pass through);
    inputs in `keep` keep a batch axis of one per call, removed from each output again."""

    def call(**kwargs: Any) -> Any:
        batched = {k: v for k, v in kwargs.items()
                   if k in c.core_ndim and getattr(v, "ndim", 0) > c.core_ndim[k]}
        if not batched:
            return inner(**kwargs)
        with _adapter_step("per_row"):
            first = next(iter(batched))
            lead = tuple(batched[first].shape[: batched[first].ndim - c.core_ndim[first]])
            rows = {k: v.reshape((-1, *v.shape[len(lead):])) for k, v in batched.items()}
            fixed = {k: v for k, v in kwargs.items() if k not in batched}
        names = list(rows)

        def one(*xs: Any) -> Any:
            row = dict(zip(names, xs, strict=True))
            row = {k: (v[None] if k in keep else v) for k, v in row.items()}
            out = inner(**row, **fixed)
            return out[0] if keep and getattr(out, "ndim", 0) else out

        out = _map_rows(one, list(rows.values()))
        with _adapter_step("per_row"):
            return out.reshape((*lead, *out.shape[1:]))

    return call


def _map_rows(one: Callable[..., Any], columns: list[Any]) -> Any:
    """torch.vmap when it works (falling back to a loop), a loop for NumPy arrays."""
    import numpy as np

    if columns and not isinstance(columns[0], np.ndarray):
        import torch

        try:
            return torch.vmap(one)(*columns)
        except Exception:  # not vmappable (.item(), data-dependent branches): row by row
            return torch.stack([one(*xs) for xs in zip(*columns, strict=True)])
    return np.stack([one(*xs) for xs in zip(*columns, strict=True)])


def _unsqueeze(value: Any, axis: int) -> Any:
    import numpy as np

    return np.expand_dims(value, axis) if isinstance(value, np.ndarray) else value.unsqueeze(axis)


def _squeeze(value: Any, axis: int) -> Any:
    if getattr(value, "ndim", 0) >= -axis and value.shape[axis] == 1:
        import numpy as np

        return np.squeeze(value, axis) if isinstance(value, np.ndarray) else value.squeeze(axis)
    return value


def _first_float_dtype(values: Iterable[Any]) -> Any:
    for v in values:
        dtype = getattr(v, "dtype", None)
        if dtype is not None and getattr(dtype, "is_floating_point", None) is not False and (
            str(dtype).startswith(("torch.float", "torch.bfloat", "float", "bfloat"))
        ):
            return dtype
    return None


def _cast(value: Any, dtype: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.astype(dtype)
    if isinstance(dtype, str):
        import torch

        dtype = getattr(torch, dtype)
    return value.to(dtype)


def _resolve(value: Any, kwargs: Mapping[str, Any], first: Any, c: Canonical) -> Any:
    if not (isinstance(value, str) and value.startswith("$")):
        return value
    name = value[1:]
    if name == "n":
        return int(first.shape[-1])
    if name not in kwargs:
        raise AdapterError(f"adapter module: init value {value!r} names no canonical input or "
                           f"parameter (inputs: {', '.join(c.inputs)}; "
                           f"parameters: {', '.join(c.params) or 'none'})")
    source = kwargs[name]
    return int(source.shape[-1]) if hasattr(source, "shape") and source.ndim else source


def _show_kwargs(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in values.items())


def accepts(impl: Callable[..., Any], name: str) -> bool:
    """Whether `impl` takes a parameter called `name` (used to pass eps, dim when asked)."""
    try:
        return name in inspect.signature(impl).parameters
    except (TypeError, ValueError):
        return False


__all__ = ["Adapter", "AdapterError", "accepts", "cast_output", "chain", "drop", "from_spec",
           "layout", "module", "per_row", "positional", "rename", "shared", "with_kwargs"]
