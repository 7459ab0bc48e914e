"""Reconciliation of a commune's register with its police list (issue 13)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The four lists of a reconciliation."""

    POLICE_ONLY = "police_only", _("Có trong danh sách Công an, chưa có trong cơ sở dữ liệu")
    REGISTER_ONLY = "register_only", _("Có trong cơ sở dữ liệu, không có trong danh sách mới nhất")
    LINK = "link", _("Ghép được theo họ tên, ngày sinh (chưa có số định danh)")
    DIFFERS = "differs", _("Cùng số định danh, thông tin khác")


class RowStatus(models.TextChoices):
    OPEN = "open", _("Chờ xử lý")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    REJECTED = "rejected", _("Không phải một người")
    APPLIED = "applied", _("Đã lấy theo CSDL dân cư")


class Run(models.Model):
    """One reconciliation of a commune's register with the latest police list of a campaign,
    kept with who ran it and when; a later run replaces it on the page (runs are kept)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="reconciliations"
    )
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    counts = models.JSONField(default=dict)  # {kind: rows}, and "list" and "register" sizes

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "commune", "-created_at"], name="run_latest")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.created_at:%d/%m/%Y %H:%M}"


class Row(models.Model):
    """A person on one of the four lists: a police-list row, a register record, or both."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    work_item = models.ForeignKey(
        "collection.WorkItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "register.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list)  # linkage.engine reason codes
    differences = models.JSONField(default=list)  # items that differ: full_name, birth_date, sex
    status = models.CharField(max_length=10, choices=RowStatus.choices, default=RowStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "kind", "pk"]
        indexes = [models.Index(fields=["run", "kind"], name="reconcile_row_kind")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.kind}:{self.pk}"


class Rejection(models.Model):
    """A proposed link an officer said is not one person: never proposed again."""

    person = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")
    personal_id = models.CharField(max_length=12)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "personal_id"], name="rejection_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ≠ ****"


class Record(models.Model):
    """ "Đã đối soát": the working group's leader records that a batch was reconciled (the
    date, who, a note, and the figures of the run it looked at); the handover record of that
    batch prints it."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    handover = models.ForeignKey(
        "handover.Handover",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reconciliations",
    )
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reconciled_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True, default="")
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reconciled_on", "-pk"]

    def __str__(self) -> str:
        return f"Đã đối soát {self.reconciled_on:%d/%m/%Y}"


class ExtractStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ so sánh")
    RUNNING = "running", _("Đang so sánh")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class ExtractComparison(models.Model):
    """An extract of the population database (the ID and any labour items) compared item by
    item with a commune's or a province's register; kept with who ran it and when, and
    re-runnable from the stored file."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ExtractStatus.choices, default=ExtractStatus.DONE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # Under DATA_DIR/imports; the original name is shown to the user only.
    file_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    rows_read = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    people_differing = models.PositiveIntegerField(default=0)
    columns = models.JSONField(default=list)  # the items the extract holds
    counts = models.JSONField(default=dict)  # {item key: mismatches}
    # [{"village": label, "counts": {item: n}, "people": n}]
    by_village = models.JSONField(default=list)
    # The same per commune, for a province's comparison.
    by_commune = models.JSONField(default=list)
    message = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} {self.created_at:%d/%m/%Y}"

    @property
    def is_working(self) -> bool:
        return self.status in (ExtractStatus.QUEUED, ExtractStatus.RUNNING)


class ExtractMismatch(models.Model):
    """One item of one person that differs between the extract and the register, or a row of
    the extract whose ID the register does not hold (`item` empty)."""

    comparison = models.ForeignKey(
        ExtractComparison, on_delete=models.CASCADE, related_name="mismatches"
    )
    row = models.PositiveIntegerField()
    person = models.ForeignKey(
        "register.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.CharField(max_length=40, blank=True, default="")
    register_value = models.CharField(max_length=300, blank=True, default="")
    extract_value = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["comparison", "row", "pk"]
        indexes = [models.Index(fields=["comparison", "item"], name="extract_mismatch_item")]

    def __str__(self) -> str:
        return f"{self.comparison_id}:{self.row}:{self.item}"


class NotDuplicate(models.Model):
    """Two records the duplicate finder proposed and an officer said are two people (twins,
    namesakes): never proposed again. `first` is the lower primary key."""

    first = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("register.Person", on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_duplicate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class CrossRunStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ chạy")
    RUNNING = "running", _("Đang tìm")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class CrossRun(models.Model):
    """A search of a province's register for one person recorded in two communes, run in the
    background for the province labour department; its pairs are proposals until decided."""

    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=CrossRunStatus.choices, default=CrossRunStatus.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    people = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.province_id} {self.started_at:%d/%m/%Y}"


class CrossStatus(models.TextChoices):
    FOUND = "found", _("Chờ tỉnh xem")
    SENT = "sent", _("Đã gửi hai xã")
    DISTINCT = "distinct", _("Hai người khác nhau")
    MERGED = "merged", _("Đã gộp")


class CrossPair(models.Model):
    """Two records of two communes that are probably one person. The province sends the pair
    to both communes (or says they are two people); the communes bring the records into one
    commune by a transfer request and merge them there, or say they are two people."""

    run = models.ForeignKey(CrossRun, on_delete=models.PROTECT, related_name="pairs")
    first = models.ForeignKey("register.Person", on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey("register.Person", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    reasons = models.CharField(max_length=300, blank=True, default="")
    differences = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=10, choices=CrossStatus.choices, default=CrossStatus.FOUND)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-score", "pk"]
        indexes = [models.Index(fields=["status"], name="cross_pair_status")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}"
