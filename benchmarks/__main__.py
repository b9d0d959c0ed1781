"""`python -m benchmarks [--quick] [--json PATH]`: run every benchmark, print the tables, write JSON."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import coldstart, e2e, latency, loading, report, synthetic
from benchmarks.common import KNOWLEDGE, ROOT, load_questions
from bot.knowledge import load

DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"


@dataclass(frozen=True)
class Plan:
    """How big each benchmark is: the full run, or a tiny one that only proves the code works."""

    sizes: tuple[int, ...] = (1_000, 10_000)
    passes: int = 3
    load_runs: int = 3
    messages: int = 400
    rounds: int = 3
    subscribers: int = 2_000
    broadcast_rate: float = 200.0
    fake_limit: int = 250
    cold_runs: int = 5
    cold_warm_up: bool = True
    questions: int | None = None  # all of them


QUICK = Plan(
    sizes=(50,),
    passes=1,
    load_runs=1,
    messages=20,
    rounds=1,
    subscribers=50,
    cold_runs=1,
    cold_warm_up=False,
    questions=20,
)


_CLOCK = time.perf_counter()


def _say(text: str) -> None:
    print(f"[{time.perf_counter() - _CLOCK:6.1f} s] {text}", file=sys.stderr, flush=True)


def run(plan: Plan, questions: list[str], workdir: Path) -> dict[str, Any]:
    knowledge_bases = [("shipped", KNOWLEDGE, len(load(KNOWLEDGE).organisations))]
    for size in plan.sizes:
        _say(f"generating {size:,} synthetic organisations")
        folder = synthetic.generate(workdir / f"synthetic-{size}", size)
        knowledge_bases.append((f"synthetic-{size}", folder, size))
    results: dict[str, Any] = {"latency": [], "load": []}
    for label, folder, _ in knowledge_bases:
        _say(f"answer latency: {label}")
        results["latency"].append(latency.measure(label, folder, questions, plan.passes))
        gc.collect()
    for label, folder, count in knowledge_bases:
        _say(f"load + index in fresh processes: {label}")
        results["load"].append(loading.measure(label, folder, count, plan.load_runs))
    kb = load(KNOWLEDGE)
    _say(f"end to end: {plan.messages} messages, {plan.rounds} round(s)")
    results["e2e"] = asyncio.run(e2e.throughput(kb, questions, plan.messages, plan.rounds))
    _say(f"broadcast: {plan.subscribers:,} subscribers at {plan.broadcast_rate:g}/s")
    results["broadcast"] = asyncio.run(e2e.broadcast(kb, plan.subscribers, plan.broadcast_rate, plan.fake_limit))
    _say(f"cold start: {plan.cold_runs} run(s)")
    results["cold_start"] = coldstart.measure(plan.cold_runs, warm_up=plan.cold_warm_up)
    results["targets"] = report.targets(results)
    return results


def _output(*command: str) -> str:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603


def _git() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        commit = _output("git", "rev-parse", "--short", "HEAD")
        dirty = _output("git", "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (with uncommitted changes)" if dirty else commit


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the code, not the speed")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the figures ({DEFAULT_JSON})")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    questions, source = load_questions()
    questions = questions[: plan.questions]
    started, load_before = time.perf_counter(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="sanctuary-bench-") as workdir:
        results = run(plan, questions, Path(workdir))
    results = {
        "meta": {
            "command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]),
            "quick": args.quick,
            "commit": _git(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "questions": len(questions),
            "questions_from": source,
            "seconds": round(time.perf_counter() - started, 1),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        **results,
    }
    print(report.render(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _say(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
