"""Every change to accounts goes through these functions."""

from __future__ import annotations

import re
import secrets
from typing import IO, Any

from axes.utils import reset as reset_lockouts
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laodong.accounts.models import ROLE_LEVELS, Role, User
from laodong.accounts.permissions import Capability, assignable_roles, require_capability
from laodong.audit.models import record_event
from laodong.core.concurrency import check_token
from laodong.core.imports import ImportReport
from laodong.core.tabular import CellError, Column, TableError, import_rows, read_table, row_limit
from laodong.core.text import fold, normalize_text
from laodong.units.models import Level, Unit

# No 0/O, 1/l/I: temporary passwords are read aloud and typed on phones.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)
_PHONE = re.compile(r"^0\d{9}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{3,150}$")


class AccountError(Exception):
    """An account change was refused; the message is for the user."""


def generate_password(length: int = 10) -> str:
    """A random temporary password that passes the password validators."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
            continue
        try:
            validate_password(password)
        except ValidationError:
            continue
        return password


def normalize_phone(raw: str) -> str:
    """Return a 10-digit number starting with 0, or '' when it is not a Vietnamese number."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits.isdigit():
        digits = "0" + digits  # Excel drops the leading zero of numbers typed as numbers.
    return digits if _PHONE.match(digits) else ""


def _check_role_and_unit(acting_user: Any, role: str, unit: Unit) -> None:
    if role not in assignable_roles(acting_user):
        raise PermissionDenied
    if not acting_user.unit.contains(unit):
        raise AccountError(_("Đơn vị này nằm ngoài phạm vi quản lý của bạn."))
    if unit.valid_to is not None:
        raise AccountError(_("Đơn vị này đã hết hiệu lực."))
    if unit.level not in ROLE_LEVELS[role]:
        levels = ", ".join(str(Level(level).label).lower() for level in ROLE_LEVELS[role])
        raise AccountError(
            _("Vai trò “%(role)s” phải thuộc đơn vị cấp: %(levels)s.")
            % {"role": Role(role).label, "levels": levels}
        )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from error


@transaction.atomic
def create_account(
    *,
    acting_user: Any,
    username: str,
    full_name: str,
    role: str,
    unit: Unit,
    phone: str = "",
    email: str = "",
    password: str = "",
) -> tuple[User, str]:
    """Create an account that must change its password at first login.

    Returns the account and its temporary password (generated when none is given).
    """
    require_capability(acting_user, Capability.MANAGE_ACCOUNTS)
    _check_role_and_unit(acting_user, role, unit)
    username = username.strip()
    full_name = normalize_text(full_name)
    if not full_name:
        raise AccountError(_("Họ và tên không được để trống."))
    if not _USERNAME.match(username):
        raise AccountError(_("Tên đăng nhập gồm 3–150 chữ cái không dấu, chữ số hoặc . _ @ + -"))
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("Tên đăng nhập “%(name)s” đã có người dùng.") % {"name": username})
    account = User(
        username=username,
        full_name=full_name,
        phone=phone,
        email=_email(email),
        role=role,
        unit=unit,
        must_change_password=True,
        created_by=acting_user,
    )
    temporary = password or generate_password()
    _check_password(temporary, account)
    account.set_password(temporary)
    account.save()
    record_event(
        actor=acting_user,
        action="accounts.create",
        target=account,
        unit=unit,
        details={"role": role},
    )
    return account, temporary


def _email(text: str) -> str:
    """An e-mail address as stored: trimmed, lower case; refused when it is not one."""
    address = (text or "").strip().lower()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        raise AccountError(
            _("“%(value)s” không phải địa chỉ thư điện tử (ví dụ: ten@laodong.gov.vn).")
            % {"value": text}
        ) from None
    return address


def account_values(
    full_name: str, phone: str, role: str, unit: Unit | None, email: str = ""
) -> dict[str, str]:
    """An account's editable values as its page shows them (what its edit token guards)."""
    return {
        "full_name": normalize_text(full_name),
        "phone": phone or "",
        "email": (email or "").strip().lower(),
        "role": str(Role(role).label) if role in Role.values else role,
        "unit": unit.label() if unit is not None else "",
    }


ACCOUNT_LABELS = {
    "full_name": gettext_lazy("Họ và tên"),
    "phone": gettext_lazy("Số điện thoại"),
    "email": gettext_lazy("Thư điện tử"),
    "role": gettext_lazy("Vai trò"),
    "unit": gettext_lazy("Đơn vị"),
}


@transaction.atomic
def update_account(
    *,
    acting_user: Any,
    account: User,
    full_name: str,
    phone: str,
    role: str,
    unit: Unit,
    email: str = "",
    loaded_token: str | None = None,
) -> User:
    """Change an account's name, phone, e-mail, role or unit."""
    require_capability(acting_user, Capability.MANAGE_ACCOUNTS)
    account = User.objects.select_for_update().get(pk=account.pk)
    check_token(
        loaded_token,
        current=account_values(
            account.full_name, account.phone, account.role, account.unit, account.email
        ),
        mine=account_values(full_name, phone, role, unit, email),
        labels={key: str(label) for key, label in ACCOUNT_LABELS.items()},
    )
    if account.role not in assignable_roles(acting_user):
        raise PermissionDenied
    _check_role_and_unit(acting_user, role, unit)
    full_name = normalize_text(full_name)
    if not full_name:
        raise AccountError(_("Họ và tên không được để trống."))
    if account.pk == acting_user.pk and (role != account.role or unit.pk != account.unit_id):
        raise AccountError(_("Bạn không thể tự đổi vai trò hay đơn vị của chính mình."))
    changes = {
        key: [str(getattr(account, key)), str(value)]
        for key, value in {"role": role, "unit_id": unit.pk}.items()
        if getattr(account, key) != value
    }
    account.full_name, account.phone, account.role, account.unit = full_name, phone, role, unit
    account.email = _email(email)
    account.save(update_fields=["full_name", "phone", "email", "role", "unit"])
    record_event(
        actor=acting_user,
        action="accounts.update",
        target=account,
        unit=unit,
        details={"changes": changes},
    )
    return account


def _set_active(acting_user: Any, account: User, active: bool) -> User:
    require_capability(acting_user, Capability.MANAGE_ACCOUNTS)
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.role not in assignable_roles(acting_user):
        raise PermissionDenied
    if account.pk == acting_user.pk:
        raise AccountError(_("Bạn không thể tự khóa tài khoản của chính mình."))
    if account.is_active == active:
        raise AccountError(
            _("Tài khoản đang hoạt động.") if active else _("Tài khoản đã bị khóa từ trước.")
        )
    account.is_active = active
    account.save(update_fields=["is_active"])
    record_event(
        actor=acting_user,
        action="accounts.reactivate" if active else "accounts.deactivate",
        target=account,
        unit=account.unit,
    )
    return account


@transaction.atomic
def deactivate_account(*, acting_user: Any, account: User) -> User:
    """Lock an account: it can no longer sign in; its history stays."""
    return _set_active(acting_user, account, active=False)


@transaction.atomic
def reactivate_account(*, acting_user: Any, account: User) -> User:
    """Unlock a locked account."""
    return _set_active(acting_user, account, active=True)


@transaction.atomic
def reset_password(*, acting_user: Any, account: User) -> str:
    """Give the account a new temporary password to be changed at next login."""
    require_capability(acting_user, Capability.MANAGE_ACCOUNTS)
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.role not in assignable_roles(acting_user):
        raise PermissionDenied
    temporary = generate_password()
    account.set_password(temporary)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    # A new temporary password also lifts a lockout after wrong passwords (the unlock path).
    unlocked = reset_lockouts(username=account.username)
    record_event(
        actor=acting_user,
        action="accounts.reset_password",
        target=account,
        unit=account.unit,
        details={"unlocked": unlocked},
    )
    return temporary


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> None:
    """Set the user's own password (already validated by the form) and lift the first-login lock."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record_event(actor=user, action="accounts.change_password", target=user, unit=user.unit)


# --- bulk import -------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    Column("full_name", _("Họ và tên"), ("ho ten", "ten", "ho va ten can bo", "full name")),
    Column("phone", _("Số điện thoại"), ("so dien thoai", "dien thoai", "sdt", "so dt", "phone")),
    Column("role", _("Vai trò"), ("vai tro", "chuc danh", "nhiem vu", "role")),
    Column(
        "village",
        _("Thôn"),
        ("thon", "thon to dan pho", "ten thon", "dia ban", "village"),
        required=False,
    ),
    Column("commune_code", _("Mã xã"), ("ma xa", "ma xa phuong", "commune code"), required=False),
    Column(
        "email", _("Thư điện tử"), ("email", "e mail", "thu dien tu", "hop thu"), required=False
    ),
)

_ROLE_ALIASES: dict[str, Role] = {
    "dieu tra vien": Role.ENUMERATOR,
    "dtv": Role.ENUMERATOR,
    "thanh vien to cong tac": Role.ENUMERATOR,
    "truong thon": Role.VILLAGE_HEAD,
    "truong ban": Role.VILLAGE_HEAD,
    "to truong to dan pho": Role.VILLAGE_HEAD,
    "cong chuc lao dong": Role.COMMUNE_LABOR_OFFICER,
    "cong chuc ldtbxh": Role.COMMUNE_LABOR_OFFICER,
    "cong chuc van hoa xa hoi": Role.COMMUNE_LABOR_OFFICER,
    "can bo lao dong": Role.COMMUNE_LABOR_OFFICER,
    "cong an xa": Role.COMMUNE_POLICE,
    "cong an phuong": Role.COMMUNE_POLICE,
    "lanh dao xa": Role.COMMUNE_LEADER,
    "chu tich ubnd xa": Role.COMMUNE_LEADER,
    "pho chu tich ubnd xa": Role.COMMUNE_LEADER,
    "chu tich": Role.COMMUNE_LEADER,
    "pho chu tich": Role.COMMUNE_LEADER,
    "ke toan": Role.COMMUNE_FINANCE_OFFICER,
    "cong chuc tai chinh ke toan": Role.COMMUNE_FINANCE_OFFICER,
    "so noi vu": Role.PROVINCE_LABOR_DEPARTMENT,
    "cong an tinh": Role.PROVINCE_POLICE,
    "lanh dao so noi vu": Role.PROVINCE_LEADER,
    "giam doc so noi vu": Role.PROVINCE_LEADER,
    "bo noi vu": Role.MINISTRY,
    "quan tri he thong": Role.SYSTEM_ADMINISTRATOR,
}


def parse_role(text: str) -> Role | None:
    """Match a role written the way officials write it (with or without diacritics)."""
    folded = fold(text).replace("-", " ").replace("–", " ")
    folded = " ".join(folded.split())
    for role in Role:
        if folded in (role.value.replace("_", " "), " ".join(fold(str(role.label)).split())):
            return role
    return _ROLE_ALIASES.get(folded)


@transaction.atomic
def import_accounts(*, acting_user: Any, stream: IO[bytes], filename: str) -> ImportReport:
    """Create accounts from an XLSX/CSV list (name, phone, role, village).

    The phone number becomes the login name. All rows are checked first; one bad row means
    nothing is created. `created_items` holds (account, temporary password) pairs.
    """
    require_capability(acting_user, Capability.MANAGE_ACCOUNTS)
    report = ImportReport()
    try:
        # Each account's temporary password is hashed (PBKDF2, about 0.5 s on a small
        # server) within this request: a bounded list keeps it within a proxy's 30 seconds.
        with row_limit(import_rows("LAODONG_ACCOUNT_IMPORT_ROWS", 40)):
            table = read_table(stream, filename, ACCOUNT_COLUMNS)
    except TableError as error:
        report.file_error = str(error)
        return report
    report.unknown_headers = table.unknown_headers
    report.encoding_name = table.encoding_name
    labels = {c.key: c.label for c in ACCOUNT_COLUMNS}

    def add_error(row: int, key: str, message: str) -> None:
        column = table.column_letter(key) if key in table.positions else None
        report.errors.append(CellError(row, message, column, str(labels[key]), table.sheet))

    own_unit: Unit = acting_user.unit
    communes = {
        u.code: u for u in Unit.objects.current().within(own_unit).filter(level=Level.COMMUNE)
    }
    allowed = assignable_roles(acting_user)
    seen_phones: dict[str, int] = {}
    plans: list[tuple[int, str, str, str, Role, Unit]] = []
    for row, record in table.rows:
        full_name = record["full_name"]
        phone = normalize_phone(record["phone"])
        role = parse_role(record["role"])
        email = ""
        if not full_name:
            add_error(row, "full_name", _("Để trống. Hãy ghi họ và tên."))
        try:
            email = _email(record.get("email", ""))
        except AccountError as refused:
            add_error(row, "email", str(refused))
        if not phone:
            add_error(
                row,
                "phone",
                _("“%(value)s” không phải số điện thoại di động 10 chữ số (bắt đầu bằng 0).")
                % {"value": record["phone"]},
            )
        elif phone in seen_phones:
            add_error(
                row,
                "phone",
                _("Trùng số điện thoại với dòng %(row)s.") % {"row": seen_phones[phone]},
            )
        elif User.objects.filter(username=phone).exists():
            add_error(row, "phone", _("Số điện thoại này đã có tài khoản."))
        if phone:
            seen_phones.setdefault(phone, row)
        if role is None:
            add_error(
                row,
                "role",
                _("Không hiểu vai trò “%(value)s”. Hãy ghi một trong: %(roles)s.")
                % {"value": record["role"], "roles": ", ".join(str(r.label) for r in allowed)},
            )
            continue
        if role not in allowed:
            add_error(
                row,
                "role",
                _("Bạn không được tạo tài khoản vai trò “%(role)s”.") % {"role": role.label},
            )
            continue
        commune: Unit | None = own_unit if own_unit.level == Level.COMMUNE else None
        if record.get("commune_code"):
            commune = communes.get(record["commune_code"].zfill(5))
            if commune is None:
                add_error(
                    row,
                    "commune_code",
                    _("Không có xã mã “%(code)s” trong phạm vi của bạn.")
                    % {"code": record["commune_code"]},
                )
                continue
        unit: Unit | None = own_unit
        if record.get("village"):
            if commune is None:
                add_error(row, "commune_code", _("Có tên thôn thì phải ghi mã xã của thôn."))
                continue
            unit = (
                Unit.objects.current()
                .filter(parent=commune, level=Level.VILLAGE, name_folded=fold(record["village"]))
                .first()
            )
            if unit is None:
                add_error(
                    row,
                    "village",
                    _("%(commune)s không có thôn “%(village)s”. Hãy thêm thôn trước hoặc sửa tên.")
                    % {"commune": commune.label(), "village": record["village"]},
                )
                continue
        elif commune is not None:
            unit = commune
        assert unit is not None
        if unit.level not in ROLE_LEVELS[role]:
            key = "village" if Level.VILLAGE in ROLE_LEVELS[role] else "role"
            add_error(
                row,
                key,
                _("Vai trò “%(role)s” cần ghi rõ thôn.") % {"role": role.label}
                if key == "village"
                else _("Vai trò “%(role)s” không thuộc đơn vị “%(unit)s”.")
                % {"role": role.label, "unit": unit.name},
            )
            continue
        if full_name and phone:
            plans.append((row, full_name, phone, email, role, unit))
    if report.errors:
        return report
    for row, full_name, phone, email, role, unit in plans:
        try:
            account, temporary = create_account(
                acting_user=acting_user,
                username=phone,
                full_name=full_name,
                role=role,
                unit=unit,
                phone=phone,
                email=email,
            )
        except AccountError as refused:
            # Changed by someone else since the check: write nothing, say which row.
            transaction.set_rollback(True)
            add_error(row, "phone", str(refused))
            report.created_items, report.created = [], 0
            return report
        report.created_items.append((account, temporary))
        report.created += 1
    return report
