"""A per-user flood limit: past N messages a minute, one polite "please wait" and then silence."""

from __future__ import annotations

from collections import OrderedDict, deque
from enum import Enum


class Verdict(Enum):
    ANSWER = "answer"
    WARN = "warn"  # the first message over the limit: say "please wait" once
    IGNORE = "ignore"  # further messages inside the same minute


class FloodLimiter:
    """Sliding one-minute window per key, in memory only (nothing about users is stored)."""

    def __init__(self, per_minute: int, window: float = 60.0, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.window = window
        self.max_keys = max_keys
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned: dict[int, float] = {}

    def check(self, key: int, now: float) -> Verdict:
        times = self._seen.pop(key, None) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        self._seen[key] = times  # most recent last, so the oldest keys are evicted first
        if len(self._seen) > self.max_keys:
            old, _ = self._seen.popitem(last=False)
            self._warned.pop(old, None)
        if len(times) < self.per_minute:
            times.append(now)
            self._warned.pop(key, None)
            return Verdict.ANSWER
        warned_at = self._warned.get(key)
        if warned_at is not None and now - warned_at < self.window:
            return Verdict.IGNORE
        self._warned[key] = now
        return Verdict.WARN
