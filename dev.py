#!/usr/bin/env python3
"""Set up a virtual environment from the lock files and run the demo or the test suite.

Usage:
    python3 dev.py demo            # SQLite database, demo data, web server on 127.0.0.1:8000
    python3 dev.py test [ARGS...]  # the whole test suite (pytest ARGS are passed through)

Only the Python standard library is used here, so it runs on a fresh machine.
The environment lives in .venv/ and is rebuilt only when a lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LAODONG_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _lock_digest(lock: Path) -> str:
    digest = hashlib.sha256(lock.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def _is_installed(lock_name: str) -> bool:
    stamp = VENV / f".installed-{lock_name}"
    lock = ROOT / "requirements" / lock_name
    return PYTHON.exists() and stamp.exists() and stamp.read_text() == _lock_digest(lock)


def ensure_environment(lock_name: str, also_fine: str | None = None) -> None:
    """Create .venv and install the locked dependencies and the project, once per lock."""
    if sys.version_info < (3, 11):
        sys.exit("laodong needs Python 3.11 or newer.")
    if _is_installed(lock_name) or (also_fine and _is_installed(also_fine)):
        return
    lock = ROOT / "requirements" / lock_name
    stamp = VENV / f".installed-{lock_name}"
    wanted = _lock_digest(lock)
    if not PYTHON.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    print(f"Installing dependencies from requirements/{lock_name} ...", flush=True)
    subprocess.run([*pip, "install", "--require-hashes", "-r", str(lock)], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    for other in VENV.glob(".installed-*"):
        other.unlink()
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        # The development lock is a superset of the runtime one.
        ensure_environment("lock.txt", also_fine="dev-lock.txt")
        return subprocess.call([str(BIN / "laodong"), "demo", *rest], cwd=ROOT)
    ensure_environment("dev-lock.txt")
    code = subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT)
    if code == 5:
        print("pytest collected no tests: that is a failure.", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
