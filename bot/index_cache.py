"""A built Index kept on disk, so that a fresh process answers in well under a second; and the last
good version of the knowledge, so that a file broken while the bot was down does not stop it.

Building the index folds and tokenizes ~20,000 phrases (about half a second); reading it back
takes a quarter of that. The file name holds the knowledge base's content hash and a hash of the
code that builds the index, so a change to either builds a new one; a file that cannot be read is
simply rebuilt. The cache is the user's own folder: nothing from outside is ever unpickled.

The last good version is a copy of the YAML files themselves (`good-<version>/`), not a pickle, so
that it still loads after the bot's code was updated.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import BinaryIO

from bot import lemmas
from bot.knowledge import KnowledgeBase, check, content_version, yaml_files
from bot.matching import Index
from bot.problems import Problem

log = logging.getLogger(__name__)
CODE = (
    "matching.py",
    "crisis.py",
    "common_words.py",
    "lexicon.py",
    "lemmas.py",
    "text.py",
    "schema.py",
    "knowledge.py",
    "events.py",
    "index_cache.py",
)


def cache_dir() -> Path:
    """$BOT_CACHE_DIR, else the user's cache folder ($XDG_CACHE_HOME or ~/.cache)/sanctuary-bot."""
    configured = os.environ.get("BOT_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sanctuary-bot"


@cache
def code_version() -> str:
    digest = hashlib.sha256(sys.version.encode())
    here = Path(__file__).resolve().parent
    for name in CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


def _read(handle: BinaryIO) -> object:
    """Unpickle with the cyclic garbage collector paused: an index is some 300,000 small objects,
    which it would otherwise scan again and again while they are read (a third of the time)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(handle)  # noqa: S301 - our own file, in the user's own cache folder
    finally:
        if collecting:
            gc.enable()


def cached_for(knowledge: Path, directory: Path | None = None) -> Index | None:
    """The saved index (with its knowledge base) of the YAML in `knowledge` exactly as it is now,
    or None. Only a validated knowledge base is ever saved, so a hit needs no validation."""
    folder = directory or cache_dir()
    path = folder / f"index-{content_version(knowledge)}-{code_version()}.pickle"
    try:
        with path.open("rb") as handle:
            index = _read(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or old file is rebuilt, never trusted
        log.info("index cache %s unreadable (%r): rebuilding", path, exc)
        return None
    return index if isinstance(index, Index) else None


def cached_index(kb: KnowledgeBase, directory: Path | None = None) -> Index:
    """The index of `kb`, read from the cache when it is there, built (and saved) when not."""
    folder = directory or cache_dir()
    path = folder / f"index-{kb.version}-{code_version()}.pickle"
    try:
        with path.open("rb") as handle:
            index = _read(handle)
        if isinstance(index, Index) and index.kb.version == kb.version:
            index.kb = kb  # answer from the very knowledge base the caller loaded
            return index
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged or old file is rebuilt, never trusted
        log.info("index cache %s unreadable (%r): rebuilding", path, exc)
    index = Index(kb)
    lemmas.release()  # the dictionaries are only needed to build
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("index-*.pickle"):
            old.unlink(missing_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)
    except OSError as exc:  # a read-only home folder: answer anyway, just slower next time
        log.info("could not save the index cache in %s: %r", folder, exc)
    return index


def remember_good(directory: Path, kb: KnowledgeBase, cache_folder: Path | None = None) -> None:
    """Keep a copy of the YAML files `kb` was loaded from (a validated version), replacing the
    previous one; files edited meanwhile are not kept. Never fails: without it the bot only loses
    the fallback."""
    folder = cache_folder or cache_dir()
    target = folder / f"good-{kb.version}"
    if target.is_dir():
        return
    temporary = folder / f"good-{kb.version}.tmp"
    try:
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        for path in yaml_files(directory):
            shutil.copy2(path, temporary / path.name)
        if content_version(temporary) != kb.version:  # a volunteer saved a file while it was copied
            shutil.rmtree(temporary, ignore_errors=True)
            return
        temporary.rename(target)
        for old in folder.glob("good-*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        log.warning("could not keep the last good knowledge in %s: %r", folder, exc)


def knowledge_for_start(
    directory: Path, cache_folder: Path | None = None
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """The knowledge base to start on, and the errors of the files as they are now.

    Valid files: their knowledge base (remembered as the last good version) and no errors. Broken
    files: the last good version, if there ever was one, with the errors to report; else None."""
    kb, problems = check(directory)
    if kb is not None:
        remember_good(directory, kb, cache_folder)
        return kb, []
    errors = sorted(p for p in problems if p.severity == "error")
    folder = cache_folder or cache_dir()
    saved = sorted((p for p in folder.glob("good-*") if p.suffix != ".tmp"), key=lambda p: -p.stat().st_mtime)
    for version in saved:
        good, _ = check(version)
        if good is not None:
            return good, errors
    return None, errors
