"""The rate limit on the question routes: a token bucket per client address; 429 with
`Retry-After` and a JSON body.

One `RateLimiter` per server holds the buckets: the middleware takes from it for the HTTP question
routes, and the MCP tools that do work (`ask`, `search_paragraphs`, ui/mcp.py) take from the same
one, so a client cannot get around the limit by changing doors. The middleware sits inside CORS,
so a 429 still carries the CORS headers a widget on another site needs to read it. Everything
that takes runs on the event loop, one call at a time, so the table needs no lock.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from reso.prompts import phrase
from reso.ui.middleware.addresses import Network, ip_of, within
from reso.ui.middleware.context import json_response_messages, request_id_of

# the question routes: /api/ask's, and the OpenAI-compatible chat (ui/http/openai.py), same bucket
RATE_LIMITED_PATHS = frozenset({"/api/ask", "/api/ask/stream", "/v1/chat/completions"})
MAX_TRACKED_CLIENTS = 10_000  # buckets kept; the least recently seen client is forgotten first
_PER = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int
    text: str  # as configured, for the error message

    @classmethod
    def parse(cls, value: str, burst: int) -> Rate | None:
        """'30/minute' → 0.5 token/s; '0', 'off', 'none' or '' → None (no limit)."""
        text = (value or "").strip().lower()
        if text in ("", "0", "off", "none"):
            return None
        match = re.fullmatch(r"(\d+)\s*/\s*([a-z]+)", text)
        if not match or match.group(2) not in _PER:
            raise ValueError(f"RESO_RATE_LIMIT: {value!r} is not like '30/minute' (or 'off')")
        count = int(match.group(1))
        if count == 0:
            return None
        return cls(count / _PER[match.group(2)], max(1, burst), f"{count}/{match.group(2)}")


class TokenBuckets:
    """One bucket per client key, holding at most `burst` tokens, refilled at the rate.

    Bounded: past `max_clients` keys the least recently seen is dropped (a forgotten client starts
    with a full bucket again, which is what an idle one would have anyway).
    """

    def __init__(self, rate: Rate, max_clients: int = MAX_TRACKED_CLIENTS, clock=time.monotonic):
        self.rate = rate
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """0 when a token was taken; else the seconds until one will be there."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(self.rate.burst), now))
        tokens = min(float(self.rate.burst), tokens + (now - at) * self.rate.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate.per_second
        self._buckets[key] = (tokens, now)  # re-inserted last: the most recently seen
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


def client_key(address: str) -> str:
    """IPv6 clients are keyed by their /64: one host usually holds a whole /64 to rotate through."""
    ip = ip_of(address)
    if ip is not None and ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip) if ip is not None else address


class RateLimiter:
    """The server's buckets and who is exempt from them, shared by every door that answers questions."""

    def __init__(self, rate: Rate, exempt: Sequence[Network] = (), max_clients: int = MAX_TRACKED_CLIENTS):
        self.rate = rate
        self.buckets = TokenBuckets(rate, max_clients)
        self.exempt = tuple(exempt)

    def retry_after(self, address: str) -> int:
        """0 when `address` may ask now (a token taken, or exempt); else whole seconds to wait."""
        if within(ip_of(address), self.exempt):
            return 0
        wait = self.buckets.take(client_key(address))
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def message(self, retry: int) -> str:
        return phrase("api_rate_limited", "en", rate=self.rate.text, burst=str(self.rate.burst), retry=str(retry))


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, paths: Iterable[str] = RATE_LIMITED_PATHS):
        self.app = app
        self.limiter = limiter
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        retry = self.limiter.retry_after((scope.get("client") or ("", 0))[0] or "")
        if retry:
            body = {"error": self.limiter.message(retry), "retry_after": retry}
            if (request_id := request_id_of(scope)) is not None:
                body["request_id"] = request_id
            if scope["path"].startswith("/v1/"):  # OpenAI's error shape, which its SDKs read
                body = {"error": {"message": body["error"], "type": "rate_limit_error", "param": None,
                                  "code": "rate_limit_exceeded"}}
            for message in json_response_messages(429, body, [(b"retry-after", str(retry).encode())]):
                await send(message)
            return
        await self.app(scope, receive, send)
