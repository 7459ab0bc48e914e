"""Campaign progress as of a past day beside the same figures as of today, for a province of
166 communes and 2,000,000 work items on PostgreSQL (issue 14).

    .venv/bin/python benchmarks/progress_as_of.py [--items 2000000] [--runs 5] [--keep|--reuse]

In one run: a fresh database `laodong_bench_progress` (dropped at the end unless --keep) gets
Thanh Hóa's units, 10 villages per commune, one campaign over the 166 communes and `--items`
forms with their transitions through November 2026 (three in four submitted, a tenth of those
returned and submitted again, most accepted, part handed over and entered). Then
`progress_by_unit` — what the campaign page, the downloads and `laodong report progress` use —
is timed for the province and for one commune, as of today and as of 20/11/2026 (median of
`--runs` after a warm-up), beside the same figures counted from the forms and transitions (how
they were read before the tally, `counted_raw`); then the tally's upkeep: a whole rebuild, a
form submitted and the next reading, a police list and the next reading. Goal: as-of within 2×
of today, province under 1 s, commune under 50 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
PROVINCE_CODE = "38"
DATABASE = "laodong_bench_progress"

from report_statistics import add_villages, median_time, with_database  # noqa: E402

# Pseudo-random but reproducible per item: three draws and a day of November.
DRAWS = """
    ((g::bigint * 7919) %% 1000) / 1000.0 AS a, ((g::bigint * 104729) %% 1000) / 1000.0 AS b,
    ((g::bigint * 1299709) %% 1000) / 1000.0 AS c, 5 + (g::bigint * 31) %% 20 AS d
"""
ITEMS_SQL = f"""
INSERT INTO collection_workitem (
    personal_id, full_name, full_name_folded, birth_date, birth_year_only, sex, household_code,
    address, police_note, in_latest_list, category, out_of_scope, changed_items, status, mode,
    answers, has_draft, findings, confirmed_warnings, first_keying, keying_differences,
    return_reason, return_comments, entered_on, not_enterable_reason, archive_reference,
    updated_at, campaign_id, commune_id, village_id, relation, outside_list, identity_reasons)
SELECT lpad(g::text, 12, '0'), 'Người ' || g, 'nguoi ' || g, DATE '1970-01-01', false, '1', '',
    '', '', true, 'to_collect', '', '[]', CASE
      WHEN x.a >= 0.75 THEN 'listed'
      WHEN x.b >= 0.85 THEN 'submitted'
      WHEN x.c < 0.36 THEN 'entered'
      WHEN x.c < 0.60 THEN 'handed_over'
      ELSE 'accepted' END,
    '', '{{}}', false, '[]', '[]', '{{}}', '[]', '', '{{}}',
    CASE WHEN x.a < 0.75 AND x.b < 0.85 AND x.c < 0.36 THEN DATE '2026-11-30' END, '', '',
    now(), %(campaign)s, v.parent_id, v.id, '', false, '{{}}'
FROM generate_series(1, %(items)s) AS g
CROSS JOIN LATERAL (SELECT {DRAWS}) AS x
JOIN bench_villages AS v ON v.slot = g %% (SELECT count(*) FROM bench_villages)
ORDER BY g
"""
# Each item's transitions, from the same draws (items were numbered 1..N in order).
TRANSITIONS_SQL = f"""
INSERT INTO collection_transition (work_item_id, from_status, to_status, at, reason)
SELECT w.id, t.from_status, t.to_status, t.at, ''
FROM collection_workitem w
CROSS JOIN LATERAL (SELECT {DRAWS.replace("g::bigint *", "w.id *")}) AS x
CROSS JOIN LATERAL (
  SELECT 'listed' AS from_status, 'submitted' AS to_status,
         TIMESTAMPTZ '2026-11-01 09:00+07' + x.d * INTERVAL '1 day' AS at WHERE x.a < 0.75
  UNION ALL SELECT 'submitted', 'returned',
         TIMESTAMPTZ '2026-11-02 09:00+07' + x.d * INTERVAL '1 day' WHERE x.a < 0.075
  UNION ALL SELECT 'returned', 'submitted',
         TIMESTAMPTZ '2026-11-03 09:00+07' + x.d * INTERVAL '1 day' WHERE x.a < 0.075
  UNION ALL SELECT 'submitted', 'accepted',
         TIMESTAMPTZ '2026-11-04 09:00+07' + x.d * INTERVAL '1 day'
    WHERE x.a < 0.75 AND x.b < 0.85
  UNION ALL SELECT 'accepted', 'handed_over', TIMESTAMPTZ '2026-11-28 09:00+07'
    WHERE x.a < 0.75 AND x.b < 0.85 AND x.c < 0.60
  UNION ALL SELECT 'handed_over', 'entered', TIMESTAMPTZ '2026-11-30 09:00+07'
    WHERE x.a < 0.75 AND x.b < 0.85 AND x.c < 0.36
) AS t
"""


def build(items: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from laodong.accounts.models import Role, User
    from laodong.campaigns.actions import RoundPlan, create_campaign
    from laodong.units.models import Level, Unit

    call_command("migrate", verbosity=0)
    call_command("units", "load", verbosity=0)
    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    communes = list(Unit.objects.current().filter(parent=province, level=Level.COMMUNE))
    user = User.objects.create(
        username="sold", role=Role.PROVINCE_LABOR_DEPARTMENT, unit=province, full_name="Sở"
    )
    with transaction.atomic():
        add_villages(communes)
        campaign = create_campaign(
            acting_user=user,
            title="Thu thập thông tin người lao động năm 2026",
            legal_basis="Kế hoạch của tỉnh",
            form_code="tt09-2025-m01",
            area=communes,
            reference_date=datetime.date(2026, 11, 1),
            collection_start=datetime.date(2026, 11, 1),
            collection_end=datetime.date(2026, 12, 17),
            entry_start=datetime.date(2026, 11, 10),
            entry_end=datetime.date(2026, 12, 28),
            rounds=[
                RoundPlan("collection", datetime.date(2026, 11, 15)),
                RoundPlan("entry", datetime.date(2026, 12, 28)),
            ],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_villages AS SELECT id, parent_id, "
                "(row_number() OVER (ORDER BY id)) - 1 AS slot FROM units_unit "
                "WHERE level = %s AND parent_id = ANY(%s)",
                [Level.VILLAGE, [c.pk for c in communes]],
            )
            cursor.execute(ITEMS_SQL, {"items": items, "campaign": campaign.pk})
            cursor.execute(TRANSITIONS_SQL, {})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE collection_workitem")
        cursor.execute("VACUUM ANALYZE collection_transition")
        cursor.execute("SELECT count(*) FROM collection_transition")
        transitions = cursor.fetchone()[0]
    print(f"{len(communes)} communes, {items:,} forms, {transitions:,} transitions")


def run(items: int, runs: int, *, generate: bool) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from laodong.accounts.models import User
    from laodong.campaigns.models import Campaign
    from laodong.campaigns.progress import counted_raw, progress_by_unit
    from laodong.collection import tally
    from laodong.collection.actions import move_item
    from laodong.collection.models import ProgressTally, Status, WorkItem
    from laodong.units.models import Level, Unit

    if generate:
        started = time.perf_counter()
        build(items)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    campaign = Campaign.objects.get()
    province = Unit.objects.current().get(level=Level.PROVINCE, code=PROVINCE_CODE)
    commune = campaign.communes.order_by("code").first()
    assert commune is not None
    past = datetime.date(2026, 11, 20)

    # The tally of the whole campaign from the forms and transitions (what `laodong progress
    # rebuild` does, and what the first reading after the migration costs).
    started = time.perf_counter()
    tally.rebuild_campaign(campaign.pk)
    rebuilt = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE collection_progresstally")
    print(
        f"tally rebuilt in {rebuilt:.1f} s: {ProgressTally.objects.count():,} rows "
        f"for {items:,} forms"
    )

    def counted(unit: Unit, day: datetime.date | None) -> dict[str, int]:
        return progress_by_unit(campaign, unit, day)[1].counts

    now_counts, past_counts = counted(province, None), counted(province, past)
    print(
        f"today: collected {now_counts['collected']:,}, accepted {now_counts['accepted']:,}, "
        f"entered {now_counts['entered']:,}; on {past:%d/%m/%Y}: collected "
        f"{past_counts['collected']:,}, accepted {past_counts['accepted']:,}, returned "
        f"{past_counts['returned']:,}"
    )
    for unit in (province, commune):
        for day in (None, past):
            kept = progress_by_unit(campaign, unit, day)[0]
            raw = counted_raw(campaign, unit, day)
            assert all(row.counts == raw.get(row.unit.pk, row.counts) for row in kept), day
    print("the tally's figures equal the count from the forms (province and commune, both days)")
    print("                  kept by day (tally)                 counted from the forms (before)")
    for label, unit in (("province", province), ("commune", commune)):
        today = median_time(lambda unit=unit: counted(unit, None), runs)  # type: ignore[misc]
        then = median_time(lambda unit=unit: counted(unit, past), runs)  # type: ignore[misc]
        raw_today = median_time(lambda unit=unit: counted_raw(campaign, unit), runs)  # type: ignore[misc]
        raw_then = median_time(lambda unit=unit: counted_raw(campaign, unit, past), runs)  # type: ignore[misc]
        print(
            f"{label:<9} today {today * 1000:7.1f} ms  {past:%d/%m} {then * 1000:7.1f} ms  "
            f"ratio {then / today:4.2f}   today {raw_today * 1000:8.1f} ms  {past:%d/%m} "
            f"{raw_then * 1000:8.1f} ms  ratio {raw_then / raw_today:4.2f}"
        )

    # Upkeep: a form submitted marks its village (one insert in the writer's transaction); the
    # next reader rebuilds that village before reading. A police list marks its whole commune.
    officer = User.objects.get(username="sold")
    item = WorkItem.objects.filter(campaign=campaign, commune=commune, status=Status.LISTED).first()
    assert item is not None

    def submitted_then_read() -> tuple[float, float]:
        with transaction.atomic():
            started = time.perf_counter()
            move_item(item, Status.SUBMITTED, acting_user=officer, now=timezone.now()).save()
            wrote = time.perf_counter() - started
            started = time.perf_counter()
            counted(commune, past)
            read = time.perf_counter() - started
            transaction.set_rollback(True)
        item.status = Status.LISTED
        return wrote, read

    samples = sorted(submitted_then_read() for _ in range(runs))
    wrote, read = samples[len(samples) // 2]
    print(
        f"one form submitted: the write (status, transition, mark) {wrote * 1000:.1f} ms; "
        f"the commune's next reading, rebuilding its village first, {read * 1000:.1f} ms"
    )

    def police_list_then_read() -> float:
        with transaction.atomic():
            tally.mark_commune(campaign.pk, commune.pk)
            started = time.perf_counter()
            counted(province, past)
            spent = time.perf_counter() - started
            transaction.set_rollback(True)
        return spent

    times = sorted(police_list_then_read() for _ in range(runs))
    print(
        f"after a commune's police list: the province's next reading, rebuilding that commune "
        f"first, {times[len(times) // 2] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--keep", action="store_true", help="keep the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="time a database kept by --keep")
    arguments = parser.parse_args()
    import psycopg

    admin_url = arguments.database_url
    if not arguments.reuse:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            connection.execute(f"CREATE DATABASE {DATABASE}")
    os.environ.update(
        DATABASE_URL=with_database(admin_url, DATABASE),
        LAODONG_DATA_DIR=tempfile.mkdtemp(prefix="laodong-bench-progress-"),
        LAODONG_SECRET_KEY="benchmark-only-secret-key-benchmark-only-secret-key",
        LAODONG_ALLOWED_HOSTS="localhost",
        DJANGO_SETTINGS_MODULE="laodong.settings",
    )
    import django

    django.setup()
    try:
        run(arguments.items, arguments.runs, generate=not arguments.reuse)
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
