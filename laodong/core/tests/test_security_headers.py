"""Headers (issue 11, finding 9): a Content-Security-Policy with no inline script, nothing
served to a signed-in user kept in a cache, HSTS with subdomains."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.urls import reverse

from laodong.accounts.models import Role
from laodong.conftest import Tree, login

TEMPLATES = Path(__file__).resolve().parents[2]


def test_every_page_carries_a_policy_that_forbids_inline_script(
    tree: Tree, users: dict[str, Any]
) -> None:
    for response in (
        login(users[Role.COMMUNE_LABOR_OFFICER]).get(reverse("overview-home")),
        login(users[Role.COMMUNE_LABOR_OFFICER]).get("/khong-co-trang-nay/"),
        login(users[Role.ENUMERATOR]).get(reverse("accounts-list-accounts")),
    ):
        policy = response["Content-Security-Policy"]
        script = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert script == "script-src 'self'"
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_has_inline_script_or_event_handlers() -> None:
    offending = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offending.append(f"{path}: {tag}")
        offending += [f"{path}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        if "javascript:" in text:
            offending.append(f"{path}: javascript: URL")
    assert offending == []


def test_nothing_served_to_a_signed_in_user_is_cached(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    for response in (
        client.get(reverse("register-list-people")),
        client.post(reverse("reports-export-people"), {"format": "csv"}),
    ):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_hsts_covers_subdomains_in_production(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS)",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "laodong.settings",
            "LAODONG_SECRET_KEY": "x" * 50,
            "LAODONG_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=True,
        cwd=TEMPLATES.parent,
    )
    assert result.stdout.split() == ["31536000", "True"]
