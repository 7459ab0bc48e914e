"""Every answer under /api/ is JSON, errors included: a wrong method, an unknown address, a
body too large and a server error answer {"error": "…"} with their status, never an HTML
page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _message(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần đăng nhập."),
        403: _("Tài khoản không có quyền dùng chức năng này."),
        404: _("Không có địa chỉ này trong API."),
        405: _("Địa chỉ này không nhận phương thức %(method)s."),
        413: _("Nội dung gửi lên quá lớn."),
    }
    return messages.get(status, _("Lỗi hệ thống; đã ghi lại để xử lý. Hãy thử lại sau."))


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        message = _message(response.status_code)
        if response.status_code == 405:
            message = message % {"method": request.method}
        replaced = JsonResponse(
            {"error": message},
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "Cache-Control", "Content-Security-Policy", "Vary"):
            if header in response:
                replaced[header] = response[header]
        return replaced
