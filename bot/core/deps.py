"""Everything a feature needs, built once at start-up and passed explicitly."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.content.model import Content
from bot.content.quizzes import QuizBanks
from bot.core.clock import Clock
from bot.core.i18n import I18n
from bot.core.interpret import AnswerRules, Interpreter
from bot.settings import Settings
from bot.storage.db import Database


@dataclass
class Deps:
    settings: Settings
    db: Database
    content: Content
    i18n: I18n
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    quizzes: QuizBanks = field(default_factory=QuizBanks)
    interpreter: Interpreter = field(default_factory=lambda: Interpreter(AnswerRules()))
