"""The weight and speed of the enumerator's offline app (issue 15).

    .venv/bin/python benchmarks/offline_weight.py [--people 700] [--runs 9]

In one run: a fresh SQLite data directory gets a commune with one village of `--people` people
on the police list (realistic sample answers), an enumerator and a campaign; a development
server serves it. Printed:

- the first download, gzip-compressed as a server sends it: the app's page, manifest, service
  worker and files (what the service worker keeps), and the pack of the village's people with
  the form and its code lists (what "Tải về để làm ngoại tuyến" fetches); beside it, the same
  people's pages online: the work list page and one form page (gzip), as a reference;
- in Chromium with the CPU throttled 4× (DevTools' Emulation.setCPUThrottlingRate), the
  median time to open a person (from the tap to the form drawn), to answer an item that
  changes which items apply (the skip logic runs), and to check the form as on "Kiểm tra và
  nộp" — beside the time to open the same form online (navigation to its page, load event).

Goals: first download under 1.5 MB compressed; opening a person and moving between items under
100 ms at 4× throttling.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Mat-khau-do-dai-1"  # noqa: S105 (a throwaway benchmark account)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def prepare(people: int) -> tuple[int, int]:
    """The place, the list and the accounts; returns (campaign id, one work item id)."""
    import datetime

    from django.core.management import call_command

    from laodong.accounts.models import Role, User
    from laodong.campaigns.actions import create_campaign
    from laodong.collection.models import WorkItem
    from laodong.collection.police_list import import_list
    from laodong.forms.samples import SampleForms
    from laodong.units.models import Level, Unit, UnitType

    call_command("migrate", verbosity=0)
    country = Unit.objects.create(name="Việt Nam", level=Level.COUNTRY, code="VN",
                                  unit_type=UnitType.QUOC_GIA)  # fmt: skip
    province = Unit.objects.create(name="Thanh Hóa", level=Level.PROVINCE, code="38",
                                   parent=country, unit_type=UnitType.TINH)  # fmt: skip
    commune = Unit.objects.create(name="Xã Cẩm Tân", level=Level.COMMUNE, code="15178",
                                  parent=province, unit_type=UnitType.XA)  # fmt: skip
    village = Unit.objects.create(name="Thôn 1", level=Level.VILLAGE, parent=commune,
                                  unit_type=UnitType.THON)  # fmt: skip
    users = {}
    for username, role, unit in (("canbo", Role.COMMUNE_LABOR_OFFICER, commune),
                                 ("congan", Role.COMMUNE_POLICE, commune),
                                 ("dtv", Role.ENUMERATOR, village)):  # fmt: skip
        user = User(username=username, full_name=username, role=role, unit=unit,
                    must_change_password=False)  # fmt: skip
        user.set_password(PASSWORD)
        user.save()
        users[username] = user
    today = datetime.date.today()
    campaign = create_campaign(
        acting_user=users["canbo"],
        title="Thu thập năm nay",
        legal_basis="Kế hoạch",
        form_code="tt09-2025-m01",
        area=[commune],
        reference_date=today,
        collection_start=today,
        collection_end=today + datetime.timedelta(days=30),
        entry_start=today,
        entry_end=today + datetime.timedelta(days=40),
    )
    rows = ["Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ,Quan hệ với chủ hộ"]
    # A few generated people are too young for the list on today's date: some spare.
    for answers in SampleForms(seed=7, villages=["Thôn 1"]).rows(people + people // 20):
        sex = "Nam" if answers["sex"] == "1" else "Nữ"
        rows.append(f"{answers['full_name']},{answers['birth_date']},{sex},"
                    f"{answers['personal_id']},Thôn 1,{answers['household_code']},"
                    f"{'Chủ hộ' if answers['relation_to_head'] == '1' else 'Con'}")  # fmt: skip
    import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO("\n".join(rows).encode()),
        filename="ds.csv",
        acting_user=users["congan"],
    )
    item = WorkItem.objects.filter(campaign=campaign).order_by("pk").first()
    assert item is not None
    return campaign.pk, item.pk


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(base: str, campaign_id: int, item_id: int, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(60000)
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "dtv")
        page.fill("#id_password", PASSWORD)
        page.click("main form.form button[type=submit]")
        page.wait_for_selector("text=Xin chào")

        # What the first download brings, as the browser fetched it (sizes gzip-compressed
        # here from the bodies, as a server with compression would send them).
        sizes: dict[str, int] = {}
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))]
        page_html = opener.open(f"{base}/offline/").read()
        sizes["the app's page"] = gzipped(page_html)
        for name, path in (("manifest", "/offline/manifest.webmanifest"),
                           ("service worker", "/offline/sw.js"),
                           ("site.css", "/static/core/site.css"),
                           ("engine.js", "/static/forms/engine.js"),
                           ("app.js", "/static/offline/app.js"),
                           ("icon.svg", "/static/offline/icon.svg")):  # fmt: skip
            sizes[name] = gzipped(opener.open(f"{base}{path}").read())
        page.goto(f"{base}/offline/")
        with page.expect_response("**/offline/download/") as answer:
            page.click("#download")
        pack = answer.value.body()
        page.wait_for_selector("#people li")
        sizes["the pack (people, form, code lists)"] = gzipped(pack)
        people = len(json.loads(pack)["people"])
        total = sum(sizes.values())
        print(f"first download for a village of {people} people, gzip:")
        for name, size in sizes.items():
            print(f"  {name:<36} {size / 1024:8.1f} KB")
        print(f"  {'total':<36} {total / 1024:8.1f} KB   (goal: under 1,536 KB)")
        work_list = opener.open(f"{base}/campaigns/{campaign_id}/work/").read()
        form_page = opener.open(f"{base}/campaigns/{campaign_id}/work/{item_id}/form/").read()
        print(
            f"  reference, online: the work list page {gzipped(work_list) / 1024:.1f} KB, "
            f"one form page {gzipped(form_page) / 1024:.1f} KB (each time it is opened)"
        )

        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        ids = [p["id"] for p in json.loads(pack)["people"]][: runs + 1]
        opened, moved, checked = [], [], []
        for person in ids:
            page.evaluate("location.hash = ''")
            page.wait_for_selector("#people li")
            page.wait_for_timeout(600)  # the list drawn and idle, as when the enumerator taps
            spent = page.evaluate(
                """(id) => new Promise((resolve) => {
                     const started = performance.now();
                     location.hash = 'p/' + id;
                     // Found in a frame's callbacks: the frame then paints it, and a task
                     // queued now runs right after that paint.
                     const wait = () => document.querySelector('#submit')
                       ? setTimeout(() => resolve(performance.now() - started), 0)
                       : requestAnimationFrame(wait);
                     requestAnimationFrame(wait);
                   })""",
                person,
            )
            opened.append(spent)
            page.wait_for_selector("input[name=activity_status]", state="attached")
            page.wait_for_timeout(300)
            moved.append(page.evaluate(
                """() => new Promise((resolve) => {
                     const started = performance.now();
                     const box = document.querySelector("input[name=activity_status][value='1']");
                     box.checked = true;
                     box.dispatchEvent(new Event('change', {bubbles: true}));
                     requestAnimationFrame(() => resolve(performance.now() - started));
                   })"""
            ))  # fmt: skip
            checked.append(page.evaluate(
                """() => new Promise((resolve) => {
                     const started = performance.now();
                     document.querySelector('#submit').click();
                     requestAnimationFrame(() => resolve(performance.now() - started));
                   })"""
            ))  # fmt: skip
        online = []
        for _ in range(runs):
            started = time.perf_counter()
            page.goto(f"{base}/campaigns/{campaign_id}/work/{item_id}/form/", wait_until="load")
            online.append((time.perf_counter() - started) * 1000)
        print("in Chromium, CPU throttled 4x, median of", len(opened), "people:")
        # The first of each is left out: it reads the forms from storage into memory.
        for label, values in (
            ("open a person (tap to form drawn)", opened[1:]),
            ("answer an item that changes the skips", moved[1:]),
            ("check the form ('Kiểm tra và nộp')", checked[1:]),
            ("reference, online: open the form page", online),
        ):
            print(f"  {label:<40} {median(values):7.1f} ms")
        print("  goal: opening a person and moving between items under 100 ms")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=700)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--port", type=int, default=8123)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="laodong-offline-bench-") as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "laodong.settings",
            "LAODONG_DEBUG": "1",
            "LAODONG_DATA_DIR": folder,
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DATABASE_URL", None)
        os.environ.pop("DATABASE_URL", None)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        campaign_id, item_id = prepare(arguments.people)
        address = f"127.0.0.1:{arguments.port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "laodong", "runserver", "--noreload", address],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{arguments.port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/accounts/login/")  # noqa: S310 (our server)
                    break
                except OSError:
                    time.sleep(0.2)
            measure(base, campaign_id, item_id, arguments.runs)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
