from typing import Any

from django.http import HttpRequest

from laodong.accounts.permissions import Capability, has_capability


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's capabilities to templates as `can.view_accounts` etc."""
    user = getattr(request, "user", None)
    return {"can": {c.value: has_capability(user, c) for c in Capability}}
