"""Remembers the requesting address for the audit events a request's services write."""

from __future__ import annotations

import contextvars

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def current_ip() -> str | None:
    """The client address of the request being served, or None outside a request."""
    return _client_ip.get()


class RequestContextMiddleware:
    """Stores REMOTE_ADDR in a context variable for the duration of the request.

    Only REMOTE_ADDR is trusted: behind a proxy, configure the proxy (or gunicorn's
    ``forwarded_allow_ips``) to set it, rather than trusting client-sent headers here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
