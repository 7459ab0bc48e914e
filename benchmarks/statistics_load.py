"""Province officers opening the statistics page and the dashboard at once, on the province of
2,000,000 people that benchmarks/report_statistics.py builds.

    .venv/bin/python benchmarks/report_statistics.py --keep      # once: builds the database
    .venv/bin/python benchmarks/statistics_load.py [--clients 1,10,50] [--seconds 20]

In one run:
  1. gunicorn (requirements/bench-load.txt, installed into the environment when missing) serves
     laodong with `--workers` sync workers on the kept database `laodong_bench_reports`;
  2. a province officer's session is made (password and one-time code already passed);
  3. for each number of clients, that many threads each ask, one after another for `--seconds`,
     for one of eight pages of the province: the statistics page on a day from a fixed list
     (today, month ends, a past year's end), the reports dashboard, and the changes page over
     three windows (this year so far, a month, the collection year); every answer must be 200
     and name the province;
  4. the latency of each request is kept, and p50, p95, max and requests per second printed.
The load generator is this script (threads on http.client, bounded in time); it runs on the
same 2 cores as the server, which the figures include.
Goal (issue 16): p95 < 300 ms with 10 clients, < 100 ms with one.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "laodong_bench_reports"
PROVINCE_CODE = "38"
SECRET = "benchmark-only-secret-key-benchmark-only-secret-key"  # noqa: S105


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def ensure_gunicorn() -> Path:
    binary = Path(sys.executable).parent / "gunicorn"
    if not binary.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-r",
             str(ROOT / "requirements" / "bench-load.txt")],
            check=True,
        )  # fmt: skip
    return binary


def session_cookie() -> tuple[str, int]:
    """A signed-in province officer (password and one-time code passed) and the province id."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from laodong.accounts.models import Role, User
    from laodong.units.models import Level, Unit

    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    user, _created = User.objects.get_or_create(
        username="bench-province",
        defaults={"role": Role.PROVINCE_LABOR_DEPARTMENT, "unit": province},
    )
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session["two_factor"] = True
    session.save()
    return session.session_key or "", province.pk


def run_load(
    port: int, cookie: str, paths: list[str], clients: int, seconds: float, expect: str
) -> tuple[list[float], int]:
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        chooser = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < stop:
            path = chooser.choice(paths)
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}",
                                                     "Host": "localhost"})  # fmt: skip
            response = connection.getresponse()
            body = response.read().decode()
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                if response.status != 200 or expect not in body:
                    if not failures[0]:
                        print("not the page:", response.status, response.getheader("Location"))
                    failures[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def server_arguments(parser: argparse.ArgumentParser, port: int) -> None:
    """The options of a benchmark that serves the kept database with gunicorn."""
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )


def use_kept_database(database_url: str, prefix: str) -> dict[str, str]:
    """Point this process at the kept database (a fresh data directory, static files
    collected) and return the environment the server gets too."""
    env = {
        **os.environ,
        "DATABASE_URL": with_database(database_url, DATABASE),
        "LAODONG_DATA_DIR": tempfile.mkdtemp(prefix=prefix),
        "LAODONG_SECRET_KEY": SECRET,
        "LAODONG_ALLOWED_HOSTS": "localhost,testserver",  # the server's, Django's test client's
        "DJANGO_SETTINGS_MODULE": "laodong.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return env


@contextmanager
def serving(env: dict[str, str], workers: int, port: int) -> Iterator[None]:
    """gunicorn with `workers` sync workers on the port, until the block ends."""
    server = subprocess.Popen(
        [str(ensure_gunicorn()), "laodong.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                    "GET", "/", headers={"Host": "localhost"}
                )
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--seconds", type=float, default=20)
    server_arguments(parser, 8765)
    arguments = parser.parse_args()
    env = use_kept_database(arguments.database_url, "laodong-bench-load-")
    from django.utils import timezone

    from laodong.reports import summary

    cookie, province = session_cookie()
    summary.catch_up(None)  # as the nightly `laodong report rebuild-summary` leaves it
    today = timezone.localdate()
    days = [today, datetime.date(2026, 11, 22), datetime.date(2026, 6, 30),
            datetime.date(2025, 12, 31)]  # fmt: skip
    paths = [
        "/reports/statistics/?" + urlencode({"unit": province, "day": f"{day:%d/%m/%Y}"})
        for day in days
    ]
    paths.append("/reports/")  # the dashboard
    # The changes: this year so far (the page's default), a month, and the collection year.
    for start, end in ((None, None), (datetime.date(2026, 10, 31), datetime.date(2026, 11, 22)),
                       (datetime.date(2025, 12, 31), datetime.date(2026, 11, 22))):  # fmt: skip
        window = {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"} if start and end else {}
        paths.append("/reports/changes/?" + urlencode({"unit": province, **window}))
    with serving(env, arguments.workers, arguments.port):
        run_load(arguments.port, cookie, paths, arguments.workers, 5, "Thanh Hóa")  # warm-up
        print(f"{'clients':>8} {'requests':>9} {'req/s':>7} {'p50':>8} {'p95':>8} {'max':>8}")
        for clients in (int(n) for n in arguments.clients.split(",")):
            latencies, failures = run_load(
                arguments.port, cookie, paths, clients, arguments.seconds, "Thanh Hóa"
            )
            if failures:
                raise SystemExit(f"{failures} answers were not the page with the province")
            print(
                f"{clients:>8} {len(latencies):>9} {len(latencies) / arguments.seconds:>7.1f} "
                f"{statistics.median(latencies) * 1000:>6.0f}ms "
                f"{percentile(latencies, 0.95) * 1000:>6.0f}ms {max(latencies) * 1000:>6.0f}ms"
            )


if __name__ == "__main__":
    main()
