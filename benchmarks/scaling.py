"""How the province's and the country's figures grow with the register: 1M to 10M people.

    .venv/bin/python benchmarks/scaling.py [--steps 1000000,2000000,5000000,10000000]

In one run, a fresh PostgreSQL database `laodong_bench_scaling` (dropped at the end unless
--keep) gets the real units of the country and 10 villages in each commune of five provinces
(Hồ Chí Minh City, Thanh Hóa, Nghệ An, Hà Nội, Hải Phòng: 704 communes). Then, for each step,
people are added until the register holds that many (spread evenly over the villages, a tenth
with an older period, as in report_statistics.py), and:
  1. the summary kept current is written again for every commune (the nightly rebuild), timed;
  2. the whole statistics report (figures not in the cache) is timed for Thanh Hóa and for the
     country, from the summary; the country also as the sum of the five provinces' figures
     (what a ministry gets when each province's own summary is read, or sent up);
  3. the raw count over the periods (the same report without the summary), province and
     country;
  4. DuckDB: the summary's rows and the raw periods exported to Parquet, and the country's
     figures read from each (the summary's rows summed; the raw GROUP BY) — the "export to an
     analytics engine" design of docs/scaling.md.
Each figure is the median of `--runs` runs after a warm-up. Printed as a table by step.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_statistics import (  # noqa: E402
    PEOPLE_SQL,
    PERIODS_SQL,
    add_villages,
    literal,
    median_time,
    use_database,
)

DATABASE = "laodong_bench_scaling"
PROVINCES = ("79", "38", "40", "01", "31")
DAY = datetime.date(2026, 11, 22)


def prepare() -> None:
    """The country's units, and 10 villages in each commune of the five provinces."""
    from django.core.management import call_command
    from django.db import connection

    from laodong.units.models import Level, Unit

    call_command("migrate", verbosity=0)
    call_command("units", "load", verbosity=0)
    communes = list(
        Unit.objects.current().filter(
            level=Level.COMMUNE, parent__code__in=PROVINCES, parent__level=Level.PROVINCE
        )
    )
    add_villages(communes)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE units_unit")
    print(f"{len(communes)} communes in {len(PROVINCES)} provinces, 10 villages each")


def grow(first: int, last: int) -> None:
    """People first..last (numbered as generate_series numbers them) with their periods."""
    from django.db import connection, transaction

    from laodong.units.models import Level

    people = PEOPLE_SQL.replace(
        "generate_series(1, %(people)s)", f"generate_series({int(first)}, {int(last)})"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM register_person")
        before = cursor.fetchone()[0]
    periods = PERIODS_SQL.replace(
        "FROM register_person;", f"FROM register_person WHERE id > {int(before)};"
    ).replace("WHERE number = 2;", f"WHERE number = 2 AND person_id > {int(before)};")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_villages ON COMMIT DROP AS SELECT v.id, v.parent_id, "
            "(row_number() OVER (ORDER BY v.id)) - 1 AS slot FROM units_unit AS v "
            "WHERE v.level = %s",
            [Level.VILLAGE],
        )
        cursor.execute("SELECT setseed(%s)", [0.2026 * first / (last + 1)])
        cursor.execute(people, {"people": last})
        cursor.execute(periods)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE register_person")
        cursor.execute("VACUUM ANALYZE register_personperiod")


def measure(people: int, runs: int, workdir: Path) -> dict[str, float]:
    import duckdb
    from django.core.cache import cache
    from django.db import connection

    from laodong.reports import statistics as stats
    from laodong.reports import summary
    from laodong.units.models import Level, Unit

    figures: dict[str, float] = {}
    started = time.perf_counter()
    summary.catch_up(None, force=True)
    figures["rebuild"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_statisticssummary")
        cursor.execute("SELECT count(*) FROM reports_statisticssummary")
        figures["rows"] = cursor.fetchone()[0]
    country = Unit.objects.current().get(level=Level.COUNTRY)
    provinces = list(
        Unit.objects.current().filter(level=Level.PROVINCE, code__in=PROVINCES).order_by("code")
    )
    province = next(p for p in provinces if p.code == "38")

    def report(unit: Unit) -> int:
        cache.clear()
        return stats.labor_statistics(unit, DAY).tables()[0].total.total

    def raw(unit: Unit) -> int:
        cache.clear()
        original = stats.count_cells
        stats.count_cells = stats.count_cells_raw  # type: ignore[assignment]
        try:
            return report(unit)
        finally:
            stats.count_cells = original  # type: ignore[assignment]

    def from_provinces() -> int:
        return sum(report(p) for p in provinces)

    total = report(country)
    assert total == from_provinces() == raw(country), "every path must count the same people"
    figures["province"] = median_time(lambda: report(province), runs)
    figures["country"] = median_time(lambda: report(country), runs)
    figures["from provinces"] = median_time(from_provinces, runs)
    figures["province raw"] = median_time(lambda: raw(province), runs)
    figures["country raw"] = median_time(lambda: raw(country), max(1, runs - 2))

    database = duckdb.connect()
    database.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    types = {
        "reports_statisticssummary": "{'day': 'DATE'}",
        "register_personperiod": (
            "{'valid_from': 'TIMESTAMPTZ', 'valid_to': 'TIMESTAMPTZ', 'birth_date': 'DATE'}"
        ),
    }
    for table in ("reports_statisticssummary", "register_personperiod"):
        path = workdir / f"{table}.csv"
        with (
            connection.cursor() as cursor,
            path.open("wb") as handle,
            cursor.connection.cursor().copy(
                f"COPY {table} TO STDOUT WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            for chunk in copy:
                handle.write(chunk)
        database.execute(
            f"COPY (SELECT * FROM read_csv('{path}', header = true, types = {types[table]})) "
            f"TO '{workdir / table}.parquet' (FORMAT parquet)"
        )
        path.unlink()
    summary_sql, params = summary_national_sql(workdir / "reports_statisticssummary.parquet")
    national = database.execute(summary_sql % tuple(literal(p) for p in params)).fetchall()
    assert sum(row[2] for row in national) == total, "the summary's rows must sum to everyone"
    figures["duckdb summary"] = median_time(
        lambda: database.execute(summary_sql % tuple(literal(p) for p in params)).fetchall(),
        runs,
    )
    raw_sql, raw_params = stats.statistics_query(country, DAY).query.sql_with_params()
    raw_text = raw_sql % tuple(literal(p) for p in raw_params)
    database.execute(
        "CREATE VIEW register_personperiod AS SELECT * REPLACE "
        "(coalesce(leave_reason, '') AS leave_reason) FROM "
        f"read_parquet('{workdir / 'register_personperiod'}.parquet')"
    )
    counted = sum(row[3] for row in database.execute(raw_text).fetchall())
    assert counted == total, "DuckDB must count the same people"
    figures["duckdb raw"] = median_time(lambda: database.execute(raw_text).fetchall(), runs)
    return figures


def summary_national_sql(parquet: Path) -> tuple[str, list[object]]:
    """The country's figures from the summary's rows, for DuckDB over their Parquet file."""
    from laodong.reports.counters import COLUMNS
    from laodong.reports.models import Grain

    first_of_month = DAY.replace(day=1)
    first_of_year = DAY.replace(month=1, day=1)
    sums = ", ".join(f"sum({column})" for column in COLUMNS)
    return (
        f"SELECT sex, activity, {sums} FROM read_parquet('{parquet}') WHERE level = 3 AND ("
        "(grain = %s AND day < %s) OR (grain = %s AND day >= %s AND day < %s) "
        "OR (grain = %s AND day >= %s AND day <= %s)) GROUP BY sex, activity",
        [
            int(Grain.YEAR), first_of_year, int(Grain.MONTH), first_of_year, first_of_month,
            int(Grain.DAY), first_of_month, DAY,
        ],
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1000000,2000000,5000000,10000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    arguments = parser.parse_args()
    import psycopg

    admin_url = arguments.database_url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    workdir = use_database(admin_url, DATABASE, "laodong-bench-scaling-")
    columns = [
        "rebuild", "province", "country", "from provinces", "province raw", "country raw",
        "duckdb summary", "duckdb raw",
    ]  # fmt: skip
    try:
        prepare()
        done = 0
        print(f"{'people':>11} {'rows':>9} " + " ".join(f"{c:>14}" for c in columns))
        for step in (int(n) for n in arguments.steps.split(",")):
            started = time.perf_counter()
            grow(done + 1, step)
            grown = time.perf_counter() - started
            done = step
            figures = measure(step, arguments.runs, workdir)
            print(
                f"{step:>11,} {int(figures['rows']):>9,} "
                + " ".join(f"{figures[c]:>13.3f}s" for c in columns)
                + f"   (people added in {grown:.0f} s)",
                flush=True,
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
