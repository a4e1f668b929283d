"""Byte-level byte-pair encoding: a real (small) trainer and encoder.

Training: the text is split into chunks (a word with its leading space, or a run of
whitespace, as GPT-2 does in spirit); each chunk starts as its UTF-8 bytes (ids 0–255).
Each step counts every adjacent pair inside chunks, weighted by chunk frequency, and merges
the most frequent pair into a new id 256 + step. **Tie rule:** among pairs with the maximal
count the smallest (left id, right id) pair wins (lexicographic on ids), so training is
deterministic. Training stops at the requested vocabulary size or when no pair occurs twice.

Encoding applies the learned merges by rank: repeatedly merge, left to right and without
overlap, every occurrence of the pair with the lowest rank present, until none is left.
Byte-level base vocabulary ⇒ decode(encode(s)) = s for every string s.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

CHUNK = re.compile(r" ?[^\s]+|\s+")

#: A small built-in training text (the catalog's checks use it; tests ship their own file).
DEFAULT_CORPUS = (
    "the model reads the text one token at a time and predicts the next token. "
    "the tokenizer turns the text into tokens: a token is a piece of a word, a whole word, "
    "or a single byte. byte pair encoding starts from the bytes and merges the most frequent "
    "pair of neighbouring tokens into a new token, again and again, until the vocabulary "
    "has the size we asked for. frequent words become single tokens; rare words stay split "
    "into pieces, so every text can still be encoded. the merges are learned once, on the "
    "training text, and then applied in the order they were learned. "
    "tokens, tokenizer, tokenization: the same stem appears again and again, and the "
    "encoder learns it early. numbers like 2024, 4096 and 128000 and symbols like ∑, √ and "
    "→ are bytes too. the the the then there these those other mother brother together."
)


def chunks(text: str) -> list[str]:
    return CHUNK.findall(text)


def merge_pair(ids: list[int], pair: tuple[int, int], new: int) -> list[int]:
    """Replace each non-overlapping occurrence of `pair`, scanning left to right."""
    out: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def pair_counts(words: dict[tuple[int, ...], int]) -> Counter[tuple[int, int]]:
    counts: Counter[tuple[int, int]] = Counter()
    for word, freq in words.items():
        for pair in itertools.pairwise(word):
            counts[pair] += freq
    return counts


@dataclass(frozen=True)
class Step:
    pair: tuple[int, int]
    count: int


@dataclass(frozen=True)
class Tokenizer:
    merges: tuple[tuple[int, int], ...]  # rank r merges this pair into id 256 + r
    trace: tuple[Step, ...] = ()  # the count of each merged pair at its training step

    @property
    def vocab_size(self) -> int:
        return 256 + len(self.merges)

    def token_bytes(self) -> list[bytes]:
        table = [bytes([b]) for b in range(256)]
        for a, b in self.merges:
            table.append(table[a] + table[b])
        return table

    def encode(self, text: str) -> list[int]:
        ranks = {pair: r for r, pair in enumerate(self.merges)}
        out: list[int] = []
        for chunk in chunks(text):
            ids = list(chunk.encode("utf-8"))
            while len(ids) > 1:
                present = [ranks[p] for p in itertools.pairwise(ids) if p in ranks]
                if not present:
                    break
                r = min(present)
                ids = merge_pair(ids, self.merges[r], 256 + r)
            out.extend(ids)
        return out

    def decode(self, ids: list[int]) -> str:
        table = self.token_bytes()
        return b"".join(table[i] for i in ids).decode("utf-8")


def train(text: str, vocab_size: int) -> Tokenizer:
    """Greedy BPE: merge the most frequent adjacent pair (ties: smallest ids) until vocab_size."""
    words: dict[tuple[int, ...], int] = Counter(tuple(c.encode("utf-8")) for c in chunks(text))
    merges: list[tuple[int, int]] = []
    trace: list[Step] = []
    while 256 + len(merges) < vocab_size:
        counts = pair_counts(words)
        if not counts:
            break
        best_count = max(counts.values())
        if best_count < 2:
            break
        pair = min(p for p, c in counts.items() if c == best_count)
        new = 256 + len(merges)
        merged: Counter[tuple[int, ...]] = Counter()
        for word, freq in words.items():
            merged[tuple(merge_pair(list(word), pair, new))] += freq
        words = merged
        merges.append(pair)
        trace.append(Step(pair, best_count))
    return Tokenizer(tuple(merges), tuple(trace))
