"""Cold start: a fresh `python run_bot.py ask "..."` process, from start to its answer."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from typing import Any

from benchmarks.common import ROOT, median

QUESTION = "where is a food bank"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once() -> tuple[float, float]:
    """Wall and CPU seconds of one process (CPU time does not count waiting for a busy machine)."""
    env = {k: v for k, v in os.environ.items() if k != "BOT_KNOWLEDGE_DIR"}  # the shipped knowledge base
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "run_bot.py", "ask", QUESTION], cwd=ROOT, env=env, capture_output=True, check=False
    )
    seconds, cpu_seconds = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"run_bot.py ask failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
    return seconds, cpu_seconds


def measure(runs: int, *, warm_up: bool = True) -> dict[str, Any]:
    """Median of `runs`, after one untimed run that compiles any changed module to bytecode."""
    if warm_up:
        _once()
    samples = [_once() for _ in range(runs)]
    times = [wall for wall, _ in samples]
    return {
        "question": QUESTION,
        "runs": runs,
        "median_s": round(median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "median_cpu_s": round(median([cpu for _, cpu in samples]), 3),
    }
