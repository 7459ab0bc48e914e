"""JSON API, version 1. The domain code never imports this module; it only calls the domain.

GET  /api/v1/openapi.json                 this API as OpenAPI 3.1
GET  /api/v1/forms/                       form versions
GET  /api/v1/forms/<code>/                a version's definition (items, options, skip rules)
POST /api/v1/forms/<code>/validate/       {"answers": {...}, "reference_date": "dd/mm/yyyy"}
                                          → {"valid": bool, "findings": [...], "values": {...}}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from laodong.accounts.permissions import Capability, has_capability
from laodong.api.openapi import SCHEMA
from laodong.forms.dates import PartialDate, parse_date
from laodong.forms.definitions import FORM_CODES, UnknownForm, get_form
from laodong.forms.validation import validate_answers

JSON_OPTIONS = {"ensure_ascii": False}


def _plain(value: Any) -> bool:
    """An answer as a form holds it: text, a number, yes/no, nothing, or a list of texts."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    return isinstance(value, list) and all(isinstance(part, str) for part in value)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params=JSON_OPTIONS)


def api_login_required(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """401/403 as JSON instead of a redirect to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return _error(401, _("Cần đăng nhập."))
        if not has_capability(request.user, Capability.VIEW_UNITS):
            return _error(403, _("Tài khoản không có quyền dùng chức năng này."))
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
def openapi_schema(request: HttpRequest) -> JsonResponse:
    """The API's description (no data in it, so no sign-in needed)."""
    return JsonResponse(SCHEMA, json_dumps_params=JSON_OPTIONS)


@require_GET
@api_login_required
def list_forms(request: HttpRequest) -> JsonResponse:
    forms = [get_form(code) for code in FORM_CODES]
    return JsonResponse(
        {
            "forms": [
                {"code": f.code, "form_number": f.form_number, "legal_basis": f.legal_basis}
                for f in forms
            ]
        },
        json_dumps_params=JSON_OPTIONS,
    )


@require_GET
@api_login_required
def view_form(request: HttpRequest, code: str) -> JsonResponse:
    try:
        form = get_form(code)
    except UnknownForm:
        return _error(404, _("Không có mẫu phiếu này."))
    return JsonResponse(form.as_dict(), json_dumps_params=JSON_OPTIONS)


# Validation reads and computes only; nothing is stored, so no CSRF token is needed for it.
@csrf_exempt
@require_POST
@api_login_required
def validate_form(request: HttpRequest, code: str) -> JsonResponse:
    try:
        form = get_form(code)
    except UnknownForm:
        return _error(404, _("Không có mẫu phiếu này."))
    try:
        body = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        return _error(413, _("Nội dung gửi lên quá lớn."))
    except RecursionError:
        return _error(400, _("JSON lồng nhau quá sâu."))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, _("Nội dung gửi lên không phải JSON hợp lệ."))
    answers = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(answers, dict):
        return _error(400, _("Thiếu “answers”: một đối tượng JSON gồm các mục của phiếu."))
    wrong = sorted(key for key, value in answers.items() if not _plain(value))[:5]
    if wrong:
        return _error(
            400,
            _("Mục %(items)s phải là chữ, số, true/false, null hoặc danh sách chữ.")
            % {"items": ", ".join(wrong)},
        )
    reference = None
    if body.get("reference_date"):
        parsed = parse_date(str(body["reference_date"]))
        if parsed is None:
            return _error(400, _("“reference_date” phải ghi dạng dd/mm/yyyy."))
        reference = parsed.value
    result = validate_answers(form, answers, reference_date=reference)
    values = {
        key: str(value) if isinstance(value, PartialDate) else value
        for key, value in result.values.items()
        if value not in ("", [], None)
    }
    return JsonResponse(
        {
            "form": form.code,
            "valid": not result.errors,
            "findings": [finding.as_dict() for finding in result.findings],
            "unknown_items": sorted(key for key in answers if not form.has_item(key)),
            "values": values,
        },
        json_dumps_params=JSON_OPTIONS,
    )
