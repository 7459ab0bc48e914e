"""The register export of a province of 2,000,000 people beside PostgreSQL's own COPY.

    .venv/bin/python benchmarks/report_statistics.py --keep      # once: builds the database
    .venv/bin/python benchmarks/register_export.py [--skip-xlsx]

In one run, on the database `laodong_bench_reports` that report_statistics.py keeps:
  1. reference: psql runs PostgreSQL's own `COPY (SELECT …) TO STDOUT` of the very cells the
     export writes (the same statements, commune by commune) into /dev/null; and, for scale, a
     plain `COPY register_person TO STDOUT` of the raw table;
  2. laodong's CSV export of the province, as a province officer's POST to the export page runs
     it (Django's test client in this process: middleware, view, audit record, the streamed
     response read to its end): time to the first byte, total time, MB/s, and the ratio to the
     reference;
  3. the CSV written in Python from the same values (the SQLite path), and the XLSX export,
     for the province (unless --skip-xlsx) and for one commune, beside an XLSX whose every
     cell is made per value (the work done once per column in the export);
  4. the process's peak memory before and after, to show that the exports stream.
Goals (issue 16): CSV >= 0.8x PostgreSQL's COPY of the same cells, first byte within 1 s, flat
memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from statistics_load import (  # noqa: E402
    PROVINCE_CODE,
    session_cookie,
    use_kept_database,
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def drain(chunks: Iterable[bytes]) -> tuple[float, float, int]:
    """Read a stream to its end: (seconds to the first people's rows, that is to the first
    4 kB, past the header; seconds in all; bytes)."""
    started = time.perf_counter()
    first = 0.0
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if not first and size > 4096:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started, size


def psql(url: str, script: str) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
        file.write(script)
    started = time.perf_counter()
    subprocess.run(
        [shutil.which("psql") or "/usr/bin/psql", "-q", "-X", "-v", "ON_ERROR_STOP=1",
         "-f", file.name, url],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    os.unlink(file.name)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-xlsx", action="store_true", help="leave out the province XLSX")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    arguments = parser.parse_args()
    env = use_kept_database(arguments.database_url, "laodong-bench-export-")
    url = env["DATABASE_URL"]
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from laodong.core import xlsx_stream
    from laodong.core.cells import csv_stream
    from laodong.register.models import Person
    from laodong.reports import export
    from laodong.units.models import Level, Unit

    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    commune = Unit.objects.current().filter(parent=province).order_by("code").first()
    assert commune is not None
    people = Person.objects.filter(commune__parent=province, leave_reason="").count()
    cookie, _province = session_cookie()  # a province officer, password and code passed
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    def post(unit: Unit, output_format: str) -> tuple[float, float, int]:
        response = client.post(
            reverse("reports-export-people") + f"?unit={unit.pk}", {"format": output_format}
        )
        assert response.status_code == 200, response.status_code
        return drain(response.streaming_content)  # type: ignore[attr-defined]

    chosen = export.columns(sensitive=False)
    labels = export._code_labels(chosen)
    statements = "".join(
        f"COPY ({export._copy_select(chosen, full_id=False, part=part, labels=labels)}) "
        "TO STDOUT (FORMAT csv);\n"
        for part in export.parts(province)
    )
    print(f"{province.label()}: {people:,} people in the register, {commune.label()} for one")
    print(f"peak memory of this process before the exports: {peak_mb():.0f} MB\n")
    psql(url, "COPY register_person TO STDOUT (FORMAT csv);")  # warm the cache
    raw = psql(url, "COPY register_person TO STDOUT (FORMAT csv);")
    same = psql(url, statements)
    print(f"{'':52}{'first rows':>11}{'total':>9}{'MB/s':>7}{'vs COPY':>9}")
    print(f"{'PostgreSQL COPY of the raw table (psql)':52}{'':>11}{raw:>8.1f}s")
    print(f"{'PostgreSQL COPY of the same cells (psql), reference':52}{'':>11}{same:>8.1f}s")

    def line(name: str, figures: tuple[float, float, int], reference: float | None) -> None:
        first, total, size = figures
        ratio = f"{reference / total:>8.2f}x" if reference else ""
        print(f"{name:52}{first * 1000:>9.0f}ms{total:>8.1f}s{size / 1e6 / total:>7.1f}{ratio}")

    line("laodong CSV export, province (POST, streamed)", post(province, "csv"), same)
    line("laodong CSV export, province, second run", post(province, "csv"), same)
    line("laodong CSV export, one commune", post(commune, "csv"), None)
    text = export._person_rows(chosen, full_id=False, unit=province, make="text")
    line(
        "CSV written in Python (the SQLite path), province",
        drain(csv_stream([c.header for c in chosen], text)),
        same,
    )
    line("laodong XLSX export, one commune", post(commune, "xlsx"), None)
    if not arguments.skip_xlsx:
        line("laodong XLSX export, province", post(province, "xlsx"), None)
        text = export._person_rows(chosen, full_id=False, unit=province, make="text")
        line(
            "XLSX with every cell made per value, province",
            drain(xlsx_stream.stream_xlsx([c.header for c in chosen], text)),
            None,
        )
    print(f"\npeak memory of this process after the exports: {peak_mb():.0f} MB")
    print("goals: CSV >= 0.8x the COPY of the same cells, first byte < 1 s, flat memory")


if __name__ == "__main__":
    main()
