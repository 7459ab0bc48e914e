from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from laodong.accounts.permissions import Capability, require_capability
from laodong.forms.definitions import FORM_CODES, FormDefinition, UnknownForm, get_form
from laodong.forms.pdf import render_form_pdf
from laodong.forms.template import build_template


def _form(code: str) -> FormDefinition:
    try:
        return get_form(code)
    except UnknownForm as error:
        raise Http404 from error


@login_required
def list_forms(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_UNITS)
    return render(
        request, "forms/form_list.html", {"forms": [get_form(code) for code in FORM_CODES]}
    )


@login_required
def download_template(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_UNITS)
    response = HttpResponse(
        build_template(_form(code)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="mau-phieu-{code}.xlsx"'
    return response


@login_required
def view_schema(request: HttpRequest, code: str) -> JsonResponse:
    require_capability(request.user, Capability.VIEW_UNITS)
    return JsonResponse(_form(code).as_dict(), json_dumps_params={"ensure_ascii": False})


@login_required
def download_blank_pdf(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_UNITS)
    response = HttpResponse(render_form_pdf(_form(code)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-trang-{code}.pdf"'
    return response
