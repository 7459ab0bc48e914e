"""The province's search for one person recorded in two communes (reconcile.actions.run_cross),
its engine part on a generated province, beside the same engine searching from everyone.

    python benchmarks/cross_duplicates.py [--size 2000000] [--communes 166] [--without-id 0.05]
                                          [--twice 0.005]

Builds SIZE people in COMMUNES communes (households of 1–5, villages of about 700), a share
WITHOUT-ID of them recorded without an ID and written the ways communes write them, and a
share TWICE recorded again, without an ID and varied, in another commune of the province
(benchmarks/reconcile_data.py's variations). Runs `engine.duplicates_across` as the search
does — from the people without a 12-digit ID, only pairs of two communes, no pair resting on a
birth year alone — and, as the reference in the same run, the same engine searching from
every person. Prints seconds, peak memory and precision/recall of the
pairs of two communes against the planted ones. The search also reads the province's people
from the database first (one indexed query, streamed; not measured here).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laodong.settings")
os.environ.setdefault("LAODONG_DEBUG", "1")

import django  # noqa: E402

django.setup()

from reconcile_data import FAMILY, make_id, new_person, vary  # noqa: E402

from laodong.linkage import engine  # noqa: E402


def build(size: int, communes: int, without_id: float, twice: float, seed: int = 2026) -> tuple[
    list[engine.Record], dict[int, int], set[tuple[int, int]]
]:  # fmt: skip
    rng = random.Random(seed)
    families = [f for f, _w in FAMILY]
    weights = [w for _f, w in FAMILY]
    records: list[engine.Record] = []
    commune_of: dict[int, int] = {}
    people = []
    household = 0
    while len(people) < size:
        household += 1
        commune = rng.randrange(communes)
        village = f"{commune}:{rng.randrange(12)}"
        for _member in range(rng.choice((1, 2, 3, 3, 4, 4, 5))):
            person = new_person(rng, families, weights)
            person.update(village=village, household=f"{commune}:H{household}", commune=commune)
            people.append(person)
    truth: set[tuple[int, int]] = set()

    def add(person: dict, commune: int, village: str, household: str, with_id: bool) -> int:
        key = len(records)
        shown = vary(rng, person) if not with_id else person
        birth = shown["birth"]
        records.append(
            engine.Record(
                key,
                shown["name"],
                birth.replace(month=1, day=1) if shown["year_only"] else birth,
                shown["year_only"],
                shown["sex"],
                make_id(rng, person["birth"], person["sex"], key) if with_id else "",
                village,
                household,
            )
        )
        commune_of[key] = commune
        return key

    for person in people[:size]:
        first = add(person, person["commune"], person["village"], person["household"],
                    rng.random() >= without_id)  # fmt: skip
        if rng.random() < twice:
            other = (person["commune"] + 1 + rng.randrange(communes - 1)) % communes
            second = add(person, other, f"{other}:{rng.randrange(12)}", "", False)
            truth.add((first, second))
    return records, commune_of, truth


def measure(label: str, records: list[engine.Record], commune_of: dict[int, int],
            truth: set[tuple[int, int]], from_unidentified: bool) -> None:  # fmt: skip
    started = time.perf_counter()
    if from_unidentified:
        links = engine.duplicates_across(records, lambda record: commune_of[record.key])  # type: ignore[index]
    else:
        links = [
            link
            for link in engine.duplicates(
                records,
                keep=lambda a, b: commune_of[a.key] != commune_of[b.key],  # type: ignore[index]
            )
            if not engine.YEAR_ONLY.intersection(link.reasons)
        ]
    seconds = time.perf_counter() - started
    found = {
        (min(int(l.left.key), int(l.right.key)), max(int(l.left.key), int(l.right.key)))  # type: ignore[union-attr,call-overload]
        for l in links  # noqa: E741
    }
    right = len(found & truth)
    precision = right / len(found) if found else 1.0
    recall = right / len(truth) if truth else 1.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<38} {seconds:8.1f} s  peak {peak:7.0f} MB  pairs {len(found):7d}  "
        f"precision {precision:.4f}  recall {recall:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2_000_000)
    parser.add_argument("--communes", type=int, default=166)
    parser.add_argument("--without-id", type=float, default=0.05)
    parser.add_argument("--twice", type=float, default=0.005)
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    records, commune_of, truth = build(args.size, args.communes, args.without_id, args.twice)
    print(
        f"{len(records):,} records in {args.communes} communes, "
        f"{sum(1 for r in records if not r.personal_id):,} without ID, "
        f"{len(truth):,} people recorded in two communes "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    measure("search (from people without ID)", records, commune_of, truth, True)
    if not args.skip_reference:
        measure("reference (from every person)", records, commune_of, truth, False)


if __name__ == "__main__":
    main()
