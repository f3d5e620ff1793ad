"""Which pledge a typed sentence means: "Tôi cam kết không dùng túi ni lông" -> own-bag.

Each pledge lists words and phrases (content/pledges.yaml). A phrase matches when its words
appear in the sentence in a row, accent-free, each allowing the interpreter's small typos; the
pledges whose longest matching phrase is the longest overall are the answer (one, or several
to choose from).
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import OSA

from bot.content.model import Pledge
from bot.core.wording import allowed_typos, tokens


def _same(word: str, target: str) -> bool:
    if word == target:
        return True
    limit = allowed_typos(max(len(word), len(target)))
    return limit > 0 and OSA.distance(word, target, score_cutoff=limit) <= limit


def _found(words: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    return any(
        all(_same(w, p) for w, p in zip(words[i : i + size], phrase, strict=True))
        for i in range(len(words) - size + 1)
    )


def score(words: Sequence[str], pledge: Pledge) -> int:
    """The number of words of the longest phrase of the pledge found in `words` (0: none)."""
    return max((len(p.split()) for p in pledge.words if _found(words, p.split())), default=0)


def find(text: str, pledges: Sequence[Pledge]) -> list[Pledge]:
    """The best matching pledges among `pledges`, in their order; empty when none matches."""
    words = tokens(text)
    scored = [(score(words, p), p) for p in pledges]
    best = max((s for s, _ in scored), default=0)
    return [p for s, p in scored if best and s == best]
