"""Collection campaigns (kế hoạch / đợt thu thập): area, dates, rounds and targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    COLLECTION = "collection", _("Thu thập")
    ENTRY = "entry", _("Nhập dữ liệu")


class Campaign(models.Model):
    """A plan to collect forms in one or more communes, with its windows and targets."""

    title = models.CharField(_("tên kế hoạch"), max_length=200)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True, default="")
    form_code = models.CharField(_("mẫu phiếu"), max_length=20)
    # The unit that made the plan (a province, or a commune for its own plan); it manages it.
    owner_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    communes = models.ManyToManyField("units.Unit", related_name="campaigns")
    reference_date = models.DateField(_("thời điểm tính tuổi"))
    collection_start = models.DateField(_("bắt đầu thu thập"))
    collection_end = models.DateField(_("kết thúc thu thập"))
    entry_start = models.DateField(_("bắt đầu nhập dữ liệu"))
    entry_end = models.DateField(_("kết thúc nhập dữ liệu"))
    # Paper forms keyed twice by different people and compared field by field.
    double_entry = models.BooleanField(_("nhập liệu hai lần"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-collection_start", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Round(models.Model):
    """A reporting round with its deadline, e.g. the second collection round before 20 May."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(max_length=12, choices=RoundKind.choices)
    number = models.PositiveSmallIntegerField()
    deadline = models.DateField(_("hạn"))
    # Share of the target due by this deadline, in percent (100 for the last round).
    target_percent = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["campaign", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind", "number"], name="round_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ReportDeadline(models.Model):
    """A report the plan asks for: which one, from which level to the level above, by when
    (Lào Cai: communes to the province by 30/01/2026, the province to the ministry by 15/02)."""

    FROM_LEVELS = ((3, _("Xã gửi tỉnh")), (1, _("Tỉnh gửi Bộ Nội vụ")))

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="report_deadlines"
    )
    title = models.CharField(_("tên báo cáo"), max_length=200)
    # The level that sends it (Level.COMMUNE or Level.PROVINCE); it goes to the level above.
    from_level = models.PositiveSmallIntegerField(_("cấp gửi"), choices=FROM_LEVELS)
    due = models.DateField(_("hạn gửi"))

    class Meta:
        ordering = ["campaign", "due", "pk"]

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    """How many forms a commune or a village must collect in the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    # The whole population to cover (e.g. 4,083) and what is due in this campaign (e.g. 2,450).
    total = models.PositiveIntegerField(_("tổng số phiếu"), null=True, blank=True)
    count = models.PositiveIntegerField(_("chỉ tiêu đợt này"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.count}"


class PaymentTask(models.TextChoices):
    """The tasks paid per form (Thông tư 55/2023/TT-BTC, 109/2016/TT-BTC)."""

    COLLECT = "collect", _("Thu thập phiếu")
    KEY = "key", _("Nhập phiếu giấy")
    ACCEPT = "accept", _("Làm sạch, nghiệm thu phiếu")
    ENTER = "enter", _("Nhập vào CSDL dân cư")


class PaymentRate(models.Model):
    """What one form of a task is paid, in đồng, as the plan's maker (the province) sets it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rates")
    task = models.CharField(max_length=10, choices=PaymentTask.choices)
    amount = models.PositiveIntegerField(_("đơn giá (đồng/phiếu)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "task"], name="payment_rate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task}: {self.amount}"
