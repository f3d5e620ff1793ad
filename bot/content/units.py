"""Finding a commune by part of its name, with or without accents."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.model import Commune
from bot.core.text import fold_unit_name, has_words


def search_communes(communes: Sequence[Commune], query: str) -> list[Commune]:
    """Communes whose name matches the query, best matches first.

    'dong kinh', 'Đông Kinh' and its decomposed (NFD) spelling all find Phường Đông Kinh.
    Order: exact name, then names starting with the query, then names containing it, then
    names containing every word of it.
    """
    folded = fold_unit_name(query)
    if not has_words(folded):
        return []
    exact = [c for c in communes if c.folded == folded]
    if exact:
        return exact
    starts = [c for c in communes if c.folded.startswith(folded)]
    contains = [c for c in communes if folded in c.folded and c not in starts]
    words = folded.split()
    by_words = [
        c
        for c in communes
        if c not in starts and c not in contains and all(w in c.folded.split() for w in words)
    ]
    return starts + contains + by_words
