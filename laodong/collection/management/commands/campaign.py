"""`laodong campaign import-list CAMPAIGN_ID FILE --commune CODE` and `laodong campaign run-jobs`.

import-list reads a police list of any size, printing progress and a summary; like the web
import it writes everything or nothing, and bad rows go to an XLSX file whose path it prints.
Exit status 0 on success (even with bad rows), 2 when the file or arguments cannot be used.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.campaigns.models import Campaign
from laodong.collection import jobs
from laodong.collection.models import Category, JobStatus, PoliceListImport
from laodong.collection.police_list import import_list
from laodong.core.tabular import TableError
from laodong.units.models import Level, Unit


class Command(BaseCommand):
    help = "Collection campaigns: import a police list, run queued background imports."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        importer = commands.add_parser(
            "import-list", help="import the police list of residents aged 15+ for one commune"
        )
        importer.add_argument("campaign_id", type=int)
        importer.add_argument("file", type=Path)
        importer.add_argument("--commune", required=True, help="commune code, e.g. 15178")
        importer.add_argument(
            "--partial",
            action="store_true",
            help="the file adds to or corrects the list instead of replacing it",
        )
        commands.add_parser("run-jobs", help="run imports queued from the web")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "run-jobs":
            self.run_jobs()
            return
        self.import_list(options)

    def run_jobs(self) -> None:
        for job in PoliceListImport.objects.filter(status=JobStatus.RUNNING):
            if jobs.is_stale(job):
                jobs.mark_interrupted(job)
        queued = list(PoliceListImport.objects.filter(status=JobStatus.QUEUED).order_by("pk"))
        for job in queued:
            done = jobs.run_job(job.pk)
            self.stdout.write(f"job {job.pk}: {done.status} {done.message}".rstrip())
        if not queued:
            self.stdout.write("no queued imports")

    def import_list(self, options: dict[str, Any]) -> None:
        campaign = Campaign.objects.filter(pk=options["campaign_id"]).first()
        if campaign is None:
            raise CommandError(f"no campaign {options['campaign_id']}", returncode=2)
        commune = campaign.communes.filter(code=options["commune"], level=Level.COMMUNE).first()
        if commune is None:
            known = Unit.objects.filter(code=options["commune"], level=Level.COMMUNE).exists()
            reason = "is not in this campaign" if known else "does not exist"
            raise CommandError(f"commune {options['commune']} {reason}", returncode=2)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        started = time.monotonic()
        last = [0.0]

        def progress(rows: int, fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] >= 1 or fraction >= 1:
                last[0] = now
                self.stderr.write(f"\r{fraction:6.1%}  {rows:>10,} rows", ending="")
                sys.stderr.flush()

        try:
            with path.open("rb") as stream:
                outcome = import_list(
                    campaign=campaign,
                    commune=commune,
                    stream=stream,
                    filename=path.name,
                    acting_user=None,
                    full_list=not options["partial"],
                    on_progress=progress,
                )
        except TableError as problem:
            raise CommandError(str(problem), returncode=2) from problem
        self.stderr.write("")
        elapsed = time.monotonic() - started
        counts = outcome.counts
        self.stdout.write(
            f"read {outcome.rows_read:,} rows in {elapsed:.1f} s "
            f"({outcome.rows_read / elapsed if elapsed else 0:,.0f} rows/s)"
        )
        self.stdout.write(
            f"imported {counts['rows']:,}: added {counts['added']:,}, "
            f"changed {counts['changed']:,}, unchanged {counts['unchanged']:,}, "
            f"no longer listed {counts['removed']:,}"
        )
        for category in Category:
            self.stdout.write(
                f"  {category.value}: {counts.get(f'category_{category.value}', 0):,}"
            )
        if outcome.error_file:
            self.stdout.write(f"rows with errors: {outcome.errors:,} — see {outcome.error_file}")
        else:
            self.stdout.write("rows with errors: 0")
