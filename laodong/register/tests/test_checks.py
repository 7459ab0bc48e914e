"""`laodong check --deploy` warns when PostgreSQL keeps settings too small for the register."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from laodong.register import checks

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL settings are read from pg_settings"
)


@pytest.mark.django_db
def test_sqlite_and_a_small_register_get_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        assert checks.postgres_settings() == []
        return
    monkeypatch.setattr(checks, "_people", lambda: checks.LARGE - 1)
    assert checks.postgres_settings() == []


@postgres_only
@pytest.mark.django_db
def test_a_province_register_on_default_settings_is_warned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "_people", lambda: 2_000_000)
    real = checks._settings()
    assert set(real) == {name for name, _minimum, _why in checks.MINIMUMS}
    small: dict[str, int] = {name: 128 * checks.MB for name in real}
    small["max_wal_size"] = 1024 * checks.MB
    monkeypatch.setattr(checks, "_settings", lambda: small)
    warnings: list[Any] = checks.postgres_settings()
    texts = [str(warning.msg) for warning in warnings]
    assert any("shared_buffers đang là 128 MB" in t and "2.000.000 người" in t for t in texts)
    assert any("max_wal_size đang là 1 GB" in t and "ít nhất 4 GB" in t for t in texts)
    assert all("docs/operations.md" in str(warning.hint) for warning in warnings)
    large = {name: 64 * 1024 * checks.MB for name in real}
    monkeypatch.setattr(checks, "_settings", lambda: large)
    assert checks.postgres_settings() == []
