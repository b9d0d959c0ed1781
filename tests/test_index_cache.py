"""The on-disk index cache: used when nothing changed, rebuilt when anything did or the file is bad."""

from __future__ import annotations

from pathlib import Path

from bot.index_cache import cached_for, cached_index
from bot.knowledge import load
from tests.conftest import NOW, Editable


def test_a_saved_index_answers_like_a_fresh_one(editable: Editable, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert cached_for(editable.path, cache) is None
    kb = load(editable.path)
    built = cached_index(kb, cache)
    saved = cached_for(editable.path, cache)
    assert saved is not None
    question = "food bank"
    assert [m.entry.id for m in saved.rank(question, NOW).matches] == [
        m.entry.id for m in built.rank(question, NOW).matches
    ]


def test_a_changed_file_is_not_served_from_the_cache(editable: Editable, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached_index(load(editable.path), cache)
    first = next(editable.path.glob("*.yaml"))
    first.write_text(first.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert cached_for(editable.path, cache) is None


def test_a_damaged_cache_file_is_rebuilt(editable: Editable, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kb = load(editable.path)
    cached_index(kb, cache)
    [saved] = list(cache.glob("index-*.pickle"))
    saved.write_bytes(b"not a pickle")
    assert cached_for(editable.path, cache) is None
    assert cached_index(kb, cache).kb.version == kb.version
