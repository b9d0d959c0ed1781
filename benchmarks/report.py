"""The figures as Markdown tables, and each target met or missed."""

from __future__ import annotations

from typing import Any

Results = dict[str, Any]


def targets(results: Results) -> list[dict[str, Any]]:
    """Each target, with the measured number and whether it is met."""
    latency = {row["kb"]: row for row in results["latency"]}
    shipped, largest = latency["shipped"], max(results["latency"], key=lambda row: row["organisations"])
    load = {row["kb"]: row for row in results["load"]}
    e2e, broadcast, cold = results["e2e"], results["broadcast"], results["cold_start"]
    ours, echo = e2e["sanctuary_answers_per_s"], e2e["echo_answers_per_s"]
    sent, configured, refused = broadcast["ratio"], broadcast["configured_rate"], broadcast["too_many_requests"]
    return [
        {
            "target": "answer p99 < 1 ms, shipped knowledge base",
            "measured": f"{shipped['index_p99_ms']:.2f} ms",
            "met": shipped["index_p99_ms"] < 1.0,
        },
        {
            "target": f"answer p99 < 5 ms, {largest['organisations']:,} organisations",
            "measured": f"{largest['index_p99_ms']:.2f} ms",
            "met": largest["index_p99_ms"] < 5.0,
        },
        {
            "target": "end to end >= 80% of the echo bot",
            "measured": f"{e2e['ratio']:.0%} ({ours:.0f} vs {echo:.0f} answers/s)",
            "met": e2e["ratio"] >= 0.8,
        },
        {
            "target": "broadcast >= 95% of the configured rate, no 429",
            "measured": f"{sent:.1%} of {configured:g}/s, {refused} x 429",
            "met": broadcast["ratio"] >= 0.95 and broadcast["too_many_requests"] == 0,
        },
        {
            "target": "cold start < 1 s",
            "measured": f"{cold['median_s']:.2f} s",
            "met": cold["median_s"] < 1.0,
        },
        {
            "target": "peak RSS < 100 MB, shipped knowledge base",
            "measured": f"{load['shipped']['peak_rss_mb']:.0f} MB",
            "met": load["shipped"]["peak_rss_mb"] < 100.0,
        },
    ]


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    return [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells[1:]), ""]


def render(results: Results) -> str:
    """All sections as Markdown, ready for the terminal and for RESULTS.md."""
    out: list[str] = []
    out += ["### 1. Answer latency per question (ms, warm)", ""]
    out += _table(
        ["Knowledge base", "Organisations", "Samples", "p50", "p99", "naive p50", "naive p99", "crisis check p50"],
        [
            [
                r["kb"],
                f"{r['organisations']:,}",
                r["samples"],
                f"{r['index_p50_ms']:.3f}",
                f"{r['index_p99_ms']:.3f}",
                f"{r['naive_p50_ms']:.3f}",
                f"{r['naive_p99_ms']:.3f}",
                f"{r.get('crisis_p50_ms', float('nan')):.4f}",
            ]
            for r in results["latency"]
        ],
    )
    out += ["### 2. Load + index, each in a fresh process (median of runs)", ""]
    out += _table(
        ["Knowledge base", "Organisations", "Runs", "load s", "index s", "total s", "RSS imports MB", "peak RSS MB"],
        [
            [
                r["kb"],
                f"{r['organisations']:,}",
                r["runs"],
                f"{r['load_s']:.3f}",
                f"{r['index_s']:.3f}",
                f"{r['total_s']:.3f}",
                f"{r['imports_rss_mb']:.1f}",
                f"{r['peak_rss_mb']:.1f}",
            ]
            for r in results["load"]
        ],
    )
    e2e = results["e2e"]
    ours = e2e["sanctuary_answers_per_s"]
    out += [f"### 3. End to end: {e2e['messages']} questions from {e2e['messages']} users at once", ""]
    out += _table(
        ["Bot", "Seconds to last reply (median)", "Answers/s", "CPU ms per answer"],
        [
            [
                "Sanctuary Bot (real Application)",
                f"{e2e['sanctuary_seconds']:.3f}",
                f"{ours:.1f}",
                f"{e2e['sanctuary_cpu_ms_per_answer']:.2f}",
            ],
            [
                "bare PTB echo bot",
                f"{e2e['echo_seconds']:.3f}",
                f"{e2e['echo_answers_per_s']:.1f}",
                f"{e2e['echo_cpu_ms_per_answer']:.2f}",
            ],
            ["ratio", "", f"{e2e['ratio']:.1%}", ""],
        ],
    )
    b = results["broadcast"]
    out += ["### 4. Broadcast through the outbox", ""]
    out += _table(
        ["Subscribers", "Configured /s", "Fake limit /s", "Seconds", "Achieved /s", "Ratio", "429s"],
        [
            [
                f"{b['subscribers']:,}",
                f"{b['configured_rate']:g}",
                b["fake_limit_per_s"],
                f"{b['seconds']:.3f}",
                f"{b['achieved_rate']:.1f}",
                f"{b['ratio']:.1%}",
                b["too_many_requests"],
            ]
        ],
    )
    c = results["cold_start"]
    out += [f'### 5. Cold start: run_bot.py ask "{c["question"]}"', ""]
    out += _table(
        ["Runs", "Median s", "Min s", "Max s", "Median CPU s"],
        [[c["runs"], f"{c['median_s']:.3f}", f"{c['min_s']:.3f}", f"{c['max_s']:.3f}", f"{c['median_cpu_s']:.3f}"]],
    )
    out += ["### Targets", ""]
    out += _table(
        ["Target", "Measured", "Result"],
        [[t["target"], t["measured"], "met" if t["met"] else "MISSED"] for t in results["targets"]],
    )
    return "\n".join(out)
