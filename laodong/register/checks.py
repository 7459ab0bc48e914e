"""`laodong check --deploy`: warn when the connected PostgreSQL keeps settings too small for the
size of the register (docs/operations.md "PostgreSQL settings" gives each reason).

Each setting is compared with what the register needs once it holds more than `LARGE` people:
below that the defaults serve, and no warning is given.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError, connection
from django.utils.translation import gettext_lazy as _

LARGE = 100_000  # people: a large commune; below it PostgreSQL's defaults are enough
MB = 1024 * 1024

# (setting, smallest value in bytes, why) — read with pg_settings' unit.
MINIMUMS: tuple[tuple[str, int, Any], ...] = (
    (
        "shared_buffers",
        1024 * MB,
        _(
            "các giai đoạn và bảng tổng hợp thống kê mà cả tỉnh đọc cần nằm trong bộ nhớ; "
            "khoảng một phần tư bộ nhớ của máy chủ"
        ),
    ),
    (
        "max_wal_size",
        4096 * MB,
        _(
            "một lần nhập danh sách hay cập nhật từ tệp ghi vài GB WAL; với mặc định 1 GB máy "
            "chủ phải ghi checkpoint vài giây một lần"
        ),
    ),
    (
        "maintenance_work_mem",
        256 * MB,
        _("dựng chỉ mục và VACUUM sau khi nhập hàng trăm nghìn dòng"),
    ),
    (
        "work_mem",
        16 * MB,
        _(
            "sắp xếp và bảng băm của danh sách và tệp xuất; laodong chỉ nâng nó cho từng câu "
            "lệnh nặng nhất"
        ),
    ),
)
UNITS = {"B": 1, "kB": 1024, "8kB": 8192, "MB": MB, "16MB": 16 * MB, "GB": 1024 * MB}


def _people() -> int:
    """The register's size as PostgreSQL's statistics know it (no count(*) of millions)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = %s",
            ["register_person"],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _settings() -> dict[str, int]:
    names = [name for name, _minimum, _why in MINIMUMS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting::bigint, coalesce(unit, 'B') FROM pg_settings "
            "WHERE name = ANY(%s)",
            [names],
        )
        return {name: value * UNITS.get(unit, 1) for name, value, unit in cursor.fetchall()}


def _size(value: int) -> str:
    return f"{value // (1024 * MB)} GB" if value >= 1024 * MB else f"{value // MB} MB"


@register("laodong", deploy=True)
def postgres_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if connection.vendor != "postgresql":
        return []
    try:
        people, values = _people(), _settings()
    except DatabaseError as error:
        return [
            Warning(
                _("Không đọc được cấu hình PostgreSQL: %(error)s.")
                % {"error": error.__class__.__name__},
                hint=str(_("Kiểm tra DATABASE_URL và kết nối tới cơ sở dữ liệu.")),
                id="laodong.W101",
            )
        ]
    if people < LARGE:
        return []
    warnings: list[CheckMessage] = []
    for name, minimum, why in MINIMUMS:
        value = values.get(name)
        if value is not None and value < minimum:
            warnings.append(
                Warning(
                    _(
                        "PostgreSQL %(name)s đang là %(value)s; cơ sở dữ liệu %(people)s người "
                        "cần ít nhất %(minimum)s."
                    )
                    % {
                        "name": name,
                        "value": _size(value),
                        "people": f"{people:,}".replace(",", "."),
                        "minimum": _size(minimum),
                    },
                    hint=_(
                        "Lý do: %(why)s. Đặt trong postgresql.conf (docs/operations.md, mục "
                        "“PostgreSQL settings”)."
                    )
                    % {"why": why},
                    id="laodong.W102",
                )
            )
    return warnings
