"""Reports up the tree, in Chromium: Cẩm Tân's officer freezes the commune's report and its
leader signs it off on a phone; the province returns it with a comment; the commune corrects
and sends it again; the province accepts it, makes its own report from the accepted commune
reports, has it signed off, and the ministry accepts it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from laodong.accounts.models import Role
from laodong.campaigns.actions import ReportPlan, create_campaign
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commune_sends_province_returns_commune_resends_province_accepts_and_sends(
    open_as: Any,  # noqa: F811
    live_server: Any,
) -> None:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Lào Cai", Level.PROVINCE, country, "15")
    commune = make_unit("Xã Bản Xèo", Level.COMMUNE, province, "02680")
    make_unit("Thôn Pờ Hồ", Level.VILLAGE, commune)
    department = make_user(
        Role.PROVINCE_LABOR_DEPARTMENT, province, "sonoivu", full_name="Trần Thị Hạnh"
    )
    make_user(Role.PROVINCE_LEADER, province, "giamdoc", full_name="Nguyễn Văn Thành")
    make_user(Role.MINISTRY, country, "bonoivu", full_name="Phan Thị Thu")
    make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    make_user(Role.COMMUNE_LEADER, commune, "chutich", full_name="Phạm Văn Hùng")
    today = timezone.localdate()
    create_campaign(
        acting_user=department,
        title="Thu thập thông tin người lao động 2026",
        legal_basis="Kế hoạch 40/KH-UBND",
        form_code="tt09-2025-m01",
        area=[province],
        reference_date=today - datetime.timedelta(days=30),
        collection_start=today - datetime.timedelta(days=30),
        collection_end=today + datetime.timedelta(days=30),
        entry_start=today - datetime.timedelta(days=20),
        entry_end=today + datetime.timedelta(days=40),
        reports=[
            ReportPlan("Báo cáo kết quả của xã", Level.COMMUNE, today + datetime.timedelta(5)),
            ReportPlan("Báo cáo của tỉnh", Level.PROVINCE, today + datetime.timedelta(15)),
        ],
    )
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The officer sees the report due on the home page and freezes it.
    officer = open_as(base, "canbo")
    expect(officer.locator("section.card", has_text="Báo cáo gửi cấp trên")).to_contain_text(
        "Chưa gửi, còn 5 ngày"
    )
    officer.click("text=Xem báo cáo phải gửi")
    officer.click("text=Báo cáo kết quả của xã")
    officer.click("button:has-text('Chốt số liệu và trình lãnh đạo duyệt')")
    expect(officer.locator("ul.messages")).to_contain_text("Đã lập báo cáo lần 1")

    # 2. The leader, on a phone, signs it off from the home page.
    leader = open_as(base, "chutich", width=390)
    expect(leader.locator("section.card", has_text="Báo cáo gửi cấp trên")).to_contain_text(
        "lần 1 chờ bạn duyệt"
    )
    leader.click("text=Xem báo cáo phải gửi")
    leader.click("text=Báo cáo kết quả của xã")
    leader.click("a:has-text('Lần 1')")
    leader.screenshot(path=str(ARTIFACTS / "sent-leader-phone.png"), full_page=True)
    leader.click("button:has-text('Duyệt và gửi lên cấp trên')")
    expect(leader.locator("ul.messages")).to_contain_text("Đã duyệt")

    # 3. The province returns it with a comment.
    desk = open_as(base, "sonoivu")
    desk.click("text=Xem báo cáo phải gửi")
    desk.click("text=Báo cáo kết quả của xã")
    expect(desk.locator("table")).to_contain_text("gửi đúng hạn")
    desk.click("text=Xem lần 1")
    desk.click("button:has-text('Trả lại để sửa')")
    expect(desk.locator("ul.messages")).to_contain_text("lý do trả lại")
    desk.fill("#id_comment_review", "Đề nghị bổ sung giải trình tiến độ Thôn Pờ Hồ")
    desk.click("button:has-text('Trả lại để sửa')")
    expect(desk.locator("ul.messages")).to_contain_text("Đã trả lại")

    # 4. The commune reads the comment and sends a second version, signed off again.
    officer.goto(f"{base}/")
    officer.click("text=Xem báo cáo phải gửi")
    officer.click("text=Báo cáo kết quả của xã")
    expect(officer.locator("table")).to_contain_text("bổ sung giải trình")
    officer.click("button:has-text('Chốt số liệu và trình lãnh đạo duyệt')")
    expect(officer.locator("ul.messages")).to_contain_text("Đã lập báo cáo lần 2")
    leader.goto(f"{base}/")
    leader.click("text=Xem báo cáo phải gửi")
    leader.click("text=Báo cáo kết quả của xã")
    leader.click("a:has-text('Lần 2')")
    leader.click("button:has-text('Duyệt và gửi lên cấp trên')")
    expect(leader.locator("ul.messages")).to_contain_text("Đã duyệt")

    # 5. The province accepts the second version, then makes its own report from it.
    desk.goto(f"{base}/reports/sent/")
    desk.click("text=Báo cáo kết quả của xã")
    desk.click("text=Xem lần 2")
    desk.click("button:has-text('Chấp nhận')")
    expect(desk.locator("ul.messages")).to_contain_text("Đã chấp nhận")
    desk.goto(f"{base}/reports/sent/")
    desk.click("text=Báo cáo của tỉnh")
    desk.click("button:has-text('Chốt số liệu và trình lãnh đạo duyệt')")
    expect(desk.locator("main")).to_contain_text("Gồm 1 trên 1 xã có báo cáo đã được")
    desk.screenshot(path=str(ARTIFACTS / "sent-province-desktop.png"), full_page=True)
    head = open_as(base, "giamdoc")
    head.click("text=Xem báo cáo phải gửi")
    head.click("text=Báo cáo của tỉnh")
    head.click("a:has-text('Lần 1')")
    head.click("button:has-text('Duyệt và gửi lên cấp trên')")
    expect(head.locator("ul.messages")).to_contain_text("Đã duyệt")

    # 6. The ministry accepts the province's report.
    ministry = open_as(base, "bonoivu")
    ministry.goto(f"{base}/reports/sent/")
    ministry.click("text=Báo cáo của tỉnh")
    ministry.click("text=Xem lần 1")
    ministry.click("button:has-text('Chấp nhận')")
    expect(ministry.locator("ul.messages")).to_contain_text("Đã chấp nhận")
    expect(ministry.locator("dl.facts")).to_contain_text("Cấp trên đã chấp nhận")
