"""Every upload page answers a hostile file with a Vietnamese message on the page, never a 500
and never by decompressing it (issue 11, finding 1)."""

from __future__ import annotations

import resource
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.collection.models import PoliceListImport
from laodong.conftest import Tree, login
from laodong.core.tests.data import hostile_files as hostile

FILES = {
    "bomb.xlsx": (
        lambda: hostile.zip_bomb(300),
        "Phần chữ của tệp Excel này lớn 300 MB, quá giới hạn",
    ),
    "lying-bomb.xlsx": (lambda: hostile.lying_bomb(2**31), "quá giới hạn 400 MB"),
    "beyond-columns.xlsx": (lambda: hostile.data_beyond_columns(600), "quá giới hạn 500 cột"),
    "broken.xlsx": (hostile.broken_part_way, "Tệp bị hỏng từ dòng 3"),
    "nul.csv": (hostile.csv_with_nul, "có ký tự lạ (NUL"),
    "long-cell.csv": (lambda: hostile.csv_long_cell(40_000), "dài hơn 32.767 ký tự"),
}


def pages(tree: Tree, campaign: Any) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (
            Role.COMMUNE_POLICE,
            reverse("collection-upload-list", args=[campaign.pk, tree.commune.pk]),
            {},
        ),
        (Role.COMMUNE_LEADER, reverse("units-import-villages"), {}),
        (Role.COMMUNE_LEADER, reverse("accounts-import-accounts"), {}),
        (Role.COMMUNE_LABOR_OFFICER, reverse("register-import-people"), {}),
    ]


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_upload_page_refuses_a_hostile_file_clearly(
    name: str,
    tree: Tree,
    users: dict[str, Any],
    campaign: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make, message = FILES[name]
    content = make()
    for role, url, extra in pages(tree, campaign):
        client = login(users[role])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": SimpleUploadedFile(name, content), **extra})
        if response.status_code == 302:
            # A background import: its page shows the outcome once the job has run.
            response = client.get(response["Location"], follow=True)
        grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        assert message in page, (url, name)
        assert grown_mb < 100, (url, name, grown_mb)
    # Nothing was queued or written for the police list.
    assert not PoliceListImport.objects.exclude(status="failed").filter(rows_read__gt=0).exists()
