"""A bulk update ("cập nhật từ tệp") of 100,000 rows against a register of 1,000,000 people,
beside a plain UPDATE ... FROM of the same rows from a staged table, on PostgreSQL.

    .venv/bin/python benchmarks/bulk_update.py [--people 1000000] [--rows 100000]

In one run:
  1. a fresh PostgreSQL database `laodong_bench_bulk` (dropped at the end) gets the real units,
     10 villages per commune of Thanh Hóa, and `--people` people with full answers and their
     periods; one large ward holds the `--rows` people the file updates;
  2. the social-insurance office's list for that ward is written as an XLSX of `--rows` rows
     (ID, BHXH number, participation, type, employer — every row a change);
  3. `laodong register update-from` runs in a child process (its peak memory is the child's
     maximum resident set): the check (read, compare, validate every row with the form's
     engine) and the write (a version, a period and a police-queue item per person) are timed;
  4. the reference: the same rows COPYed into a staged table, then one plain
     `UPDATE register_person ... FROM staged` of the same columns and answers, timed and rolled
     back.
  5. the labor statistics' summary, written before the update, is brought up to date as its
     next reader would (the ward's marked villages rebuilt) and timed.
Goal (issue 12): the update at least a quarter of the plain UPDATE's speed, under 500 MB;
(issue 16) the summary's upkeep under 10% of the update.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from report_statistics import add_villages  # noqa: E402

PROVINCE_CODE = "38"  # Thanh Hóa
DATABASE = "laodong_bench_bulk"

# Full answers, as a collected form stores them (about 30 items).
PEOPLE_SQL = """
INSERT INTO register_person (
    personal_id, id_kind, full_name, full_name_folded, birth_date, birth_year_only,
    village_id, commune_id, household_code, form_code, sex, relation_to_head, ethnic_group,
    general_education, qualification, field_of_training, activity_status, inactivity_reason,
    employment_status, occupation_code, has_social_insurance, social_insurance_type,
    has_labor_contract, contract_type, workplace_type, enterprise_type, unemployed_before,
    unemployment_duration, is_disabled, is_poor_household, is_near_poor_household,
    is_land_recovered_household, is_merit_relative, is_ethnic_minority, social_insurance_number,
    consent_job_matching, left_on, leave_reason, leave_destination, answers, version,
    created_at, updated_at)
SELECT '038' || lpad(g::text, 9, '0'), 'personal', 'Nguyễn Văn ' || {letters},
    'nguyen van ' || lower({letters}),
    DATE '1990-03-12', false, v.id, v.parent_id, 'HGD' || (g / 4), 'tt09-2025-m01',
    '1', '1', '01', '4', '5', '11', '1', '', '4', '75', '1', '1', '1', '2', '5', '5.2', '', '',
    false, false, false, false, false, false, '', '', NULL, '', '',
    jsonb_build_object(
        'province', '38', 'commune', '00000', 'village', 'Thôn 1',
        'household_code', 'HGD' || (g / 4),
        'relation_to_head', '1', 'full_name', 'Nguyễn Văn ' || {letters},
        'birth_date', '12/03/1990',
        'sex', '1', 'personal_id', '038' || lpad(g::text, 9, '0'),
        'permanent_address', 'Thôn 1, xã Cẩm Tân, tỉnh Thanh Hóa', 'ethnic_group', '01',
        'general_education', '4', 'qualification', '5', 'field_of_training', '11',
        'activity_status', '1', 'employment_status', '4', 'job_description', 'Công nhân may',
        'occupation_code', '75', 'has_social_insurance', '1', 'social_insurance_type', '1',
        'has_labor_contract', '1', 'contract_type', '2', 'contract_start_date', '01/06/2015',
        'workplace_name', 'Công ty May Cẩm Thủy', 'workplace_type', '5', 'enterprise_type', '5.2',
        'workplace_address', 'Cẩm Thủy, Thanh Hóa', 'collection_date', '05/11/2026',
        'informant_name', 'Nguyễn Văn ' || {letters}),
    1, now(), now()
FROM generate_series(1, %(people)s) AS g
JOIN bench_villages AS v ON v.slot = CASE WHEN g <= %(ward)s THEN g %% 10
    ELSE 10 + g %% (SELECT count(*) - 10 FROM bench_villages) END
""".replace("{letters}", "translate(lpad(g::text, 7, '0'), '0123456789', 'ABCDEGHKLM')")


def letters(number: int) -> str:
    """The name part the SQL above gives person number `number` (letters only)."""
    return f"{number:07d}".translate(str.maketrans("0123456789", "ABCDEGHKLM"))


PERIODS_SQL = """
INSERT INTO register_personperiod (
    person_id, number, source, leave_reason, valid_from, valid_to, village_id, commune_id,
    birth_date, sex, activity_status, employment_status, workplace_type, has_social_insurance,
    social_insurance_type, has_labor_contract, contract_type, unemployed_before,
    unemployment_duration, inactivity_reason, general_education, qualification, is_disabled,
    is_poor_household, is_near_poor_household, is_land_recovered_household, is_merit_relative,
    is_ethnic_minority)
SELECT id, 1, 'collection', '', TIMESTAMPTZ '2026-11-05 08:00+07', NULL, village_id,
    commune_id, birth_date, 1, 1, 4, 5, 1, 1, 1, 2, 0, 0, 0, 4, 5,
    false, false, false, false, false, false
FROM register_person;
INSERT INTO register_personversion (
    person_id, number, form_code, answers, changes, kind, source, reference_title, reference,
    reference_date, reason, left_on, leave_reason, leave_destination, changed_at,
    confirmed_warnings)
SELECT id, 1, form_code, answers, '{}', 'record', 'collection', '', '', NULL, '', NULL, '', '',
    TIMESTAMPTZ '2026-11-05 08:00+07', '[]'
FROM register_person;
"""

# The reference: the same columns and answers, from a staged table, in one statement.
REFERENCE_SQL = """
UPDATE register_person AS p SET
    social_insurance_number = s.bhxh, has_social_insurance = s.joins,
    social_insurance_type = s.kind, version = p.version + 1, updated_at = now(),
    answers = p.answers || jsonb_build_object(
        'social_insurance_number', s.bhxh, 'has_social_insurance', s.joins,
        'social_insurance_type', s.kind, 'workplace_name', s.employer)
FROM bench_staged AS s
WHERE p.personal_id = s.personal_id
"""


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def build(people: int, rows: int) -> tuple[str, list[str]]:
    """The register; returns the ward's code and the IDs the file updates."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from laodong.units.models import Level, Unit

    call_command("migrate", verbosity=0)
    call_command("units", "load", verbosity=0)
    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    communes = list(
        Unit.objects.current().filter(parent=province, level=Level.COMMUNE).order_by("code")
    )
    ward = communes[0]
    with transaction.atomic():
        add_villages(communes)
        with connection.cursor() as cursor:
            # The ward's ten villages take slots 0–9; the people beyond the file, the rest.
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_villages AS SELECT id, parent_id, "
                "(row_number() OVER (ORDER BY parent_id <> %s, id)) - 1 AS slot FROM units_unit "
                "WHERE level = %s AND parent_id = ANY(%s)",
                [ward.pk, Level.VILLAGE, [c.pk for c in communes]],
            )
            cursor.execute(PEOPLE_SQL, {"people": people, "ward": rows})
            cursor.execute(PERIODS_SQL)
    with connection.cursor() as cursor:
        for table in ("register_person", "register_personperiod", "register_personversion"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    ids = [f"038{n:09d}" for n in range(1, rows + 1)]
    print(f"register: {people:,} people in {len(communes)} communes; {ward.label()} holds {rows:,}")
    return ward.code, ids


def write_file(path: Path, ids: list[str]) -> None:
    """The social-insurance office's list: title rows, a header, one changed row per person."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("DS BHXH")
    sheet.append(["DANH SÁCH NGƯỜI THAM GIA BẢO HIỂM XÃ HỘI - THÁNG 10/2026"])
    sheet.append([])
    sheet.append(
        [
            "STT",
            "Họ và tên",
            "Số định danh cá nhân",
            "Mã số BHXH",
            "Tham gia BHXH",
            "Loại BHXH",
            "Nơi làm việc",
        ]
    )
    for number, personal_id in enumerate(ids, start=1):
        sheet.append(
            [
                number,
                f"Nguyễn Văn {letters(int(personal_id[3:]))}",
                personal_id,
                f"38{number:08d}",
                "Có",
                "Tự nguyện" if number % 2 else "Bắt buộc",
                f"Công ty số {number % 500}",
            ]
        )
    book.save(path)


def staged_reference(ids: list[str]) -> tuple[float, float]:
    """(seconds to stage the rows with COPY, seconds of the plain UPDATE ... FROM)."""
    from django.db import connection, transaction

    buffer = io.StringIO()
    for number, personal_id in enumerate(ids, start=1):
        kind = "2" if number % 2 else "1"
        buffer.write(f"{personal_id}\t38{number:08d}\t1\t{kind}\tCông ty số {number % 500}\n")
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_staged (personal_id varchar(12), bhxh varchar(10), "
            "joins varchar(4), kind varchar(4), employer text) ON COMMIT DROP"
        )
        with cursor.connection.cursor().copy("COPY bench_staged FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE bench_staged")
        staged = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(REFERENCE_SQL)
        assert cursor.rowcount == len(ids), cursor.rowcount
        update = time.perf_counter() - started
        transaction.set_rollback(True)  # the register stays as the update left it
    return staged, update


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    arguments = parser.parse_args()
    import psycopg

    admin_url = arguments.database_url
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    workdir = Path(tempfile.mkdtemp(prefix="laodong-bench-bulk-"))
    environment = {
        "DATABASE_URL": with_database(admin_url, DATABASE),
        "LAODONG_DATA_DIR": str(workdir),
        "LAODONG_SECRET_KEY": "benchmark-only-secret-key-benchmark-only-secret-key",
        "LAODONG_ALLOWED_HOSTS": "localhost",
        "DJANGO_SETTINGS_MODULE": "laodong.settings",
    }
    os.environ.update(environment)
    import django

    django.setup()
    try:
        started = time.perf_counter()
        ward, ids = build(arguments.people, arguments.rows)
        print(f"generated in {time.perf_counter() - started:.0f} s")
        path = workdir / "danh-sach-bhxh.xlsx"
        started = time.perf_counter()
        write_file(path, ids)
        took = time.perf_counter() - started
        print(f"file: {path.stat().st_size / 1e6:.1f} MB, written in {took:.0f} s")
        from django.db import connections

        from laodong.reports import summary

        started = time.perf_counter()
        summary.catch_up(None)  # the labor statistics' summary, as a nightly run leaves it
        print(f"statistics summary written in {time.perf_counter() - started:.0f} s")
        connections.close_all()
        command = [
            sys.executable,
            "-m",
            "laodong",
            "register",
            "--verbosity",
            "2",
            "update-from",
            str(path),
            "--commune",
            ward,
            "--source",
            "bhxh",
            "--reference",
            "DS BHXH tháng 10/2026",
        ]
        started = time.perf_counter()
        done = subprocess.run(command, env={**os.environ}, capture_output=True, text=True)
        total = time.perf_counter() - started
        print(done.stdout.strip())
        if done.returncode != 0:
            print(done.stderr[-3000:])
            raise SystemExit("the update failed")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        phases = dict(
            line.split("=", 1) for line in done.stdout.splitlines() if line.startswith("time:")
        )
        check = float(phases.get("time:check", "nan"))
        write = float(phases.get("time:write", "nan"))
        from laodong.reports.summary import communes_in
        from laodong.units.models import Unit

        ward_unit = Unit.objects.current().get(code=ward)
        started = time.perf_counter()
        summary.catch_up(communes_in(ward_unit))
        upkeep = time.perf_counter() - started
        staged, reference = staged_reference(ids)
        rows = arguments.rows
        print()
        print(f"{'':44} {'seconds':>9} {'rows/s':>10}")
        print(f"{'laodong: check (read, compare, validate)':44} {check:9.1f} {rows / check:10,.0f}")
        print(
            f"{'laodong: write (versions, periods, queue)':44} {write:9.1f} {rows / write:10,.0f}"
        )
        print(f"{'laodong: whole command':44} {total:9.1f} {rows / total:10,.0f}")
        label = "statistics summary: next reader's rebuild"
        print(f"{label:44} {upkeep:9.1f} {rows / upkeep:10,.0f}")
        print(f"{'reference: COPY into a staged table':44} {staged:9.1f} {rows / staged:10,.0f}")
        label = "reference: plain UPDATE ... FROM staged"
        print(f"{label:44} {reference:9.1f} {rows / reference:10,.0f}")
        print()
        print(f"peak memory of the update: {peak_mb:.0f} MB (goal < 500 MB)")
        print(
            f"statistics summary upkeep: {100 * upkeep / total:.1f}% of the whole command, "
            f"{100 * upkeep / write:.1f}% of its write (goal < 10%; marking the villages is one "
            "insert inside the write)"
        )
        print(
            f"write speed vs plain UPDATE: {reference / write:.2f} "
            f"(goal ≥ 0.25); whole command vs staging + UPDATE: {(staged + reference) / total:.3f}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
