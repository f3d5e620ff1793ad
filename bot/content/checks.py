"""Checks `check-content` runs beyond what loading already refuses.

- No tip or question speaks of a period that has ended in the present or future tense: a
  sentence that names the ended period ("giai đoạn 2021-2025", "đến năm 2025") must not also
  say "đang", "sẽ" or "hiện nay" (nor "will", "currently" in English).
- Every bank has its minimum size (bot/content/quizzes.py).
- Short sources (at most 120 characters) are refused while loading already.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from bot.content.model import Content, Localized
from bot.content.quizzes import QuizBanks

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")
_PRESENT = {
    "vi": re.compile(r"(?<!\w)(đang|sẽ|hiện nay|hiện tại)(?!\w)", re.IGNORECASE),
    "en": re.compile(r"\b(will|currently|is now|are now)\b", re.IGNORECASE),
}


# A sentence that gives the plan's target or quota must name its period ("Kế hoạch 2021-2025
# đặt mục tiêu..."): once a plan has ended, "Mục tiêu của Kế hoạch: 90%..." reads as today's.
_PLAN = {"vi": re.compile(r"Kế hoạch"), "en": re.compile(r"\b[Pp]lan\b")}
_QUOTA = {
    "vi": re.compile(r"mục tiêu|\d+\s?%|\d+ đến \d+|mỗi năm|hằng năm|/năm", re.IGNORECASE),
    "en": re.compile(r"target|\d+\s?%|\d+ to \d+|a year|every year", re.IGNORECASE),
}


# "Kế hoạch của tỉnh" alone reads as a plan in force: once it has ended, name its period.
_PROVINCE_PLAN = {
    "vi": re.compile(r"Kế hoạch (của )?tỉnh(?! Lạng Sơn \d)"),
    "en": re.compile(r"province's plan|Lạng Sơn's plan", re.IGNORECASE),
}
_YEAR = re.compile(r"\b(20\d\d)\b")


def _last_ended(ended: tuple[str, ...]) -> int:
    years = [int(y) for phrase in ended for y in _YEAR.findall(phrase)]
    return max(years, default=0)


def ended_phrases(content: Content, today: date) -> dict[str, tuple[str, ...]]:
    """The dated phrases of every plan that ended before `today`, in each language."""
    vi: list[str] = []
    en: list[str] = []
    for plan in content.plans:
        if plan.ends >= today:
            continue
        start, end = plan.period
        for dash in ("-", " - ", "–"):
            vi.append(f"{start}{dash}{end}")
            en.append(f"{start}{dash}{end}")
        vi += [f"đến năm {end}", f"đến {end}"]
        en += [f"by {end}"]
    return {"vi": tuple(vi), "en": tuple(en)}


def tense_problems(
    items: Iterable[tuple[str, Localized]], phrases: dict[str, tuple[str, ...]]
) -> list[str]:
    """'<where>: vi: problem: “sentence”' for each sentence speaking of an ended plan as now."""
    found = []
    for where, text in items:
        for locale in ("vi", "en"):
            for sentence in _SENTENCE.split(text.get(locale)):
                problem = sentence_problem(sentence, locale, phrases[locale])
                if problem:
                    found.append(f"{where}: {locale}: {problem}: “{sentence.strip()}”")
    return found


def sentence_problem(sentence: str, locale: str, ended: tuple[str, ...]) -> str | None:
    lowered = sentence.lower()
    names_ended = any(p.lower() in lowered for p in ended)
    if names_ended and _PRESENT[locale].search(sentence):
        return "speaks of an ended period in the present or future tense"
    quota = _PLAN[locale].search(sentence) and _QUOTA[locale].search(sentence)
    years = [int(y) for y in _YEAR.findall(sentence)]
    ongoing = any(year > _last_ended(ended) for year in years)  # e.g. a 2030 target
    if ended and quota and not names_ended and not ongoing:
        return "gives a plan's target or quota without naming the plan's period"
    if ended and _PROVINCE_PLAN[locale].search(sentence) and not names_ended:
        return "names the province's plan without its period, as if it were in force"
    return None


def content_problems(content: Content, quizzes: QuizBanks, today: date) -> list[str]:
    phrases = ended_phrases(content, today)
    items: list[tuple[str, Localized]] = [(f"tip {t.id}", t.text) for t in content.tips]
    for bank in quizzes.banks.values():
        for q in bank:
            items += [(f"question {q.id}", q.text), (f"question {q.id}", q.explanation)]
            items += [(f"question {q.id} option", o) for o in q.options]
    return tense_problems(items, phrases) + quizzes.problems()
