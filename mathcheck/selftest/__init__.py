"""Mutation testing of the catalog's own numeric forms: does the engine notice a bug?

Each form is mutated by small AST rewrites (`_operators`), each mutant is run through the
entry's numeric claims as an override (`_run`), and the share of mutants some check rejects,
the kill rate, says how much of the engine's search actually bites. Survivors judged
equivalent to the original are listed, with the reason, in `equivalent.py`.
"""

from mathcheck.selftest._mutate import Mutant, generate, mutants_of
from mathcheck.selftest._operators import OPERATORS
from mathcheck.selftest._run import run_mutants, select, summarize

__all__ = ["OPERATORS", "Mutant", "generate", "mutants_of", "run_mutants", "select", "summarize"]
