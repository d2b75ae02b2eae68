"""Per-user flood control: a token bucket per sender, so one person's burst slows only them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bucket:
    tokens: float
    updated: float
    warned: bool = False


@dataclass
class FloodControl:
    """`burst` commands at once, then `rate` per second. `delay_for` says how long a command
    must wait (0 when it may run now) and reserves its slot, so queued commands keep order."""

    burst: int = 5
    rate: float = 1.0
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def delay_for(self, sender: str, now: float) -> float:
        bucket = self.buckets.get(sender)
        if bucket is None:
            bucket = self.buckets[sender] = Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        bucket.tokens -= 1.0
        if bucket.tokens >= 0:
            bucket.warned = False
            return 0.0
        return -bucket.tokens / self.rate

    def should_warn(self, sender: str) -> bool:
        """True once per flood: the first command that had to wait gets a polite notice."""
        bucket = self.buckets.get(sender)
        if bucket is None or bucket.warned:
            return False
        bucket.warned = True
        return True
