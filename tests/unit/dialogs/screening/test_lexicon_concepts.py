"""The lexicon's concept rules (third pass): a harm verb, a body part, an instrument or a
place counts near the words that make it a concern, and not in its everyday compounds.

Each row is one concept in a phrasing that is in no data file, so a rule that stops
working (or a broad new term that swallows an innocent compound) fails here by name.
"""

import pytest

from bot.screening.files import load_default_lexicon
from tests.unit.dialogs.screening.helpers import default_screen

# (text, category the screen must name)
CONCERNS = [
    # violence: verb near an object person / agent / instrument / body part
    ("他舅舅拿擀面杖敲孩子的手", "violence_abuse"),
    ("她后妈一生气就掐她脖子", "violence_abuse"),
    ("孩子说是他后爸推的", "violence_abuse"),
    ("他爹拿铁棍打他", "violence_abuse"),
    ("外婆把孩子的头往墙上撞", "violence_abuse"),
    ("她妈拿熱水潑她", "violence_abuse"),
    ("my aunt slaps me every morning", "violence_abuse"),
    ("he burns her with a lighter", "violence_abuse"),
    # bullying: verb near a school context
    ("宿舍的室友用开水泼他", "bullying_violence"),
    ("高年级的逼他喝厕所的水", "bullying_violence"),
    ("some older boys cornered my son after school", "bullying_violence"),
    # sexual: body part near touch or image; hands into clothes; minors and pregnancy
    ("那个男的把手伸进她裙子里", "sexual_abuse"),
    ("网友让她拍下身的照片", "sexual_abuse"),
    ("初二的学生生了孩子", "sexual_abuse"),
    ("he asked for pictures of her body", "sexual_abuse"),
    # self-harm: intent near a method, goodbyes, internet forms
    ("活着真没意思", "self_harm"),
    ("我把药全吃了", "self_harm"),
    ("i want to unalive myself", "self_harm"),
    ("我想说再见了这个世界", "self_harm"),
    # accidents: mechanism near a sign of severity
    ("孩子从阳台上掉下去了", "accident_injury"),
    ("孩子被三轮车撞了", "accident_injury"),
    ("孩子喝了消毒液", "accident_injury"),
    ("my son was hit by a motorbike", "accident_injury"),
    # alone or missing
    ("他爸妈不要他了", "child_alone_missing"),
    ("孩子一夜未归", "child_alone_missing"),
    ("孩子昨天去镇上到现在还没找到", "child_alone_missing"),
    ("two kids alone for days in that flat", "child_alone_missing"),
    # carers who cannot care
    ("他妈妈有精神障碍，没有人照料孩子", "guardian_incapacity"),
    ("孩子爸爸溜冰吸毒", "guardian_incapacity"),
    ("the kids haven't been fed since friday", "guardian_incapacity"),
    # trafficking, begging, labour
    ("有人出三万块想买这个孩子", "trafficking_begging_labour"),
    ("孩子被骗到柬埔寨了", "trafficking_begging_labour"),
    ("he tried to sell the baby online", "trafficking_begging_labour"),
    # other serious harm
    ("有个男的把女孩拉进了小树林里", "other_serious_harm"),
    ("有人说要弄死他全家", "other_serious_harm"),
    # a negation with something other than the child between it and the term: unsure, kept
    ("没想到孩子又被打了", "violence_abuse"),
    ("不是第一次看到孩子被打", "violence_abuse"),
]

# Innocent compounds of the same characters: these must not escalate.
EVERYDAY = [
    "孩子打翻了水杯",
    "孩子打了个喷嚏",
    "孩子抽到了一等奖",
    "奶奶给孙女扎辫子",
    "这次考砸了，下次努力",
    "孩子帮爷爷浇水",
    "他推荐了一个补习班",
    "爷爷抡起锄头去干活",
    "孩子的铅笔找了半天没找到",
    "孩子的疫苗本找不到了",
    "给小孩拍了几张照片",
    "孩子今天精神很好",
    "家里刚消毒了",
    "孩子用刀划开了快递盒",
    "孩子骑车撞到了墙，擦破点皮",
    "孩子不想喝药，哄了半天",
    "孩子说同学推了他一下，已经和好了",
    "孩子和同学玩打仗游戏",
    "we want to buy a baby stroller",
    "my son's team got beaten 3-0",
    "she fell off the swing but she's fine",
    "i don't want to wake up early tomorrow",
    "she can't find her homework",
    "my daughter punched the air when she won",
    # plain negations naming the child (未发现 + 孩子 + term)
    "走访未发现孩子被打骂的情况",
    "他说没有人打他，是自己摔的",
]


@pytest.mark.parametrize(("text", "category"), CONCERNS)
def test_concept_rules_escalate(text: str, category: str) -> None:
    decision = default_screen().screen(text)
    assert decision.escalate, decision.why
    assert category in {m.category for m in decision.matches}, decision.to_json()


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_compounds_do_not_escalate(text: str) -> None:
    decision = default_screen().screen(text)
    assert not decision.escalate, decision.to_json()


def test_every_near_word_fits_its_window() -> None:
    """A near word must lie wholly inside `window` characters of its term (matcher rule),
    so a window shorter than a near word could never match it."""
    lexicon = load_default_lexicon()
    for category in lexicon.categories:
        for term in category.terms:
            for near in term.near:
                assert len(near) <= term.window, (category.id, term.text, near, term.window)
