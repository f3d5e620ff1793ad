"""Checks that a tip's or question's Vietnamese source cites what its English source cites."""

from __future__ import annotations

import re
import unicodedata

from bot.content.model import Localized

# English words of a citation that must not reach a Vietnamese reader ("Nguồn: Law on ...").
ENGLISH_CITATION = re.compile(
    r"\b(Law on|Decree|Decision|Directive|Ministry|Art\.|World Bank|Department|Administration|"
    r"campaign|since|press|and)\b"
)
# Instrument numbers (72/2020/QH14, 08/2022/NĐ-CP, 1746/QĐ-TTg) and dates (04/12/2019).
_NUMBER = re.compile(r"\b\d+/\d{4}/[A-ZĐ0-9-]+|\b\d+/(?:QĐ|CT)-TTg\b|\b\d\d/\d\d/\d{4}\b")
_ARTICLE_EN = re.compile(r"\bArt\. (\d+)(?:\.(\d+))?")
_ARTICLE_VI = re.compile(r"\bĐiều (\d+)(?: khoản (\d+))?")


def citation_problems(source: Localized) -> list[str]:
    """What differs: English words in the vi, or an instrument, date or article not in both."""
    vi, en = source.vi, source.en
    problems = []
    if not vi.strip() or not en.strip():
        problems.append("empty")
    if unicodedata.normalize("NFC", vi) != vi:
        problems.append("vi is not NFC")
    if found := ENGLISH_CITATION.search(vi):
        problems.append(f"English {found[0]!r} in the vi")
    if sorted(_NUMBER.findall(vi)) != sorted(_NUMBER.findall(en)):
        problems.append("instrument numbers or dates differ")
    if sorted(_ARTICLE_VI.findall(vi)) != sorted(_ARTICLE_EN.findall(en)):
        problems.append("articles or clauses differ")
    return problems
