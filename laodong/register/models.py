"""The register: one record per person, with the full history of its answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a version of a person came from (domain README, "sources of updates")."""

    COLLECTION = "collection", _("Thu thập")
    PROCEDURE = "procedure", _("Thủ tục hành chính")
    SOCIAL_INSURANCE = "bhxh", _("Cơ quan BHXH")
    UNEMPLOYMENT = "bhtn", _("Bảo hiểm thất nghiệp")
    JOB_CENTRE = "job_centre", _("Trung tâm dịch vụ việc làm")
    REQUEST = "request", _("Đề nghị của cá nhân, cơ quan, tổ chức")
    POLICE = "police", _("Công an")
    CORRECTION = "correction", _("Sửa sai")
    OTHER = "other", _("Khác")
    # Given by the system, never chosen: a register import of filled forms, a record moved in
    # from another commune, and versions saved before sources carried references.
    IMPORT = "import", _("Nhập từ tệp")
    TRANSFER = "transfer", _("Chuyển địa bàn")
    UPDATE = "update", _("Cập nhật biến động")
    # Reconciliation with the police list (a linked person's ID, the population database's
    # value of an item), and an ID the commune police completed.
    RECONCILIATION = "reconcile", _("Đối soát")
    POLICE_COMPLETION = "police_id", _("Công an bổ sung")
    MERGE = "merge", _("Gộp hồ sơ trùng")


class Kind(models.TextChoices):
    """What a version did to the record."""

    RECORD = "record", _("Ghi mới")
    CHANGE = "change", _("Thay đổi thông tin")
    CLOSE = "close", _("Ra khỏi diện quản lý")
    REOPEN = "reopen", _("Mở lại hồ sơ")
    TRANSFER_IN = "transfer_in", _("Chuyển đến")


class LeaveReason(models.TextChoices):
    """Why a person left the register ("ra khỏi diện quản lý")."""

    DECEASED = "deceased", _("Đã chết")
    MOVED_AWAY = "moved_away", _("Chuyển đi")
    ARMED_FORCES = "armed_forces", _("Vào quân đội")
    POLICE = "police", _("Vào công an")
    ABROAD = "abroad", _("Đi nước ngoài dài hạn")
    OTHER = "other", _("Khác")
    # The same person twice: this record was merged into another (Person.merged_into).
    MERGED = "merged", _("Trùng, đã gộp vào hồ sơ khác")


class IdKind(models.TextChoices):
    PERSONAL = "personal", _("Số định danh 12 số")
    LEGACY = "legacy", _("CMND 9 số")
    NONE = "none", _("Chưa có số")


# Answers kept in typed columns, so that reports aggregate them in SQL. Everything else lives in
# `answers` only. Codes are stored as the form's codes; `form_code` says which version.
TYPED_CODES = (
    "sex",
    "relation_to_head",
    "ethnic_group",
    "general_education",
    "qualification",
    "field_of_training",
    "activity_status",
    "inactivity_reason",
    "employment_status",
    "occupation_code",
    "has_social_insurance",
    "social_insurance_type",
    "has_labor_contract",
    "contract_type",
    "workplace_type",
    "enterprise_type",
    "unemployed_before",
    "unemployment_duration",
)
PRIORITY_FLAGS = {
    "1": "is_disabled",
    "2": "is_poor_household",
    "3": "is_near_poor_household",
    "4": "is_land_recovered_household",
    "5": "is_merit_relative",
    "6": "is_ethnic_minority",
}


def _code_field(length: int = 4) -> models.CharField[str, str]:
    return models.CharField(max_length=length, blank=True, default="")


class Person(models.Model):
    """A resident worker aged 15+, as currently known."""

    personal_id = models.CharField(_("số CCCD/CMND"), max_length=12, blank=True, default="")
    id_kind = models.CharField(max_length=10, choices=IdKind.choices, default=IdKind.NONE)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    full_name_folded = models.CharField(max_length=150, db_index=True)
    birth_date = models.DateField(_("ngày sinh"))
    birth_year_only = models.BooleanField(default=False)
    village = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    # The commune is the village's parent, kept here because every scope check and report
    # filters and groups by it.
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    household_code = models.CharField(max_length=30, blank=True, default="")
    form_code = models.CharField(_("mẫu phiếu"), max_length=20)
    collection_date = models.DateField(_("ngày thu thập"), null=True, blank=True)
    contract_start_date = models.DateField(null=True, blank=True)

    sex = _code_field()
    relation_to_head = _code_field()
    ethnic_group = _code_field()
    general_education = _code_field()
    qualification = _code_field()
    field_of_training = _code_field()
    activity_status = _code_field()
    inactivity_reason = _code_field()
    employment_status = _code_field()
    occupation_code = _code_field()
    has_social_insurance = _code_field()
    social_insurance_type = _code_field()
    has_labor_contract = _code_field()
    contract_type = _code_field()
    workplace_type = _code_field()
    enterprise_type = _code_field()
    unemployed_before = _code_field()
    unemployment_duration = _code_field()
    is_disabled = models.BooleanField(default=False)
    is_poor_household = models.BooleanField(default=False)
    is_near_poor_household = models.BooleanField(default=False)
    is_land_recovered_household = models.BooleanField(default=False)
    is_merit_relative = models.BooleanField(default=False)
    is_ethnic_minority = models.BooleanField(default=False)

    # Item 5 of the form, typed: the social-insurance office's lists are keyed by it.
    social_insurance_number = models.CharField(max_length=10, blank=True, default="")
    # The 2025 form's consent to use the information for job matching ("1" yes, "2" no, ""
    # not asked) and the day it was given or changed.
    consent_job_matching = models.CharField(max_length=1, blank=True, default="")
    consent_on = models.DateField(null=True, blank=True)
    # Set while the person is out of the register ("ra khỏi diện quản lý"), from that day.
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(
        max_length=12, choices=LeaveReason.choices, blank=True, default=""
    )
    leave_destination = models.CharField(max_length=200, blank=True, default="")
    # Set while this record is merged into another one (the same person twice).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )

    answers = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("người lao động")
        verbose_name_plural = _("người lao động")
        constraints = [
            # One person per ID number (citizen-id.md); people without one are allowed.
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=~models.Q(personal_id=""),
                name="person_personal_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "full_name_folded"], name="person_commune_name"),
            # The list's keyset order for a province or the country: the first page is the
            # first names in the order, not a sort of millions (issue 16 item 4).
            models.Index(fields=["full_name_folded", "id"], name="person_name_order"),
            models.Index(fields=["village", "full_name_folded"], name="person_village_name"),
            models.Index(fields=["commune", "activity_status"], name="person_commune_activity"),
            models.Index(
                fields=["social_insurance_number"],
                name="person_bhxh_number",
                condition=~models.Q(social_insurance_number=""),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def has_left(self) -> bool:
        return bool(self.leave_reason)


class PersonVersion(models.Model):
    """One state of a person's answers: who changed what, when, from which source."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    form_code = models.CharField(max_length=20)
    answers = models.JSONField()
    changes = models.JSONField(default=dict)  # {item key: [old, new]}; empty for version 1
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CHANGE)
    source = models.CharField(max_length=12, choices=Source.choices)
    # The source's reference: a procedure's name, a file or document number and its date, the
    # request it answers (sources.py says which each source needs).
    reference_title = models.CharField(max_length=200, blank=True, default="")
    reference = models.CharField(max_length=200, blank=True, default="")
    reference_date = models.DateField(null=True, blank=True)
    request = models.ForeignKey(
        "register.ChangeRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    reason = models.CharField(max_length=300, blank=True, default="")
    # The person's place in the register at this version (empty reason: in it).
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(
        max_length=12, choices=LeaveReason.choices, blank=True, default=""
    )
    leave_destination = models.CharField(max_length=200, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(db_index=True)
    # Warnings the officer confirmed when saving this version (rule codes).
    confirmed_warnings = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="person_version_unique"),
        ]
        ordering = ["person", "number"]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.number}"

    def as_of(self) -> dict[str, Any]:
        return dict(self.answers)


class Draft(models.Model):
    """A form being filled in, saved as typed without validation; only its author sees it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    form_code = models.CharField(max_length=20)
    village = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the draft is a correction of someone already in the register.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts"
    )
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "updated_at"], name="draft_owner_updated")]

    def __str__(self) -> str:
        return f"draft {self.pk}"

    @property
    def title(self) -> str:
        name = str(self.answers.get("full_name") or "").strip()
        return name or "(chưa ghi họ tên)"


# The coded answers reports count, in the order of PersonPeriod's columns.
PERIOD_CODES = (
    "sex",
    "activity_status",
    "employment_status",
    "workplace_type",
    "has_social_insurance",
    "social_insurance_type",
    "has_labor_contract",
    "contract_type",
    "unemployed_before",
    "unemployment_duration",
    "inactivity_reason",
    "general_education",
    "qualification",
)


def period_code(value: object) -> int:
    """A one-digit form code as a small integer; 0 when the item was not answered."""
    text = str(value or "")
    return int(text) if text.isdigit() else 0


class PersonPeriod(models.Model):
    """What a person's reportable answers were from `valid_from` until `valid_to`.

    One row per version of the person, written by the register's actions beside the version.
    It holds only what reports count, as small integers, so that a province of two million
    people is counted by one scan of a narrow table, for today or for any past date
    (valid_from <= moment < valid_to, or valid_to empty for the current state).
    """

    # Indexed by the (person, number) constraint; the places by the commune index below.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="periods", db_index=False
    )
    number = models.PositiveIntegerField()  # the version this period shows
    source = models.CharField(max_length=12, choices=Source.choices)
    # Set for a period the person spends out of the register; reports leave such periods out.
    leave_reason = models.CharField(max_length=12, blank=True, default="")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    village = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    birth_date = models.DateField()
    sex = models.PositiveSmallIntegerField(default=0)
    activity_status = models.PositiveSmallIntegerField(default=0)
    employment_status = models.PositiveSmallIntegerField(default=0)
    workplace_type = models.PositiveSmallIntegerField(default=0)
    has_social_insurance = models.PositiveSmallIntegerField(default=0)
    social_insurance_type = models.PositiveSmallIntegerField(default=0)
    has_labor_contract = models.PositiveSmallIntegerField(default=0)
    contract_type = models.PositiveSmallIntegerField(default=0)
    unemployed_before = models.PositiveSmallIntegerField(default=0)
    unemployment_duration = models.PositiveSmallIntegerField(default=0)
    inactivity_reason = models.PositiveSmallIntegerField(default=0)
    general_education = models.PositiveSmallIntegerField(default=0)
    qualification = models.PositiveSmallIntegerField(default=0)
    is_disabled = models.BooleanField(default=False)
    is_poor_household = models.BooleanField(default=False)
    is_near_poor_household = models.BooleanField(default=False)
    is_land_recovered_household = models.BooleanField(default=False)
    is_merit_relative = models.BooleanField(default=False)
    is_ethnic_minority = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="person_period_unique"),
        ]
        indexes = [
            # Reports filter by commune (one commune, or the communes of a province).
            models.Index(fields=["commune", "valid_from"], name="period_commune_from"),
            # The changes report looks for periods that began within a date range, those that
            # ended within it (the people who had a period at its start and changed), and the
            # people who turned 15 within it.
            models.Index(fields=["valid_from"], name="period_valid_from"),
            models.Index(
                fields=["valid_to"],
                name="period_valid_to",
                condition=models.Q(valid_to__isnull=False),
            ),
            models.Index(fields=["birth_date"], name="period_birth"),
            # The changes report counts the people corrected in a window (few: corrections are
            # rare, and a full index range of a collection year holds millions of versions).
            models.Index(
                fields=["valid_from"],
                name="period_corrections",
                condition=models.Q(source="correction"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} p{self.number}"

    @staticmethod
    def values_of(person: Person, *, source: str, valid_from: Any) -> dict[str, Any]:
        """The columns of the period that starts with the person's current state (for the
        ORM, and for bulk writers that copy rows)."""
        return {
            "person_id": person.pk,
            "number": person.version,
            "source": source,
            "leave_reason": person.leave_reason,
            "valid_from": valid_from,
            "valid_to": None,
            "village_id": person.village_id,
            "commune_id": person.commune_id,
            "birth_date": person.birth_date,
            **{key: period_code(getattr(person, key)) for key in PERIOD_CODES},
            **{flag: getattr(person, flag) for flag in PRIORITY_FLAGS.values()},
        }

    @classmethod
    def of(cls, person: Person, *, source: str, valid_from: Any) -> PersonPeriod:
        """The period that starts with the person's current state."""
        return cls(**cls.values_of(person, source=source, valid_from=valid_from))


class StatisticsStale(models.Model):
    """A village whose periods changed since the labor statistics' summary was written: the
    next reader of a unit above it rebuilds it first (laodong/reports/summary.py). Written in
    the transaction that writes the periods, so the summary can never miss a change."""

    village = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["commune"], name="statistics_stale_commune")]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.village_id}"


def mark_statistics(places: Iterable[tuple[int, int]]) -> None:
    """The (village, commune) pairs' periods changed (call inside the writing transaction)."""
    StatisticsStale.objects.bulk_create(
        [StatisticsStale(village_id=v, commune_id=c) for v, c in set(places)], batch_size=1000
    )


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ xử lý")
    RUNNING = "running", _("Đang kiểm tra và nhập")
    REFUSED = "refused", _("Có lỗi, chưa ghi")
    WARNINGS = "warnings", _("Chờ xác nhận cảnh báo")
    DONE = "done", _("Đã nhập")
    FAILED = "failed", _("Không đọc được")


class PeopleImportJob(models.Model):
    """An upload of filled forms, checked and written in the background (a commune's register
    is thousands of rows: more than a request may take behind a 30-second proxy). All rows or
    none; the page shows progress, the first errors, and the error file holds all of them."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    file_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    form_code = models.CharField(max_length=20, blank=True, default="")
    confirm_warnings = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # The first findings, for the page (the error file holds every one).
    shown = models.JSONField(default=dict, blank=True)
    error_file = models.CharField(max_length=300, blank=True, default="")
    message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xã đang quản lý trả lời")
    ACCEPTED = "accepted", _("Đã chuyển")
    REFUSED = "refused", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã rút đề nghị")


class TransferRequest(models.Model):
    """A commune asks for the record of a person another commune holds (they moved in). The
    holding commune accepts — the record, with its whole history, moves as a new version — or
    refuses with a reason. Nothing moves without the holding commune."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    from_commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    to_commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    to_village = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_commune_id} → {self.to_commune_id} ({self.status})"


class RequesterKind(models.TextChoices):
    WORKER = "worker", _("Người lao động")
    AGENCY = "agency", _("Cơ quan")
    ORGANISATION = "organisation", _("Tổ chức")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    PHONE = "phone", _("Điện thoại")
    LETTER = "letter", _("Văn bản")
    ONLINE = "online", _("Trực tuyến")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Đã nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ACCEPTED = "accepted", _("Chấp nhận")
    REFUSED = "refused", _("Từ chối")


OPEN_REQUESTS = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class ChangeRequest(models.Model):
    """A request to correct or complete a person's record (đề nghị điều chỉnh, bổ sung), from
    the worker, an agency or an organisation. Accepting it applies the proposed values as a
    version whose source is this request; refusing it needs a reason."""

    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="requests")
    requester_kind = models.CharField(max_length=12, choices=RequesterKind.choices)
    requester_name = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_on = models.DateField()
    content = models.CharField(max_length=1000, blank=True, default="")
    # {item key: value as proposed}; checked by the form's engine when accepted.
    proposed = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    decision = models.CharField(max_length=500, blank=True, default="")
    replied_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["commune", "status"], name="request_commune_status")]

    def __str__(self) -> str:
        return f"Đề nghị {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUESTS


class Evidence(models.Model):
    """A scanned document (PDF, JPEG, PNG) backing a request or a version (a death
    certificate, a decision). Kept under DATA_DIR/evidence with a random name."""

    request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    version = models.ForeignKey(
        PersonVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    file_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class UpdateStatus(models.TextChoices):
    WAITING = "waiting", _("Chờ bàn giao")
    HANDED_OVER = "handed_over", _("Đã bàn giao")
    ENTERED = "entered", _("Đã nhập CSDL dân cư")
    NOT_ENTERABLE = "not_enterable", _("Không nhập được")
    WITHDRAWN = "withdrawn", _("Không cần chuyển")


class PoliceUpdate(models.Model):
    """A change saved outside a campaign that the commune police must enter into the
    population database ("cần cập nhật vào CSDL dân cư"): one per version, for the person's
    commune, saying what changed and where it came from. Handed over in the same numbered
    records as campaign forms (handover.HandoverLine), then marked entered or not."""

    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="police_updates")
    version = models.OneToOneField(
        PersonVersion, on_delete=models.PROTECT, related_name="police_update"
    )
    status = models.CharField(
        max_length=14, choices=UpdateStatus.choices, default=UpdateStatus.WAITING
    )
    created_at = models.DateTimeField()
    status_at = models.DateTimeField()
    entered_on = models.DateField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["commune", "status"], name="police_update_queue")]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.version_id} ({self.status})"


class BulkStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ kiểm tra")
    CHECKING = "checking", _("Đang đọc và so sánh")
    PREVIEW = "preview", _("Chờ xem trước và xác nhận")
    APPLYING = "applying", _("Đang cập nhật")
    DONE = "done", _("Đã cập nhật")
    UNDONE = "undone", _("Đã hoàn tác")
    CANCELLED = "cancelled", _("Đã hủy")
    FAILED = "failed", _("Không đọc được")


class BulkUpdate(models.Model):
    """An update of many people from a file keyed by personal ID or BHXH number ("cập nhật từ
    tệp"): read and compared in the background, previewed (old → new per person), then the
    ticked rows applied one by one as versions; rows that fail go to an error file."""

    # Empty for an update run from the command line.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    file_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    source = models.CharField(max_length=12, choices=Source.choices)
    reference_title = models.CharField(max_length=200, blank=True, default="")
    reference = models.CharField(max_length=200, blank=True, default="")
    reference_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Which column keyed the file ("personal_id" or "social_insurance_number") and which
    # items it holds, as read.
    key_column = models.CharField(max_length=30, blank=True, default="")
    columns = models.JSONField(default=list)
    message = models.CharField(max_length=500, blank=True, default="")
    error_file = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"


class BulkRow(models.Model):
    """One row of a bulk update: a person it would change (old → new per item), or a row that
    cannot be applied, with its cells as read and the reason (for the error file)."""

    bulk = models.ForeignKey(BulkUpdate, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The person's version when the file was compared: a later save makes the row stale.
    version = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=dict)  # {item key: [old, new]}
    warnings = models.JSONField(default=list)  # [rule, …] the new values raise
    chosen = models.BooleanField(default=True)
    applied = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True, default="")
    cells = models.JSONField(default=dict)  # {column key: text}, for rows that fail

    class Meta:
        ordering = ["bulk", "row"]
        constraints = [
            models.UniqueConstraint(fields=["bulk", "row"], name="bulk_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bulk_id}:{self.row}"


class Merge(models.Model):
    """Two records of one person merged: `merged` left the register pointing at `survivor`,
    which took the items only `merged` had. Both histories are kept; `unmerge_people` undoes
    it with new versions."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_into")
    # {item key: value} the survivor took from the merged record.
    filled = models.JSONField(default=dict)
    reason = models.CharField(max_length=300, blank=True, default="")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
