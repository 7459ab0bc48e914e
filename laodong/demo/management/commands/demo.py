"""`laodong demo`: prepare the SQLite demo database and start the server."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from laodong.demo.data import DEMO_PASSWORD, prepare_demo


class Command(BaseCommand):
    help = "Prepare the demo data (idempotent), print the logins and start the web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare data only.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        logins = prepare_demo()
        # The printed forms need static cuts of the font; made once, kept in the data dir.
        from laodong.forms.pdf import static_fonts

        static_fonts()
        address = f"http://{options['addrport']}/"
        self.stdout.write(self.style.SUCCESS("Dữ liệu demo đã sẵn sàng (xã Cẩm Tân, Thanh Hóa)."))
        self.stdout.write(f"Cơ sở dữ liệu: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"Địa chỉ: {address}")
        self.stdout.write(f"Mật khẩu chung của các tài khoản demo: {DEMO_PASSWORD}")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role.label}")
        if options["no_serve"]:
            return
        call_command("runserver", options["addrport"], use_reloader=False)
