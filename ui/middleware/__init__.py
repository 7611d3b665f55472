"""What the server does to every request before and after the routes, one module per concern:

    context.py    (outermost) client address, request id, access log, last-resort JSON 500
    headers.py    security headers and the UI page's CSP nonce
    ratelimit.py  (innermost, inside CORS) the token bucket on the question routes
    addresses.py  which client address to believe

All pure ASGI (no `BaseHTTPMiddleware`): streamed answers pass through unbuffered.
`install_rate_limit` must be called before `reso.ui.http.install` adds CORS, `install` after it:
Starlette wraps the middleware added last around the others.
"""

from __future__ import annotations

from reso.settings import Settings
from reso.ui.middleware.addresses import parse_networks
from reso.ui.middleware.context import RequestContextMiddleware
from reso.ui.middleware.headers import SecurityHeadersMiddleware
from reso.ui.middleware.ratelimit import Rate, RateLimiter, RateLimitMiddleware


def install_rate_limit(app, settings: Settings) -> RateLimiter | None:
    """Before `reso.ui.http.install`: the limiter then sits inside CORS.

    The limiter (None when RESO_RATE_LIMIT is off) is also kept as `app.state.rate_limiter`, where
    `reso.ui.mcp.install` finds it: the MCP tools take from the same buckets.
    """
    rate = Rate.parse(settings.rate_limit, settings.rate_limit_burst)
    limiter = None
    if rate is not None:
        limiter = RateLimiter(rate, parse_networks(settings.rate_limit_exempt, "RESO_RATE_LIMIT_EXEMPT"))
        app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.state.rate_limiter = limiter
    return limiter


def install(app, settings: Settings) -> None:
    """After every other middleware: request ids, the access log and security headers wrap them all."""
    app.add_middleware(SecurityHeadersMiddleware, allowed_origins=list(settings.allowed_origins))
    trusted = parse_networks(settings.trusted_proxies, "RESO_TRUSTED_PROXIES")
    app.add_middleware(RequestContextMiddleware, trusted_proxies=trusted)
