"""Run the security probes and print their figures (issue 11): cross-scope probes tried and
leaks, concurrent edits tried and lost. Hostile files have their own script
(benchmarks/hostile_files.py).

    .venv/bin/python benchmarks/security_probes.py [--database-url postgres://…]

Cross-scope probes: every page of the URL conf that names an object, for every role, GET and
POST, on objects of another commune of the same province (sharing a province campaign) and of
another province (laodong/core/tests/test_url_matrix.py). A leak is any answer other than
403/404/405, any page that shows the other area's people, or any change made. Concurrent
edits: pairs of officers saving the same person at the same moment through the web stack,
on PostgreSQL (laodong/register/tests/test_concurrency.py); lost means a saved change that
the register does not hold. Goals: 0 leaks, 0 lost updates.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"


def _pytest(target: str, env: dict[str, str]) -> tuple[int, str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:logging",
            "-p",
            "no:cacheprovider",
            target,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_PG))
    arguments = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": arguments.database_url}
    print(f"database: {arguments.database_url.split('@')[-1]}")

    code, output, seconds = _pytest(
        "laodong/core/tests/test_url_matrix.py::test_no_role_reaches_another_area", env
    )
    probes = sum(int(n) for n in re.findall(r"PROBES \S+ (\d+)", output))
    pages = len(re.findall(r"PROBES \S+ \d+", output))
    failed = re.search(r"(\d+) failed", output)
    leaks = int(failed.group(1)) if failed else (0 if code == 0 else -1)
    print(
        f"cross-scope probes: {probes} requests over {pages} pages × 9 roles × 2 other areas "
        f"× GET/POST; leaks: {leaks} ({seconds:.0f} s)"
    )

    code, output, seconds = _pytest(
        "laodong/register/tests/test_concurrency.py::test_simultaneous_edits_lose_nothing", env
    )
    found = re.search(
        r"concurrent edits tried: (\d+); saved: (\d+); refused: (\d+); lost: (\d+)", output
    )
    if found:
        pairs, saved, refused, lost = (int(n) for n in found.groups())
        print(
            f"concurrent edits: {2 * pairs} saves in {pairs} simultaneous pairs; "
            f"saved {saved}, refused with the merge page {refused}; lost: {lost} "
            f"({seconds:.0f} s)"
        )
    elif "skipped" in output:
        print("concurrent edits: skipped (needs PostgreSQL: pass --database-url)")
    else:
        print("concurrent edits: the test failed:\n" + output[-2000:])
    if code != 0 or leaks != 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
