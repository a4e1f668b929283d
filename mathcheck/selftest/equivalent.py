"""Surviving mutants judged equivalent to the original form, by id, with the reason each.

A survivor listed here is left out of the "excluding equivalents" kill rate; the raw rate
still counts it. Only list a mutant after reading its diff: one that no input of the entry's
domain can tell apart from the original beyond its error budget (a comparison flipped where
both branches agree at the boundary, a placeholder that is masked out later). A survivor that
*could* be told apart is a gap in the checker, not an equivalent. A listed mutant that gets
killed is reported as stale, and a test fails when a listed id is no longer generated.
"""

from __future__ import annotations

EQUIVALENT: dict[str, str] = {
    "act.relu:numpy:compare:L3C20": (
        "at x = 0 both branches give a zero (x itself, or zeros_like): only the sign of the "
        "zero can differ, and NaN still propagates"
    ),
    "act.silu:numpy:compare:L9C16": (
        "they differ at one input, −|x| = fl(ln tiny), where e^x ≈ tiny is still normal: both "
        "branches are accurate there, within the budget"
    ),
    "act.silu:numpy:compare:L10C25": (
        "at x = 0 both branches give 0 (x, or x·e^x = 0): only the sign of a zero can differ"
    ),
    "linalg.cosine_similarity:numpy:const-plus1:L9C44": (
        "the placeholder only replaces the denominator where norms == 1, and dividing by 1 or "
        "by norms = 1 is the same"
    ),
    "linalg.cosine_similarity:torch:const-plus1:L6C47": (
        "the placeholder only replaces the denominator where norms == 1, and dividing by 1 or "
        "by norms = 1 is the same"
    ),
    "linalg.pca_svd:numpy:arith:L12C8": (
        "dividing by the sign ±1 is multiplying by it: the same value, exactly"
    ),
    "linalg.pca_svd:torch:arith:L8C8": (
        "dividing by the sign ±1 is multiplying by it: the same value, exactly"
    ),
    "linalg.pca_svd:numpy:compare:L12C21": (
        "the pivot is the largest-magnitude entry of a unit direction, zero only for a zero "
        "column, whose sign is immaterial"
    ),
    "linalg.pca_svd:torch:compare:L8C24": (
        "the pivot is the largest-magnitude entry of a unit direction, zero only for a zero "
        "column, whose sign is immaterial"
    ),
    "calc.d_sigmoid:numpy:compare:L4C20": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "calc.d_tanh:numpy:compare:L7C20": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "calc.d_tanh:torch:compare:L8C15": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "act.leaky_relu:numpy:compare:L3C20": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "act.silu:torch:compare:L4C23": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "act.sigmoid:numpy:compare:L4C20": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "loss.bce_with_logits:numpy:compare:L4C22": (
        "at x = 0 both branches give the same value (0, or 1/(1 + 1)); only the sign of a zero "
        "can differ"
    ),
    "calc.d_tanh:numpy:compare:L6C25": (
        "the switch between expm1 and 1 − e moves within the range where both are accurate to "
        "an ulp (1 − e^{−2a} does not cancel for a ≥ 0.25)"
    ),
    "calc.d_tanh:numpy:const-scale:L6C29": (
        "the switch between expm1 and 1 − e moves within the range where both are accurate to "
        "an ulp (1 − e^{−2a} does not cancel for a ≥ 0.25)"
    ),
    "calc.d_tanh:numpy:const-half:L6C29": (
        "the switch between expm1 and 1 − e moves within the range where both are accurate to "
        "an ulp (1 − e^{−2a} does not cancel for a ≥ 0.25)"
    ),
    "calc.d_tanh:torch:compare:L13C28": (
        "the switch between expm1 and 1 − e moves within the range where both are accurate to "
        "an ulp (1 − e^{−2a} does not cancel for a ≥ 0.25)"
    ),
    "calc.d_tanh:torch:const-scale:L13C32": (
        "the switch between expm1 and 1 − e moves within the range where both are accurate to "
        "an ulp (1 − e^{−2a} does not cancel for a ≥ 0.25)"
    ),
    "calc.d_tanh:torch:const-half:L13C32": (
        "the switch between expm1 and 1 − e moves within the range where both are accurate to "
        "an ulp (1 − e^{−2a} does not cancel for a ≥ 0.25)"
    ),
    "calc.d_tanh:torch:const-plus1:L8C19": (
        "tanh is odd: folding x in [0, 1) through −x computes −(−tanh x) with the same accurate"
        " branches"
    ),
    "calc.chain_rule:numpy:const-plus1:L5C26": (
        "the clamp value is used only where |x| ≤ 1, where min(|x|, 1) and min(|x|, 2) agree"
    ),
    "calc.chain_rule:torch:const-plus1:L4C24": (
        "the clamp value is used only where |x| ≤ 1, where min(|x|, 1) and min(|x|, 2) agree"
    ),
    "calc.chain_rule:numpy:compare:L8C20": "at |x| = 1 both branches give log 2 exactly",
    "calc.chain_rule:torch:compare:L7C23": "at |x| = 1 both branches give log 2 exactly",
    "calc.chain_rule:numpy:naive-log1p:L8C71": (
        "log(1 + r²) is added to 2·log|x| ≥ 0, which dominates once r² is small: the lost "
        "relative accuracy of the small term is below an ulp of the sum"
    ),
    "calc.chain_rule:torch:naive-log1p:L7C80": (
        "log(1 + r²) is added to 2·log|x| ≥ 0, which dominates once r² is small: the lost "
        "relative accuracy of the small term is below an ulp of the sum"
    ),
    "prob.bernoulli:numpy:compare:L3C20": (
        "x is a 0/1 label: every threshold in (0, 1), inclusive or not, gives the same branch"
    ),
    "prob.bernoulli:numpy:const-scale:L3C24": (
        "x is a 0/1 label: every threshold in (0, 1), inclusive or not, gives the same branch"
    ),
    "prob.bernoulli:numpy:const-half:L3C24": (
        "x is a 0/1 label: every threshold in (0, 1), inclusive or not, gives the same branch"
    ),
    "prob.bernoulli:torch:compare:L3C23": (
        "x is a 0/1 label: every threshold in (0, 1), inclusive or not, gives the same branch"
    ),
    "prob.bernoulli:torch:const-scale:L3C27": (
        "x is a 0/1 label: every threshold in (0, 1), inclusive or not, gives the same branch"
    ),
    "prob.bernoulli:torch:const-half:L3C27": (
        "x is a 0/1 label: every threshold in (0, 1), inclusive or not, gives the same branch"
    ),
    "prob.multivariate_gaussian:numpy:const-plus1:L13C33": (
        "in the Cholesky branch `bad` is all False, and False of any shape that broadcasts "
        "selects the same"
    ),
    "prob.multivariate_gaussian:torch:drop-upcast:L5C9": (
        "the other operand is already in the working dtype, so the promotion converts this "
        "exactly, as the cast did"
    ),
    "prob.multivariate_gaussian:torch:drop-upcast:L5C22": (
        "the other operand is already in the working dtype, so the promotion converts this "
        "exactly, as the cast did"
    ),
    "opt.gd:numpy:drop-upcast:L3C12": (
        "the other operand is already in the working dtype, so the promotion converts this "
        "exactly, as the cast did"
    ),
    "opt.sgd_momentum:numpy:drop-upcast:L6C16": (
        "the other operand is already in the working dtype, so the promotion converts this "
        "exactly, as the cast did"
    ),
    "opt.adam:numpy:drop-upcast:L6C28": (
        "the other operand is already in the working dtype, so the promotion converts this "
        "exactly, as the cast did"
    ),
    "opt.adamw:numpy:drop-upcast:L6C9": (
        "the other operand is already in the working dtype, so the promotion converts this "
        "exactly, as the cast did"
    ),
    "opt.gd:numpy:drop-upcast:L3C35": (
        "one extra rounding of a product in the input dtype before promotion: a loss below the "
        "stated budget, not a wrong result"
    ),
    "opt.sgd_momentum:numpy:drop-upcast:L5C23": (
        "one extra rounding of a product in the input dtype before promotion: a loss below the "
        "stated budget, not a wrong result"
    ),
    "opt.sgd_momentum:numpy:drop-upcast:L5C42": (
        "one extra rounding of a product in the input dtype before promotion: a loss below the "
        "stated budget, not a wrong result"
    ),
    "reg.dropout:numpy:drop-upcast:L4C12": (
        "one extra rounding of a product in the input dtype before promotion: a loss below the "
        "stated budget, not a wrong result"
    ),
    "reg.dropout:numpy:drop-upcast:L4C29": (
        "one extra rounding of a product in the input dtype before promotion: a loss below the "
        "stated budget, not a wrong result"
    ),
    "prob.variance:numpy:arith:L5C8": (
        "the corrected two-pass variance is exact for any shift m inside [min x, max x], and m "
        "is clipped there"
    ),
    "prob.variance:torch:arith:L4C8": (
        "the corrected two-pass variance is exact for any shift m inside [min x, max x], and m "
        "is clipped there"
    ),
    "prob.covariance:numpy:arith:L5C11": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.covariance:torch:arith:L5C11": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:const-plus1:L6C17": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:arith:L10C14": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:arith:L10C41": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:arith:L11C14": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:arith:L11C41": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:arith:L12C14": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:numpy:arith:L12C41": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:const-plus1:L4C17": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:arith:L7C10": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:arith:L7C30": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:arith:L8C10": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:arith:L8C30": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:arith:L9C10": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "prob.correlation:torch:arith:L9C30": (
        "after centring, the correction term is a product of two rounding-level sums: its sign "
        "or a factor of n changes the result by far less than an ulp"
    ),
    "sched.warmup_cosine:numpy:compare:L6C19": "at t = warmup both pieces give eta_max",
    "sched.warmup_cosine:torch:compare:L5C22": "at t = warmup both pieces give eta_max",
    "scaling.chinchilla_loss:numpy:drop-upcast:L14C11": (
        "the cast is to the dtype the sum already has (copy=False): a no-op"
    ),
    "scaling.chinchilla_optimal:numpy:drop-upcast:L15C11": (
        "the cast is to the dtype the sum already has (copy=False): a no-op"
    ),
    "loss.infonce:numpy:arith:L10C32": "m = 2n, so (i − n) mod 2n = (i + n) mod 2n",
    "loss.infonce:torch:arith:L10C32": "m = 2n, so (i − n) mod 2n = (i + n) mod 2n",
    "loss.huber:numpy:compare:L5C26": "at |r| = δ both branches give ½δ²",
    "loss.huber:torch:compare:L4C23": "at |r| = δ both branches give ½δ²",
    "ann.pq:numpy:const-plus1:L5C47": (
        "NumPy reads any negative size in reshape as the one unknown dimension"
    ),
    "ann.hnsw:numpy:const-plus1:L12C30": (
        "faiss's thread count changes only the build's scheduling; the recall check's results "
        "are the same"
    ),
    "gan.equilibrium:numpy:compare:L9C44": "at v = u both branches are the same expression",
    "gan.equilibrium:torch:compare:L5C50": "at v = u both branches are the same expression",
    "rlhf.kl_penalty:numpy:const-plus1:L4C45": (
        "the placeholder feeds a log whose term is then replaced by 0 where p = 0"
    ),
    "rlhf.kl_penalty:numpy:const-plus1:L4C80": (
        "the placeholder feeds a log whose term is then replaced by 0 where p = 0"
    ),
    "gcn.layer:numpy:const-plus1:L3C32": "A is square: A.shape[-2] = A.shape[-1]",
    "gcn.layer:torch:const-plus1:L2C35": "A is square: A.shape[-2] = A.shape[-1]",
    "opt.clip_grad_norm:torch:compare:L7C23": (
        "a zero row is never clipped: the placeholder only changes the discarded branch"
    ),
    "sample.top_p:numpy:arith:L10C83": (
        "the cap never binds: the cumulative mass reaches 1 ≥ p (p ≤ 0.99) at the last token,"
        " so the count is at most n − 1"
    ),
    "sample.top_p:torch:arith:L10C54": (
        "the cap never binds: the cumulative mass reaches 1 ≥ p (p ≤ 0.99) at the last token,"
        " so the count is at most n − 1"
    ),
    "prob.covariance:numpy:arith:L3C9": (
        "mean(dx·dy) − mean(dx)·mean(dy) is the covariance for dx = x − c with any c, so "
        "adding the mean instead gives the same value; the doubled offset stays inside the "
        "budget's (n·max|x|/σ)²·u term"
    ),
    "prob.covariance:numpy:arith:L4C9": (
        "mean(dx·dy) − mean(dx)·mean(dy) is the covariance for dx = x − c with any c, so "
        "adding the mean instead gives the same value; the doubled offset stays inside the "
        "budget's (n·max|x|/σ)²·u term"
    ),
    "prob.covariance:torch:arith:L3C9": (
        "mean(dx·dy) − mean(dx)·mean(dy) is the covariance for dx = x − c with any c, so "
        "adding the mean instead gives the same value; the doubled offset stays inside the "
        "budget's (n·max|x|/σ)²·u term"
    ),
    "prob.covariance:torch:arith:L4C9": (
        "mean(dx·dy) − mean(dx)·mean(dy) is the covariance for dx = x − c with any c, so "
        "adding the mean instead gives the same value; the doubled offset stays inside the "
        "budget's (n·max|x|/σ)²·u term"
    ),
    "prob.multivariate_gaussian:numpy:compare:L15C22": (
        "the domain is SPD: no eigenvalue is 0, so > 0 and ≥ 0 agree"
    ),
    "prob.bayes:numpy:minmax:L7C21": (
        "dividing by the smallest instead of the largest likelihood: for normal likelihoods "
        "the ratios stay ≤ 1/tiny and the prior-weighted sum ≤ max/min (the prior sums to 1),"
        " finite, and the normalisation cancels the common factor"
    ),
    "prob.bayes:torch:minmax:L3C30": (
        "dividing by the smallest instead of the largest likelihood: for normal likelihoods "
        "the ratios stay ≤ 1/tiny and the prior-weighted sum ≤ max/min (the prior sums to 1),"
        " finite, and the normalisation cancels the common factor"
    ),
    "pos.sinusoidal:numpy:drop-upcast:L5C12": (
        "the other operand is already in the work dtype, so type promotion computes the "
        "product there anyway (the angle is formed in fp32, or more accurately in fp64)"
    ),
    "pos.sinusoidal:numpy:drop-upcast:L6C12": (
        "the other operand is already in the work dtype, so type promotion computes the "
        "product there anyway (the angle is formed in fp32, or more accurately in fp64)"
    ),
    "pos.sinusoidal:torch:drop-upcast:L7C12": (
        "the other operand is already in the work dtype, so type promotion computes the "
        "product there anyway (the angle is formed in fp32, or more accurately in fp64)"
    ),
    "pos.sinusoidal:torch:drop-upcast:L7C41": (
        "the other operand is already in the work dtype, so type promotion computes the "
        "product there anyway (the angle is formed in fp32, or more accurately in fp64)"
    ),
    "sim.cosine:numpy:const-plus1:L8C45": (
        "the clamp only trims rounding excursions of an ulp or so beyond ±1; unclamped they "
        "are within the agreement budget, and the range property sees none beyond 1 ulp"
    ),
    "sim.cosine:numpy:const-plus1:L8C48": (
        "the clamp only trims rounding excursions of an ulp or so beyond ±1; unclamped they "
        "are within the agreement budget, and the range property sees none beyond 1 ulp"
    ),
    "sim.cosine:torch:const-plus1:L6C45": (
        "the clamp only trims rounding excursions of an ulp or so beyond ±1; unclamped they "
        "are within the agreement budget, and the range property sees none beyond 1 ulp"
    ),
    "sim.cosine:torch:const-plus1:L6C48": (
        "the clamp only trims rounding excursions of an ulp or so beyond ±1; unclamped they "
        "are within the agreement budget, and the range property sees none beyond 1 ulp"
    ),
    "linalg.cosine_similarity:torch:const-plus1:L7C69": (
        "the clamp only trims rounding excursions of an ulp or so beyond ±1; unclamped they "
        "are within the agreement budget, and the range property sees none beyond 1 ulp"
    ),
    "opt.clip_grad_norm:numpy:compare:L10C20": (
        "a zero row is never clipped: the placeholder only changes the discarded branch"
    ),
    "opt.clip_grad_norm:numpy:const-plus1:L10C34": (
        "a zero row is never clipped: the placeholder only changes the discarded branch"
    ),
    "opt.clip_grad_norm:torch:compare:L11C36": (
        "a zero row is never clipped: the placeholder only changes the discarded branch"
    ),
    "opt.clip_grad_norm:torch:const-plus1:L11C50": (
        "a zero row is never clipped: the placeholder only changes the discarded branch"
    ),
    "opt.clip_grad_norm:numpy:compare:L17C20": (
        "at |g/m| = tiny exactly both branches are accurate: g/m is still normal, and "
        "g·(c/‖g/m‖)/m cannot overflow there"
    ),
    "opt.clip_grad_norm:torch:compare:L12C16": (
        "at |g/m| = tiny exactly both branches are accurate: g/m is still normal, and "
        "g·(c/‖g/m‖)/m cannot overflow there"
    ),
    "opt.clip_grad_norm:numpy:compare:L19C20": (
        "at ‖g‖ = c exactly the clipped value g·c/‖g‖ is g to within the budget of a rounding"
    ),
    "opt.clip_grad_norm:torch:compare:L14C23": (
        "at ‖g‖ = c exactly the clipped value g·c/‖g‖ is g to within the budget of a rounding"
    ),
}
