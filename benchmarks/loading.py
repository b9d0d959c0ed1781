"""Load + index time and peak memory, each knowledge base in a fresh process.

The parent runs `python -m benchmarks.loading DIR` once per size and run; the child loads,
indexes, and prints one JSON line. A fresh process means one size's memory cannot hide in, or
add to, another's.

The child is started by a small launcher process, not by the benchmark itself: Linux carries the
peak RSS of the process that starts a child over into the child's ru_maxrss (through fork and
exec), so a child of the benchmark (hundreds of MB after the 10,000-organisation run) would report
the benchmark's peak rather than its own. The launcher's ~10 MB is below any child's own peak.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, median


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(directory: str) -> dict[str, float]:
    """Runs in the fresh process: import, load, index; times in seconds, memory in MB."""
    started = time.perf_counter()
    from bot.assistant import Assistant
    from bot.knowledge import load

    imported = time.perf_counter()
    imports_rss = _peak_rss_mb()
    kb = load(directory)
    loaded = time.perf_counter()
    Assistant(kb)
    indexed = time.perf_counter()
    return {
        "import_s": imported - started,
        "load_s": loaded - imported,
        "index_s": indexed - loaded,
        "imports_rss_mb": imports_rss,
        "peak_rss_mb": _peak_rss_mb(),
    }


def measure(label: str, directory: Path, organisations: int, runs: int) -> dict[str, Any]:
    """Median over `runs` fresh processes."""
    samples = [_run_child(directory) for _ in range(runs)]

    def mid(key: str, digits: int = 3) -> float:
        return round(median([s[key] for s in samples]), digits)

    return {
        "kb": label,
        "organisations": organisations,
        "runs": runs,
        "load_s": mid("load_s"),
        "index_s": mid("index_s"),
        "total_s": round(median([s["load_s"] + s["index_s"] for s in samples]), 3),
        "imports_rss_mb": mid("imports_rss_mb", 1),
        "peak_rss_mb": mid("peak_rss_mb", 1),
    }


LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def _run_child(directory: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child_command = [sys.executable, "-m", "benchmarks.loading", str(directory)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", LAUNCHER, *child_command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"loading {directory} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1])))
