"""The `scipy` pack: the pieces of `scipy.special`, `scipy.stats`, `scipy.linalg` and
`scipy.spatial.distance` that implement catalog entries, checked through the NumPy backend
(fp64, fp32, fp16: NumPy has no bfloat16).

SciPy's ufuncs have no half-precision loops and `scipy.stats` computes in fp64: given fp16 (or
fp32, for stats) they return a wider dtype. Every job rounds such a result back to its
input's dtype, as storing it would, so the fp16 verdict is about a value computed wider and
rounded once. Functions that take one vector (`distance.cosine`,
`multivariate_normal.logpdf`) are called once per row of the engine's batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mathcheck.regress._adapters import with_kwargs
from mathcheck.regress.packs._common import fn_job
from mathcheck.regress.runner import Job

EXACT = ("float64", "float32")
ALL = ("float64", "float32", "float16")  # for jobs whose verdict is an fp16 finding


def unavailable() -> str | None:
    try:
        import scipy  # noqa: F401
    except ImportError:  # a dependency of mathcheck, so only a broken install gets here
        return "SciPy is not installed (pip install scipy)"
    return None


def _rows(one: Callable[..., Any], *arrays: Any) -> Any:
    """one(*row) for each row of the arrays' common leading axes, stacked back."""
    import numpy as np

    lead = arrays[0].shape[:-1]
    flat = [a.reshape(-1, *a.shape[len(lead):]) for a in arrays]
    out = np.array([one(*row) for row in zip(*flat, strict=True)], dtype=arrays[0].dtype)
    return out.reshape(*lead, *out.shape[1:])


def _input_dtype(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn with an array result in its first input's dtype (a wider result rounded once)."""
    import numpy as np

    def call(first: Any, *args: Any, **kwargs: Any) -> Any:
        out = fn(first, *args, **kwargs)
        if isinstance(out, np.ndarray) and out.dtype != first.dtype:
            return out.astype(first.dtype)
        return out

    call.__name__ = getattr(fn, "__name__", "scipy_fn")
    return call


def jobs() -> list[Job]:
    import scipy.linalg as la
    import scipy.special as sp
    import scipy.stats as st
    from scipy.spatial import distance

    def job(name: str, formula: str, impl: Callable[..., Any], **options: Any) -> Job:
        return fn_job(name, formula, _input_dtype(impl), backend="numpy", **options)

    def gelu(x: Any) -> Any:
        return x * sp.ndtr(x)

    def entr(p: Any) -> Any:
        return sp.entr(p).sum(axis=-1)

    def stats_entropy(base: float | None) -> Callable[..., Any]:
        return lambda p: st.entropy(p, base=base, axis=-1)

    def rel_entr(p: Any, q: Any) -> Any:
        return sp.rel_entr(p, q).sum(axis=-1)

    def kl_div(p: Any, q: Any) -> Any:
        return sp.kl_div(p, q).sum(axis=-1)

    def stats_kl(p: Any, q: Any) -> Any:
        return st.entropy(p, q, axis=-1)

    def huber(y: Any, y_hat: Any, delta: float) -> Any:
        return sp.huber(delta, y - y_hat)

    def bce_with_logits(z: Any, y: Any) -> Any:
        return -(y * sp.log_expit(z) + (1 - y) * sp.log_expit(-z))

    def cosine(a: Any, b: Any) -> Any:
        return _rows(lambda u, v: 1.0 - distance.cosine(u, v), a, b)

    def euclidean(a: Any, b: Any) -> Any:
        return _rows(distance.euclidean, a, b)

    def gaussian(x: Any, mu: Any, sigma: Any) -> Any:
        return st.norm.pdf(x, loc=mu, scale=sigma)

    def log_gaussian(x: Any, mu: Any, sigma: Any) -> Any:
        return _rows(lambda x, mu, sigma: st.multivariate_normal.logpdf(x, mu, sigma),
                     x, mu, sigma)

    def correlation(x: Any, y: Any) -> Any:
        return st.pearsonr(x, y, axis=-1).statistic

    def eigh(A: Any, vectors: bool = False) -> Any:
        return la.eigh(A) if vectors else la.eigh(A, eigvals_only=True)

    def svd(A: Any, vectors: bool = False) -> Any:
        return la.svd(A, full_matrices=False) if vectors else la.svdvals(A)

    return [
        # scipy.special -----------------------------------------------------------------------
        job("special.softmax", "act.softmax", sp.softmax, adapter=with_kwargs(axis=-1)),
        job("special.log_softmax", "act.log_softmax", sp.log_softmax,
            adapter=with_kwargs(axis=-1)),
        job("special.expit", "act.sigmoid", sp.expit),
        job("x · special.ndtr(x)", "act.gelu", gelu, note="Φ = ndtr"),
        job("special.entr, summed", "info.entropy", entr, note="−p log p per element"),
        job("special.rel_entr, summed", "info.kl", rel_entr, note="p log(p/q) per element"),
        job("special.kl_div, summed", "info.kl", kl_div,
            note="p log(p/q) − p + q per element: the extra −p + q terms sum to 0 on the "
                 "simplex"),
        job("special.huber(δ, y − ŷ)", "loss.huber", huber),
        job("−[y·log_expit(z) + (1 − y)·log_expit(−z)]", "loss.bce_with_logits",
            bce_with_logits, note="log σ from special.log_expit"),
        # scipy.stats -----------------------------------------------------------------------
        job("stats.entropy(p)", "info.entropy", stats_entropy(None), expect="fail",
            note="convention: stats.entropy normalises p by Σp first; finding: on the simplex "
                 "Σp is 1 ± an ulp, and dividing by it moves a near-one-hot entropy "
                 "relatively (5.5e11 ulp at p ≈ (1 − 3.7e-14, 3.7e-14, 2e-28) in fp64)"),
        job("stats.entropy(p, base=2)", "info.entropy", stats_entropy(2.0), expect="fail",
            note="convention: entropy in bits (H/ln 2); the catalog names no bits variant yet"),
        job("stats.entropy(p, q)", "info.kl", stats_kl,
            note="KL(p‖q) of p/Σp and q/Σq"),
        job("stats.norm.pdf", "prob.gaussian", gaussian, note="loc = μ, scale = σ"),
        job("stats.multivariate_normal.logpdf", "prob.multivariate_gaussian", log_gaussian,
            dtypes=EXACT, note="one row at a time"),
        job("stats.pearsonr(...).statistic", "prob.correlation", correlation,
            dtypes=ALL, expect="fail",
            note="fp64 and fp32 pass; finding: fp16 samples are summed in fp16 without "
                 "rescaling, and tiny ones (subnormal in fp16) lose bits: 9.4 ulp at "
                 "x, y ≈ 1e-6 (budget 5.1)"),
        # scipy.linalg and scipy.spatial ----------------------------------------------------
        job("linalg.eigh", "linalg.eigendecomposition", eigh, dtypes=EXACT,
            note="LAPACK has no fp16 kernels"),
        job("linalg.svdvals", "linalg.svd", svd, dtypes=EXACT,
            note="svdvals / thin svd; LAPACK has no fp16 kernels"),
        job("linalg.inv", "linalg.inverse", la.inv, dtypes=EXACT,
            note="LAPACK has no fp16 kernels"),
        job("1 − distance.cosine", "sim.cosine", cosine, expect="fail",
            note="distance.cosine is 1 − cos θ; one row at a time; convention: a zero vector "
                 "gives 0/0 = NaN (the catalog's 0); finding: it divides by √(‖u‖²·‖v‖²), "
                 "whose product overflows for entries ≳ 1e77 in fp64 (cos θ comes out 0) and "
                 "underflows below ≈ 1e-77 (7e-6 relative at 1e-80, NaN below 1e-162)"),
        job("distance.euclidean", "sim.euclidean", euclidean, dtypes=ALL, expect="fail",
            note="one row at a time; fp64 and fp32 pass (BLAS nrm2 rescales); finding: fp16 "
                 "has no BLAS kernel and the fallback √Σd² overflows for |a − b| ≥ 256 (inf "
                 "at a = 0, b = 256)"),
    ]


