"""Counts by criteria on the province of 2,000,000 people that benchmarks/report_statistics.py
builds, and the statistics page while ten such counts run at once.

    .venv/bin/python benchmarks/report_statistics.py --keep      # once: builds the database
    .venv/bin/python benchmarks/custom_count.py [--seconds 20] [--counts 10]

In one run:
  1. one province count (the unemployed or inactive aged 18 to 35 without training) is run as
     the background job runs it, commune by commune, each commune in a slot of heavy work; and
     the same figures as one GROUP BY over the province's periods (the reference: what a count
     in one statement costs, holding a core all along). Both must give the same figures.
  2. gunicorn serves laodong (4 sync workers); 10 clients ask for the province's statistics page
     on four days (as benchmarks/statistics_load.py) for `--seconds`: p50, p95 and max, alone,
     then while `--counts` province counts run at once in threads of this process (the slots of
     heavy work are PostgreSQL advisory locks, shared with the server's workers): the pages'
     figures again, and how long the counts took.
Goal (issue 16): ten province users counting cannot take the whole machine — the pages keep
their figures (p95 < 300 ms with 10 clients) while the counts share the slots.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statistics_load import (  # noqa: E402
    percentile,
    run_load,
    server_arguments,
    serving,
    session_cookie,
    use_kept_database,
)

DAY = datetime.date(2026, 11, 22)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--counts", type=int, default=10)
    parser.add_argument("--clients", type=int, default=10)
    server_arguments(parser, 8766)
    arguments = parser.parse_args()
    env = use_kept_database(arguments.database_url, "laodong-bench-count-")
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.utils import timezone

    from laodong.accounts.models import User
    from laodong.core.heavy import slots
    from laodong.register.models import PersonPeriod
    from laodong.reports import summary
    from laodong.reports.custom import Criteria, run_count
    from laodong.reports.models import CustomCount
    from laodong.reports.statistics import age_filters, periods_on, scope_of
    from laodong.units.models import Unit

    call_command("migrate", verbosity=0)
    cookie, province_pk = session_cookie()
    province = Unit.objects.get(pk=province_pk)
    user = User.objects.get(username="bench-province")
    summary.catch_up(None)
    criteria = Criteria(
        age_from=18, age_to=35, codes={"activity_status": (2, 3), "qualification": (1,)}
    )

    def queue() -> int:
        return CustomCount.objects.create(
            created_by=user, unit=province, as_of=DAY, criteria=criteria.as_data()
        ).pk

    started = time.perf_counter()
    count = run_count(queue())
    by_communes = time.perf_counter() - started
    assert count.status == "done", count.message
    counted = {pk: values for pk, _label, *values in count.result["rows"] if values[0]}

    def one_statement() -> dict[int, list[int]]:
        ages = {name: Count("pk", filter=q) for name, q in age_filters(DAY).items()}
        rows = (
            PersonPeriod.objects.filter(scope_of(province) & periods_on(DAY) & criteria.q(DAY))
            .values_list("commune_id")
            .annotate(people=Count("pk"), women=Count("pk", filter=Q(sex=2)), **ages)
            .order_by()
        )
        return {pk: list(values) for pk, *values in rows}

    one_statement()  # warm-up
    started = time.perf_counter()
    reference = one_statement()
    in_one = time.perf_counter() - started
    assert reference == counted, "the count by communes must give the one statement's figures"
    people = sum(values[0] for values in counted.values())
    print(
        f"slots of heavy work: {slots()}; province count ({len(count.result['rows'])} communes, "
        f"{people:,} people matching): {by_communes:.2f} s commune by commune, "
        f"{in_one:.2f} s as one statement"
    )

    today = timezone.localdate()
    days = [today, DAY, datetime.date(2026, 6, 30), datetime.date(2025, 12, 31)]
    paths = [
        "/reports/statistics/?" + urlencode({"unit": province_pk, "day": f"{day:%d/%m/%Y}"})
        for day in days
    ]
    with serving(env, arguments.workers, arguments.port):
        run_load(arguments.port, cookie, paths, arguments.workers, 5, "Thanh Hóa")  # warm-up

        def load(label: str) -> None:
            latencies, failures = run_load(
                arguments.port, cookie, paths, arguments.clients, arguments.seconds, "Thanh Hóa"
            )
            if failures:
                raise SystemExit(f"{failures} answers were not the page with the province")
            print(
                f"{label:34} {len(latencies):>6} pages  p50 "
                f"{statistics.median(latencies) * 1000:>5.0f} ms  p95 "
                f"{percentile(latencies, 0.95) * 1000:>5.0f} ms  max "
                f"{max(latencies) * 1000:>5.0f} ms"
            )

        load(f"{arguments.clients} clients, alone")
        finished: list[float] = []

        def counting(pk: int, begun: float) -> None:
            try:
                done = run_count(pk)
                assert done.status == "done", done.message
                finished.append(time.perf_counter() - begun)
            finally:
                connection.close()

        begun = time.perf_counter()
        threads = [
            threading.Thread(target=counting, args=(queue(), begun))
            for _ in range(arguments.counts)
        ]
        for thread in threads:
            thread.start()
        load(f"{arguments.clients} clients, {arguments.counts} counts running")
        for thread in threads:
            thread.join()
        print(
            f"{arguments.counts} province counts at once: all done in {max(finished):.1f} s "
            f"(first {min(finished):.1f} s; one alone {by_communes:.1f} s)"
        )


if __name__ == "__main__":
    main()
