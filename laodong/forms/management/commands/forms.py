"""`laodong forms schema FORM_CODE`: print a form version's definition as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.forms.definitions import FORM_CODES, UnknownForm, get_form


class Command(BaseCommand):
    help = "Form versions: print a definition as JSON (items, types, options, skip rules)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        schema = sub.add_parser("schema", help="Print the definition of a form version as JSON.")
        schema.add_argument("form_code", help=f"one of: {', '.join(FORM_CODES)}")
        sub.add_parser("list", help="List the form versions.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for code in FORM_CODES:
                form = get_form(code)
                self.stdout.write(f"{code}\t{form.form_number}, {form.legal_basis}")
            return
        try:
            form = get_form(options["form_code"])
        except UnknownForm as error:
            raise CommandError(
                f"Không có mẫu phiếu “{options['form_code']}”. Các mẫu hiện có: "
                f"{', '.join(FORM_CODES)}."
            ) from error
        self.stdout.write(json.dumps(form.as_dict(), ensure_ascii=False, indent=2))
