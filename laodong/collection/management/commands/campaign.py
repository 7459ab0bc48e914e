"""`laodong campaign import-list|undo-import|run-jobs`.

import-list reads a police list of any size, printing progress, then what the list would do
(added, changed, dropped, out of scope), and writes it only when that is safe: villages the
commune does not know must be mapped (--village), and a risky full list needs --accept-risk.
Like the web import it writes everything or nothing; bad rows go to an XLSX file whose path it
prints. Exit status 0 on success (even with bad rows), 2 when the file, the arguments or the
outcome stop it (then nothing is written).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection import jobs, police_list
from laodong.collection.models import (
    CLAIMS,
    WORKING,
    Category,
    JobStatus,
    OutOfScope,
    PoliceListImport,
    VillageAlias,
)
from laodong.core.tabular import TableError
from laodong.units.models import Level, Unit


class Command(BaseCommand):
    help = "Collection campaigns: import a police list, undo it, run queued background imports."

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
        importer.add_argument(
            "--dry-run", action="store_true", help="print what the import would do; write nothing"
        )
        importer.add_argument(
            "--accept-risk",
            action="store_true",
            help="write a full list that drops over a tenth of the list, or whose bad rows are "
            "over a tenth of its rows",
        )
        importer.add_argument(
            "--village",
            action="append",
            default=[],
            metavar="SPELLING=CODE",
            help="map a village as the list writes it to the commune's village with that code "
            "(remembered for the commune); repeatable",
        )
        undo = commands.add_parser("undo-import", help="undo the last written list of a commune")
        undo.add_argument("import_id", type=int)
        commands.add_parser("run-jobs", help="run imports queued from the web")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "run-jobs":
            self.run_jobs()
        elif options["command"] == "undo-import":
            self.undo_import(options["import_id"])
        else:
            self.import_list(options)

    def run_jobs(self) -> None:
        for job in PoliceListImport.objects.filter(status__in=WORKING):
            if jobs.is_stale(job):
                jobs.mark_interrupted(job)
        expired = jobs.expire_checked()
        if expired:
            self.stdout.write(f"{expired} checked lists never confirmed in 7 days: dropped")
        queued = list(PoliceListImport.objects.filter(status__in=list(CLAIMS)).order_by("pk"))
        for job in queued:
            done = jobs.run_job(job.pk)
            self.stdout.write(f"job {job.pk}: {done.status} {done.message}".rstrip())
        if not queued:
            self.stdout.write("no queued imports")

    def undo_import(self, import_id: int) -> None:
        job = PoliceListImport.objects.filter(pk=import_id).first()
        if job is None:
            raise CommandError(f"no import {import_id}", returncode=2)
        if job.status != JobStatus.DONE:
            raise CommandError(f"import {import_id} is {job.status}, not done", returncode=2)
        try:
            result = police_list.undo_list(job, None)
        except police_list.ListRefused as problem:
            raise CommandError(str(problem), returncode=2) from problem
        PoliceListImport.objects.filter(pk=job.pk).update(
            status=JobStatus.UNDONE, undone_at=timezone.now()
        )
        self.stdout.write(
            f"undone: {result['removed']:,} added rows removed, "
            f"{result['restored']:,} rows restored"
        )

    def _villages(self, commune: Unit, pairs: list[str]) -> dict[str, int]:
        chosen = {}
        for pair in pairs:
            spelling, _sep, code = pair.rpartition("=")
            village = Unit.objects.current().filter(
                parent=commune, level=Level.VILLAGE, code=code.strip()
            )
            if not spelling or not village.exists():
                raise CommandError(
                    f"--village {pair}: give SPELLING=CODE with a village code of the commune",
                    returncode=2,
                )
            chosen[police_list.village_key(spelling)] = village.get().pk
        return chosen

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
        villages = self._villages(commune, options["village"])
        started = time.monotonic()
        last = [0.0]

        def progress(rows: int, fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] >= 1 or fraction >= 1:
                last[0] = now
                self.stderr.write(f"\r{fraction:6.1%}  {rows:>10,} rows", ending="")
                sys.stderr.flush()

        for key, village_pk in villages.items():
            VillageAlias.objects.update_or_create(
                commune=commune, key=key, defaults={"text": key, "village_id": village_pk}
            )
        try:
            with path.open("rb") as stream:
                outcome = police_list.import_list(
                    campaign=campaign,
                    commune=commune,
                    stream=stream,
                    filename=path.name,
                    acting_user=None,
                    full_list=not options["partial"],
                    on_progress=progress,
                    accept_risk=options["accept_risk"],
                    dry_run=True,
                )
        except TableError as problem:
            raise CommandError(str(problem), returncode=2) from problem
        self.stderr.write("")
        job = outcome.job
        assert job is not None
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"read {outcome.rows_read:,} rows in {elapsed:.1f} s "
            f"({outcome.rows_read / elapsed if elapsed else 0:,.0f} rows/s); "
            f"{job.skipped_rows:,} rows were not data (titles, totals, signatures)"
        )
        self._print_outcome(outcome.counts, dry_run=options["dry_run"])
        if outcome.error_file:
            self.stdout.write(f"rows with errors: {outcome.errors:,} — see {outcome.error_file}")
        else:
            self.stdout.write("rows with errors: 0")
        if job.warning_count:
            self.stdout.write(f"rows read with a correction: {job.warning_count:,}")
        unmapped = police_list.unmapped_villages(job)
        if unmapped:
            self._abandon(job, "unmapped villages")
            spelled = "; ".join(f"“{v['text']}” ({v['count']:,} rows)" for v in unmapped[:20])
            raise CommandError(
                f"villages the commune does not have: {spelled}. Map each with "
                "--village SPELLING=CODE (or in the web preview); nothing was written.",
                returncode=2,
            )
        if options["dry_run"]:
            self._abandon(job, "dry run")
            self.stdout.write("dry run: nothing was written")
            return
        job.risk_acknowledged = options["accept_risk"]
        job.save(update_fields=["risk_acknowledged"])
        try:
            counts = police_list.apply_list(job, None)
        except police_list.ListRefused as problem:
            self._abandon(job, str(problem))
            hint = " (add --accept-risk to write it anyway)" if job.counts.get("risks") else ""
            raise CommandError(f"{problem}{hint}; nothing was written", returncode=2) from problem
        record_event(
            actor=None,
            action="collection.import_police_list",
            target=job,
            unit=commune,
            details={
                "via": "command",
                "campaign": campaign.pk,
                "full_list": job.full_list,
                "added": counts["added"],
                "changed": counts["changed"],
                "removed": counts["removed"],
            },
        )
        self.stdout.write(
            f"imported {counts['rows']:,}: added {counts['added']:,}, "
            f"changed {counts['changed']:,}, unchanged {counts['unchanged']:,}, "
            f"no longer listed {counts['removed']:,} (undo: laodong campaign undo-import {job.pk})"
        )

    @staticmethod
    def _abandon(job: PoliceListImport, reason: str) -> None:
        """A checked list that will not be written: drop its staged rows, keep the job's story."""
        police_list.Staging(job.pk).drop()
        PoliceListImport.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=reason[:500], finished_at=timezone.now()
        )

    def _print_outcome(self, counts: dict[str, Any], *, dry_run: bool) -> None:
        verb = "would" if dry_run else "will"
        self.stdout.write(
            f"the list {verb}: add {counts['added']:,}, change {counts['changed']:,}, "
            f"leave {counts['unchanged']:,} unchanged, drop {counts['removed']:,} of "
            f"{counts['current']:,} listed"
        )
        for category in Category:
            self.stdout.write(
                f"  {category.value}: {counts.get(f'category_{category.value}', 0):,}"
            )
        for reason in OutOfScope:
            if counts.get(f"reason_{reason.value}"):
                self.stdout.write(
                    f"    out of scope, {reason.value}: {counts[f'reason_{reason.value}']:,}"
                )
        for risk in counts.get("risks", []):
            self.stdout.write(
                "WARNING: "
                + (
                    "drops more than a tenth of the current list"
                    if risk == "drops"
                    else "more than a tenth of the rows have errors"
                )
            )
