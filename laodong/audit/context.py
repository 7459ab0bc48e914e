"""The address of the request being served, for the audit log (set by the middleware)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from laodong.core.net import client_ip

current_address: ContextVar[str] = ContextVar("audit_address", default="")


class RequestAddressMiddleware:
    """Every audit row written while serving a request carries the client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_address.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)
