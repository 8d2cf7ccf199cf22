"""The whole screen (lexicon + learned model + framing cues) on one core, what loading the
model adds to start-up, and the resident memory of `careline serve --demo`.

Run: `python bench/learned_screen.py [--rounds 3] [--serve]` from the project root.
A script, not a test: it prints figures and asserts nothing. Targets (issues 16 and 13):
>= 2,000 messages/s for the whole screen and >= 20,000 for the lexicon stage on one core,
linear in text length, <= 1 s added to start-up, <= 400 MB resident for serve. Throughput is
printed by the wall clock and by CPU time: on a shared machine only the second is fair.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.screening.corpus import read_corpus  # noqa: E402

LOAD = (
    "import time; t = time.perf_counter(); from dialogs.screening import Screen; "
    "from bot.screening.files import load_categories, load_default_lexicon, load_framing, "
    "load_model; "
    "s = Screen(load_default_lexicon(), load_model(), load_categories(), load_framing()); "
    "s.screen('孩子被打了'); print(time.perf_counter() - t)"
)
LEXICON_ONLY = (
    "import time; t = time.perf_counter(); from dialogs.screening import Screen; "
    "from bot.screening.files import load_default_lexicon; "
    "s = Screen(load_default_lexicon()); s.screen('孩子被打了'); "
    "print(time.perf_counter() - t)"
)


def cold(code: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return sorted(times)[len(times) // 2]


def _rate(fn: Callable[[str], object], texts: list[str], rounds: int) -> tuple[float, float]:
    """Messages per second by the wall clock and by this process's CPU time (the second
    holds on a shared machine: it counts only the time this core spent on the screen)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for text in texts:
            fn(text)
    n = rounds * len(texts)
    return n / (time.perf_counter() - wall), n / (time.process_time() - cpu)


def throughput(rounds: int) -> None:
    from bot.hotline.live_screen import default_screen

    screen = default_screen()
    texts = [r.text for r in read_corpus()]  # 8,148 texts: the 1,024-entry cache never hits
    for text in texts[:200]:
        screen.screen(text)
    mean_len = sum(map(len, texts)) / len(texts)
    wall, cpu = _rate(screen.screen, texts, rounds)
    print(f"whole screen: {wall:,.0f} messages/s by the clock, {cpu:,.0f}/s of CPU time "
          f"(target 2,000; mean {mean_len:.0f} characters)")  # fmt: skip
    wall, cpu = _rate(screen.match_lexicon, texts, rounds)
    print(f"lexicon stage alone: {wall:,.0f} messages/s by the clock, {cpu:,.0f}/s of CPU time "
          f"(target 20,000)")  # fmt: skip
    joined = "".join(texts)
    print("linear in length (µs of CPU per character; flat means linear):")
    for size in (50, 500, 2000, 8000):
        pieces = [joined[i : i + size] for i in range(0, min(len(joined), 60 * size), size)]
        pieces = [p + f" {k}" for k, p in enumerate(pieces)]  # distinct: no cache hit
        _, lex = _rate(screen.match_lexicon, pieces, 1)
        _, whole = _rate(screen.screen, pieces, 1)
        print(f"  {size:5d} characters: lexicon {1e6 / lex / size:.2f}, "
              f"whole screen {1e6 / whole / size:.2f}")  # fmt: skip


def rss_of_serve() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "CARELINE_DATABASE_URL"}
        env["CARELINE_PORT"] = "18931"  # the default SQLite file, in the temporary folder
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--demo"], cwd=tmp, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen("http://127.0.0.1:18931/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            healthy = time.perf_counter() - started
            send = urllib.request.Request(
                "http://127.0.0.1:18931/api/simulator/messages", method="POST",
                data=b'{"phone": "+8613999999999", "text": "\\u5b69\\u5b50\\u88ab\\u6253\\u4e86"}',
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
            with contextlib.suppress(OSError):  # the figure below is then the idle one
                urllib.request.urlopen(send, timeout=5)
            time.sleep(1)
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                print(f"careline serve --demo exited with {proc.returncode}: {err[-300:]}")
                return
            status = Path(f"/proc/{proc.pid}/status").read_text()
            rss = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS"))
            print(f"careline serve --demo: healthy after {healthy:.2f} s, "
                  f"resident {rss / 1024:.0f} MiB after screening a message")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help="also start careline serve --demo")
    args = parser.parse_args()
    with_model, lexicon_only = cold(LOAD), cold(LEXICON_ONLY)
    print(f"cold load: lexicon + model {with_model:.2f} s, lexicon alone {lexicon_only:.2f} s: "
          f"the model adds {with_model - lexicon_only:.2f} s")  # fmt: skip
    throughput(args.rounds)
    if args.serve:
        rss_of_serve()


if __name__ == "__main__":
    main()
