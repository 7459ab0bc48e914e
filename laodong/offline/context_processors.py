"""Pages of an account that collects carry the script that clears the offline app's data on
this phone when the account signs out of the site (docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, has_capability


def page_scripts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not has_capability(user, Capability.COLLECT_FORMS)
    ):
        return {}
    return {
        "page_scripts": [
            {
                "src": static("offline/signout.js"),
                "message": _(
                    "Còn %(count)s phiếu làm ngoại tuyến chưa gửi trên máy này; đăng xuất sẽ "
                    "xóa chúng. Vẫn đăng xuất?"
                ),
            }
        ]
    }
