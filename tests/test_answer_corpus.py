"""The answer corpus (tests/data/answers.yaml) through the interpreter built from the real
content/answers.yaml: at least 95% as expected, and never a "no" taken for a "yes"."""

from __future__ import annotations

import ast

import pytest

from bot.core.i18n import I18n, Translator
from bot.core.interpret import Interpreter, Verdict
from bot.core.messages import Choice
from tests.answer_corpus import CORPUS, ROOT, Case, interpreter, load_cases, rate, report, run

TARGET = 0.95
NEGATIVE_ANSWERS = [
    "không",
    "khong",
    "Không.",
    "ko",
    "KO",
    "k",
    "kg",
    "kô",
    "hông",
    "hok",
    "khum",
    "no",
    "nope",
    "chưa",
    "chua",
    "thôi",
    "thoi",
    "không đồng ý",
    "ko dong y",
    "khong dong y",
    "k đồng ý",
    "kg dong y",
    "hok dong y",
    "khng dong y",
    "khôg đồng ý",
    "khonng dong y",
    "chưa đồng ý",
    "chua dong y",
    "tôi không đồng ý",
    "không, cảm ơn",
    "ko cam on",
    "không muốn",
    "ko muon",
    "không được",
    "ko đc",
    "ko ok",
    "thôi khỏi",
    "từ chối",
    "đừng",
    "không có",
    "chưa có",
    "bố mẹ chưa đồng ý",
    "bo me ko dong y",
    "chưa hỏi bố mẹ",
    "I don't agree",
    "i dont agree",
    "I do not agree",
    "disagree",
    "not yet",
    "No thanks",
    "no, keep it",
    "don't",
    "never",
    "khong dong y dau",
    "thôi không đồng ý đâu",
    "ko co",
    "không ạ",
    "dạ không",
    "da khong",
    "vâng, không",
    "ừ thôi",
    "ok không",
    "không ok",
    "ko yes",
    "no ok",
    "chưa ok",
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return interpreter()


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases()


def test_the_corpus_has_300_answers_of_every_kind(cases: list[Case]) -> None:
    answers = [c for c in cases if c.section == "answers"]
    assert len(answers) >= 300, CORPUS
    categories = {c.cat for c in answers}
    for needed in (
        "accent-free",
        "typo",
        "yes-word",
        "no-word",
        "negation",
        "number",
        "number-in-words",
        "letter",
        "short-form",
        "english",
        "ambiguous",
        "garbage",
    ):
        assert needed in categories, needed
    assert {c.section for c in cases} == {"answers", "times", "numbers"}


def test_the_corpus_is_interpreted_as_expected(interp: Interpreter, cases: list[Case]) -> None:
    outcomes = run(interp, cases)
    assert rate(outcomes) >= TARGET, report(outcomes)


def test_no_answer_is_never_taken_for_yes_nor_yes_for_no(
    interp: Interpreter, cases: list[Case]
) -> None:
    outcomes = run(interp, cases)
    false_yes = [(o.case.step.name, o.case.text) for o in outcomes if o.false_yes and o.case.step]
    false_no = [(o.case.step.name, o.case.text) for o in outcomes if o.false_no and o.case.step]
    assert not false_yes, false_yes
    assert not false_no, false_no


def test_every_step_of_the_corpus_is_answered_by_its_number(
    interp: Interpreter, cases: list[Case]
) -> None:
    steps = {c.step.name: c.step for c in cases if c.step is not None}
    for step in steps.values():
        for index, choice in enumerate(step.choices, start=1):
            found = interp.pick(str(index), step.choices, lettered=step.lettered)
            assert found.verdict is Verdict.PICKED and found.payload == choice.payload, step.name


@pytest.mark.parametrize("text", NEGATIVE_ANSWERS)
def test_a_negative_answer_never_picks_yes_in_the_corpus_steps(
    interp: Interpreter, cases: list[Case], text: str
) -> None:
    steps = {c.step.name: c.step for c in cases if c.step is not None}
    for step in steps.values():
        yes = [c.payload for c in step.choices if c.intent == "yes"]
        if yes:
            found = interp.pick(text, step.choices, lettered=step.lettered)
            assert yes[0] not in found.payloads, (step.name, text, found)


# -- every yes/no question in the product ----------------------------------------------------
FEATURES = (ROOT / "bot" / "features", ROOT / "bot" / "steps")
PLACEHOLDER = {"vi": "Học sinh 3", "en": "Student 3"}


def _label(node: ast.expr, translate: Translator) -> str:
    """A choice's label: the msgid of `_("...")` / `ctx._("...", name=...)`, translated."""
    assert isinstance(node, ast.Call) and node.args, ast.unparse(node)
    msgid = node.args[0]
    assert isinstance(msgid, ast.Constant) and isinstance(msgid.value, str), ast.unparse(node)
    return str(translate(msgid.value, **{k.arg: "{}" for k in node.keywords if k.arg}))


def _intent(node: ast.Call) -> str:
    found = (
        node.args[2]
        if len(node.args) > 2
        else next((k.value for k in node.keywords if k.arg == "intent"), None)
    )
    return str(found.value) if isinstance(found, ast.Constant) else ""


def yes_no_questions(locale: str) -> dict[str, list[Choice]]:
    """Every list of choices in bot/features and bot/steps that offers a "yes", found by reading:
    each choice with its translated label, its payload as written, and its intent."""
    translate = I18n().translator(locale)
    found: dict[str, list[Choice]] = {}
    for path in sorted(p for folder in FEATURES for p in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.List):
                continue
            calls = [
                e
                for e in node.elts
                if isinstance(e, ast.Call)
                and isinstance(e.func, ast.Name)
                and e.func.id == "Choice"
            ]
            if not any(_intent(c) == "yes" for c in calls):
                continue
            found[f"{path.stem}:{node.lineno}"] = [
                Choice(
                    _label(c.args[0], translate).replace("{}", PLACEHOLDER[locale]),
                    ast.unparse(c.args[1]),
                    _intent(c),
                )
                for c in calls
            ]
    return found


def test_the_yes_no_questions_are_all_found() -> None:
    modules = {key.split(":")[0] for key in yes_no_questions("en")}
    assert modules >= {
        "consent",
        "profile",
        "privacy",
        "class_join",
        "classes",
        "myclasses",
        "contests",
        "flow",  # bot/features/quiz/flow.py
    }, modules
    for choices in yes_no_questions("vi").values():
        assert [c.intent for c in choices].count("no") == 1, choices


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_negative_answer_picks_yes_in_any_question_of_the_product(
    interp: Interpreter, locale: str
) -> None:
    wrong = []
    for where, choices in yes_no_questions(locale).items():
        yes = next(c.payload for c in choices if c.intent == "yes")
        for text in NEGATIVE_ANSWERS:
            if yes in interp.pick(text, choices).payloads:
                wrong.append((where, text))
        assert interp.pick("1", choices).payload == yes, where
    assert not wrong, wrong
