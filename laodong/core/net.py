"""The client's address as the application sees it, behind as many proxies as configured."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind LAODONG_PROXY_COUNT reverse proxies, each
    appending the address it saw to X-Forwarded-For, it is that many entries from the right
    (entries further left can be made up by the client)."""
    count = getattr(settings, "LAODONG_PROXY_COUNT", 0)
    if count:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [part for part in chain if part]
        if len(chain) >= count:
            return chain[-count][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]
