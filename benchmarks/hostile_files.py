"""Feed every hostile file to the reader all uploads share, each in its own process, and
print: files tried, refused with a clear message, crashes (what a page would show as a 500),
hangs (over 30 s), and peak memory.

    .venv/bin/python benchmarks/hostile_files.py [--bomb-mib 1024]

The files (laodong/core/tests/data/hostile_files.py): a 1 GiB zip bomb, one that lies about
its sizes, a sheet claiming 16,384 columns, data beyond the last column allowed, a file broken
part-way, a NUL byte, a 40,000-character cell, bytes not in UTF-8 late in a CSV. Goals
(issue 11): 0 crashes, 0 hangs, peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = """
import resource, sys, traceback
import django
django.setup()
from laodong.core.tabular import Column, TableError, read_table
columns = [Column("full_name", "Họ và tên"), Column("birth_date", "Ngày sinh"),
           Column("personal_id", "Số định danh cá nhân")]
code = 0
try:
    with open(sys.argv[1], "rb") as handle:
        table = read_table(handle, sys.argv[1], columns)
    print("read", len(table.rows), "rows")
except TableError as problem:
    print("refused:", problem)
except BaseException as error:
    print("CRASH:", type(error).__name__, str(error)[:80])
    code = 1
print("peak_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mib", type=int, default=1024)
    arguments = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "laodong.settings",
        "LAODONG_DEBUG": "1",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryDirectory(prefix="laodong-hostile-") as temporary:
        folder = Path(temporary)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "laodong.core.tests.data.hostile_files",
                str(folder),
                "--bomb-mib",
                str(arguments.bomb_mib),
            ],
            check=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        tried = refused = crashes = hangs = 0
        peak = 0
        print(f"{'file':22} {'bytes':>11} {'seconds':>8} {'peak MB':>8}  outcome")
        for path in sorted(folder.iterdir()):
            tried += 1
            started = time.perf_counter()
            outcome = ""
            process = subprocess.Popen(
                [sys.executable, "-c", READ, str(path)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                output, _errors = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                output, _errors = process.communicate()
                hangs += 1
                outcome = "HANG (killed after 30 s)"
            seconds = time.perf_counter() - started
            lines = output.strip().splitlines()
            rss = 0
            if lines and lines[-1].startswith("peak_kb"):
                rss = int(lines.pop().split()[1]) * 1024
            if process.returncode == 0:
                refused += bool(lines) and lines[0].startswith("refused")
                outcome = (lines or ["?"])[0][:90]
            elif outcome == "":
                crashes += 1
                outcome = (lines or ["CRASH: killed or no output"])[0][:90]
            peak = max(peak, rss)
            print(
                f"{path.name:22} {path.stat().st_size:11,} {seconds:8.1f} "
                f"{rss / 2**20:8.0f}  {outcome}"
            )
    print()
    print(f"bad files tried: {tried}; refused with a message: {refused}; crashes (500s): {crashes}")
    print(f"hangs: {hangs}; peak memory: {peak / 2**20:.0f} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
