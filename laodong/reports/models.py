"""Reports sent up the tree ("gửi báo cáo"): a frozen snapshot, its sign-off and its review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from laodong.reports.counters import COLUMNS


class SentStatus(models.TextChoices):
    # Made by the officer, waiting for the unit's leader to sign it off.
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ lãnh đạo duyệt")
    # The leader sent it back to the officer; a new version is made.
    NOT_APPROVED = "not_approved", _("Lãnh đạo chưa duyệt")
    SENT = "sent", _("Đã gửi, chờ cấp trên")
    # The level above returned it with a comment; the unit corrects and sends a new version.
    RETURNED = "returned", _("Cấp trên trả lại")
    ACCEPTED = "accepted", _("Cấp trên đã chấp nhận")


# A version in one of these states blocks a new one: it is still on its way, or it is final.
OPEN_STATES = (SentStatus.AWAITING_APPROVAL, SentStatus.SENT)


class SentReport(models.Model):
    """One version of a unit's report against one of its plan's report deadlines.

    The figures, the PDF and the XLSX are written once and never recomputed: later changes to
    the data do not touch them. A returned report stays as it was; the corrected one is the next
    version.
    """

    deadline = models.ForeignKey(
        "campaigns.ReportDeadline", on_delete=models.PROTECT, related_name="sent_reports"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField()
    # The figures are those at the end of this day (Vietnam's time).
    as_of = models.DateField()
    status = models.CharField(max_length=20, choices=SentStatus.choices)
    # The report as data (documents.freeze), and the files made from it.
    data = models.JSONField()
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    # A province's report is made from the commune reports the province accepted.
    includes = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="included_in"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The last decision on this version: the leader's refusal, or the return or acceptance by
    # the level above, with its comment.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["deadline", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "unit", "version"], name="sent_report_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id}/{self.unit_id} v{self.version}"

    @property
    def sent_at(self) -> object:
        """A report goes up when its leader approves it."""
        return self.approved_at


class ResultAcceptance(models.Model):
    """A record that a unit's results in a campaign were accepted ("biên bản nghiệm thu kết
    quả"): the figures as of a day, frozen, who accepted them and when, and for whom. It is
    printed on A4 with both sides' signatures. A record made by mistake is cancelled with a
    reason, never deleted."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="acceptances"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    # The body that accepts: the commune itself (its leader) or the province above it.
    accepting_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()  # 1, 2, … per campaign and unit
    as_of = models.DateField()
    data = models.JSONField()  # the progress figures (reports.sending.freeze)
    representative = models.CharField(max_length=150)
    representative_title = models.CharField(max_length=150)
    conclusion = models.TextField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField()
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["campaign", "unit", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "number"], name="result_acceptance_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id} #{self.number}"


class Grain(models.IntegerChoices):
    """How much time one summary row covers: a year, a month, or a day (the row's `day` is the
    first day it covers). The figures at the end of a day D are the years before D's year, the
    months of that year before D's month, and the days of D's month up to D."""

    YEAR = 0, "year"
    MONTH = 1, "month"
    DAY = 2, "day"


class SummaryRow(models.Model):
    """Where and when a summary row counts: `level` is the unit level of `place` (a village,
    or a commune holding the sum of its villages); `commune` is the commune the periods named;
    the row covers one year, month or day from `day` (`grain`)."""

    level = models.PositiveSmallIntegerField()
    place = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    grain = models.PositiveSmallIntegerField(choices=Grain.choices)
    day = models.DateField()

    class Meta:
        abstract = True


class StatisticsSummary(SummaryRow):
    """How the labor statistics' counters of one place changed in one year, month or day.

    Each counter column is a change: +1 for each person entering the cell (a period beginning,
    a birthday moving them into an age group) and −1 for each leaving it. See
    laodong/reports/summary.py."""

    sex = models.PositiveSmallIntegerField()
    activity = models.PositiveSmallIntegerField()
    for _column in COLUMNS:
        locals()[_column] = models.IntegerField(default=0)
    del _column

    class Meta:
        indexes = [
            # Every read and rebuild takes the rows of some communes at one level, by time.
            models.Index(fields=["commune", "level", "grain", "day"], name="summary_read"),
            # The country's read takes every commune: by time alone (10M people: 0.49 -> 0.17 s).
            models.Index(fields=["level", "grain", "day"], name="summary_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.get_grain_display()} {self.day}"


class VersionSummary(SummaryRow):
    """How many versions of the register's records were saved in one place in one year, month
    or day (`Grain`), by what they were: the changes report's counts of a window are the sums
    up to its last day less those up to the day before it, as the statistics' counters are.

    The version's place is the one its period names. Rebuilt with the statistics' rows
    (laodong/reports/summary.py)."""

    source = models.CharField(max_length=12)
    leave_reason = models.CharField(max_length=12, blank=True, default="")
    # The person's first version; and whether the version before had closed the record
    # ("ra khỏi diện quản lý"), so that this one reopened it or closed it again.
    first = models.BooleanField()
    closed_before = models.BooleanField()
    versions = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["commune", "level", "grain", "day"], name="version_summary_read"),
            models.Index(fields=["level", "grain", "day"], name="version_summary_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.get_grain_display()} {self.day} {self.source}"


class SummaryState(models.Model):
    """How far a commune's summary rows reach: every change up to the end of `horizon` (the
    birthdays to come are written ahead up to it). Locked by whoever rebuilds the commune, so
    two readers never rebuild one commune at once."""

    commune = models.OneToOneField(
        "units.Unit", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    horizon = models.DateField()
    built_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.commune_id} → {self.horizon}"


class CountStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ xử lý")
    RUNNING = "running", _("Đang đếm")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không đếm được")


class CustomCount(models.Model):
    """A count of the people matching criteria chosen by the officer ("thống kê theo tiêu
    chí"), by the units below theirs, on a day. No summary holds every combination, so the
    periods are read: commune by commune, in the background, each commune holding a slot of
    heavy work (laodong/reports/custom.py). The row carries its progress and its result, so a
    reload, another worker process or a colleague sees the same."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    # The criteria as chosen (laodong.reports.custom.Criteria.as_data).
    criteria = models.JSONField()
    status = models.CharField(
        max_length=10, choices=CountStatus.choices, default=CountStatus.QUEUED
    )
    parts_done = models.PositiveIntegerField(default=0)
    parts_total = models.PositiveIntegerField(default=0)
    # {"rows": [[unit id, label, people, women, each age group…], …]} once done.
    result = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="custom_count_mine")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.as_of} ({self.status})"
