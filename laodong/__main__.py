"""The `laodong` console command: Django's management commands with our settings."""

import os
import sys


def main() -> None:
    """Run a management command, e.g. `laodong migrate` or `laodong demo`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laodong.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo runs without HTTPS on 127.0.0.1 and may use a random secret key.
        os.environ.setdefault("LAODONG_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
