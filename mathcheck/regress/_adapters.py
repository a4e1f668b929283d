"""Adapters: fit a user's function or `nn.Module` to an entry's canonical signature.

By default (no adapter, or `with_kwargs`) the canonical inputs are passed positionally in the
entry's order and its parameters (eps, alpha) by keyword; other adapters get everything by
keyword.

An adapter is just a callable `adapter(impl) -> fn` where `fn` takes the canonical arguments
(`mathcheck show ID` prints them). The helpers below cover the usual mismatches; anything
else is a lambda:

    mathcheck.check("act.softmax", lambda z: torch.softmax(z, dim=-1))
    mathcheck.check("act.softmax", torch.softmax, adapter=with_kwargs(dim=-1))
    mathcheck.check("norm.rms_norm", torch.nn.RMSNorm, adapter=module(normalized_shape="$n"))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

Adapter = Callable[[Any], Callable[..., Any]]


def with_kwargs(**fixed: Any) -> Adapter:
    """Call the implementation with extra keyword arguments (dim=-1, eps=1e-6...)."""

    def adapt(impl: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return impl(*args, **{**kwargs, **fixed})

        return call

    adapt.positional_inputs = True  # type: ignore[attr-defined]  # inputs go positionally
    return adapt


def positional(*names: str) -> Adapter:
    """Pass the canonical arguments positionally, in this order (for `f(input, target)` APIs)."""

    def adapt(impl: Callable[..., Any]) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            args = [kwargs.pop(n) for n in names]
            return impl(*args, **kwargs)

        return call

    return adapt


def rename(**mapping: str) -> Adapter:
    """Rename canonical keyword arguments: rename(z="input") calls impl(input=...)."""

    def adapt(impl: Callable[..., Any]) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            return impl(**{mapping.get(k, k): v for k, v in kwargs.items()})

        return call

    return adapt


def module(state: Callable[[Any, Mapping[str, Any]], None] | None = None,
           input_arg: str | None = None, **init: Any) -> Adapter:
    """Build an `nn.Module` per input shape, on the input's device and dtype, and call it.

    `init` values may be "$name": the size of the last axis of the canonical argument `name`
    ("$n" means the last axis of the first argument). `state(module, kwargs)` may copy
    canonical weights into the module. Parameters get no gradient-free surprises: the module
    is in eval mode unless `train=True` is passed in `init`.
    """
    train = bool(init.pop("train", False))

    def adapt(factory: Callable[..., Any]) -> Callable[..., Any]:
        cache: dict[tuple[Any, ...], Any] = {}

        def call(**kwargs: Any) -> Any:
            first_name = input_arg or next(iter(kwargs))
            first = kwargs[first_name]
            key = (tuple(first.shape), first.dtype, str(first.device))
            if key not in cache:
                resolved = {k: _resolve(v, kwargs, first) for k, v in init.items()}
                mod = factory(**resolved).to(device=first.device, dtype=first.dtype)
                mod.train(train)
                cache[key] = mod
            mod = cache[key]
            if state is not None:
                state(mod, kwargs)
                return mod(first)
            rest = {k: v for k, v in kwargs.items() if k != first_name}
            return mod(first, **rest)

        return call

    return adapt


def _resolve(value: Any, kwargs: Mapping[str, Any], first: Any) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        source = first if name == "n" else kwargs[name]
        return int(source.shape[-1])
    return value


def accepts(impl: Callable[..., Any], name: str) -> bool:
    """Whether `impl` takes a parameter called `name` (used to pass eps, dim when asked)."""
    try:
        return name in inspect.signature(impl).parameters
    except (TypeError, ValueError):
        return False
