"""`careline screen`: the screen's decision as JSON, and its model's life cycle.

    careline screen "<text>"          one decision as JSON (escalate, outcome, category ...)
    careline screen -                 one message per line on stdin, one JSON line each
    careline screen eval FILE.tsv     recall, false alarms, per category and per style
    careline screen retrain           a new model from the corpus and the hotline's labels,
                                      measured by leaving writers out; replaces the live one
                                      only when recall did not fall (--force to override;
                                      --out FILE writes the model file instead)
    careline screen models            the stored models and which one is live
    careline screen rollback VERSION  make an earlier model live ("shipped": the packaged one)

Uses the lexicon and model stored in the configured database; the shipped defaults when there
is no database, it is not migrated or cannot be read (said on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

VERBS = ("eval", "retrain", "models", "rollback")


def add_screen_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "screen",
        help='screen a message: careline screen "<text>", - for one per line; '
        "eval FILE, retrain, models, rollback VERSION",
    )
    parser.add_argument("text", help='the message, "-" for one per line, or a verb')
    parser.add_argument("arg", nargs="?", help="FILE for eval, VERSION for rollback")
    parser.add_argument("--corpus", type=Path, help="retrain: the corpus folder")
    parser.add_argument("--out", type=Path, help="retrain: write the model to this file")
    parser.add_argument("--force", action="store_true", help="retrain: replace even if worse")
    parser.add_argument("--json", action="store_true", help="eval: print the figures as JSON")
    parser.add_argument(
        "--misses", action="store_true", help="eval: also list every miss and false alarm"
    )
    parser.set_defaults(func=cmd_screen)


def run_screen(url: str, text: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from bot.hotline.live_screen import screen_for_url

    screen, source = asyncio.run(screen_for_url(url))
    if source != "database":
        print(f"careline screen: lexicon: {source}", file=stderr)
    if text != "-":
        print(screen.screen(text).dumps(), file=stdout)
        return 0
    for line in stdin:
        print(screen.screen(line.rstrip("\r\n")).dumps(), file=stdout, flush=False)
    stdout.flush()
    return 0


def _pct(value: float) -> str:
    return f"{100 * value:5.1f} %"


def format_figures(figures: dict[str, Any], title: str = "") -> str:
    rep, neg = figures["reports"], figures["negatives"]
    lines = [title] if title else []
    lines += [
        f"must report: {rep['n']}  reach a person {_pct(rep['reach'])}  "
        f"alerted {_pct(rep['alert'])}",
        f"no report:   {neg['n']}  alerted {_pct(neg['alert'])}  review {_pct(neg['review'])}",
    ]
    if "category_accuracy" in figures:
        lines.append(f"category right (of reached): {_pct(figures['category_accuracy'])}")
    for name, key in (
        ("category", "by_category"),
        ("style (reports)", "by_style"),
        ("kind (no report)", "negatives_by_kind"),
        ("style (no report)", "negatives_by_style"),
        ("writer (reports)", "by_writer"),
    ):
        table = figures.get(key) or {}
        if not table:
            continue
        lines.append(f"by {name}:  n  alert  review  reach")
        for label, t in table.items():
            lines.append(
                f"  {label:<22}{t['n']:>5}  {_pct(t['alert'])}  {_pct(t['review'])}  "
                f"{_pct(t['reach'])}"
            )
    return "\n".join(lines)


def run_eval(
    url: str, path: Path, as_json: bool, stdout: TextIO, stderr: TextIO, misses: bool = False
) -> int:
    from bot.hotline.live_screen import screen_for_url
    from bot.screening.corpus import CorpusError, read_tsv
    from bot.screening.train import Figures

    try:
        rows = read_tsv(path)
    except (OSError, CorpusError) as exc:
        print(f"careline screen eval: {exc}", file=stderr)
        return 2
    screen, source = asyncio.run(screen_for_url(url))
    if source != "database":
        print(f"careline screen: lexicon: {source}", file=stderr)
    from bot.screening.store import shipped_categories

    known = set(shipped_categories().ids())
    unknown = sorted({r.category for r in rows if r.must_report and r.category not in known})
    if unknown:
        print(f"careline screen eval: categories not in content/safety/categories.toml "
              f"(counted, never 'right'): {', '.join(unknown)}", file=stderr)  # fmt: skip
    figures = Figures()
    wrong: list[str] = []
    for row in rows:
        decision = screen.screen(row.text)
        figures.add(row, decision.outcome, decision.category)
        if row.must_report and decision.outcome == "pass":
            wrong.append(f"missed       {row.category:<20} {row.text}")
        elif not row.must_report and decision.outcome != "pass":
            wrong.append(f"{decision.outcome:<12} {row.category:<20} {row.text}")
    out = figures.to_json()
    model = screen.model.version if screen.model else "none (lexicon only)"
    if as_json:
        print(json.dumps({"model": model, **out}, ensure_ascii=False, indent=1), file=stdout)
    else:
        print(format_figures(out, f"{path.name}: {len(rows)} messages, model {model}"), file=stdout)
        if misses:
            print("\nmisses and false alarms:", *wrong, sep="\n", file=stdout)
    return 0


async def _retrain(url: str, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bot.hotline.live_screen import screen_for_url
    from bot.screening.corpus import CORPUS_DIR, read_corpus
    from bot.screening.store import retrain, shipped_categories, shipped_framing
    from bot.screening.train import build
    from storage.db import Database

    corpus = args.corpus or CORPUS_DIR
    screen, _ = await screen_for_url(url)
    now = datetime.now(UTC)

    def progress(msg: str) -> None:
        print(f"careline screen retrain: {msg}", file=stderr, flush=True)

    if args.out is not None:
        rows = read_corpus(corpus)
        built = await asyncio.to_thread(
            build, rows, screen, shipped_framing(), shipped_categories(),
            now=now, progress=progress,
        )  # fmt: skip
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(built.model.to_bytes())
        if built.figures:
            print(
                format_figures(built.figures.to_json(), f"model {built.model.version}"), file=stdout
            )
        print(f"written: {args.out}", file=stdout)
        return 0
    db = Database(url)
    try:
        if not await db.is_migrated():
            print("careline screen retrain: the database is not migrated; run "
                  "'careline db upgrade' first", file=stderr)  # fmt: skip
            return 2
        result = await retrain(db, screen, now=now, by="cli", corpus=corpus, force=args.force,
                               progress=progress)  # fmt: skip
    finally:
        await db.dispose()
    if result.previous_figures:
        print(format_figures(dict(result.previous_figures), f"current: {result.previous}"),
              file=stdout)  # fmt: skip
    print(format_figures(dict(result.figures), f"new: {result.version}"), file=stdout)
    if result.replaced:
        print(f"{result.version} is now live", file=stdout)
        return 0
    print(f"kept {result.previous}: recall fell ({'; '.join(result.fell)}); "
          "--force replaces it anyway", file=stdout)  # fmt: skip
    return 1


async def _models(url: str, rollback: str | None, stdout: TextIO, stderr: TextIO) -> int:
    from bot.screening.store import shipped_model
    from storage.db import Database
    from storage.repos import audit
    from storage.repos import screening as repo

    db = Database(url)
    try:
        if not await db.is_migrated():
            print("careline screen: the database is not migrated; run 'careline db upgrade'",
                  file=stderr)  # fmt: skip
            return 2
        async with db.transaction() as session:
            if rollback is not None:
                target = None if rollback == "shipped" else rollback
                if not await repo.activate(session, target):
                    print(f"careline screen rollback: no model {rollback!r}; "
                          "'careline screen models' lists them", file=stderr)  # fmt: skip
                    return 2
                audit.record(
                    session, at=datetime.now(UTC), actor="cli", action="screen_activate",
                    subject_type="screen_model", subject_id=rollback,
                )  # fmt: skip
            rows = await repo.models(session)
    finally:
        await db.dispose()
    shipped = shipped_model()
    live = next((r.version for r in rows if r.active), None)
    name = shipped.version if shipped else "none"
    print(f"{'*' if live is None else ' '} shipped  {name}", file=stdout)
    for r in rows:
        reach = (r.figures or {}).get("reports", {}).get("reach")
        figure = f"reach {reach:.3f}" if isinstance(reach, float) else ""
        print(f"{'*' if r.active else ' '} {r.version}  {r.created_at:%Y-%m-%d %H:%M}  "
              f"{r.created_by}  {figure}", file=stdout)  # fmt: skip
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    import logging

    from bot.config import settings_or_exit

    logging.getLogger("bot.hotline.live_screen").setLevel(logging.ERROR)
    settings = settings_or_exit()
    url = settings.database_url
    if args.text == "eval":
        if not args.arg:
            print("careline screen eval: name the file: careline screen eval FILE.tsv",
                  file=sys.stderr)  # fmt: skip
            return 2
        return run_eval(url, Path(args.arg), args.json, sys.stdout, sys.stderr, args.misses)
    if args.text == "retrain":
        return asyncio.run(_retrain(url, args, sys.stdout, sys.stderr))
    if args.text == "models":
        return asyncio.run(_models(url, None, sys.stdout, sys.stderr))
    if args.text == "rollback":
        if not args.arg:
            print("careline screen rollback: name the version ('careline screen models')",
                  file=sys.stderr)  # fmt: skip
            return 2
        return asyncio.run(_models(url, args.arg, sys.stdout, sys.stderr))
    return run_screen(url, args.text, sys.stdin, sys.stdout, sys.stderr)
