"""Section 11 · Embeddings & similarity."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Domain,
    Entry,
    Gradient,
    Identity,
    Property,
    Ref,
    Section,
    Variant,
    check_fn,
    forms,
    notation,
    numpy_form,
    spanning,
    symbolic,
    torch_form,
)

SECTION = Section(11, "embeddings", "Embeddings & similarity")
S = SECTION.slug

LOOKUP = Domain(
    args=(Arg("x", ("V",), 0.0, 1.0, kind="onehot"), Arg("E", ("V", "d"), -100.0, 100.0)),
    sizes={"V": (1, 4), "d": (1, 3)},
)
SIGNED = Domain(args=(Arg("a", ("n",)), Arg("b", ("n",))), sizes={"n": (1, 8)})
#: Products of one sign: the sum cannot cancel, so a relative budget is meaningful.
SAME_SIGN_WHY = ("a relative budget holds only without cancellation: with mixed signs the "
                 "sum can cancel to any size")
NONNEGATIVE = Domain(args=(Arg("a", ("n",), 0.0, 10.0), Arg("b", ("n",), 0.0, 10.0)),
                     sizes={"n": (1, 8)}, why=SAME_SIGN_WHY)
#: a − b bounded away from 0, where ∇‖a − b‖ = (a − b)/‖a − b‖ exists.
SEPARATED = Domain(args=(Arg("a", ("n",), 0.5, 10.0), Arg("b", ("n",), -10.0, -0.5)),
                   sizes={"n": (1, 4)})


def _ann(name: str) -> dict[str, Ref | None]:
    return {"symbolic": None, "numpy": numpy_form(S, name), "torch": torch_form(S, name)}


ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="emb.lookup",
        section=SECTION,
        title="Embedding lookup",
        used_in="Token embeddings in every language model",
        **forms(S, "lookup"),
        notation=notation(S, "lookup"),
        domain=LOOKUP,
        claims=(
            Agreement(Budget(0, "a gather copies the row; one-hot × E adds exact zeros: both "
                             "exact")),
            Check("= embed(ids) = torch.nn.Embedding = one_hot @ E",
                  check_fn(S, "matches_torch_embedding")),
        ),
        notes="The numeric forms take the one-hot rows, recover the ids (argmax) and gather "
        "E[ids, :]; embed(ids, E) is the same gather from ids directly.",
        signature="f(x one-hot (..., V), E (..., V, d)) -> (..., d)",
    ),
    Entry(
        id="sim.dot",
        section=SECTION,
        title="Dot-product similarity",
        used_in="Attention scores, maximum inner product search",
        **forms(S, "dot"),
        notation=notation(S, "dot"),
        domain=SIGNED,
        claims=(
            Agreement(Budget(1, "same-signed products (½ ulp each) and a recursive sum of n "
                             "terms ((n − 1) ulp relative): no cancellation on this domain",
                             per_length=1, length="n"), domain=NONNEGATIVE),
            Property("|error| ≤ γ_n Σ|aᵢbᵢ| (signed inputs)", check_fn(S, "dot_error_bound"), 5,
                     "γ_n ≈ n·u = (n/2) eps with n ≤ 8: 4 eps, plus 1 for the products"),
            Property("commutative", check_fn(S, "commutative"), 0,
                     "the same products summed in the same order"),
            Gradient(("a", "b"), Budget(1, "∇_a = b and ∇_b = a are copies (autograd of a "
                                        "product)", scale="row")),
        ),
        signature="f(a, b) -> a·b, over the last axis",
    ),
    Entry(
        id="sim.cosine",
        section=SECTION,
        title="Cosine similarity",
        used_in="RAG, semantic search, CLIP",
        **forms(S, "cosine"),
        notation=notation(S, "cosine"),
        domain=SIGNED,
        claims=(
            Agreement(Budget(
                3,
                "|fl(a·b) − a·b| ≤ γ_n‖a‖‖b‖ (Cauchy–Schwarz), so the numerator adds ≤ n·u "
                "absolute after dividing; the norms add ≤ (n + 2)u relative to |cos| ≤ 1; "
                "rescaling by max|aᵢ| rounds each component once: ≤ (n + 3) ulp of 1",
                per_length=1, length="n", scale="unit"), domain=spanning(SIGNED)),
            Property("in [−1, 1]", check_fn(S, "in_minus_one_one"), 0, "clipped"),
            Property("invariant to positive scaling, odd in a", check_fn(S, "scale_invariant"), 0,
                     "scaling by 2 or 4 and negation are exact; max-rescaling undoes them"),
            Property("zero vector gives 0", check_fn(S, "zero_vector"), 0, "the stated convention"),
        ),
        notes="Computed on a/max|aᵢ| and b/max|bᵢ| (no overflow or underflow of the norms) and "
        "clipped to [−1, 1]. A zero vector gives 0, as torch.nn.functional.cosine_similarity's "
        "eps clamp does; mathematically it is undefined there.",
        variants=(
            Variant("eps-clamped norms (torch)",
                    "a·b/(max(‖a‖, ε)·max(‖b‖, ε)), ε = 1e-8, each norm clamped separately "
                    "(torch F.cosine_similarity); differs only when a norm is below ε",
                    **forms(S, "cosine_eps_clamped")),
        ),
        signature="f(a, b) -> cos, over the last axis",
    ),
    Entry(
        id="sim.euclidean",
        section=SECTION,
        title="Euclidean distance",
        used_in="k-NN, clustering",
        **forms(S, "euclidean"),
        notation=notation(S, "euclidean"),
        domain=SIGNED,
        claims=(
            Agreement(Budget(
                4,
                "aᵢ − bᵢ ½ ulp, rescaling ½, squares ½, a sum of n non-negative terms (n − 1), "
                "sqrt halves the sum's relative error, one product ½: ≤ 3.5 + n/2 ulp",
                per_length=0.5, length="n"), domain=spanning(SIGNED)),
            Identity("‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b", symbolic(S, "squared_distance_expansion"),
                     sizes={"n": 3}),
            Identity("unit vectors: ‖â − b̂‖² = 2 − 2 cos", symbolic(S, "unit_distance_is_cosine"),
                     sizes={"n": 3}),
            Check("unit vectors rank like cosine", check_fn(S, "euclidean_ranks_like_cosine")),
            Property("symmetric", check_fn(S, "symmetric"), 0, "the differences only change sign"),
            Gradient(("a", "b"), Budget(
                6, "(a − b)/‖a − b‖: the distance within 4 + n/2 ulp and one divide; autograd "
                "through the max-rescaling adds ∂d/∂s = ‖r‖ − Σrᵢ²/‖r‖, exactly 0 but formed "
                "from two terms of size ‖r‖ ≤ √n, each within (n + 1)/2 ulp",
                per_length=2, length="n", scale="row"), domain=SEPARATED),
        ),
        notes="Computed as s·‖(a − b)/s‖ with s = max|aᵢ − bᵢ| (no overflow of the squares).",
        signature="f(a, b) -> ‖a − b‖₂, over the last axis",
    ),
    Entry(
        id="ann.ivf",
        section=SECTION,
        title="IVF (inverted file index)",
        used_in="Retrieval at scale: cluster, then search the nearest clusters",
        **_ann("ivf_search"),
        domain=None,
        claims=(Check("= exact k-NN with all lists probed; recall@10 at nprobe 2/16",
                      check_fn(S, "ivf_against_exact")),),
        notes="An algorithm, not a formula: checked against exact k-NN on generated data "
        "(k-means lists from NumPy Lloyd iterations). The forms state the search semantics "
        "with a mask over all points.",
        signature="f(queries, points, centroids, assignment, nprobe, k) -> indices",
    ),
    Entry(
        id="ann.pq",
        section=SECTION,
        title="PQ (product quantization)",
        used_in="Compressed vectors, approximate distances",
        **_ann("pq_adc"),
        domain=None,
        claims=(
            Identity("‖q − x̂‖² = Σ_m ‖q⁽ᵐ⁾ − c⁽ᵐ⁾‖²", symbolic(S, "pq_distance_decomposition")),
            Check("ADC = distance to the decoded point; recall 1@10",
                  check_fn(S, "pq_against_exact")),
        ),
        notes="Asymmetric distance computation: the query stays exact, the points are codes.",
        signature="f(queries, codebooks (m, k, d/m), codes (N, m)) -> (Q, N) squared distances",
    ),
    Entry(
        id="ann.hnsw",
        section=SECTION,
        title="HNSW (hierarchical navigable small world)",
        used_in="Graph-based ANN in vector databases",
        symbolic=None,
        numpy=numpy_form(S, "hnsw_search"),
        torch=None,
        domain=None,
        claims=(Check("recall@10 against exact k-NN", check_fn(S, "hnsw_against_exact")),),
        notes="Uses faiss (faiss-cpu) IndexHNSWFlat, single-threaded; skipped when it is not "
        "installed.",
        no_numeric_reason="no Torch form: HNSW is a host-side graph index (faiss), checked by "
        "recall against exact k-NN",
        signature="f(points, queries, k) -> indices",
    ),
)
