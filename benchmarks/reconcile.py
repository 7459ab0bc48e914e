"""Speed and accuracy of `laodong reconcile` beside splink, on the same files in one run.

    python benchmarks/reconcile.py [--size 1000000] [--folder DIR] [--splink-python PYTHON]

Generates (once per size) a register of SIZE people, 30% of them without an ID and written
the ways communes write them, and a population extract of 1.05 × SIZE with look-alikes
(benchmarks/reconcile_data.py), then links them with `laodong reconcile` and with splink on
DuckDB (benchmarks/reconcile_splink.py, run by a Python that has splink:
`python -m venv /tmp/splink && /tmp/splink/bin/pip install -r requirements/bench-splink.txt`).
Prints for each: seconds, peak memory of its processes together, and precision, recall and F1
of the linked pairs against the truth — for all people and for those without an ID.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reconcile_data import generate  # noqa: E402


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants, in bytes."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a command; return its wall time, the peak memory of its process tree, its output."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    if process.returncode:
        print(output)
        raise SystemExit(f"{command[0]} failed ({process.returncode})")
    return seconds, peak, output


def score(folder: Path, result: Path) -> dict[str, tuple[float, float, float]]:
    truth: set[tuple[int, int]] = set()
    without_id: set[int] = set()
    with (folder / "truth.csv").open() as handle:
        for row in csv.DictReader(handle):
            pair = (int(row["left_row"]), int(row["right_row"]))
            truth.add(pair)
            if row["left_has_id"] == "0":
                without_id.add(pair[0])
    linked: set[tuple[int, int]] = set()
    with result.open() as handle:
        for row in csv.DictReader(handle):
            if row["outcome"] in ("match", "conflict"):
                linked.add((int(row["left_row"]), int(row["right_row"])))

    def figures(found: set[tuple[int, int]], true: set[tuple[int, int]]) -> tuple[float, ...]:
        right = len(found & true)
        precision = right / len(found) if found else 0.0
        recall = right / len(true) if true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if right else 0.0
        return precision, recall, f1

    return {
        "all": figures(linked, truth),  # type: ignore[dict-item]
        "without ID": figures(  # type: ignore[dict-item]
            {p for p in linked if p[0] in without_id}, {p for p in truth if p[0] in without_id}
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--splink-python", default=os.environ.get("SPLINK_PYTHON", ""))
    arguments = parser.parse_args()
    folder = arguments.folder or Path(f"/tmp/laodong-reconcile-{arguments.size}")  # noqa: S108
    if not (folder / "truth.csv").exists():
        print(f"Generating {arguments.size:,} + {int(arguments.size * 1.05):,} people in {folder}")
        generate(folder, arguments.size)
    register, extract = folder / "register.csv", folder / "extract.csv"
    rows = []
    env = {**os.environ, "LAODONG_DEBUG": "1"}
    ours = folder / "laodong.csv"
    seconds, peak, _output = measure(
        [sys.executable, "-m", "laodong", "reconcile", str(register), str(extract),
         "--out", str(ours)],
        env,
    )  # fmt: skip
    rows.append(("laodong reconcile", seconds, peak, score(folder, ours)))
    if arguments.splink_python:
        theirs = folder / "splink.csv"
        seconds, peak, _output = measure(
            [arguments.splink_python, str(HERE / "reconcile_splink.py"), str(register),
             str(extract), str(theirs)]
        )  # fmt: skip
        rows.append(("splink 5 on DuckDB", seconds, peak, score(folder, theirs)))
    else:
        print("splink left out: give --splink-python (see the docstring).")
    print(f"\n{arguments.size:,} register people, {int(arguments.size * 1.05):,} in the extract")
    print(
        f"{'':22} {'seconds':>8} {'peak MB':>8}   {'P / R / F1 (all)':<24} P / R / F1 (without ID)"
    )
    for name, seconds, peak, figures in rows:
        cells = [" / ".join(f"{value:.4f}" for value in figures[part]) for part in figures]
        print(f"{name:22} {seconds:8.1f} {peak / 2**20:8.0f}   {cells[0]:<24} {cells[1]}")


if __name__ == "__main__":
    main()
