from __future__ import annotations

from typing import Any

from laodong.accounts.actions import import_accounts
from laodong.accounts.models import Role, User
from laodong.conftest import Tree
from laodong.units.tests.test_import_villages import xlsx

HEADER = ["STT", "Họ và tên", "Số điện thoại", "Vai trò", "Thôn"]


def test_good_list_creates_accounts_with_temporary_passwords(
    tree: Tree, users: dict[str, User]
) -> None:
    file = xlsx(
        [
            ["DANH SÁCH THÀNH VIÊN TỔ CÔNG TÁC", None, None, None, None],
            HEADER,
            [1, "Nguyễn Văn An", 912345678, "Điều tra viên", "Thôn 1"],
            [2, "Lê Thị Bình", "0987 654 321", "trưởng thôn", "thôn 2"],
            [3, "Trần Văn Cường", "0977000111", "Công chức Tài chính – Kế toán", ""],
            [4, "Phạm Thị Dung", "0966000111", "Điều tra viên", ""],
        ]
    )
    report = import_accounts(
        acting_user=users[Role.COMMUNE_LEADER], stream=file, filename="ds.xlsx"
    )
    assert report.ok, [str(e) for e in report.errors]
    created = {account.username: (account, password) for account, password in report.created_items}
    assert set(created) == {"0912345678", "0987654321", "0977000111", "0966000111"}
    an, password = created["0912345678"]
    assert an.unit == tree.village and an.role == Role.ENUMERATOR and an.must_change_password
    assert an.check_password(password)
    assert created["0987654321"][0].unit == tree.village2
    assert created["0977000111"][0].unit == tree.commune
    assert created["0966000111"][0].unit == tree.commune


def test_bad_rows_create_nobody(tree: Tree, users: dict[str, User]) -> None:
    count = User.objects.count()
    file = xlsx(
        [
            HEADER,
            [1, "Nguyễn Văn An", "0912345678", "Điều tra viên", "Thôn 1"],  # fine
            [2, "", "0912345679", "Điều tra viên", "Thôn 1"],  # no name
            [3, "Lê Văn B", "12345", "Điều tra viên", "Thôn 1"],  # bad phone
            [4, "Lê Văn C", "0912345678", "Điều tra viên", "Thôn 1"],  # duplicate phone
            [5, "Lê Văn D", "0912345670", "Thủ quỹ", "Thôn 1"],  # unknown role
            [6, "Lê Văn E", "0912345671", "Công an tỉnh", ""],  # not allowed
            [7, "Lê Văn F", "0912345672", "Điều tra viên", "Thôn 99"],  # unknown village
            [8, "Lê Văn G", "0912345673", "Trưởng thôn", ""],  # village required
        ]
    )
    report = import_accounts(
        acting_user=users[Role.COMMUNE_LEADER], stream=file, filename="ds.xlsx"
    )
    assert [str(e) for e in report.errors] == [
        "Trang tính “Thôn”, Dòng 3, cột B (Họ và tên): Để trống. Hãy ghi họ và tên.",
        "Trang tính “Thôn”, Dòng 4, cột C (Số điện thoại): “12345” không phải số điện thoại di "
        "động 10 chữ số (bắt đầu bằng 0).",
        "Trang tính “Thôn”, Dòng 5, cột C (Số điện thoại): Trùng số điện thoại với dòng 2.",
        "Trang tính “Thôn”, Dòng 6, cột D (Vai trò): Không hiểu vai trò “Thủ quỹ”. Hãy ghi một "
        "trong: Điều tra viên, Trưởng thôn, Lãnh đạo UBND xã, Công chức Tài chính – Kế toán.",
        "Trang tính “Thôn”, Dòng 7, cột D (Vai trò): Bạn không được tạo tài khoản vai trò "
        "“Công an tỉnh”.",
        "Trang tính “Thôn”, Dòng 8, cột E (Thôn): Xã Cẩm Tân không có thôn “Thôn 99”. Hãy "
        "thêm thôn trước hoặc sửa tên.",
        "Trang tính “Thôn”, Dòng 9, cột E (Thôn): Vai trò “Trưởng thôn” cần ghi rõ thôn.",
    ]
    assert User.objects.count() == count
    assert report.created_items == []


def test_an_account_list_longer_than_the_limit_is_refused(
    tree: Any, users: Any, settings: Any
) -> None:
    """Each account's temporary password is hashed within the request (about 0.5 s)."""
    import io

    from laodong.accounts.actions import import_accounts
    from laodong.accounts.models import Role, User

    settings.LAODONG_ACCOUNT_IMPORT_ROWS = 5
    rows = "".join(f"Người {n},09000000{n:02d},Điều tra viên,Thôn 1\n" for n in range(30))
    stream = io.BytesIO(("Họ và tên,Số điện thoại,Vai trò,Thôn\n" + rows).encode())
    before = User.objects.count()
    report = import_accounts(
        acting_user=users[Role.COMMUNE_LEADER], stream=stream, filename="tk.csv"
    )
    assert "Tệp có hơn 5 dòng" in report.file_error
    assert User.objects.count() == before


def test_an_email_column_is_read_and_checked(tree: Tree, users: dict[str, User]) -> None:
    header = [*HEADER, "Email"]
    bad = xlsx(
        [
            header,
            [1, "Nguyễn Văn An", "0912345678", "Điều tra viên", "Thôn 1", "an@gmail"],
        ]
    )
    report = import_accounts(acting_user=users[Role.COMMUNE_LEADER], stream=bad, filename="a.xlsx")
    assert [str(e) for e in report.errors] == [
        "Trang tính “Thôn”, Dòng 2, cột F (Thư điện tử): “an@gmail” không phải địa chỉ thư "
        "điện tử (ví dụ: ten@laodong.gov.vn)."
    ]
    good = xlsx(
        [
            header,
            [1, "Nguyễn Văn An", "0912345678", "Điều tra viên", "Thôn 1", "An.Nguyen@Gmail.com"],
            [2, "Lê Thị Bình", "0987654321", "Trưởng thôn", "Thôn 2", None],
        ]
    )
    report = import_accounts(acting_user=users[Role.COMMUNE_LEADER], stream=good, filename="a.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert User.objects.get(username="0912345678").email == "an.nguyen@gmail.com"
    assert User.objects.get(username="0987654321").email == ""
