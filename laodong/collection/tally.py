"""The campaign's progress kept by day, so that progress as of any date reads a few thousand
rows instead of every form's transitions (issue 14: a province of 2,000,000 forms).

Each form contributes, in its village and under its current list flags, +1 to "listed" on
01/01/0001 and, for each of its transitions on the day it happened (Vietnam's time), −1 to the
state before and +1 to the state after; a form whose status came without a transition (a police
list that adds a person already out of scope) moves to it on 31/12/9999, so it counts now and on
no past day — exactly what counting the transitions gives. An entered form adds +1 to
`ENTERED_MARK` on its entry date. Summing a village's rows up to a day gives its forms in each
state at the end of that day.

Upkeep: every write that changes a form's state, flags, village or entry date marks its village
(or, for a police list, the whole commune) stale in its own transaction (`mark_village`,
`mark_commune`); the next reader rebuilds the stale places from the forms and transitions
before reading (`catch_up`), in one statement per call. A reader therefore always sees the
figures the raw count would give, and a write costs one small insert.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from laodong.collection.models import (
    ENTERED_OR_LATER,
    ProgressStale,
    ProgressTally,
    Status,
    Transition,
    WorkItem,
)

BEGINNING = datetime.date(1, 1, 1)
NOW_ONLY = datetime.date(9999, 12, 31)
ENTERED_MARK = "@entered"


def mark_village(campaign_id: int, commune_id: int, village_id: int) -> None:
    """The village's tally no longer matches its forms (call inside the writing transaction)."""
    ProgressStale.objects.create(
        campaign_id=campaign_id, commune_id=commune_id, village_id=village_id
    )


def mark_commune(campaign_id: int, commune_id: int) -> None:
    ProgressStale.objects.create(campaign_id=campaign_id, commune_id=commune_id, village_id=None)


def mark_all() -> int:
    """Every commune of every campaign (after a restore, or to rebuild everything lazily)."""
    places = (
        WorkItem.objects.values_list("campaign_id", "commune_id").distinct().order_by()
    )  # fmt: skip
    marks = [ProgressStale(campaign_id=c, commune_id=u, village_id=None) for c, u in places]
    ProgressStale.objects.bulk_create(marks, batch_size=1000)
    return len(marks)


def catch_up(campaign_id: int, communes: Any = None, village_id: int | None = None) -> int:
    """Rebuild the stale places of the campaign (within `communes`, a queryset or list of unit
    ids, or the one village, when given); returns how many marks it cleared. Marks are locked,
    so two readers never rebuild the same place at once; a write that marks a place while this
    runs leaves its mark for the next reader."""
    marks = ProgressStale.objects.filter(campaign_id=campaign_id)
    if communes is not None:
        marks = marks.filter(commune_id__in=communes)
    if village_id is not None:
        marks = marks.filter(Q(village_id=village_id) | Q(village_id__isnull=True))
    # Looked for first without a transaction: on SQLite (transactions take the write lock at
    # their start) a reader with nothing to rebuild never waits for a writer.
    if not marks.exists():
        return 0
    with transaction.atomic():
        found = list(
            marks.select_for_update().order_by("pk").values_list("pk", "commune_id", "village_id")
        )
        if not found:
            return 0
        whole = {commune for _pk, commune, village in found if village is None}
        villages = {village for _pk, commune, village in found if village and commune not in whole}
        rebuild(campaign_id, communes=whole, villages=villages)
        ProgressStale.objects.filter(pk__in=[pk for pk, _c, _v in found]).delete()
    return len(found)


def rebuild(
    campaign_id: int,
    *,
    communes: Iterable[int] = (),
    villages: Iterable[int] = (),
    everything: bool = False,
) -> None:
    """Write the tally of the given communes and villages (or of the whole campaign) again from
    the work items and their transitions: one DELETE and one INSERT … SELECT."""
    communes, villages = sorted(communes), sorted(villages)
    if not (everything or communes or villages):
        return
    tally, items, moves = (
        ProgressTally._meta.db_table,
        WorkItem._meta.db_table,
        Transition._meta.db_table,
    )
    places, place_params = _places("", communes, villages, everything)
    scoped, _same = _places("w.", communes, villages, everything)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner overestimates the groups a thousandfold and would compile the query
            # (JIT): 0.8 s of a commune's 1.06 s rebuild. For this transaction only.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
            )
        cursor.execute(
            f"DELETE FROM {tally} WHERE campaign_id = %s AND ({places})",  # noqa: S608
            [campaign_id, *place_params],
        )
        day, day_params = connection.ops.datetime_cast_date_sql(
            "t.at", (), settings.TIME_ZONE
        )  # fmt: skip
        entered = ", ".join(["%s"] * len(ENTERED_OR_LATER))
        # The forms of the place; then each transition with the state before it (the previous
        # transition's, or "listed") and whether it is the form's last.
        # Table names from the models, places of integer ids; every value is a parameter.
        cursor.execute(
            f"""
            WITH scope AS (
              SELECT w.id, w.commune_id, w.village_id, w.in_latest_list, w.outside_list,
                w.status, w.entered_on
              FROM {items} w WHERE w.campaign_id = %s AND ({scoped})
            ),
            moves AS (
              SELECT s.commune_id, s.village_id, s.in_latest_list, s.outside_list, t.work_item_id,
                {day} AS day, COALESCE(LAG(t.to_status) OVER w, %s) AS before,
                t.to_status AS after,
                CASE WHEN LEAD(t.id) OVER w IS NULL THEN 1 ELSE 0 END AS latest
              FROM {moves} t JOIN scope s ON s.id = t.work_item_id
              WINDOW w AS (PARTITION BY t.work_item_id ORDER BY t.at, t.id)
            ),
            settled AS (
              SELECT s.commune_id, s.village_id, s.in_latest_list, s.outside_list, s.status,
                COALESCE(m.after, %s) AS after
              FROM scope s LEFT JOIN moves m ON m.work_item_id = s.id AND m.latest = 1
            ),
            deltas (commune_id, village_id, in_latest_list, outside_list, day, state, n) AS (
              SELECT commune_id, village_id, in_latest_list, outside_list, %s, %s, 1 FROM scope
              UNION ALL SELECT commune_id, village_id, in_latest_list, outside_list, day, before, -1
                FROM moves
              UNION ALL SELECT commune_id, village_id, in_latest_list, outside_list, day, after, 1
                FROM moves
              UNION ALL SELECT commune_id, village_id, in_latest_list, outside_list, %s, after, -1
                FROM settled WHERE status <> after
              UNION ALL SELECT commune_id, village_id, in_latest_list, outside_list, %s, status, 1
                FROM settled WHERE status <> after
              UNION ALL SELECT commune_id, village_id, in_latest_list, outside_list, entered_on,
                %s, 1
                FROM scope WHERE status IN ({entered}) AND entered_on IS NOT NULL
            )
            INSERT INTO {tally} (campaign_id, commune_id, village_id, day, status,
              in_latest_list, outside_list, count)
            SELECT %s, commune_id, village_id, day, state, in_latest_list, outside_list, SUM(n)
            FROM deltas
            GROUP BY commune_id, village_id, day, state, in_latest_list, outside_list
            HAVING SUM(n) <> 0
            """,  # noqa: S608
            [
                campaign_id,
                *place_params,
                *day_params,
                Status.LISTED,
                Status.LISTED,
                BEGINNING,
                Status.LISTED,
                NOW_ONLY,
                NOW_ONLY,
                ENTERED_MARK,
                *ENTERED_OR_LATER,
                campaign_id,
            ],
        )


def _places(
    prefix: str, communes: list[int], villages: list[int], everything: bool
) -> tuple[str, list[int]]:
    """The SQL condition (and its parameters) of the rows of these communes or villages."""
    if everything:
        return "1 = 1", []
    parts, params = [], []
    if communes:
        parts.append(f"{prefix}commune_id IN ({', '.join(['%s'] * len(communes))})")
        params += communes
    if villages:
        parts.append(f"{prefix}village_id IN ({', '.join(['%s'] * len(villages))})")
        params += villages
    return " OR ".join(parts), params


def rebuild_campaign(campaign_id: int) -> None:
    """The whole campaign's tally from scratch; its marks are cleared."""
    with transaction.atomic():
        marks = list(
            ProgressStale.objects.filter(campaign_id=campaign_id)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rebuild(campaign_id, everything=True)
        ProgressStale.objects.filter(pk__in=marks).delete()
