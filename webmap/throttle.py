"""Failed logins: an account tried from one address waits after too many wrong passwords."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Callable


class LoginThrottle:
    """Refuse a (user name, address) pair after ``limit`` failed logins.

    After ``limit`` failed logins of one pair within ``window_s``, that pair is refused until ``window_s`` after its
    last failure; a successful login clears it.

    Kept in memory: a restart forgives, which is fine for the one-server office the app is made for.
    """

    def __init__(self, *, limit: int = 5, window_s: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait_s(self, username: str, address: str) -> float:
        """Seconds this pair must still wait before it may try again (0: it may)."""
        with self._lock:
            recent = self._recent((username.strip().lower(), address))
            if len(recent) < self.limit:
                return 0.0
            return max(0.0, recent[-1] + self.window_s - self.clock())

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._recent((username.strip().lower(), address)).append(self.clock())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), address), None)

    def forgive(self, username: str) -> None:
        """Clear the account's failures from every address (its password was just reset)."""
        with self._lock:
            for key in [k for k in self._failures if k[0] == username.strip().lower()]:
                del self._failures[key]

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._failures[key]
        while times and times[0] < self.clock() - self.window_s:
            times.popleft()
        return times
