"""Options shared by `verify` and `regress`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from mathcheck.crosscheck import PROFILES, RunOptions
from mathcheck.errors import InvalidInputError
from mathcheck.formulas import BACKENDS, DTYPES
from mathcheck.numeric import canonical

F = Callable[..., Any]


def run_options(func: F) -> F:
    for decorator in reversed(
        [
            click.option(
                "--dtype",
                "dtypes",
                multiple=True,
                help="fp64, fp32, fp16, bf16 (repeatable; default all).",
            ),
            click.option(
                "--device",
                "devices",
                multiple=True,
                type=click.Choice(["cpu", "cuda"]),
                help="Default: cpu, and cuda where present. A device asked for that is "
                "absent is a usage error (exit 2).",
            ),
            click.option(
                "--skip-missing-devices",
                is_flag=True,
                help="Skip the devices asked for that are absent instead of failing.",
            ),
            click.option(
                "--backend",
                "backends",
                multiple=True,
                type=click.Choice(list(BACKENDS)),
                help="Default: numpy and torch.",
            ),
            click.option(
                "--seed",
                type=click.IntRange(0, 2**32 - 1),
                default=0,
                show_default=True,
                help="Hypothesis seed; runs are deterministic for a seed.",
            ),
            click.option(
                "--profile",
                type=click.Choice(list(PROFILES)),
                default="ci",
                show_default=True,
                help="Effort: quick, ci, deep.",
            ),
            click.option(
                "--examples",
                type=click.IntRange(1),
                default=None,
                help="Generated examples per check (overrides the profile).",
            ),
            click.option(
                "--inputs",
                type=click.IntRange(1),
                default=None,
                help="Bulk inputs screened per agreement check (overrides the profile; "
                "16-bit one-input entries are exhaustive regardless).",
            ),
            click.option(
                "--time-budget",
                type=click.FloatRange(0.1, 86400),
                default=None,
                help="Seconds per check before it is failed as hung (a failure, not a skip).",
            ),
            click.option(
                "--json",
                "json_path",
                type=click.Path(dir_okay=False),
                help="Write the JSON report here.",
            ),
            click.option(
                "--junit",
                "junit_path",
                type=click.Path(dir_okay=False),
                help="Write JUnit XML here.",
            ),
        ]
    ):
        func = decorator(func)
    return func


def address_option(func: F) -> F:
    """`--address`: run on Ray (the `distributed` extra) instead of local processes."""
    return click.option(
        "--address",
        default=None,
        metavar="HOST:PORT|local|auto",
        help="Run the tasks on Ray: join the cluster at HOST:PORT (auto: the one `ray start` "
        "left running here), or start a local instance (local: with -j CPUs). Results are "
        "those of a local run.",
    )(func)


def jobs_option(func: F) -> F:
    """`-j N` / `--jobs N`: worker processes; checked in the command (a one-line usage error)."""
    return click.option(
        "-j",
        "--jobs",
        "jobs",
        default="auto",
        show_default=True,
        metavar="N|auto",
        help="Run the checks in N worker processes (auto: one per CPU; 1: in this process). "
        "The results are the same for every N.",
    )(func)


def cache_option(func: F) -> F:
    """`--no-cache`: recompute forms and proofs instead of reading the user cache folder."""
    return click.option(
        "--cache/--no-cache",
        "use_cache",
        default=True,
        help="Reuse generated oracle code and finished proofs from the cache folder "
        "(MATHCHECK_CACHE_DIR, else ~/.cache/mathcheck). The results are the same.",
    )(func)


def build_options(
    dtypes: tuple[str, ...],
    devices: tuple[str, ...],
    backends: tuple[str, ...],
    seed: int,
    profile: str,
    examples: int | None,
    time_budget: float | None,
    skip_missing_devices: bool = False,
    inputs: int | None = None,
) -> RunOptions:
    """RunOptions from the command line; every bad value is a usage error here (exit 2)."""
    from mathcheck.numeric import device_available

    settings: dict[str, Any] = dict(PROFILES[profile])
    if examples is not None:
        settings["examples"] = examples
    if time_budget is not None:
        settings["time_budget"] = time_budget
    if inputs is not None:
        settings["inputs"] = inputs
    missing = [d for d in devices if not device_available(d)[0]]
    if missing and not skip_missing_devices:
        reasons = "; ".join(f"--device {d}: {device_available(d)[1]}" for d in missing)
        raise InvalidInputError(f"{reasons} (--skip-missing-devices checks the others)")
    return RunOptions(
        seed=seed,
        dtypes=tuple(dict.fromkeys(canonical(d) for d in dtypes)) or DTYPES,
        devices=devices or ("cpu", "cuda"),
        backends=backends or BACKENDS,
        **settings,
    )
