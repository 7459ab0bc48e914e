"""The labor statistics kept current (issue 16): a summary of the register's periods by place,
time and cell, from which the figures of any unit on any date are a sum of a few thousand rows
instead of a scan of every period.

What a row holds. For one place (a village; and, summed, its commune), one cell (sex, activity
status) and one stretch of time (a year, a month or a day, `Grain`), each counter of
`laodong.reports.counters` holds how the number of people counted by it changed: +1 for each
person who entered the cell in that time, −1 for each who left it. A person is in a cell from
the later of the day their period began (Vietnam's time) and their 15th birthday, until the day
the period ended; within it, they move from one age group to the next on the birthdays of
`AGE_BOUNDARIES`. So the figures at the end of day D are the sum of the year rows before D's
year, the month rows of D's year before D's month and the day rows of D's month up to D — at
most about fifty rows per place and cell, whatever the size of the register. The past never
moves: rows for past days are exact by construction.

Birthdays to come are written ahead up to a horizon (`HORIZON_DAYS` after the rebuild): a
commune whose horizon has passed is rebuilt, which happens once a year, or at night when
`laodong report rebuild-summary` runs from cron.

Upkeep. Every write of a period marks its village stale in the writing transaction
(`laodong.register.models.mark_statistics`, one small insert); the next reader of a unit above
it rebuilds the marked villages, and the communes whose horizon has passed, before reading
(`catch_up`): one DELETE and one INSERT … SELECT for the villages, one of each for their
communes' sums. The commune's state row is locked for the rebuild, so two readers never rebuild
one commune at once, and a writer is never blocked. A reader therefore always sees exactly the
figures the raw count gives (`laodong.reports.statistics.count_cells_raw`).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from laodong.core.background import run_in_background
from laodong.core.heavy import Busy, heavy_work
from laodong.register.models import PersonPeriod, StatisticsStale
from laodong.reports.counters import (
    AGE_BOUNDARIES,
    AGE_COUNTERS,
    CODE_COLUMNS,
    CODE_COUNTERS,
    COLUMNS,
    PlaceCells,
    counter_sql,
)
from laodong.reports.models import Grain, StatisticsSummary, SummaryState, VersionSummary
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

T = TypeVar("T")

HORIZON_DAYS = 366
NEVER = datetime.date(9999, 12, 31)
NOT_BUILT = datetime.date(1, 1, 1)


def communes_in(unit: Unit) -> list[int] | None:
    """The communes whose periods the unit's figures count (None: every commune)."""
    if unit.level == Level.COUNTRY:
        return None
    if unit.level == Level.COMMUNE:
        return [unit.pk]
    if unit.level == Level.VILLAGE:
        return [unit.parent_id] if unit.parent_id else []
    return list(
        Unit.objects.filter(subtree_filter(unit.path), level=Level.COMMUNE).values_list(
            "pk", flat=True
        )
    )


def _all_communes() -> list[int]:
    return list(Unit.objects.filter(level=Level.COMMUNE).values_list("pk", flat=True))


def look(communes: list[int] | None, today: datetime.date) -> tuple[set[int], str]:
    """The communes a reader has to rebuild first (never built, horizon passed, or marked), and
    the generation of the others' rows: it changes whenever one of them is rebuilt."""
    if communes is None:
        communes = _all_communes()
    states = SummaryState.objects.filter(commune_id__in=communes).values_list(
        "commune_id", "horizon", "built_at"
    )
    fresh, latest = set(), None
    for commune, horizon, built_at in states:
        if horizon >= today:
            fresh.add(commune)
            if built_at is not None and (latest is None or built_at > latest):
                latest = built_at
    marked = set(
        StatisticsStale.objects.filter(commune_id__in=communes)
        .values_list("commune_id", flat=True)
        .distinct()
        .order_by()
    )
    generation = f"{len(fresh)}:{latest.timestamp() if latest else 0}"
    return (set(communes) - fresh) | marked, generation


def due(communes: list[int] | None, today: datetime.date) -> set[int]:
    """The communes a reader has to rebuild first."""
    return look(communes, today)[0]


class Behind(Exception):
    """The summary is being brought up to date in the background: count from the periods."""


# Whole communes (never built, or their year of birthdays ahead run out) a reader rebuilds
# itself; more are rebuilt in the background while it counts from the periods. A province's
# 166 communes take about 70 s at 2,000,000 people: longer than a request may take behind a
# proxy, which would kill it half-way, again and again.
INLINE_COMMUNES = 10
_in_background: set[tuple[str, int | None]] = set()
_in_background_guard = threading.Lock()


def bring_up_to_date(communes: list[int] | None) -> None:
    """Catch up what the communes' figures need, here when it is a few communes' work, or in
    the background (raising Behind) when many whole communes are due: after a migration that
    marks them all, or a year without the nightly rebuild."""
    today = timezone.localdate()
    listed = _all_communes() if communes is None else communes
    built = SummaryState.objects.filter(commune_id__in=listed, horizon__gte=today).count()
    if len(listed) - built <= _inline_communes():
        catch_up(communes)
        return
    key = (connection.alias, None if communes is None else hash(tuple(sorted(communes))))
    with _in_background_guard:
        if key in _in_background:
            raise Behind
        _in_background.add(key)
    run_in_background(_catch_up_in_background, key, communes)
    raise Behind


def _inline_communes() -> int:
    return int(getattr(settings, "LAODONG_SUMMARY_INLINE_COMMUNES", INLINE_COMMUNES))


def _catch_up_in_background(key: tuple[str, int | None], communes: list[int] | None) -> None:
    """Commune by commune, each in a slot of heavy work of its own, so that the readers'
    counts from the periods get a slot between two communes (one slot held for a province's
    70 s would send them the "busy" page)."""
    try:
        for commune in sorted(due(communes, timezone.localdate())):
            while True:
                try:
                    catch_up([commune])
                    break
                except Busy:
                    continue  # every slot taken by other heavy work: wait for one, however long
    finally:
        with _in_background_guard:
            _in_background.discard(key)


def catch_up(communes: list[int] | None, *, force: bool = False) -> int:
    """Rebuild what is due among `communes` (None: all); `force` rebuilds them all. Returns how
    many communes were touched. Looked for first without a transaction, so a reader with
    nothing to rebuild never waits for a writer (SQLite takes its write lock at BEGIN)."""
    today = timezone.localdate()
    if force:
        candidates = set(_all_communes() if communes is None else communes)
    else:
        candidates = due(communes, today)
    if not candidates:
        return 0
    ordered = sorted(candidates)
    # The slot first, then the commune's locks: a rebuilder never waits for a slot holding them.
    with heavy_work(), transaction.atomic():
        SummaryState.objects.bulk_create(
            [SummaryState(commune_id=c, horizon=NOT_BUILT) for c in ordered],
            ignore_conflicts=True,
            batch_size=1000,
        )
        # Locked in one order by every rebuilder: no two rebuild a commune at once, no deadlock.
        states = dict(
            SummaryState.objects.select_for_update()
            .filter(commune_id__in=ordered)
            .order_by("commune_id")
            .values_list("commune_id", "horizon")
        )
        marks = list(
            StatisticsStale.objects.filter(commune_id__in=ordered).values_list(
                "pk", "commune_id", "village_id"
            )
        )
        whole = {c for c, horizon in states.items() if force or horizon < today}
        villages: dict[int, set[int]] = {}
        for _pk, commune, village in marks:
            if commune not in whole:
                villages.setdefault(commune, set()).add(village)
        # A village rebuilt alone may reach further than its commune's other villages: rows past
        # the commune's horizon are never read before the whole commune is rebuilt.
        horizon = today + datetime.timedelta(days=HORIZON_DAYS)
        rebuild(whole, villages, horizon=horizon)
        now = timezone.now()
        SummaryState.objects.filter(commune_id__in=sorted(whole)).update(
            horizon=horizon, built_at=now
        )
        # A new generation for the communes whose villages alone were rebuilt, too: figures
        # cached for the old one are never read again.
        SummaryState.objects.filter(commune_id__in=sorted(set(villages))).update(built_at=now)
        StatisticsStale.objects.filter(pk__in=[pk for pk, _c, _v in marks]).delete()
    return len(whole | set(villages))


def rebuild(
    communes: Iterable[int], villages: dict[int, set[int]], *, horizon: datetime.date
) -> None:
    """Write the rows of the whole `communes` and of `villages` (commune → its villages) again
    from their periods, with birthdays up to `horizon`, then their communes' sums."""
    communes = sorted(communes)
    if not communes and not villages:
        return
    summary = StatisticsSummary._meta.db_table
    places, place_params = _places("p.", communes, villages)
    rows, row_params = _places("", communes, villages, village_column="place_id")
    touched = sorted(set(communes) | set(villages))
    in_touched = ", ".join(["%s"] * len(touched))
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One pass over the periods into a few thousand groups: compiling the expressions
            # (JIT) costs more than it saves.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
            )
        cursor.execute(
            f"DELETE FROM {summary} WHERE level = %s AND ({rows})",  # noqa: S608
            [Level.VILLAGE, *row_params],
        )
        cursor.execute(*_village_rows_sql(places, place_params, horizon))
        cursor.execute(
            f"DELETE FROM {summary} WHERE level = %s AND commune_id IN ({in_touched})",  # noqa: S608
            [Level.COMMUNE, *touched],
        )
        sums = ", ".join(f"SUM({column})" for column in COLUMNS)
        cursor.execute(
            f"""INSERT INTO {summary} (level, place_id, commune_id, grain, day, sex, activity,
                {columns})
            SELECT %s, commune_id, commune_id, grain, day, sex, activity, {sums}
            FROM {summary} WHERE level = %s AND commune_id IN ({in_touched})
            GROUP BY commune_id, grain, day, sex, activity""",  # noqa: S608
            [Level.COMMUNE, Level.VILLAGE, *touched],
        )
        # The versions saved, by what they were (the changes report's counts).
        versions = VersionSummary._meta.db_table
        cursor.execute(
            f"DELETE FROM {versions} WHERE level = %s AND ({rows})",  # noqa: S608
            [Level.VILLAGE, *row_params],
        )
        cursor.execute(*_version_rows_sql(places, place_params))
        cursor.execute(
            f"DELETE FROM {versions} WHERE level = %s AND commune_id IN ({in_touched})",  # noqa: S608
            [Level.COMMUNE, *touched],
        )
        cursor.execute(
            f"""INSERT INTO {versions} (level, place_id, commune_id, grain, day, {VERSION_KEYS},
                versions)
            SELECT %s, commune_id, commune_id, grain, day, {VERSION_KEYS}, SUM(versions)
            FROM {versions} WHERE level = %s AND commune_id IN ({in_touched})
            GROUP BY commune_id, grain, day, {VERSION_KEYS}""",  # noqa: S608
            [Level.COMMUNE, Level.VILLAGE, *touched],
        )


def _places(
    prefix: str,
    communes: list[int],
    villages: dict[int, set[int]],
    *,
    village_column: str = "village_id",
) -> tuple[str, list[int]]:
    """The SQL condition (and its parameters) of the rows of these communes and villages."""
    parts, params = [], []
    if communes:
        parts.append(f"{prefix}commune_id IN ({', '.join(['%s'] * len(communes))})")
        params += communes
    for commune, ids in sorted(villages.items()):
        ids_sorted = sorted(ids)
        marks = ", ".join(["%s"] * len(ids_sorted))
        parts.append(f"({prefix}commune_id = %s AND {prefix}{village_column} IN ({marks}))")
        params += [commune, *ids_sorted]
    return " OR ".join(parts), params


def _crossing(years: int) -> str:
    """The first day on which someone born on p.birth_date is `years` old (as the reports count:
    one born on 29 February turns a year older on 1 March in other years)."""
    if connection.vendor == "postgresql":
        later = f"(p.birth_date + make_interval(years => {years}))"
        return (
            f"(CAST({later} AS date) + CASE WHEN EXTRACT(MONTH FROM p.birth_date) = 2 "
            f"AND EXTRACT(DAY FROM p.birth_date) = 29 AND EXTRACT(DAY FROM {later}) = 28 "
            "THEN 1 ELSE 0 END)"
        )
    return f"date(p.birth_date, '+{years} years')"  # SQLite carries 29 February to 1 March


def _village_rows_sql(
    places: str, place_params: list[int], horizon: datetime.date
) -> tuple[str, list[Any]]:
    """INSERT … SELECT of the village rows of the periods matching `places`, and its
    parameters."""
    postgres = connection.vendor == "postgresql"
    greatest, least = ("GREATEST", "LEAST") if postgres else ("MAX", "MIN")
    start, start_params = connection.ops.datetime_cast_date_sql(
        "p.valid_from", (), settings.TIME_ZONE
    )
    end, end_params = connection.ops.datetime_cast_date_sql("p.valid_to", (), settings.TIME_ZONE)
    if postgres:
        month = "CAST(date_trunc('month', day) AS date)"
        year = "CAST(date_trunc('year', day) AS date)"
    else:
        month, year = "strftime('%%Y-%%m-01', day)", "strftime('%%Y-01-01', day)"
    code_columns = sorted({column for column, _list in CODE_COLUMNS} | {
        column for _kind, terms in CODE_COUNTERS.values() for column, _v in terms
    })  # fmt: skip
    kept = ", ".join(f"p.{column}" for column in code_columns)
    crossings = ", ".join(
        f"{_crossing(years)} AS c{index}" for index, years in enumerate(AGE_BOUNDARIES)
    )
    bands = " UNION ALL ".join(f"SELECT {index} AS band" for index in range(len(AGE_BOUNDARIES)))
    last = len(AGE_BOUNDARIES) - 1
    lower = " ".join(f"WHEN {i} THEN x.c{i}" for i in range(last + 1))
    upper = " ".join(f"WHEN {i} THEN x.c{i + 1}" for i in range(last))
    counters = [
        "SUM(n)",
        *(f"SUM(CASE WHEN band = {i} THEN n ELSE 0 END)" for i in range(len(AGE_COUNTERS))),
        *(f"SUM(CASE WHEN {counter_sql(name)} THEN n ELSE 0 END)" for name in CODE_COUNTERS),
    ]
    daily = ", ".join(f"{sql} AS {column}" for sql, column in zip(counters, COLUMNS, strict=True))
    sums = ", ".join(f"SUM({column})" for column in COLUMNS)
    columns = ", ".join(COLUMNS)
    summary, periods = StatisticsSummary._meta.db_table, PersonPeriod._meta.db_table
    statement = f"""
        WITH crossed AS (
          SELECT p.village_id, p.commune_id, p.sex, p.activity_status, {kept},
            {start} AS start_day, COALESCE({end}, %s) AS end_day, {crossings}
          FROM {periods} p WHERE p.leave_reason = '' AND ({places})
        ),
        spans AS (
          SELECT x.*, b.band,
            {greatest}(x.start_day, CASE b.band {lower} END) AS a,
            {least}(x.end_day, CASE b.band {upper} ELSE %s END) AS z
          FROM crossed x CROSS JOIN ({bands}) b
        ),
        events AS (
          SELECT s.*, e.n, CASE WHEN e.n = 1 THEN s.a ELSE s.z END AS day
          FROM spans s CROSS JOIN (SELECT 1 AS n UNION ALL SELECT -1 AS n) e
          WHERE s.a < s.z
        ),
        daily AS (
          SELECT village_id, commune_id, day, sex, activity_status AS activity, {daily}
          FROM events WHERE day <= %s
          GROUP BY village_id, commune_id, day, sex, activity_status
        )
        INSERT INTO {summary} (level, place_id, commune_id, grain, day, sex, activity, {columns})
        SELECT {Level.VILLAGE}, village_id, commune_id, {Grain.DAY}, day, sex, activity, {columns}
          FROM daily
        UNION ALL
        SELECT {Level.VILLAGE}, village_id, commune_id, {Grain.MONTH}, {month}, sex, activity,
          {sums} FROM daily GROUP BY village_id, commune_id, {month}, sex, activity
        UNION ALL
        SELECT {Level.VILLAGE}, village_id, commune_id, {Grain.YEAR}, {year}, sex, activity,
          {sums} FROM daily GROUP BY village_id, commune_id, {year}, sex, activity
    """  # noqa: S608
    # Table names from the models, codes from the code lists, every value a parameter.
    return statement, [*start_params, *end_params, NEVER, *place_params, NEVER, horizon]


VERSION_KEYS = "source, leave_reason, first, closed_before"


def _version_rows_sql(places: str, place_params: list[int]) -> tuple[str, list[Any]]:
    """INSERT … SELECT of the village rows counting the versions of the periods matching
    `places` by the day they were saved (Vietnam's time), and its parameters. Whether the
    version before had closed the record is found by the (person, number) index; that version
    never changes, so neither does the row."""
    saved, saved_params = connection.ops.datetime_cast_date_sql(
        "p.valid_from", (), settings.TIME_ZONE
    )
    if connection.vendor == "postgresql":
        month = "CAST(date_trunc('month', day) AS date)"
        year = "CAST(date_trunc('year', day) AS date)"
    else:
        month, year = "strftime('%%Y-%%m-01', day)", "strftime('%%Y-01-01', day)"
    versions, periods = VersionSummary._meta.db_table, PersonPeriod._meta.db_table
    keys = VERSION_KEYS
    statement = f"""
        WITH daily AS (
          SELECT p.village_id, p.commune_id, {saved} AS day, p.source, p.leave_reason,
            p.number = 1 AS first, q.person_id IS NOT NULL AS closed_before,
            COUNT(*) AS versions
          FROM {periods} p
          LEFT JOIN {periods} q ON q.person_id = p.person_id AND q.number = p.number - 1
            AND q.leave_reason <> '' AND p.number > 1
          WHERE ({places})
          GROUP BY 1, 2, 3, 4, 5, 6, 7
        )
        INSERT INTO {versions} (level, place_id, commune_id, grain, day, {keys}, versions)
        SELECT {Level.VILLAGE}, village_id, commune_id, {Grain.DAY}, day, {keys}, versions
          FROM daily
        UNION ALL
        SELECT {Level.VILLAGE}, village_id, commune_id, {Grain.MONTH}, {month}, {keys},
          SUM(versions) FROM daily GROUP BY village_id, commune_id, {month}, {keys}
        UNION ALL
        SELECT {Level.VILLAGE}, village_id, commune_id, {Grain.YEAR}, {year}, {keys},
          SUM(versions) FROM daily GROUP BY village_id, commune_id, {year}, {keys}
    """  # noqa: S608
    # Table names from the models, levels and grains are constants, every value a parameter.
    return statement, [*saved_params, *place_params]


def _as_of(day: datetime.date) -> tuple[str, list[Any]]:
    """The rows whose sum is the figures at the end of `day`."""
    year, month = day.replace(month=1, day=1), day.replace(day=1)
    return (
        "((grain = %s AND day < %s) OR (grain = %s AND day >= %s AND day < %s) "
        "OR (grain = %s AND day >= %s AND day <= %s))",
        [Grain.YEAR, year, Grain.MONTH, year, month, Grain.DAY, month, day],
    )


def read_cells(unit: Unit, day: datetime.date, communes: list[int] | None = None) -> PlaceCells:
    """The figures of the lowest units under `unit` (villages in a commune, communes above) at
    the end of `day`, from the summary as it stands (call `catch_up` first). One statement,
    written out rather than built by the ORM: building 58 sums cost more than running them."""
    if unit.level != Level.COUNTRY and communes is None:
        communes = communes_in(unit)
    time, params = _as_of(day)
    level = Level.VILLAGE if unit.level >= Level.COMMUNE else Level.COMMUNE
    where = [f"level = {int(level)}", time]
    if communes is not None:
        if not communes:
            return {}
        where.append(f"commune_id IN ({', '.join(['%s'] * len(communes))})")
        params += communes
    if unit.level == Level.VILLAGE:
        where.append("place_id = %s")
        params.append(unit.pk)
    sums = ", ".join(f"SUM({column})" for column in COLUMNS)
    statement = (
        f"SELECT place_id, sex, activity, {sums} FROM {StatisticsSummary._meta.db_table} "  # noqa: S608
        f"WHERE {' AND '.join(where)} GROUP BY place_id, sex, activity"
    )
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # A few thousand rows into a few hundred groups: starting parallel workers and
            # sorting (the planner's choice) took 35 ms of a province's 60.
            cursor.execute(
                "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                "set_config('enable_sort', 'off', true)"
            )
            cursor.execute(statement, params)
            rows = cursor.fetchall()
    else:  # no transaction: on SQLite it would take the write lock
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
    cells: PlaceCells = {}
    for place, sex, activity, *counts in rows:
        if any(counts):
            cells.setdefault(place, {})[(sex, activity)] = counts
    return cells


def read_versions(
    unit: Unit, start: datetime.date, end: datetime.date
) -> list[tuple[str, str, bool, bool, int]]:
    """The versions saved in `unit` after the end of `start` up to the end of `end`, from the
    summary as it stands (call `catch_up` first): (source, leave reason, first, closed before,
    versions), the sums up to `end` less those up to `start`."""
    communes = None if unit.level == Level.COUNTRY else communes_in(unit)
    if communes == []:
        return []
    upto_end, end_params = _as_of(end)
    upto_start, start_params = _as_of(start)
    level = Level.VILLAGE if unit.level == Level.VILLAGE else Level.COMMUNE
    where = [f"level = {int(level)}", f"({upto_end} OR {upto_start})"]
    params: list[Any] = [*end_params, *start_params]
    if communes is not None:
        where.append(f"commune_id IN ({', '.join(['%s'] * len(communes))})")
        params += communes
    if unit.level == Level.VILLAGE:
        where.append("place_id = %s")
        params.append(unit.pk)
    # The table's name, our levels and grains; every value a parameter.
    statement = (
        f"SELECT {VERSION_KEYS}, SUM(CASE WHEN {upto_end} THEN versions ELSE 0 END) "  # noqa: S608
        f"- SUM(CASE WHEN {upto_start} THEN versions ELSE 0 END) "
        f"FROM {VersionSummary._meta.db_table} WHERE {' AND '.join(where)} "
        f"GROUP BY {VERSION_KEYS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*end_params, *start_params, *params])
        rows = cursor.fetchall()
    return [
        (source, reason, bool(first), bool(closed), versions)
        for source, reason, first, closed, versions in rows
        if versions
    ]


CACHE_SECONDS = 3600


def summary_cells(unit: Unit, day: datetime.date) -> PlaceCells:
    """Catch up what the unit's figures need, then read them. Figures read when nothing was
    due are kept in the cache under the rows' generation: a write marks its village, the next
    reader rebuilds it, the generation changes, and the kept figures are never read again."""
    communes = communes_in(unit)
    pending, generation = look(communes, timezone.localdate())
    if pending:
        bring_up_to_date(communes)
        return read_cells(unit, day, communes)
    key = f"laodong:statistics:{connection.alias}:{unit.pk}:{day.isoformat()}:{generation}"
    cells = cache.get(key)
    if cells is None:
        cells = read_cells(unit, day, communes)
        cache.set(key, cells, CACHE_SECONDS)
    return cells


def kept(unit: Unit, day: datetime.date, name: str, make: Callable[[], T]) -> T:
    """Something made from the figures of `unit` on `day` (a page's tables drawn), kept in the
    cache under the summary's generation as the figures themselves are: made again once a
    write has been caught up. Not kept while a write is still to be caught up, nor for a day
    after today (counted from the periods)."""
    if day > timezone.localdate():
        return make()
    communes = communes_in(unit)
    pending, generation = look(communes, timezone.localdate())
    if pending:
        return make()
    key = f"laodong:{name}:{connection.alias}:{unit.pk}:{day.isoformat()}:{generation}"
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, CACHE_SECONDS)
    return value
