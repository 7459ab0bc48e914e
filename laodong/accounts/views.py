from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from laodong.accounts import actions, twofactor
from laodong.accounts.access import accounts_in_scope, get_account_for_user
from laodong.accounts.forms import AccountFilterForm, AccountForm, CreateAccountForm
from laodong.accounts.models import User
from laodong.accounts.permissions import (
    Capability,
    assignable_roles,
    has_capability,
    require_capability,
)
from laodong.core.concurrency import StaleEdit, edit_token, posted_token
from laodong.core.paging import keyset_page
from laodong.core.text import fold
from laodong.core.xlsx import template_response
from laodong.units.forms import UploadForm

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_own_password(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("overview-home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def list_accounts(request: HttpRequest) -> HttpResponse:
    """List accounts in scope. Filters come by POST so that a searched name never ends up in a
    URL or a server log."""
    require_capability(request.user, Capability.VIEW_ACCOUNTS)
    data = request.POST if request.method == "POST" else None
    filters = AccountFilterForm(data)
    rows = accounts_in_scope(request.user).select_related("unit")
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        if query:
            rows = rows.filter(
                Q(full_name_folded__contains=fold(query)) | Q(username__icontains=query)
            )
        if filters.cleaned_data["role"]:
            rows = rows.filter(role=filters.cleaned_data["role"])
        if filters.cleaned_data["status"]:
            rows = rows.filter(is_active=filters.cleaned_data["status"] == "active")
    after = data.get("after") if data else None
    page = keyset_page(rows, ("full_name_folded", "pk"), after, PAGE_SIZE)
    return render(
        request,
        "accounts/account_list.html",
        {
            "page": page,
            "filters": filters,
            "can_manage": has_capability(request.user, Capability.MANAGE_ACCOUNTS),
        },
    )


@login_required
def view_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk)
    return render(
        request,
        "accounts/account_view.html",
        {
            "account": account,
            "can_manage": has_capability(request.user, Capability.MANAGE_ACCOUNTS)
            and account.role in assignable_roles(request.user),
            "two_factor": twofactor.enrolled(account),
        },
    )


def _show_password(request: HttpRequest, account: User, password: str) -> HttpResponse:
    # Shown once, never stored in clear: the officer hands it to the person.
    return render(
        request, "accounts/account_password.html", {"account": account, "password": password}
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_account(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_ACCOUNTS)
    form = CreateAccountForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = actions.create_account(
                acting_user=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
                role=data["role"],
                unit=data["unit"],
            )
        except actions.AccountError as error:
            form.add_error(None, str(error))
        else:
            return _show_password(request, account, password)
    return render(request, "accounts/account_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk, write=True)
    if account.role not in assignable_roles(request.user):
        # An account of a role this user may not give (e.g. one that exports full IDs, made
        # by the level above): the page would only end in a refusal.
        raise PermissionDenied
    initial = {
        "full_name": account.full_name,
        "phone": account.phone,
        "email": account.email,
        "role": account.role,
        "unit": account.unit if account.unit else None,
    }
    form = AccountForm(request.POST or None, initial=initial, acting_user=request.user)
    loaded_token = posted_token(request) or edit_token(
        actions.account_values(
            account.full_name, account.phone, account.role, account.unit, account.email
        )
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_account(
                acting_user=request.user,
                account=account,
                loaded_token=posted_token(request),
                **form.cleaned_data,
            )
        except StaleEdit as refused:
            stale, loaded_token = refused, refused.token
            messages.error(request, str(refused))
        except actions.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("accounts-view-account", pk=account.pk)
    return render(
        request,
        "accounts/account_edit.html",
        {"form": form, "account": account, "loaded_token": loaded_token, "stale": stale},
    )


@login_required
@require_POST
def deactivate_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk, write=True)
    try:
        actions.deactivate_account(acting_user=request.user, account=account)
    except actions.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã khóa tài khoản %(name)s.") % {"name": account.username})
    return redirect("accounts-view-account", pk=account.pk)


@login_required
@require_POST
def reactivate_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk, write=True)
    try:
        actions.reactivate_account(acting_user=request.user, account=account)
    except actions.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã mở khóa tài khoản %(name)s.") % {"name": account.username})
    return redirect("accounts-view-account", pk=account.pk)


@login_required
@require_POST
def reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request.user, pk, write=True)
    password = actions.reset_password(acting_user=request.user, account=account)
    return _show_password(request, account, password)


@login_required
@require_http_methods(["GET", "POST"])
def import_accounts(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_ACCOUNTS)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = actions.import_accounts(
            acting_user=request.user, stream=upload, filename=upload.name
        )
    return render(request, "accounts/accounts_import.html", {"form": form, "report": report})


@login_required
def download_account_template(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_ACCOUNTS)
    return template_response(
        "mau-danh-sach-tai-khoan.xlsx",
        ["Họ và tên", "Số điện thoại", "Vai trò", "Thôn", "Mã xã", "Thư điện tử"],
        [
            ["Nguyễn Văn An", "0912345678", "Điều tra viên", "Thôn 1", "", ""],
            ["Lê Thị Bình", "0987654321", "Trưởng thôn", "Thôn 2", "", "binh.thon2@gmail.com"],
        ],
        [
            "Mỗi dòng là một tài khoản. Số điện thoại dùng làm tên đăng nhập.",
            "Vai trò: Điều tra viên, Trưởng thôn, Công chức Văn hóa – Xã hội (lao động), "
            "Công an xã, Lãnh đạo UBND xã, Công chức Tài chính – Kế toán. Tài khoản Công chức "
            "Văn hóa – Xã hội và Công an xã (xuất được số định danh đầy đủ) do quản trị hệ thống "
            "tạo, không do xã tự tạo.",
            "Thôn: bắt buộc với Trưởng thôn; với Điều tra viên thì để trống nếu làm cả xã.",
            "Mã xã: chỉ cần khi người nhập quản lý nhiều xã (cấp tỉnh).",
            "Thư điện tử: không bắt buộc; ghi để người dùng nhận nhắc việc qua thư.",
            "Mỗi tài khoản nhận một mật khẩu tạm, phải đổi ở lần đăng nhập đầu.",
            "Nếu có dòng sai, hệ thống không tạo tài khoản nào và báo rõ dòng, cột cần sửa.",
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a phone: scan the code (or type the key) into an authenticator app, then type
    the code it shows; the recovery codes are shown once."""
    user: Any = request.user
    if twofactor.enrolled(user):
        if not user.is_verified():
            return redirect("accounts-two-factor-verify")
        return render(
            request,
            "accounts/two_factor_status.html",
            {"left": twofactor.recovery_codes_left(user)},
        )
    device = twofactor.pending_device(user)
    error = ""
    if request.method == "POST":
        codes = twofactor.confirm(user, device, request.POST.get("token", ""))
        if codes is not None:
            otp_login(request, device)
            request.session["two_factor"] = True
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
        error = _("Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng.")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "required": twofactor.required(user),
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the phone, or one recovery code."""
    user: Any = request.user
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if user.is_verified():
        return redirect(target or "overview-home")
    if not twofactor.enrolled(user):
        # The enrolment was removed (a lost phone) since this session began.
        request.session["two_factor"] = False
        return redirect(target or "overview-home")
    error = ""
    if request.method == "POST":
        device = twofactor.check(user, request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    _("Đã dùng một mã khôi phục; còn %(count)s mã.")
                    % {"count": twofactor.recovery_codes_left(user)},
                )
            return redirect(target or "overview-home")
        error = _(
            "Mã không đúng hoặc đã hết hạn. Hãy nhập mã mới trong ứng dụng (sai nhiều lần thì "
            "phải chờ lâu hơn mới thử lại được)."
        )
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": target})


@login_required
@require_POST
def remove_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """A lost phone: the account's manager removes its enrolment; it enrols again."""
    account = get_account_for_user(request.user, pk, write=True)
    require_capability(request.user, Capability.MANAGE_ACCOUNTS)
    if account.role not in assignable_roles(request.user):
        raise PermissionDenied
    twofactor.remove(request.user, account)
    messages.success(
        request, _("Đã gỡ xác thực hai bước của %(name)s.") % {"name": account.username}
    )
    return redirect("accounts-view-account", pk=account.pk)
