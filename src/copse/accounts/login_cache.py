"""A short memory of tablet passwords that have just passed a bcrypt check.

Why: a tablet sends its username and password with the first request of
every conversation (wire.md §1.3), so every upload used to start with a
bcrypt check (57 ms at cost 10: most of an everyday no-change upload).
When the same user logs in again with the same password within
``login_cache_seconds``, this memory answers instead.

Why it is safe:

* It holds no password and no fast unsalted hash of one: only
  HMAC-SHA256(password) under a random key made when the process starts and
  never stored or logged.  A copy of the entries without the key is useless;
  and the TTL bounds how long even that stays in memory.
* It is keyed by (user id, the stored hash string).  A password change, a
  hash upgrade, disabling a user (the hash is blanked) or deleting and
  re-creating one all change the key, so an old entry is never found again.
* It answers only "this password was right for this hash a moment ago"; the
  caller still reads the user, the lockout and everything else from the
  database on every login (:func:`copse.accounts.login.check_login`).  Only
  successful checks are remembered, so a wrong password, or any password
  for an unknown user, costs a full bcrypt check as before (no username
  timing oracle; failures are counted as before).  A hit is faster only for
  someone who already knows the right password.
* It is a cache, not state: each process (worker, host) has its own, starts
  empty, and a miss only costs the bcrypt check it replaces.
* Entries expire ``ttl`` seconds after the bcrypt check that made them (a hit
  does not extend them), and there are at most ``max_entries`` of them (the
  oldest go first); only someone who knows a password can add one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: Entries kept at most; far more than the users who log in within a few minutes.
MAX_ENTRIES = 4096


class VerifiedLogins:
    """Thread-safe, bounded, expiring set of (user id, hash, password MAC)."""

    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = float(ttl_seconds)
        self.max_entries = max_entries
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[tuple[int, str], tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0 and self.max_entries > 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _mac(self, hashed: str, password: str) -> bytes:
        # The hash (ASCII, never a NUL) first: the message is unambiguous.
        message = hashed.encode("utf-8") + b"\0" + password.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def verified(self, user_id: int, hashed: str, password: str | None) -> bool:
        """True if this password passed a check against this hash within the TTL."""
        if not self.enabled or not hashed or password is None:
            return False
        key = (user_id, hashed)
        mac = self._mac(hashed, password)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False
            stored_mac, checked_at = entry
            if not 0 <= now - checked_at < self.ttl:
                # Expired (or the clock went back): forget it.
                del self._entries[key]
                return False
        return hmac.compare_digest(stored_mac, mac)

    def remember(self, user_id: int, hashed: str, password: str | None) -> None:
        """Note that ``password`` has just passed a bcrypt check against ``hashed``."""
        if not self.enabled or not hashed or password is None:
            return
        key = (user_id, hashed)
        entry = (self._mac(hashed, password), self._clock())
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
