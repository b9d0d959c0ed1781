"""`python -m benchmarks --quick` runs every benchmark end to end and writes every figure.

Only that the code works is checked here, never how fast it is: timings depend on the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import main

LATENCY = ("organisations", "samples", "index_p50_ms", "index_p99_ms", "naive_p50_ms", "naive_p99_ms", "crisis_p50_ms")
LOAD = ("organisations", "load_s", "index_s", "total_s", "imports_rss_mb", "peak_rss_mb")
E2E = (
    "messages",
    "sanctuary_seconds",
    "echo_seconds",
    "sanctuary_answers_per_s",
    "echo_answers_per_s",
    "ratio",
    "sanctuary_cpu_ms_per_answer",
    "echo_cpu_ms_per_answer",
)
BROADCAST = ("subscribers", "configured_rate", "fake_limit_per_s", "seconds", "achieved_rate", "ratio")
COLD_START = ("runs", "median_s", "min_s", "max_s", "median_cpu_s")


def positive(row: dict[str, object], keys: tuple[str, ...]) -> None:
    for key in keys:
        value = row[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert value > 0, (key, value)


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    target = tmp_path_factory.mktemp("bench") / "quick.json"
    assert main(["--quick", "--json", str(target)]) == 0
    data: dict[str, object] = json.loads(target.read_text(encoding="utf-8"))
    return data


def test_latency_and_load_cover_the_shipped_and_a_synthetic_knowledge_base(figures: dict[str, object]) -> None:
    for section, keys in (("latency", LATENCY), ("load", LOAD)):
        rows = figures[section]
        assert isinstance(rows, list)
        assert rows[0]["kb"] == "shipped"
        assert any(str(row["kb"]).startswith("synthetic-") for row in rows)
        for row in rows:
            positive(row, keys)


def test_end_to_end_broadcast_and_cold_start_have_every_figure(figures: dict[str, object]) -> None:
    for section, keys in (("e2e", E2E), ("broadcast", BROADCAST), ("cold_start", COLD_START)):
        row = figures[section]
        assert isinstance(row, dict)
        positive(row, keys)
    broadcast = figures["broadcast"]
    assert isinstance(broadcast, dict)
    assert isinstance(broadcast["too_many_requests"], int) and broadcast["too_many_requests"] >= 0


def test_every_target_is_judged(figures: dict[str, object]) -> None:
    targets = figures["targets"]
    assert isinstance(targets, list) and len(targets) == 6
    assert all(isinstance(t["met"], bool) and t["measured"] for t in targets)
    meta = figures["meta"]
    assert isinstance(meta, dict) and meta["quick"] is True


def test_synthetic_organisations_are_valid_and_plainly_not_real(tmp_path: Path) -> None:
    from benchmarks.synthetic import generate
    from bot.knowledge import check

    kb, problems = check(generate(tmp_path / "kb", 40))
    assert kb is not None, [str(p) for p in problems if p.severity == "error"]
    assert len(kb.organisations) == 40
    assert len({o.name for o in kb.organisations}) == 40
    for organisation in kb.organisations:
        assert organisation.phone is not None and organisation.phone.startswith("01632 960")
        assert organisation.email is not None and organisation.email.endswith("@example.org")
        assert all(source.startswith("https://example.org/") for source in organisation.sources)
    assert (
        generate(tmp_path / "again", 40).joinpath("organisations.yaml").read_text()
        == (tmp_path / "kb" / "organisations.yaml").read_text()
    ), "the same seed gives the same knowledge base"
