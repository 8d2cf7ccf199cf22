"""Screening throughput on one core: the shipped lexicon, then padded with synthetic terms.

Run: `python bench/screening.py [--pad 5000] [--rounds 20]` from the project root.
A script, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.screening.files import read_lexicon_mapping  # noqa: E402
from dialogs.screening import Lexicon, Screen  # noqa: E402

EVAL = ROOT / "tests" / "data" / "screening_eval.tsv"
# Common characters, so that synthetic terms collide with real text (the slow case).
CJK = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着"
    "去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主"
    "行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二"
    "理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走"
    "电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市"
    "眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提"
    "感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它"
    "许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青"
    "管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步"
    "完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呈"
)


def eval_texts() -> list[str]:
    lines = EVAL.read_text(encoding="utf-8").splitlines()
    return [ln.split("\t", 2)[2] for ln in lines if ln.strip() and not ln.startswith("#")]


def padded(raw: dict[str, Any], extra: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    words = set()
    while len(words) < extra:
        if rng.random() < 0.8:
            words.add("".join(rng.choice(CJK) for _ in range(rng.randint(2, 5))))
        else:
            words.add(
                " ".join(
                    "".join(
                        rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 8))
                    )
                    for _ in range(rng.randint(1, 2))
                )
            )
    synthetic = {"id": "synthetic", "severity": "medium", "terms": sorted(words), "exclusions": []}
    return {**raw, "categories": [*raw["categories"], synthetic]}


def measure(name: str, raw: dict[str, Any], texts: list[str], rounds: int) -> None:
    started = time.perf_counter()
    lexicon = Lexicon.from_mapping(raw)  # normalizes every term
    screen = Screen(lexicon)
    built = time.perf_counter() - started
    for text in texts:  # warm-up: OpenCC and the automaton
        screen.screen(text)
    started = time.perf_counter()
    escalated = 0
    for _ in range(rounds):
        for text in texts:
            escalated += screen.screen(text).escalate
    elapsed = time.perf_counter() - started
    n = rounds * len(texts)
    print(
        f"{name}: {lexicon.term_count()} terms, lexicon + automaton built in "
        f"{built * 1000:.0f} ms; "
        f"{n} messages in {elapsed:.2f} s = {n / elapsed:,.0f} messages/s "
        f"({elapsed / n * 1e6:.0f} µs each), {escalated // rounds} of {len(texts)} escalate"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pad", type=int, default=5000, help="synthetic terms to add")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    texts = eval_texts()
    raw = read_lexicon_mapping()
    measure("shipped lexicon", raw, texts, args.rounds)
    for pad in (args.pad, args.pad * 4):
        measure(f"padded +{pad}", padded(raw, pad), texts, args.rounds)
    long_text = "".join(texts)[:2000]
    screen = Screen(Lexicon.from_mapping(raw))
    started = time.perf_counter()
    for _ in range(50):
        screen.screen(long_text)
    print(
        f"one {len(long_text)}-character message: "
        f"{(time.perf_counter() - started) / 50 * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
