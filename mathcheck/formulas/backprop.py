"""Section 14 · Backpropagation."""

from mathcheck.formulas._model import (
    Agreement,
    Arg,
    Budget,
    Check,
    Domain,
    Entry,
    Gradient,
    Identity,
    Section,
    check_fn,
    forms,
    notation,
    numpy_form,
    symbolic,
    torch_form,
)

SECTION = Section(14, "backprop", "Backpropagation")
S = SECTION.slug

DELTA = Domain(
    # Every arg lists 4 extremes: the engine's extreme case stacks one row per extreme and
    # the oracle takes the batch from the first arg (mixed counts do not broadcast).
    args=(
        Arg("W", ("m", "n"), low=-1.0, high=1.0, extremes=(0.0, 1.0, -1.0, 0.5)),
        Arg("delta_next", ("m",), low=-1.0, high=1.0, extremes=(1.0, 0.0, -1.0, 0.25)),
        Arg("z", ("n",), low=-10.0, high=10.0, extremes=(0.0, 10.0, -10.0, 3.0)),
    ),
    sizes={"m": (1, 4), "n": (1, 4)},
)
OUTER = Domain(
    args=(Arg("delta", ("m",), low=-5.0, high=5.0), Arg("a_prev", ("n",), low=-5.0, high=5.0)),
    # n ≥ 2: the engine reads an m×1 SymPy matrix as a length-m vector (see the report).
    sizes={"m": (1, 4), "n": (2, 4)},
)
BIAS = Domain(args=(Arg("delta", ("m",), low=-5.0, high=5.0),), sizes={"m": (1, 5)})
FANS = Domain(
    args=(
        Arg("n_in", low=1.0, high=8192.0, kind="integer", extremes=(1.0, 8192.0)),
        Arg("n_out", low=1.0, high=8192.0, kind="integer", extremes=(1.0, 4096.0)),
    )
)
FAN_IN = Domain(args=(Arg("n_in", low=1.0, high=8192.0, kind="integer", extremes=(1.0, 8192.0)),))
RATIO = Budget(
    2,
    "n_in + n_out may round once (0.5 ulp, fp16 above 2048), then one division "
    "(0.5 ulp); 2 ulp covers both",
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        id="bp.delta",
        section=SECTION,
        title="Backpropagated error δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ′(z_l)",
        used_in="Every backward pass",
        **forms(S, "delta"),
        notation=notation(S, "delta"),
        domain=DELTA,
        claims=(
            Identity(
                "follows from the chain rule",
                symbolic(S, "delta_from_chain_rule"),
                sizes={"m": 3, "n": 2},
            ),
            Agreement(
                Budget(
                    4,
                    "Wᵀδ: dot products of m terms in [−1, 1], |error| ≤ γ_m·Σ|W_ji δ_j| ≤ m²u = "
                    "m²/2 ulp of 1 ≤ 2m for m ≤ 4; times σ′ ≤ 1, which is itself within 4 ulp "
                    "(sech² without cancellation)",
                    per_length=2,
                    length="m",
                    scale="unit",
                )
            ),
            Gradient(
                ("delta_next",),
                Budget(
                    4,
                    "linear in δ_{l+1}: W·(σ′ ⊙ v), n terms in [−1, 1]·|v|: as the value",
                    per_length=2,
                    length="n",
                    scale="unit",
                ),
            ),
            Check(
                "δ recursion = autograd ∂L/∂z_l on random MLPs (depths 1–8; tanh, sigmoid, "
                "ReLU, GELU)",
                check_fn(S, "delta_vs_autograd"),
            ),
        ),
        notes="The symbolic and numeric forms fix σ = tanh (σ′ = sech², computed stably); the "
        "autograd check covers four activations. z_l is the pre-activation.",
        signature="f(W[m,n], delta_next[m], z[n]) -> delta[n]  (σ = tanh)",
    ),
    Entry(
        id="bp.weight_grad",
        section=SECTION,
        title="Weight gradient ∂L/∂W_l = δ_l a_{l−1}ᵀ",
        used_in="Every backward pass",
        **forms(S, "weight_grad"),
        notation=notation(S, "weight_grad"),
        domain=OUTER,
        claims=(
            Identity(
                "follows from the chain rule",
                symbolic(S, "weight_grad_from_chain_rule"),
                sizes={"m": 3, "n": 2},
            ),
            Agreement(Budget(1, "one product per element: 0.5 ulp")),
            Check(
                "Σ_batch δ_l a_{l−1}ᵀ = autograd on random MLPs",
                check_fn(S, "weight_grad_vs_autograd"),
            ),
        ),
        notes="Per sample; over a mini-batch the gradient is the sum (or mean) of the outer "
        "products.",
        signature="f(delta[m], a_prev[n]) -> dW[m,n]",
    ),
    Entry(
        id="bp.bias_grad",
        section=SECTION,
        title="Bias gradient ∂L/∂b_l = δ_l",
        used_in="Every backward pass",
        **forms(S, "bias_grad"),
        notation=notation(S, "bias_grad"),
        domain=BIAS,
        claims=(
            Identity(
                "follows from the chain rule",
                symbolic(S, "bias_grad_from_chain_rule"),
                sizes={"m": 3, "n": 2},
            ),
            Agreement(Budget(0, "a copy: exact")),
            Check("Σ_batch δ_l = autograd on random MLPs", check_fn(S, "bias_grad_vs_autograd")),
        ),
        signature="f(delta[m]) -> db[m]",
    ),
    Entry(
        id="bp.gradient_product",
        section=SECTION,
        title="Gradient through depth ∏ W_l·σ′(z_l) (vanishing / exploding)",
        used_in="Understanding depth: residuals, LSTM gates, clipping, initialisation",
        symbolic=None,
        numpy=numpy_form(S, "gradient_product"),
        torch=torch_form(S, "gradient_product"),
        domain=None,
        claims=(
            Check(
                "∏ diag(σ′(z_l)) W_l = autograd Jacobian ∂a_L/∂a_0",
                check_fn(S, "gradient_product_vs_autograd"),
            ),
            Check(
                "factors < 1 vanish, > 1 explode (‖∏‖ ≤ ∏‖σ′W‖; ‖(gQ)^L‖ = g^L)",
                check_fn(S, "vanishing_exploding"),
            ),
        ),
        notes="The cheatsheet's ∂L/∂W¹ ∝ ∏_{l=1}^{n} W^l·σ′(z^l) is schematic: exactly, "
        "∂L/∂W¹ = δ¹a⁰ᵀ with δ¹ = diag(σ′(z¹)) W²ᵀ diag(σ′(z²)) ⋯ Wⁿᵀ diag(σ′(zⁿ)) ∂L/∂aⁿ — "
        "W¹ itself is not in the product, every layer's σ′ is, and the factors are "
        "transposed matrices in a fixed order (errata.backprop_product). The forms compute "
        "∂a_L/∂a_0 = ∏_{l=L…1} diag(σ′(z_l)) W_l for square tanh layers.",
        no_numeric_reason="A product over a variable number of layers has no fixed-size SymPy "
        "form: it is checked against autograd's Jacobian instead.",
        signature="f(W[L,n,n], z[L,n]) -> J[n,n] = ∂a_L/∂a_0  (σ = tanh)",
    ),
    Entry(
        id="init.xavier",
        section=SECTION,
        title="Xavier / Glorot initialisation variance 2/(n_in + n_out)",
        used_in="Sigmoid and tanh networks",
        **forms(S, "xavier"),
        notation=notation(S, "xavier"),
        domain=FANS,
        claims=(
            Identity(
                "U(±√(6/(n_in+n_out))) has this variance (xavier_uniform_)",
                symbolic(S, "xavier_uniform_variance"),
            ),
            Agreement(RATIO),
            Check(
                "torch.nn.init.xavier_normal_/uniform_ have this variance (99.99 % z-test)",
                check_fn(S, "xavier_vs_torch"),
            ),
            Check(
                "activation variance preserved through 20 linear layers",
                check_fn(S, "xavier_through_depth"),
            ),
        ),
        notes="Exact preservation needs n_in = n_out (then 2/(n_in+n_out) = 1/n); otherwise it "
        "compromises between forward (1/n_in) and backward (1/n_out). Derived for the "
        "linear regime (tanh near 0); under ReLU it halves E[a²] per layer (checked).",
        signature="f(n_in, n_out) -> variance, elementwise",
    ),
    Entry(
        id="init.he",
        section=SECTION,
        title="He / Kaiming initialisation variance 2/n_in",
        used_in="ReLU networks",
        **forms(S, "he"),
        notation=notation(S, "he"),
        domain=FAN_IN,
        claims=(
            Identity(
                "E[ReLU(z)²] = Var z / 2 makes 2/n_in variance-preserving",
                symbolic(S, "he_from_relu_second_moment"),
            ),
            Identity(
                "U(±√(6/n_in)) has this variance (kaiming_uniform_)",
                symbolic(S, "he_uniform_variance"),
            ),
            Agreement(Budget(1, "one division: 0.5 ulp")),
            Check(
                "torch.nn.init.kaiming_normal_/uniform_ (fan_in, relu) have this variance "
                "(99.99 % z-test)",
                check_fn(S, "he_vs_torch"),
            ),
            Check("E[a²] preserved through 20 ReLU layers", check_fn(S, "he_through_depth")),
        ),
        notes="fan_in mode with the ReLU gain √2. torch's own nn.Linear default is "
        "kaiming_uniform_(a=√5): variance 1/(3·n_in), not He.",
        signature="f(n_in) -> variance, elementwise",
    ),
)
