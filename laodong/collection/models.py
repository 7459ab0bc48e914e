"""The work list of a campaign: one item per listed person, and the journey of their form."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What the police list says must be done for a person (domain README, "Who is in scope")."""

    TO_COLLECT = "to_collect", _("Chưa thu thập")
    TO_UPDATE = "to_update", _("Cần cập nhật")
    NEWLY_15 = "newly_15", _("Mới đủ 15 tuổi")
    CURRENT = "current", _("Đã có, đầy đủ")
    OUT_OF_SCOPE = "out_of_scope", _("Không thuộc diện thu thập")


class OutOfScope(models.TextChoices):
    ARMED_FORCES = "armed_forces", _("Quân đội nhân dân")
    POLICE = "police", _("Công an nhân dân")
    DECEASED = "deceased", _("Đã chết")
    MOVED_AWAY = "moved_away", _("Đã chuyển đi")
    UNDER_15 = "under_15", _("Chưa đủ 15 tuổi")


# Why a listed person needs their form updated ("cần cập nhật"), as the work list shows it.
CHANGED_ITEM_LABELS = {
    "full_name": _("họ tên khác"),
    "birth_date": _("ngày sinh khác"),
    "sex": _("giới tính khác"),
    "village": _("thôn khác"),
    "incomplete": _("phiếu trong cơ sở dữ liệu còn thiếu thông tin"),
}


class Status(models.TextChoices):
    """Where the person's form is; only `collection.actions` moves it (with a row lock)."""

    LISTED = "listed", _("Chưa thu thập")
    # Someone the police list missed, proposed by an enumerator: the officer approves it.
    PROPOSED = "proposed", _("Chờ duyệt bổ sung")
    KEYED_ONCE = "keyed_once", _("Đã nhập lần 1")
    SUBMITTED = "submitted", _("Chờ nghiệm thu")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã nghiệm thu")
    HANDED_OVER = "handed_over", _("Đã bàn giao")
    ENTERED = "entered", _("Đã nhập CSDL dân cư")
    NOT_ENTERABLE = "not_enterable", _("Không nhập được")
    ARCHIVED = "archived", _("Đã lưu trữ")
    EXCLUDED = "excluded", _("Không thu thập")


# Statuses whose form has been collected at least once and not yet sent back to be collected.
COLLECTED = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.HANDED_OVER,
    Status.ENTERED,
    Status.NOT_ENTERABLE,
    Status.ARCHIVED,
)
ACCEPTED_OR_LATER = (
    Status.ACCEPTED,
    Status.HANDED_OVER,
    Status.ENTERED,
    Status.NOT_ENTERABLE,
    Status.ARCHIVED,
)
HANDED_OVER_OR_LATER = (
    Status.HANDED_OVER,
    Status.ENTERED,
    Status.NOT_ENTERABLE,
    Status.ARCHIVED,
)
ENTERED_OR_LATER = (Status.ENTERED, Status.ARCHIVED)


class Mode(models.TextChoices):
    PHONE = "phone", _("Điều tra viên nhập trên điện thoại")
    PAPER = "paper", _("Phiếu giấy do cán bộ nhập")


def _account_reference() -> models.ForeignKey[object, object]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class WorkItem(models.Model):
    """A person on the police list of a campaign, and where their form is."""

    # Foreign keys are indexed only where a query needs it (the composite indexes below lead
    # with campaign, village, assignee or person), and references to accounts carry no database
    # constraint (accounts are locked, never deleted): each index and constraint trigger costs
    # on every row of a million-row police list.
    # No database constraint on the references to the campaign, units, people and handovers:
    # checking them at commit cost a third of writing a million-row list
    # (benchmarks/police_list_import.py). Units and people are never deleted (units end,
    # people leave by a version), the ORM still applies on_delete (a campaign's work items go
    # with it), and only collection.police_list writes these columns in bulk, for the
    # campaign it has locked and from villages it has just looked up.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="work_items",
        db_index=False,
        db_constraint=False,
    )
    commune = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    village = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    # As the police list gives them.
    personal_id = models.CharField(max_length=12)
    full_name = models.CharField(max_length=150)
    full_name_folded = models.CharField(max_length=150)
    birth_date = models.DateField()
    birth_year_only = models.BooleanField(default=False)
    sex = models.CharField(max_length=1, blank=True, default="")
    household_code = models.CharField(max_length=30, blank=True, default="")
    # "Quan hệ với chủ hộ" as the list writes it ("Chủ hộ", "Vợ", "Con"…).
    relation = models.CharField(max_length=50, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    police_note = models.CharField(max_length=300, blank=True, default="")
    # Rows of an earlier list that the newest full list no longer holds.
    in_latest_list = models.BooleanField(default=True)
    # Someone the police list missed, added by the officer or proposed by an enumerator
    # ("bổ sung ngoài danh sách"). Such a row is on no list (in_latest_list stays false, so a
    # full list never counts it as dropped) until a list holds the person.
    outside_list = models.BooleanField(default=False, db_default=False)
    proposed_by = _account_reference()
    list_import = models.ForeignKey(
        "collection.PoliceListImport",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    category = models.CharField(max_length=14, choices=Category.choices)
    out_of_scope = models.CharField(
        max_length=14, choices=OutOfScope.choices, blank=True, default=""
    )
    # Which police data differs from the register (for "to update"), as item keys.
    changed_items = models.JSONField(default=list, blank=True)
    person = models.ForeignKey(
        "register.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    status = models.CharField(max_length=14, choices=Status.choices, default=Status.LISTED)
    assigned_to = _account_reference()
    mode = models.CharField(max_length=6, choices=Mode.choices, blank=True, default="")
    # The form as last typed (a draft until submitted_at is set).
    answers = models.JSONField(default=dict, blank=True)
    has_draft = models.BooleanField(default=False)
    # Validation findings at the last submission: [{rule, severity, item, message}].
    findings = models.JSONField(default=list, blank=True)
    confirmed_warnings = models.JSONField(default=list, blank=True)
    # Why the form's name, birth date or sex differs from the police list, as the collector
    # (or the officer at acceptance) wrote it: {identity rule: reason} (collection.identity).
    identity_reasons = models.JSONField(default=dict, blank=True, db_default={})
    # First keying of a paper form when the campaign asks for double entry, and the items the
    # second keying disagreed on.
    first_keying = models.JSONField(default=dict, blank=True)
    first_keyed_by = _account_reference()
    keying_differences = models.JSONField(default=list, blank=True)
    return_reason = models.CharField(max_length=300, blank=True, default="")
    return_comments = models.JSONField(default=dict, blank=True)  # {item key: comment}

    collected_by = _account_reference()
    collected_on = models.DateField(null=True, blank=True)
    keyed_by = _account_reference()
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = _account_reference()
    handover = models.ForeignKey(
        "handover.Handover",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        db_index=False,
        db_constraint=False,
    )
    entered_on = models.DateField(null=True, blank=True)
    entered_by = _account_reference()
    not_enterable_reason = models.CharField(max_length=300, blank=True, default="")
    archive_reference = models.CharField(max_length=100, blank=True, default="")
    archived_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # People without an ID number (added outside the list) are allowed.
            models.UniqueConstraint(
                fields=["campaign", "personal_id"],
                condition=~Q(personal_id=""),
                name="work_item_campaign_person",
            ),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "commune", "village", "status"], name="work_item_progress"
            ),
            # Partial: a police list adds rows not yet assigned, linked or handed over, and
            # leaving them out of these indexes makes writing a million-row list a third
            # faster (benchmarks/police_list_import.py); every query of these indexes asks
            # for a given account, person or handover.
            models.Index(
                fields=["assigned_to", "status"],
                name="work_item_assignee",
                condition=Q(assigned_to__isnull=False),
            ),
            # The work list pages by household within the village.
            models.Index(
                fields=["campaign", "village", "household_code"], name="work_item_household"
            ),
            models.Index(
                fields=["person"], name="work_item_person", condition=Q(person__isnull=False)
            ),
            models.Index(
                fields=["handover"], name="work_item_handover", condition=Q(handover__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def on_work_list(self) -> bool:
        """On the latest police list, or added to the work list outside it."""
        return self.in_latest_list or (self.outside_list and self.status != Status.PROPOSED)

    def changed_item_labels(self) -> list[str]:
        """Why the person needs an update, in words ("ngày sinh khác")."""
        return [str(CHANGED_ITEM_LABELS.get(key, key)) for key in self.changed_items or []]


class Transition(models.Model):
    """One move of a form from a status to another: the audit of the workflow."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=14, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["work_item", "at", "pk"]
        indexes = [
            # A form's state at a past moment: its last transition before it (progress as of a
            # day reads it for every form, from the index alone on PostgreSQL).
            models.Index(
                fields=["work_item", "-at", "-id"],
                include=["to_status"],
                name="transition_item_at",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_item_id}: {self.from_status} → {self.to_status}"


class Assignment(models.Model):
    """A village, or one household in it, given to an enumerator for a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="assignments"
    )
    village = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    household_code = models.CharField(max_length=30, blank=True, default="")
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    # The enumerator's own target and deadline for this assignment ("chỉ tiêu, thời gian hoàn
    # thành"): forms to have accepted by the end of `due`.
    target = models.PositiveIntegerField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "village", "household_code"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id}/{self.household_code or '*'} → {self.enumerator_id}"


class JobStatus(models.TextChoices):
    """A police-list import: columns chosen, file checked without writing, outcome confirmed,
    then written; the last written import of a commune can be undone."""

    PREVIEW = "preview", _("Chờ xác nhận cột")
    QUEUED = "queued", _("Chờ kiểm tra")
    RUNNING = "running", _("Đang kiểm tra")
    CHECKED = "checked", _("Chờ xác nhận")
    CONFIRMED = "confirmed", _("Chờ ghi")
    APPLYING = "applying", _("Đang ghi")
    DONE = "done", _("Đã nhập")
    UNDO_QUEUED = "undo_queued", _("Chờ hoàn tác")
    UNDOING = "undoing", _("Đang hoàn tác")
    UNDONE = "undone", _("Đã hoàn tác")
    FAILED = "failed", _("Lỗi")


# Statuses in which a background thread works on the job (and writes heartbeats).
WORKING = (JobStatus.RUNNING, JobStatus.APPLYING, JobStatus.UNDOING)
# What a queued status becomes once a thread claims it.
CLAIMS = {
    JobStatus.QUEUED: JobStatus.RUNNING,
    JobStatus.CONFIRMED: JobStatus.APPLYING,
    JobStatus.UNDO_QUEUED: JobStatus.UNDOING,
}


class PoliceListImport(models.Model):
    """One upload of the police list for a commune: a background job with its outcome."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="list_imports"
    )
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    # Stored under DATA_DIR/uploads; the original name is shown to the user only.
    file_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    # The newest full list replaces the previous one; a partial list only adds and corrects.
    full_list = models.BooleanField(default=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    sheet = models.CharField(max_length=100, blank=True, default="")
    mapping = models.JSONField(default=dict, blank=True)  # {column key: 0-based position}
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.PREVIEW)
    rows_read = models.PositiveIntegerField(default=0)
    # Bytes of the file read so far, for the progress bar.
    bytes_read = models.PositiveBigIntegerField(default=0)
    file_size = models.PositiveBigIntegerField(default=0)
    # What the check found, before anything is written: distinct village values, remarks the
    # out-of-scope table does not know, per-column reading, the first errors and warnings.
    analysis = models.JSONField(default=dict, blank=True)
    # The officer's decisions on that: {village key: village pk} and {remark: reason or ""}.
    village_choices = models.JSONField(default=dict, blank=True)
    note_choices = models.JSONField(default=dict, blank=True)
    # The outcome the list would have (computed without writing), then what it had.
    counts = models.JSONField(default=dict, blank=True)
    # A risky full list (drops over a tenth of the list, or over a tenth of its rows fail) is
    # written only once someone ticks that they read the warning.
    risk_acknowledged = models.BooleanField(default=False)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    error_file = models.CharField(max_length=300, blank=True, default="")
    message = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    # Whether the write kept the earlier state of the rows it changed (imports written before
    # that existed cannot be undone: undoing them would remove rows they only changed).
    undoable = models.BooleanField(default=False)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING or self.status in CLAIMS

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.CHECKED, JobStatus.DONE):
            return 100
        if not self.file_size:
            return 0
        return min(99, int(self.bytes_read * 100 / self.file_size))


class VillageAlias(models.Model):
    """How a commune's lists write one of its villages ("Xóm 3", "TDP 5"), as an officer mapped
    it once; later lists of the commune map the same spelling by themselves."""

    commune = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    # The spelling folded as police_list.village_key folds it.
    key = models.CharField(max_length=200)
    text = models.CharField(max_length=200)
    village = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "key"], name="village_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.text} → {self.village_id}"


class WorkItemBefore(models.Model):
    """A work item as it was before a police-list import changed it, so that the import can be
    undone exactly. Rows the import added need none: undoing deletes them."""

    list_import = models.ForeignKey(
        PoliceListImport, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    commune_id = models.BigIntegerField()
    village_id = models.BigIntegerField()
    full_name = models.CharField(max_length=150)
    full_name_folded = models.CharField(max_length=150)
    birth_date = models.DateField()
    birth_year_only = models.BooleanField()
    sex = models.CharField(max_length=1)
    household_code = models.CharField(max_length=30)
    relation = models.CharField(max_length=50)
    address = models.CharField(max_length=300)
    police_note = models.CharField(max_length=300)
    in_latest_list = models.BooleanField()
    list_import_id_before = models.BigIntegerField(null=True)
    category = models.CharField(max_length=14)
    out_of_scope = models.CharField(max_length=14)
    changed_items = models.JSONField()
    person_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=14)
    assigned_to_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["list_import", "work_item"], name="work_item_before_job")]

    def __str__(self) -> str:
        return f"{self.list_import_id}: {self.work_item_id}"


class PaperReceipt(models.Model):
    """Paper forms an enumerator handed to the commune officer: how many, on which day, to
    whom ("biên nhận phiếu giấy"). A receipt made by mistake is cancelled with a reason."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="paper_receipts"
    )
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField()
    received_on = models.DateField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "commune"], name="paper_receipt_place")]

    def __str__(self) -> str:
        return f"{self.enumerator_id}: {self.count} ({self.received_on})"


class ProgressTally(models.Model):
    """The campaign's progress kept by day (collection.tally): per village, day, state and the
    list flags, how many forms entered (+) or left (−) that state that day. Summed up to a day
    it gives the forms in each state at the end of it — what progress as of a date shows — in
    one small GROUP BY instead of a look at every form's transitions. Derived data: rebuilt
    from the work items and their transitions whenever a write marks a village stale."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # 01/01/0001 for the state every form starts in; 31/12/9999 for the few forms whose
    # status came without a transition (counted now, not on any past day).
    day = models.DateField()
    status = models.CharField(max_length=14)
    in_latest_list = models.BooleanField()
    outside_list = models.BooleanField()
    count = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "commune", "day"], name="progress_tally_place"),
            models.Index(fields=["campaign", "village"], name="progress_tally_village"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.day} {self.status}: {self.count:+d}"


class ProgressStale(models.Model):
    """A village (or, without one, a whole commune) whose tally a write has made stale: the
    next reader of the campaign's progress rebuilds it first, in its own transaction."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", null=True, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["campaign", "commune"], name="progress_stale_place")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.commune_id}/{self.village_id or '*'}"
