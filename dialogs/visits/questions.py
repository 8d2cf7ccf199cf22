"""The questions of a visit report, their options and the words that answer them.

Labels live in the catalog under ``visit.opt.<question>.<value>``; the words here are what a
director may type instead of a number (compared after `content.normalize.fold`). A word is
unique across all questions, so the one-SMS quick form can use the same words in any order.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.normalize import fold


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    words: tuple[str, ...]
    flag: str | None = None  # a danger sign the safety screen escalates
    normal: bool = False  # "nothing wrong": what "无"/"none" fills in the quick form


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    options: tuple[Option, ...]
    required: bool = False  # required questions offer no "skip"


def _q(key: str, *options: Option, required: bool = False) -> Question:
    return Question(key, options, required)


KIND = _q(
    "kind",
    Option("home", ("入户", "家访", "上门", "home", "h")),
    Option("contact", ("电话", "视频", "微信", "phone", "video", "call", "t")),
    Option("elsewhere", ("校访", "他处", "外面", "elsewhere", "met", "m")),
    required=True,
)
ASSESSMENT = _q(
    "assessment",
    Option("good", ("良好", "好", "良", "good", "g")),
    Option("average", ("一般", "中", "average", "avg", "a")),
    Option("poor", ("差", "较差", "不良", "poor", "bad", "p"), flag="guardianship_poor"),
    required=True,
)
CHECKLIST: tuple[Question, ...] = (
    _q(
        "living",
        Option("ok", ("居住好", "住房好", "house-ok"), normal=True),
        Option("poor", ("居住差", "住房差", "house-poor")),
        Option("alone", ("独居", "alone"), flag="living_alone"),
    ),
    _q(
        "care",
        Option("parents", ("父母", "parents"), normal=True),
        Option("grandparents", ("祖辈", "隔代", "爷奶", "grandparents", "grand")),
        Option("entrusted", ("委托", "亲友", "entrusted", "relative")),
        Option("none", ("无人照护", "无监护", "no-carer", "nocarer"), flag="no_carer"),
        Option(
            "entrusted_unable", ("照护不力", "委托照护不力", "carer-unable", "carer-struggling")
        ),
    ),
    _q(
        "school",
        Option("in", ("在校", "上学", "school", "in-school"), normal=True),
        Option("risk", ("辍学风险", "厌学", "dropout-risk", "at-risk"), flag="dropout_risk"),
        Option("out", ("失学", "辍学", "out-of-school", "dropout"), flag="out_of_school"),
        Option("preschool", ("未到学龄", "学前", "preschool")),
    ),
    _q(
        "health",
        Option("healthy", ("健康", "healthy"), normal=True),
        Option("ill", ("患病", "生病", "ill", "sick")),
        Option("disabled", ("残疾", "disabled")),
        Option("injury", ("有伤", "伤痕", "受伤", "injury", "injured"), flag="injury_signs"),
    ),
    _q(
        "insurance",
        Option("yes", ("已参保", "有医保", "insured"), normal=True),
        Option("no", ("未参保", "无医保", "uninsured")),
    ),
    _q(
        "vaccines",
        Option("yes", ("疫苗齐", "已接种", "vaccinated"), normal=True),
        Option("no", ("缺疫苗", "漏种", "vaccine-due")),
    ),
    _q(
        "mental",
        Option("ok", ("心理好", "情绪好", "mood-ok"), normal=True),
        Option("concern", ("心理问题", "情绪差", "行为问题", "mood", "behaviour")),
        Option("self_harm", ("自伤", "自残", "self-harm", "selfharm"), flag="self_harm_risk"),
    ),
    _q(
        "safety",
        Option("safe", ("安全", "safe"), normal=True),
        Option("electric", ("用电", "电隐患", "electric"), flag="home_hazard"),
        Option("gas", ("燃气", "煤气", "gas"), flag="home_hazard"),
        Option("water", ("溺水", "水隐患", "water"), flag="home_hazard"),
        Option("fire", ("消防", "火灾", "fire"), flag="home_hazard"),
        Option("food", ("食品", "food"), flag="home_hazard"),
    ),
    _q(
        "needs",
        Option("none", ("无需求", "no-needs", "noneed"), normal=True),
        Option("living", ("生活", "needs-living")),
        Option("study", ("学习", "study")),
        Option("medical", ("医疗", "medical")),
        Option("counselling", ("心理辅导", "counselling")),
        Option("other", ("其他需求", "other-needs")),
    ),
    _q(
        "hukou",
        Option("yes", ("有户口", "有户籍", "hukou-ok"), normal=True),
        Option("none", ("无户口", "无户籍", "no-hukou")),
    ),
)
CHOICE_QUESTIONS: dict[str, Question] = {q.key: q for q in (KIND, ASSESSMENT, *CHECKLIST)}
CHECKLIST_KEYS: tuple[str, ...] = tuple(q.key for q in CHECKLIST)

# Every question of a guided report, in order. "child", "date" and "notes" are special.
ORDER: tuple[str, ...] = ("child", "kind", "date", "assessment", *CHECKLIST_KEYS, "notes")
SKIP = "skip"

SKIP_WORDS = frozenset(fold(w) for w in ("跳过", "略过", "不清楚", "skip", "s", "-"))
BACK_WORDS = frozenset(fold(w) for w in ("上一步", "上一题", "上一个", "prev", "previous"))
NOTHING_WRONG_WORDS = frozenset(
    fold(w) for w in ("无", "没有", "正常", "都好", "none", "ok", "nil")
)
YES_WORDS = frozenset(
    fold(w) for w in ("是", "对", "确认", "保存", "好的", "yes", "y", "ok", "save")
)
NO_WORDS = frozenset(fold(w) for w in ("否", "不", "不对", "no", "n"))


def option_for_word(question: Question, text: str) -> Option | None:
    """The option of ``question`` that the typed word names, if any."""
    form = "".join(fold(text).split())
    for option in question.options:
        if form == option.value or form in (fold(w) for w in option.words):
            return option
    return None


def word_index() -> dict[str, tuple[str, str]]:
    """Every typed word -> (question, value); words never repeat across questions."""
    index: dict[str, tuple[str, str]] = {}
    for question in CHOICE_QUESTIONS.values():
        for option in question.options:
            for word in option.words:
                form = fold(word)
                if form in index:
                    raise ValueError(f"visit word {word!r} used twice")
                index[form] = (question.key, option.value)
    return index


def valid_answer(key: str, value: object) -> bool:
    """Whether a stored answer is one this version understands (drafts may be old)."""
    if key in CHOICE_QUESTIONS:
        question = CHOICE_QUESTIONS[key]
        allowed = {o.value for o in question.options}
        return value in allowed or (value == SKIP and not question.required)
    return False


def flags_for(answers: dict[str, str]) -> tuple[str, ...]:
    """The danger signs in a set of answers, in a stable order, without repeats."""
    found: list[str] = []
    for question in CHOICE_QUESTIONS.values():
        for option in question.options:
            if (
                answers.get(question.key) == option.value
                and option.flag
                and option.flag not in found
            ):
                found.append(option.flag)
    return tuple(found)
