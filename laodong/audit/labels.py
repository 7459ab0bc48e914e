"""What each audit action means, for the people who read the log."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Kinds of action, as an auditor asks about them.
READ, PRINT, EXPORT, CHANGE, SIGN_IN = "read", "print", "export", "change", "sign_in"

KINDS = {
    READ: _("Xem"),
    PRINT: _("In"),
    EXPORT: _("Xuất tệp"),
    CHANGE: _("Thay đổi"),
    SIGN_IN: _("Đăng nhập"),
}

ACTIONS: dict[str, tuple[str, object]] = {
    "register.view_person": (READ, _("Xem hồ sơ người lao động")),
    "register.view_list": (READ, _("Xem / tìm danh sách người lao động")),
    "register.open_person_form": (READ, _("Mở phiếu để sửa")),
    "register.print_person": (PRINT, _("In phiếu của một người")),
    "register.record_person": (CHANGE, _("Nhập phiếu mới")),
    "register.update_person": (CHANGE, _("Sửa phiếu")),
    "register.import_people": (CHANGE, _("Nhập phiếu từ tệp Excel")),
    "register.download_import_errors": (EXPORT, _("Tải tệp lỗi nhập phiếu")),
    "register.look_up_holder": (READ, _("Tra cứu xã đang quản lý một số định danh")),
    "register.request_transfer": (CHANGE, _("Đề nghị chuyển hồ sơ về xã")),
    "register.accept_transfer": (CHANGE, _("Đồng ý chuyển hồ sơ")),
    "register.refuse_transfer": (CHANGE, _("Từ chối chuyển hồ sơ")),
    "register.cancel_transfer": (CHANGE, _("Rút đề nghị chuyển hồ sơ")),
    "register.complete_transfer": (CHANGE, _("Chuyển hồ sơ theo danh sách Công an")),
    "register.close_person": (CHANGE, _("Ghi ra khỏi diện quản lý")),
    "register.reopen_person": (CHANGE, _("Mở lại hồ sơ")),
    "register.view_evidence": (READ, _("Xem giấy tờ kèm theo")),
    "register.log_request": (CHANGE, _("Ghi đề nghị điều chỉnh")),
    "register.view_request": (READ, _("Xem đề nghị điều chỉnh")),
    "register.start_request": (CHANGE, _("Xử lý đề nghị điều chỉnh")),
    "register.accept_request": (CHANGE, _("Chấp nhận đề nghị điều chỉnh")),
    "register.refuse_request": (CHANGE, _("Từ chối đề nghị điều chỉnh")),
    "register.resend_update": (CHANGE, _("Gửi lại thay đổi cho Công an xã")),
    "register.bulk_update": (CHANGE, _("Cập nhật từ tệp")),
    "register.undo_bulk_update": (CHANGE, _("Hoàn tác cập nhật từ tệp")),
    "register.bulk_update_errors": (EXPORT, _("Tải tệp lỗi cập nhật từ tệp")),
    "collection.view_work_list": (READ, _("Xem danh sách thu thập")),
    "collection.view_review_list": (READ, _("Xem danh sách phiếu chờ nghiệm thu")),
    "collection.view_item": (READ, _("Xem phiếu thu thập")),
    "collection.open_form": (READ, _("Mở phiếu để thu thập")),
    "collection.accept_form": (CHANGE, _("Nghiệm thu phiếu")),
    "handover.print_entry_sheet": (PRINT, _("Xem, in phiếu nhập liệu")),
    "handover.export_entry_sheet": (EXPORT, _("Xuất phiếu nhập liệu")),
    "collection.complete_form_id": (CHANGE, _("Công an bổ sung số định danh vào phiếu")),
    "reconcile.run": (READ, _("Đối soát với danh sách Công an")),
    "reconcile.view": (READ, _("Xem kết quả đối soát")),
    "reconcile.export": (EXPORT, _("Xuất kết quả đối soát")),
    "reconcile.confirm_link": (CHANGE, _("Xác nhận ghép, ghi số định danh (đối soát)")),
    "reconcile.reject_link": (CHANGE, _("Không ghép (đối soát)")),
    "reconcile.apply_population_values": (CHANGE, _("Lấy thông tin theo CSDL dân cư")),
    "reconcile.record": (CHANGE, _("Ghi nhận đã đối soát")),
    "reconcile.view_duplicates": (READ, _("Xem hồ sơ có thể trùng")),
    "reconcile.not_duplicate": (CHANGE, _("Ghi nhận hai người khác nhau")),
    "reconcile.cross_run": (READ, _("Tìm hồ sơ trùng giữa các xã")),
    "reconcile.view_cross": (READ, _("Xem hồ sơ trùng giữa các xã")),
    "reconcile.cross_send": (CHANGE, _("Gửi cặp hồ sơ trùng cho hai xã")),
    "reconcile.cross_distinct": (CHANGE, _("Ghi nhận hai người khác nhau (giữa hai xã)")),
    "register.merge_people": (CHANGE, _("Gộp hồ sơ trùng")),
    "register.unmerge_people": (CHANGE, _("Hoàn tác gộp hồ sơ")),
    "reconcile.compare_extract": (READ, _("So sánh với trích xuất CSDL dân cư")),
    "reconcile.view_extract": (READ, _("Xem kết quả so sánh với CSDL dân cư")),
    "reconcile.export_extract": (EXPORT, _("Xuất kết quả so sánh với CSDL dân cư")),
    "reconcile.view_missing_ids": (READ, _("Xem danh sách thiếu số định danh")),
    "collection.accept_clean_forms": (CHANGE, _("Nghiệm thu nhiều phiếu")),
    "collection.adopt_register_form": (CHANGE, _("Đưa phiếu đã nhập vào kế hoạch")),
    "collection.add_outside_list": (CHANGE, _("Bổ sung người ngoài danh sách")),
    "collection.approve_proposal": (CHANGE, _("Đồng ý bổ sung ngoài danh sách")),
    "collection.assign_work": (CHANGE, _("Phân công")),
    "collection.remove_assignment": (CHANGE, _("Bỏ phân công")),
    "collection.import_police_list": (CHANGE, _("Nhập danh sách Công an")),
    "collection.check_police_list": (CHANGE, _("Kiểm tra danh sách Công an")),
    "collection.map_police_list": (CHANGE, _("Chọn cột danh sách Công an")),
    "collection.cancel_police_list": (CHANGE, _("Hủy nhập danh sách Công an")),
    "collection.undo_police_list": (CHANGE, _("Hoàn tác danh sách Công an")),
    "collection.download_import_errors": (EXPORT, _("Tải tệp lỗi danh sách Công an")),
    "collection.export_payments": (EXPORT, _("Xuất bảng thanh toán")),
    "campaigns.set_rates": (CHANGE, _("Đặt đơn giá thanh toán")),
    "collection.record_paper_receipt": (CHANGE, _("Ghi nhận phiếu giấy điều tra viên giao")),
    "collection.cancel_paper_receipt": (CHANGE, _("Hủy biên nhận phiếu giấy")),
    "handover.view_handover": (READ, _("Xem biên bản bàn giao")),
    "handover.print_handover": (PRINT, _("In biên bản bàn giao")),
    "handover.create_handover": (CHANGE, _("Lập biên bản bàn giao")),
    "handover.confirm_handover": (CHANGE, _("Xác nhận nhận phiếu")),
    "handover.resolve_handover": (CHANGE, _("Xử lý chênh lệch")),
    "handover.mark_entered": (CHANGE, _("Ghi đã nhập CSDL dân cư")),
    "handover.archive_forms": (CHANGE, _("Lưu trữ phiếu giấy")),
    "handover.view_updates": (READ, _("Xem thay đổi chuyển Công an xã")),
    "handover.update_not_enterable": (CHANGE, _("Ghi thay đổi không nhập được")),
    "reports.download": (EXPORT, _("Tải báo cáo")),
    "reports.prepare_report": (CHANGE, _("Lập báo cáo gửi cấp trên (chốt số liệu)")),
    "reports.approve_report": (CHANGE, _("Duyệt và gửi báo cáo lên cấp trên")),
    "reports.decline_report": (CHANGE, _("Chưa duyệt báo cáo, chuyển lại người lập")),
    "reports.return_report": (CHANGE, _("Trả lại báo cáo của cấp dưới")),
    "reports.accept_report": (CHANGE, _("Chấp nhận báo cáo của cấp dưới")),
    "reports.accept_results": (CHANGE, _("Lập biên bản nghiệm thu kết quả")),
    "reports.cancel_acceptance": (CHANGE, _("Hủy biên bản nghiệm thu kết quả")),
    "reports.export_register": (EXPORT, _("Xuất danh sách người lao động")),
    "accounts.sign_in": (SIGN_IN, _("Đăng nhập")),
    "accounts.sign_in_failed": (SIGN_IN, _("Đăng nhập sai")),
    "accounts.create": (CHANGE, _("Tạo tài khoản")),
    "accounts.update": (CHANGE, _("Sửa tài khoản")),
    "accounts.reset_password": (CHANGE, _("Đặt lại mật khẩu")),
    "accounts.change_password": (CHANGE, _("Đổi mật khẩu")),
    "accounts.reactivate": (CHANGE, _("Mở khóa tài khoản")),
    "accounts.deactivate": (CHANGE, _("Khóa tài khoản")),
    "accounts.enable_two_factor": (CHANGE, _("Bật xác thực hai lớp")),
    "accounts.remove_two_factor": (CHANGE, _("Gỡ xác thực hai lớp")),
    "audit.view_log": (READ, _("Xem nhật ký")),
    "audit.export_log": (EXPORT, _("Xuất nhật ký")),
    "audit.view_monthly": (READ, _("Xem báo cáo ai xem hồ sơ nào")),
    "units.create_village": (CHANGE, _("Thêm thôn")),
    "units.update_village": (CHANGE, _("Sửa thôn")),
    "units.close_village": (CHANGE, _("Đóng thôn")),
    "units.load_current": (CHANGE, _("Nạp danh mục đơn vị")),
    "units.import_legacy": (CHANGE, _("Nạp đơn vị cũ")),
    "campaigns.create_campaign": (CHANGE, _("Lập kế hoạch")),
    "campaigns.update_campaign": (CHANGE, _("Sửa kế hoạch")),
    "campaigns.set_targets": (CHANGE, _("Đặt chỉ tiêu")),
    "campaigns.close_campaign": (CHANGE, _("Kết thúc kế hoạch")),
}


def action_label(action: str) -> str:
    found = ACTIONS.get(action)
    return str(found[1]) if found else action


def action_kind(action: str) -> str:
    found = ACTIONS.get(action)
    return found[0] if found else CHANGE


def actions_of_kind(kind: str) -> list[str]:
    return [action for action, (found, _label) in ACTIONS.items() if found == kind]
