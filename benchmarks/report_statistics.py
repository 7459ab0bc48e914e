"""The full labor-statistics report for a province of 2,000,000 people, beside DuckDB.

    .venv/bin/python benchmarks/report_statistics.py [--people 2000000] [--runs 5]

In one run:
  1. a fresh PostgreSQL database `laodong_bench_reports` (dropped at the end) gets the real
     units, 10 villages per commune of Thanh Hóa (166 communes), and `--people` people spread
     over them, with a tenth of them having an older period (a past version) as well;
  2. the summary kept current (laodong/reports/summary.py) is written for every commune, as
     `laodong report rebuild-summary` does, and timed;
  3. laodong's statistics report (every table, with the roll-up to the communes) is timed for
     the province and for one commune, as the web page and the command compute it (from the
     summary, figures in the cache and not), on several days; and the raw count over the
     periods for the same report; and the changes report over three windows;
  4. the periods are exported to Parquet, and DuckDB runs the very same GROUP BY (the SQL
     of the raw count, with its parameters written in) over that file.
Each figure is the median of `--runs` runs after one warm-up run.
Goals (issue 16): province under 100 ms for one reader, and within 1x of DuckDB on the raw
periods; (issue 5) commune under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROVINCE_CODE = "38"  # Thanh Hóa
DATABASE = "laodong_bench_reports"

PEOPLE_SQL = """
INSERT INTO register_person (
    personal_id, id_kind, full_name, full_name_folded, birth_date, birth_year_only,
    village_id, commune_id, household_code, form_code, sex, relation_to_head, ethnic_group,
    general_education, qualification, field_of_training, activity_status, inactivity_reason,
    employment_status, occupation_code, has_social_insurance, social_insurance_type,
    has_labor_contract, contract_type, workplace_type, enterprise_type, unemployed_before,
    unemployment_duration, is_disabled, is_poor_household, is_near_poor_household,
    is_land_recovered_household, is_merit_relative, is_ethnic_minority, answers, version,
    created_at, updated_at, consent_job_matching, leave_destination, leave_reason,
    social_insurance_number)
SELECT '038' || lpad(g::text, 9, '0'), 'personal',
    'Nguyễn Thị Người ' || g, 'nguyen thi nguoi ' || g,
    DATE '1946-01-01' + (random() * 23000)::int, false,
    v.id, v.parent_id, 'H' || (g / 4), 'tt09-2025-m01',
    (1 + (random() < 0.49)::int)::text, '1', '01',
    (1 + (random() * 3.99)::int)::text, (1 + (random() * 7.99)::int)::text, '',
    a.status::text,
    CASE WHEN a.status = 3 THEN (1 + (random() * 4.99)::int)::text ELSE '' END,
    CASE WHEN a.status = 1 THEN (1 + (random() * 4.99)::int)::text ELSE '' END, '',
    CASE WHEN a.status = 1 THEN (1 + (random() < 0.7)::int)::text ELSE '' END,
    CASE WHEN a.status = 1 AND random() < 0.3 THEN (1 + (random() < 0.4)::int)::text
         ELSE '' END,
    CASE WHEN a.status = 1 THEN (1 + (random() < 0.75)::int)::text ELSE '' END,
    CASE WHEN a.status = 1 AND random() < 0.25 THEN (1 + (random() < 0.5)::int)::text
         ELSE '' END,
    CASE WHEN a.status = 1 THEN (1 + (random() * 8.99)::int)::text ELSE '' END, '',
    CASE WHEN a.status = 2 THEN (1 + (random() < 0.6)::int)::text ELSE '' END,
    CASE WHEN a.status = 2 THEN (1 + (random() * 2.99)::int)::text ELSE '' END,
    random() < 0.03, random() < 0.05, random() < 0.04, random() < 0.01, random() < 0.02,
    random() < 0.15, '{}'::jsonb, 1, now(), now(), '', '', '', ''
FROM generate_series(1, %(people)s) AS g
JOIN LATERAL (SELECT CASE WHEN r < 0.70 THEN 1 WHEN r < 0.72 THEN 2 ELSE 3 END AS status
              FROM (SELECT random() + g * 0 AS r) AS x) AS a ON true
JOIN bench_villages AS v ON v.slot = g %% (SELECT count(*) FROM bench_villages)
"""

INSERT_PERIODS = """INSERT INTO register_personperiod (
    person_id, number, source, valid_from, valid_to, village_id, commune_id, birth_date,
    sex, activity_status, employment_status, workplace_type, has_social_insurance,
    social_insurance_type, has_labor_contract, contract_type, unemployed_before,
    unemployment_duration, inactivity_reason, general_education, qualification, is_disabled,
    is_poor_household, is_near_poor_household, is_land_recovered_household, is_merit_relative,
    is_ethnic_minority, leave_reason)"""
PERIODS_SQL = """
{insert_periods}
SELECT id, CASE WHEN id % 10 = 0 THEN 2 ELSE 1 END, 'collection',
    TIMESTAMPTZ '2026-01-01 08:00+07' + (id % 181) * INTERVAL '1 day', NULL, village_id,
    commune_id, birth_date,
    sex::int, activity_status::int, coalesce(nullif(employment_status, '')::int, 0),
    coalesce(nullif(workplace_type, '')::int, 0),
    coalesce(nullif(has_social_insurance, '')::int, 0),
    coalesce(nullif(social_insurance_type, '')::int, 0),
    coalesce(nullif(has_labor_contract, '')::int, 0),
    coalesce(nullif(contract_type, '')::int, 0), coalesce(nullif(unemployed_before, '')::int, 0),
    coalesce(nullif(unemployment_duration, '')::int, 0),
    coalesce(nullif(inactivity_reason, '')::int, 0), general_education::int,
    qualification::int, is_disabled, is_poor_household, is_near_poor_household,
    is_land_recovered_household, is_merit_relative, is_ethnic_minority, ''
FROM register_person;
-- A tenth of the people changed once: their first period ran into the collection.
{insert_periods}
SELECT person_id, 1, 'collection', TIMESTAMPTZ '2024-12-01 08:00+07', valid_from, village_id,
    commune_id, birth_date, sex, 3, 0, 0, 0, 0, 0, 0, 0, 0, 5, general_education,
    qualification, is_disabled, is_poor_household, is_near_poor_household,
    is_land_recovered_household, is_merit_relative, is_ethnic_minority, ''
FROM register_personperiod WHERE number = 2;
""".replace("{insert_periods}", INSERT_PERIODS)
# A month's changes: on 10/11/2026 one person in a hundred got a new period, with another
# activity status, and half of those moved to a village of another commune.
CHANGES_SQL = """
UPDATE register_personperiod SET valid_to = TIMESTAMPTZ '2026-11-10 09:00+07'
WHERE valid_to IS NULL AND person_id % 100 = 7;
{insert_periods}
SELECT p.person_id, p.number + 1, 'update', p.valid_to, NULL,
    coalesce(n.id, p.village_id), coalesce(n.parent_id, p.commune_id), p.birth_date, p.sex,
    1 + p.person_id % 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, p.general_education, p.qualification,
    p.is_disabled, p.is_poor_household, p.is_near_poor_household,
    p.is_land_recovered_household, p.is_merit_relative, p.is_ethnic_minority, ''
FROM register_personperiod AS p
LEFT JOIN units_unit AS n ON n.id = p.village_id + 10 AND n.level = 4 AND p.person_id / 100 % 2 = 0
WHERE p.valid_to = TIMESTAMPTZ '2026-11-10 09:00+07' AND p.person_id % 100 = 7;
UPDATE register_person AS p SET village_id = q.village_id, commune_id = q.commune_id,
    activity_status = q.activity_status::text
FROM register_personperiod AS q
WHERE q.person_id = p.id AND q.valid_to IS NULL
    AND q.valid_from = TIMESTAMPTZ '2026-11-10 09:00+07';
""".replace("{insert_periods}", INSERT_PERIODS)


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def use_database(admin_url: str, name: str, prefix: str) -> Path:
    """Point Django at database `name` (on the server of `admin_url`) with a fresh data
    directory, and set it up; returns the data directory."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DATABASE_URL=with_database(admin_url, name),
        LAODONG_DATA_DIR=str(workdir),
        LAODONG_SECRET_KEY="benchmark-only-secret-key-benchmark-only-secret-key",
        LAODONG_ALLOWED_HOSTS="localhost",
        DJANGO_SETTINGS_MODULE="laodong.settings",
    )
    import django

    django.setup()
    return workdir


def add_villages(communes: list[Any]) -> list[Any]:
    """Ten villages ("Thôn 1" … "Thôn 10") in each commune, with their paths."""
    from django.db import connection, transaction

    from laodong.units.models import Level, Unit, UnitType

    with transaction.atomic():
        villages = [
            Unit(
                name=f"Thôn {number}",
                name_folded=f"thon {number}",
                unit_type=UnitType.THON,
                level=Level.VILLAGE,
                parent=commune,
            )
            for commune in communes
            for number in range(1, 11)
        ]
        Unit.objects.bulk_create(villages, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE units_unit AS v SET path = c.path || v.id || '/' FROM units_unit AS c "
                "WHERE v.parent_id = c.id AND v.path = '' AND v.level = %s",
                [Level.VILLAGE],
            )
    return villages


def median_time(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: caches, plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def literal(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return f"TIMESTAMPTZ '{value.isoformat()}'"
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def build(people: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from laodong.units.models import Level, Unit

    call_command("migrate", verbosity=0)
    call_command("units", "load", verbosity=0)
    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    communes = list(Unit.objects.current().filter(parent=province, level=Level.COMMUNE))
    villages = add_villages(communes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_villages AS SELECT id, parent_id, "
            "(row_number() OVER (ORDER BY id)) - 1 AS slot FROM units_unit "
            "WHERE level = %s AND parent_id = ANY(%s)",
            [Level.VILLAGE, [c.pk for c in communes]],
        )
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(PEOPLE_SQL, {"people": people})
        cursor.execute(PERIODS_SQL)
        cursor.execute(CHANGES_SQL)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE register_personperiod")
        cursor.execute("VACUUM ANALYZE register_person")
    print(
        f"province {province.label()}: {len(communes)} communes, {len(villages)} villages, "
        f"{people:,} people"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated database for another run"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time a database kept by an earlier --keep run"
    )
    arguments = parser.parse_args()
    import psycopg

    admin_url = arguments.database_url
    if not arguments.reuse:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            connection.execute(f"CREATE DATABASE {DATABASE}")
    workdir = use_database(admin_url, DATABASE, "laodong-bench-reports-")
    try:
        run(arguments.people, arguments.runs, workdir, generate=not arguments.reuse)
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


def run(people: int, runs: int, workdir: Path, *, generate: bool) -> None:
    import duckdb
    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from laodong.reports import statistics as stats
    from laodong.reports.changes import _edits, labor_changes
    from laodong.units.models import Level, Unit

    if generate:
        started = time.perf_counter()
        build(people)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    commune = (
        Unit.objects.current().filter(parent=province, level=Level.COMMUNE).order_by("code").first()
    )
    assert commune is not None
    day = datetime.date(2026, 11, 22)
    from laodong.reports import summary

    started = time.perf_counter()
    communes = summary.catch_up(None, force=True)
    rebuilt = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_statisticssummary")
        cursor.execute("VACUUM ANALYZE reports_versionsummary")
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('reports_statisticssummary') "
            "FROM reports_statisticssummary"
        )
        rows, size = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM reports_versionsummary")
        (version_rows,) = cursor.fetchone()
    print(
        f"summary written for {communes} communes in {rebuilt:.1f} s: {rows:,} rows, "
        f"{size / 1e6:.0f} MB; {version_rows:,} rows of versions"
    )

    def report(unit: Unit, on: datetime.date = day) -> int:
        result = stats.labor_statistics(unit, on)
        tables = result.tables()
        return tables[0].total.total

    def raw_report(unit: Unit, on: datetime.date = day) -> int:
        original = stats.count_cells
        stats.count_cells = stats.count_cells_raw  # type: ignore[assignment]
        try:
            return report(unit, on)
        finally:
            stats.count_cells = original  # type: ignore[assignment]

    counted = report(province)
    assert counted == raw_report(province), "the summary must count what the periods count"
    pg_province = median_time(lambda: report(province), runs)
    pg_commune = median_time(lambda: report(commune), runs)
    raw_province = median_time(lambda: raw_report(province), runs)
    raw_commune = median_time(lambda: raw_report(commune), runs)
    print(f"people aged 15+ on {day:%d/%m/%Y}: {counted:,} in the province")
    days = [
        datetime.date(2025, 6, 30),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 6, 30),
        timezone.localdate(),
    ]
    by_day = [(on, median_time(lambda on=on: report(province, on), runs)) for on in days]

    def not_cached(unit: Unit) -> int:
        cache.clear()  # the figures of the last rebuild's generation, as after a write
        return report(unit)

    uncached_province = median_time(lambda: not_cached(province), runs)
    uncached_commune = median_time(lambda: not_cached(commune), runs)

    # The changes report: a month with the changes of 10/11/2026 (one person in a hundred), a
    # month without any, and the year of the collection (everyone's period began in it).
    windows = [
        ("month with changes", datetime.date(2026, 10, 31), day),
        ("month without changes", datetime.date(2025, 5, 31), datetime.date(2025, 6, 30)),
        ("collection year (all new)", datetime.date(2025, 12, 31), day),
    ]
    by_window = []
    for name, first, last in windows:

        def changes(f: datetime.date = first, la: datetime.date = last) -> object:
            cache.clear()  # not the changes kept from the last run
            return labor_changes(province, f, la)

        seconds = median_time(changes, runs)
        found = labor_changes(province, first, last)
        by_window.append((name, first, last, seconds, found))
    # The versions of the collection year from the summary, beside the one pass over the
    # periods saved in it that the report made before they were kept (and still makes for a
    # day after today).
    first, last = windows[-1][1:]
    kept_versions = sorted(summary.read_versions(province, first, last))
    assert kept_versions == sorted(_edits(province, first, last)), "versions must agree"
    versions_kept = median_time(lambda: summary.read_versions(province, first, last), runs)
    versions_raw = median_time(lambda: _edits(province, first, last), runs)

    # The same SQL in DuckDB, over the periods exported to Parquet.
    csv_path, parquet = workdir / "periods.csv", workdir / "periods.parquet"
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        csv_path.open("wb") as handle,
        cursor.connection.cursor().copy(
            "COPY register_personperiod TO STDOUT WITH (FORMAT csv, HEADER true)"
        ) as copy,
    ):
        for chunk in copy:
            handle.write(chunk)
    database = duckdb.connect()
    database.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    database.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header = true, types = "
        "{'valid_from': 'TIMESTAMPTZ', 'valid_to': 'TIMESTAMPTZ', 'birth_date': 'DATE'})) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    database.execute(
        # PostgreSQL's CSV writes an empty text as "", which DuckDB reads back as NULL.
        "CREATE VIEW register_personperiod AS SELECT * REPLACE "
        f"(coalesce(leave_reason, '') AS leave_reason) FROM read_parquet('{parquet}')"
    )
    print(
        f"exported {parquet.stat().st_size / 1e6:.0f} MB of Parquet "
        f"in {time.perf_counter() - started:.0f} s"
    )

    def duckdb_sql(unit: Unit) -> str:
        sql, params = stats.statistics_query(unit, day).query.sql_with_params()
        return sql % tuple(literal(p) for p in params)

    def duck(unit: Unit) -> int:
        rows = database.execute(duckdb_sql(unit)).fetchall()
        return sum(row[3] for row in rows)

    assert duck(province) == counted, "DuckDB and PostgreSQL must count the same people"
    duck_province = median_time(lambda: duck(province), runs)
    duck_commune = median_time(lambda: duck(commune), runs)

    print()
    print(f"{'statistics report':44} {'province':>10} {'commune':>10}")
    print(f"{'laodong, from the summary (whole report)':44} {pg_province:9.3f}s {pg_commune:9.3f}s")
    print(
        f"{'  same, figures not in the cache':44} {uncached_province:9.3f}s "
        f"{uncached_commune:9.3f}s"
    )
    print(f"{'laodong, raw count over the periods':44} {raw_province:9.3f}s {raw_commune:9.3f}s")
    print(f"{'DuckDB, same raw GROUP BY on Parquet':44} {duck_province:9.3f}s {duck_commune:9.3f}s")
    print()
    for on, seconds in by_day:
        print(f"province on {on:%d/%m/%Y}: {seconds * 1000:.0f} ms")
    print()
    print("changes report, province (goal < 500 ms):")
    for name, first, last, seconds, found in by_window:
        print(
            f"  {name:28} {first:%d/%m/%Y}-{last:%d/%m/%Y}: {seconds * 1000:6.0f} ms "
            f"({found.updates:,} updates, {found.moved_in:,} moved in, "
            f"{found.newly_15:,} turned 15)"
        )
    print()
    print(
        f"province: {pg_province * 1000:.0f} ms (goal < 100 ms); "
        f"{pg_province / duck_province:.2f}x DuckDB on the raw periods (goal <= 1x)"
    )
    print(f"commune: {pg_commune * 1000:.0f} ms (goal < 100 ms)")
    print(
        f"collection year's versions ({sum(row[-1] for row in kept_versions):,}): "
        f"{versions_kept * 1000:.0f} ms from the summary, "
        f"{versions_raw * 1000:.0f} ms in one pass over the periods"
    )


if __name__ == "__main__":
    main()
