"""Start-up and memory: `careline serve --demo` (Telegram off) until /healthz answers, its idle
resident memory, and how long every `careline` subcommand takes to start (`--help`).

    python bench/startup.py [--rounds 3] [--idle 5]

Each figure is the median of `--rounds` runs; wall-clock time and the CPU time of the child
process are both given (on a shared machine the CPU time is the steadier figure). The serve
runs in a fresh temporary directory, so the embedded default SQLite database is created and
migrated and the demo loaded (the first start); a second start then reuses that database.
Targets (issue 13): healthy <= 2 s, idle RSS <= 150 MiB, every subcommand <= 1 s.
A script, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def clean_env() -> dict[str, str]:
    """The environment without any CARELINE_ setting: Telegram, Twilio and mainland off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARELINE_")}
    env["PYTHONPATH"] = str(ROOT)
    # As an installed program runs: Python keeps its compiled modules (this machine's shell
    # sets PYTHONDONTWRITEBYTECODE, which made every start compile ~300 modules again).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(args: list[str], cwd: str) -> tuple[float, float]:
    """Wall and CPU seconds of one `careline ...` run that must exit 0."""
    cpu0, t0 = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=clean_env(), capture_output=True
    )
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"careline {' '.join(args)} failed: {done.stderr.decode()[-400:]}")
    return wall, cpu


def subcommands() -> list[list[str]]:
    from bot.cli import build_parser

    parser = build_parser()
    out: list[list[str]] = []

    def walk(p: argparse.ArgumentParser, path: list[str]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out.append(path)
            return
        for name, child in subs[0].choices.items():
            walk(child, [*path, name])

    walk(parser, [])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def serve_once(cwd: str, idle: float) -> tuple[float, float, float]:
    """Seconds until /healthz answers 200, CPU seconds by then, idle RSS in MiB."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--demo", "--port", str(port)],
        cwd=cwd,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"careline serve --demo exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.02)
        healthy = time.perf_counter() - t0
        cpu = proc_cpu(proc.pid)
        time.sleep(idle)
        return healthy, cpu, rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def import_check() -> tuple[float, bool]:
    code = "import sys, time; t=time.process_time(); import bot.cli; bot.cli.build_parser();"
    code += "print(time.process_time()-t, 'aiogram' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean_env(), capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), out[1] == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before the RSS")
    args = parser.parse_args()
    med = statistics.median
    cpu, aiogram = import_check()
    print(f"import bot.cli + build_parser: {cpu:.2f} s CPU; aiogram imported: {aiogram}")
    with tempfile.TemporaryDirectory() as tmp:
        first = [serve_once(tempfile.mkdtemp(dir=tmp), args.idle) for _ in range(args.rounds)]
        again_dir = tempfile.mkdtemp(dir=tmp)
        serve_once(again_dir, 0)
        again = [serve_once(again_dir, args.idle) for _ in range(args.rounds)]
        for label, runs in (("first start (migrate, demo)", first), ("second start", again)):
            print(
                f"serve --demo, {label}: healthy in {med(r[0] for r in runs):.2f} s "
                f"({med(r[1] for r in runs):.2f} s CPU), idle RSS "
                f"{med(r[2] for r in runs):.0f} MiB"
            )
        worst = (0.0, 0.0, "")
        for cmd in subcommands():
            runs = [timed_run([*cmd, "--help"], tmp) for _ in range(args.rounds)]
            wall, cpu_s = med(r[0] for r in runs), med(r[1] for r in runs)
            print(f"  careline {' '.join(cmd):32s} --help  {wall:5.2f} s  ({cpu_s:.2f} s CPU)")
            if wall > worst[0]:
                worst = (wall, cpu_s, " ".join(cmd))
        print(f"slowest subcommand start: {worst[2]} {worst[0]:.2f} s ({worst[1]:.2f} s CPU)")


if __name__ == "__main__":
    main()
