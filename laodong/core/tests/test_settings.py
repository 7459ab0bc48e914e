from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from laodong.settings import env_bool, env_list


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("", False),
    ],
)
def test_env_bool_parses_clear_values(
    raw: str, value: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAODONG_X", raw)
    assert env_bool("LAODONG_X", not value) is value


def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAODONG_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LAODONG_X must be true or false"):
        env_bool("LAODONG_X", False)


def test_env_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAODONG_HOSTS", " a.vn, ,b.vn ")
    assert env_list("LAODONG_HOSTS", "") == ["a.vn", "b.vn"]
    assert env_list("LAODONG_MISSING", "x") == ["x"]


def test_production_refuses_to_start_without_a_secret_key() -> None:
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_VERSION", "LAODONG_SECRET_KEY", "LAODONG_DEBUG", "LAODONG_DEMO")
    }
    result = subprocess.run(
        [sys.executable, "-c", "import laodong.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set LAODONG_SECRET_KEY" in result.stderr


def test_sqlite_file_database_uses_wal_and_waits_for_locks(tmp_path: object) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DATABASE_URL")}
    env.update({"LAODONG_DATA_DIR": str(tmp_path), "LAODONG_DEBUG": "1"})
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='laodong.settings'; "
        "django.setup(); from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["wal", "20000"]
