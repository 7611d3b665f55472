"""Client addresses: which to believe, and how to compare them (used by the request context and
the rate limit)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str], setting: str) -> tuple[Network, ...]:
    """'10.0.0.0/8', '127.0.0.1', '::1' → networks; a typo stops the server with the setting's name."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {value!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return tuple(out)


def ip_of(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def within(ip: Any, networks: Sequence[Network]) -> bool:
    return ip is not None and any(ip.version == n.version and ip in n for n in networks)


def client_address(scope: Scope, trusted: Sequence[Network]) -> str:
    """The connecting address, or — when it is a trusted proxy — the first untrusted address of
    X-Forwarded-For read from the right (the left part is whatever the client chose to send)."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    if not trusted or not within(ip_of(peer), trusted):
        return peer
    forwarded = [
        v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"
    ]
    hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
    for hop in reversed(hops):
        ip = ip_of(hop)
        if ip is None:
            return peer  # a malformed chain: believe nothing in it
        if not within(ip, trusted):
            return str(ip)
    return str(ip_of(hops[0])) if hops else peer


def forwarded_proto(scope: Scope) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == b"x-forwarded-proto":
            proto = v.decode("latin-1").split(",")[0].strip().lower()
            if proto in ("http", "https", "ws", "wss"):
                return proto
    return None

