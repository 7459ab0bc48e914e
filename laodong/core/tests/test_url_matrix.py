"""The permission matrix generated from the URL conf: every page of the project, for every
role, on objects of the role's own commune, of another commune of the same province (in a
shared province campaign) and of another province. A new page without an entry here fails
the first test, so no page can be missed.

Rules checked: a signed-in role opens a page of its own area only if its role may (else 403,
or 404 where it may not even know the object); an object outside the role's area answers 404
(or 403) to GET and POST alike, never shows the object and changes nothing; no request ever
answers 500.
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import CAPABILITIES, Capability
from laodong.campaigns.actions import create_campaign
from laodong.campaigns.models import Campaign, PaymentRate, ReportDeadline
from laodong.collection.models import PaperReceipt, PoliceListImport, Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, login, make_unit, make_user
from laodong.handover import actions as handover_actions
from laodong.handover.models import Handover
from laodong.offline.models import Device, Outcome, SyncedForm
from laodong.reconcile.models import (
    CrossPair,
    CrossRun,
    CrossStatus,
    ExtractComparison,
    Kind,
    Row,
    Run,
)
from laodong.register.actions import record_person, update_person
from laodong.register.models import (
    BulkRow,
    BulkUpdate,
    ChangeRequest,
    Evidence,
    Merge,
    PeopleImportJob,
    Person,
    PersonVersion,
    Source,
    TransferRequest,
)
from laodong.register.requests import log_request
from laodong.register.sources import Origin
from laodong.register.tests.test_actions import ANSWERS
from laodong.reports.models import (
    CountStatus,
    CustomCount,
    ResultAcceptance,
    SentReport,
    SentStatus,
)
from laodong.units.models import Level, Unit

# Pages outside the matrix, and why.
EXEMPT = {
    "set_language": "language switch, no data (POST redirect)",
    "accounts-login": "sign-in page, for the anonymous",
    "accounts-logout": "sign-out",
    "accounts-two-factor-verify": "second sign-in step (tested in accounts)",
    "api-openapi-schema": "public API description (tested in api)",
    "api-list-forms": "public form definitions (tested in api)",
    "api-view-form": "public form definitions (tested in api)",
    "api-validate-form": "stateless check of posted answers (tested in api)",
    "offline-download": "the phone's JSON call, POST only (scope and role: offline/tests)",
    "offline-sync": "the phone's JSON call, POST only (scope and role: offline/tests)",
    "offline-manifest": "the offline app's web manifest, no data",
    "offline-service-worker": "the offline app's service worker script, no data",
}


@dataclass
class Place:
    """One commune's objects: a person, a campaign's work item, police list and handover."""

    commune: Unit
    village: Unit
    campaign: Campaign
    person: Person
    item: WorkItem
    job: PoliceListImport
    handover: Handover
    account: User
    register_job: PeopleImportJob
    transfer: TransferRequest
    change_request: ChangeRequest
    evidence: Evidence
    update_handover: Handover
    bulk: BulkUpdate
    reconcile_row: Row
    extract: ExtractComparison
    merge: Merge
    cross_pair: CrossPair
    deadline: ReportDeadline
    sent_report: SentReport
    acceptance: ResultAcceptance
    receipt: PaperReceipt
    conflict: SyncedForm
    device: Device
    custom_count: CustomCount


@dataclass
class World:
    tree: Tree
    users: dict[str, User]
    places: dict[str, Place] = field(default_factory=dict)


def _place(
    tree: Tree,
    commune: Unit,
    village: Unit,
    campaign: Campaign,
    tag: str,
    serial: int,
) -> Place:
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, f"canbo-{tag}")
    police = make_user(Role.COMMUNE_POLICE, commune, f"congan-{tag}")
    number = f"0380900{serial:05d}"
    person = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, "personal_id": number, "full_name": f"Người Bí Mật {tag}"},
    )
    listed = f"0381850{serial:05d}"
    outcome = import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO(
            (
                "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn\n"
                f"Người Trong Danh Sách {tag},05/05/1985,Nữ,{listed},{village.name}\n"
            ).encode()
        ),
        filename="ds.csv",
        acting_user=police,
    )
    assert outcome.job is not None, outcome
    item = WorkItem.objects.get(campaign=campaign, personal_id=listed)
    WorkItem.objects.filter(pk=item.pk).update(status=Status.ACCEPTED)
    # The person's record is a change for the police: it goes into the campaign's record.
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=commune
    )
    item.refresh_from_db()
    change_request = log_request(
        acting_user=officer,
        person=person,
        requester_kind="worker",
        requester_name=f"Người Bí Mật {tag}",
        channel="in_person",
        received_on=datetime.date(2026, 11, 20),
        content="Sửa trình độ",
        proposed={"qualification": "6"},
        uploads=[SimpleUploadedFile("giay.pdf", b"%PDF-1.4 test", "application/pdf")],
    )
    evidence = change_request.evidence.get()
    update_person(
        acting_user=officer,
        person=person,
        answers={**person.answers, "job_description": "Thợ hàn"},
        origin=Origin(Source.CORRECTION),
    )
    update_handover = handover_actions.create_handover(
        acting_user=officer, campaign=None, commune=commune
    )
    bulk = BulkUpdate.objects.create(
        created_by=officer,
        commune=commune,
        file_path="/nonexistent.xlsx",
        original_name="danh-sach-bhxh.xlsx",
        source="bhxh",
        reference="DS tháng 10",
        status="preview",
    )
    BulkRow.objects.create(
        bulk=bulk,
        row=5,
        person=person,
        version=person.version,
        changes={"workplace_name": [None, "Công ty Bí Mật"]},
    )
    register_job = PeopleImportJob.objects.create(
        created_by=officer,
        unit=commune,
        file_path="/nonexistent.xlsx",
        original_name="phieu.xlsx",
        status="refused",
        shown={"errors": [{"row": 5, "message": f"Người Bí Mật {tag}", "column": "B"}]},
    )
    # A request for this commune's person from a commune of no other place's test users.
    target = tree.other_village if commune != tree.other_commune else tree.village2
    if commune == tree.other_commune:
        target = Unit.objects.filter(parent=tree.far_commune, level=Level.VILLAGE).first()
    transfer = TransferRequest.objects.create(
        person=person,
        from_commune=commune,
        to_commune=target.parent,
        to_village=target,
        reason="Chuyển đến",
        requested_by=officer,
        requested_at=timezone.now(),
    )
    run = Run.objects.create(
        campaign=campaign, commune=commune, created_by=officer, created_at=timezone.now()
    )
    reconcile_row = Row.objects.create(
        run=run, kind=Kind.LINK, person=person, work_item=item, score=0.9, reasons=["name"]
    )
    deadline = ReportDeadline.objects.create(
        campaign=campaign, title="Báo cáo kết quả", from_level=Level.COMMUNE, due="2026-12-10"
    )
    # Sent by the commune, waiting for its province: each decision is refused outside.
    sent_report = SentReport.objects.create(
        deadline=deadline,
        unit=commune,
        version=1,
        as_of="2026-12-01",
        status=SentStatus.SENT,
        data={
            "kind": "sent-report",
            "title": "Báo cáo kết quả",
            "period": "",
            "made_by": officer.full_name,
            "made_at": timezone.now().isoformat(),
            "sections": [],
        },
        pdf=b"%PDF-1.4",
        xlsx=b"PK",
        made_by=officer,
        made_at=timezone.now(),
        approved_by=officer,
        approved_at=timezone.now(),
    )
    # A phone of one of the commune's enumerators, with a form that met a conflict.
    device = Device.objects.create(
        user=make_user(Role.ENUMERATOR, village, f"dtv-{tag}"), created_at=timezone.now()
    )
    return Place(
        commune,
        village,
        campaign,
        person,
        item,
        outcome.job,
        handover,
        officer,
        register_job,
        transfer,
        change_request,
        evidence,
        update_handover,
        bulk,
        reconcile_row,
        ExtractComparison.objects.create(
            unit=commune,
            created_by=officer,
            created_at=timezone.now(),
            file_path="/nonexistent.xlsx",
            original_name="trich-xuat.xlsx",
        ),
        Merge.objects.create(
            survivor=person, merged=person, merged_by=officer, merged_at=timezone.now()
        ),
        # Sent to the communes; the province's own decision on it is refused with a message.
        CrossPair.objects.create(
            run=CrossRun.objects.create(
                province=commune.parent, started_by=officer, started_at=timezone.now()
            ),
            first=person,
            second=person,
            score=0.9,
            status=CrossStatus.SENT,
        ),
        deadline,
        sent_report,
        ResultAcceptance.objects.create(
            campaign=campaign,
            unit=commune,
            accepting_unit=commune,
            number=1,
            as_of="2026-12-01",
            data={"sections": [{"columns": ["Đơn vị"], "rows": []}]},
            representative="Người Đại Diện",
            representative_title="Chủ tịch",
            conclusion="Đạt",
            accepted_by=officer,
            accepted_at=timezone.now(),
        ),
        PaperReceipt.objects.create(
            campaign=campaign,
            commune=commune,
            enumerator=officer,
            count=3,
            received_on="2026-11-20",
            received_by=officer,
            created_at=timezone.now(),
        ),
        SyncedForm.objects.create(
            client_id=uuid.uuid4(),
            device=device,
            user=device.user,
            work_item=item,
            answers={"full_name": f"Người Bí Mật {tag}"},
            base_status=Status.LISTED,
            received_at=timezone.now(),
            outcome=Outcome.CONFLICT,
            reason="changed",
            message="Phiếu đã thay đổi trên máy chủ từ lúc tải về.",
        ),
        device,
        CustomCount.objects.create(
            created_by=officer,
            unit=commune,
            as_of="2026-12-01",
            criteria={"age_from": 18},
            status=CountStatus.DONE,
            result={"rows": [[village.pk, village.name, 1, 1, 0, 1, 0, 0, 0, 0]]},
        ),
    )


@pytest.fixture
def world(tree: Tree, users: dict[str, User]) -> World:
    province_officer = users[Role.PROVINCE_LABOR_DEPARTMENT]
    dates = {
        "reference_date": datetime.date(2026, 11, 1),
        "collection_start": datetime.date(2026, 11, 5),
        "collection_end": datetime.date(2026, 12, 17),
        "entry_start": datetime.date(2026, 11, 10),
        "entry_end": datetime.date(2026, 12, 28),
    }
    shared = create_campaign(
        acting_user=province_officer,
        title="Kế hoạch chung của tỉnh",
        legal_basis="",
        form_code="tt09-2025-m01",
        area=[tree.commune, tree.other_commune],
        **dates,
    )
    far_village = make_unit("Tổ dân phố 1", Level.VILLAGE, tree.far_commune)
    far_officer = make_user(Role.COMMUNE_LABOR_OFFICER, tree.far_commune, "canbo-hoankiem")
    far_campaign = create_campaign(
        acting_user=far_officer,
        title="Kế hoạch của phường",
        legal_basis="",
        form_code="tt09-2025-m01",
        area=[tree.far_commune],
        **dates,
    )
    found = World(tree, users)
    found.places["own"] = _place(tree, tree.commune, tree.village, shared, "own", 1)
    found.places["other_commune"] = _place(
        tree, tree.other_commune, tree.other_village, shared, "oc", 2
    )
    found.places["other_province"] = _place(
        tree, tree.far_commune, far_village, far_campaign, "far", 3
    )
    return found


def _roles(*capabilities: Capability) -> frozenset[Role]:
    return frozenset(Role(role) for role, caps in CAPABILITIES.items() if set(capabilities) <= caps)


ALL = frozenset(Role)
VILLAGE_ROLES = frozenset({Role.ENUMERATOR, Role.VILLAGE_HEAD})
PROVINCE_ROLES = frozenset({Role.PROVINCE_LABOR_DEPARTMENT, Role.PROVINCE_POLICE})
Args = Callable[[Place], list[Any]]


@dataclass
class Page:
    args: Args | None  # None: the page takes no object
    roles: frozenset[Role]  # who opens it (GET) on objects of their own area
    ok: int = 200
    query: dict[str, str] = field(default_factory=dict)
    post_only: bool = False


def _unit(p: Place) -> list[Any]:
    return [p.commune.pk]


def _village(p: Place) -> list[Any]:
    return [p.village.pk]


def _account(p: Place) -> list[Any]:
    return [p.account.pk]


def _person(p: Place) -> list[Any]:
    return [p.person.pk]


def _campaign(p: Place) -> list[Any]:
    return [p.campaign.pk]


def _campaign_commune(p: Place) -> list[Any]:
    return [p.campaign.pk, p.commune.pk]


def _cross_pair(p: Place) -> list[Any]:
    return [p.cross_pair.pk]


def _merge(p: Place) -> list[Any]:
    return [p.merge.pk]


def _extract(p: Place) -> list[Any]:
    return [p.extract.pk]


def _item_only(p: Place) -> list[Any]:
    return [p.item.pk]


def _reconcile_row(p: Place) -> list[Any]:
    return [p.campaign.pk, p.commune.pk, p.reconcile_row.pk]


def _job(p: Place) -> list[Any]:
    return [p.campaign.pk, p.job.pk]


def _item(p: Place) -> list[Any]:
    return [p.campaign.pk, p.item.pk]


def _register_job(p: Place) -> list[Any]:
    return [p.register_job.pk]


def _transfer(p: Place) -> list[Any]:
    return [p.transfer.pk]


def _request(p: Place) -> list[Any]:
    return [p.change_request.pk]


def _evidence(p: Place) -> list[Any]:
    return [p.evidence.pk]


def _bulk(p: Place) -> list[Any]:
    return [p.bulk.pk]


def _update_handover(p: Place) -> list[Any]:
    return [p.update_handover.pk]


def _handover(p: Place) -> list[Any]:
    return [p.campaign.pk, p.commune.pk, p.handover.pk]


REGISTER = _roles(Capability.VIEW_REGISTER)
REGISTER_EDIT = _roles(Capability.EDIT_REGISTER)
VILLAGES = _roles(Capability.MANAGE_VILLAGES)
ACCOUNTS = _roles(Capability.VIEW_ACCOUNTS)
ACCOUNT_MANAGERS = _roles(Capability.MANAGE_ACCOUNTS)
CAMPAIGNS = _roles(Capability.VIEW_CAMPAIGNS)
WORK = _roles(Capability.VIEW_WORK_LIST)
REPORTS = _roles(Capability.VIEW_REPORTS)
EXPORT = _roles(Capability.EXPORT_REGISTER)
POLICE_LIST = _roles(Capability.IMPORT_POLICE_LIST) | VILLAGES
AUDIT = _roles(Capability.VIEW_AUDIT_LOG)
CONFLICTS = _roles(Capability.COLLECT_FORMS) | _roles(Capability.ACCEPT_FORMS)
RECONCILERS = (
    _roles(Capability.RECONCILE)
    | _roles(Capability.RECORD_RECONCILED)
    | _roles(Capability.COMPLETE_IDS)
)
# Pages of a whole commune: village accounts may not know them.
COMMUNE_WORK = WORK - VILLAGE_ROLES

PAGES: dict[str, Page] = {
    "overview-home": Page(None, ALL),
    "units-view-own-unit": Page(None, ALL),
    "units-view-unit": Page(_unit, ALL - VILLAGE_ROLES),
    "units-create-village": Page(_unit, VILLAGES),
    "units-edit-village": Page(_village, VILLAGES),
    "units-close-village": Page(_village, VILLAGES),
    "units-import-villages": Page(None, VILLAGES),
    "units-download-village-template": Page(None, VILLAGES),
    "accounts-password-change": Page(None, ALL),
    "accounts-two-factor-setup": Page(None, ALL),
    "accounts-remove-two-factor": Page(_account, ACCOUNT_MANAGERS, post_only=True),
    "accounts-list-accounts": Page(None, ACCOUNTS),
    "accounts-create-account": Page(None, ACCOUNT_MANAGERS),
    "accounts-import-accounts": Page(None, ACCOUNT_MANAGERS),
    "accounts-download-account-template": Page(None, ACCOUNT_MANAGERS),
    "accounts-view-account": Page(_account, ACCOUNTS),
    # The place's account is a labor officer (full IDs, exports): made by the level above.
    "accounts-edit-account": Page(_account, frozenset({Role.SYSTEM_ADMINISTRATOR})),
    "accounts-deactivate-account": Page(_account, ACCOUNT_MANAGERS, post_only=True),
    "accounts-reactivate-account": Page(_account, ACCOUNT_MANAGERS, post_only=True),
    "accounts-reset-password": Page(_account, ACCOUNT_MANAGERS, post_only=True),
    "forms-list-forms": Page(None, ALL),
    "forms-download-template": Page(lambda p: ["tt09-2025-m01"], ALL),
    "forms-view-schema": Page(lambda p: ["tt09-2025-m01"], ALL),
    "forms-download-blank-pdf": Page(lambda p: ["tt09-2025-m01"], ALL),
    "register-create-person": Page(None, REGISTER_EDIT),
    "register-view-import": Page(_register_job, REGISTER_EDIT),
    "register-list-transfers": Page(None, REGISTER_EDIT),
    "register-view-transfer": Page(_transfer, REGISTER_EDIT),
    "register-view-import-progress": Page(_register_job, REGISTER_EDIT),
    "register-download-import-errors": Page(_register_job, frozenset()),  # no file: 404
    "register-list-people": Page(None, REGISTER),
    "register-import-people": Page(None, REGISTER_EDIT),
    "register-view-person": Page(_person, REGISTER),
    "register-edit-person": Page(_person, REGISTER_EDIT),
    "register-download-person-pdf": Page(_person, REGISTER),
    "register-close-person": Page(_person, REGISTER_EDIT),
    # The person is in the register: the page sends back to the record.
    "register-reopen-person": Page(_person, REGISTER_EDIT, ok=302),
    "register-download-evidence": Page(_evidence, _roles(Capability.VIEW_FULL_ID) - VILLAGE_ROLES),
    "register-list-requests": Page(None, REGISTER_EDIT),
    "register-upload-bulk": Page(None, REGISTER_EDIT),
    "register-download-bulk-template": Page(None, REGISTER_EDIT),
    "register-view-bulk": Page(_bulk, REGISTER_EDIT),
    "register-download-bulk-errors": Page(_bulk, frozenset()),  # no file: 404
    "register-create-request": Page(_person, REGISTER_EDIT),
    "register-view-request": Page(_request, REGISTER_EDIT),
    "campaigns-list-campaigns": Page(None, CAMPAIGNS),
    "campaigns-create-campaign": Page(None, _roles(Capability.MANAGE_CAMPAIGNS)),
    "campaigns-view-campaign": Page(_campaign, CAMPAIGNS),
    "campaigns-edit-campaign": Page(
        _campaign, frozenset({Role.PROVINCE_LABOR_DEPARTMENT, Role.SYSTEM_ADMINISTRATOR})
    ),
    "campaigns-edit-targets": Page(_campaign, _roles(Capability.MANAGE_CAMPAIGNS) - PROVINCE_ROLES),
    "campaigns-close-campaign": Page(
        _campaign, _roles(Capability.MANAGE_CAMPAIGNS), post_only=True
    ),
    "collection-upload-list": Page(_campaign_commune, _roles(Capability.IMPORT_POLICE_LIST)),
    "collection-view-import": Page(_job, POLICE_LIST),
    "collection-view-import-progress": Page(_job, POLICE_LIST),
    "collection-download-import-errors": Page(
        _job,
        frozenset(),  # this list had no errors: no file for anyone
    ),
    "collection-list-work": Page(_campaign, WORK),
    "collection-view-item": Page(_item, WORK),
    # Opening an accepted form's page shows it; saving it is refused by the workflow.
    "collection-collect-item": Page(
        _item,
        frozenset(
            {
                Role.ENUMERATOR,
                Role.VILLAGE_HEAD,
                Role.COMMUNE_LABOR_OFFICER,
                Role.SYSTEM_ADMINISTRATOR,
            }
        ),
    ),
    "collection-accept-item": Page(_item, _roles(Capability.ACCEPT_FORMS), post_only=True),
    "collection-approve-item": Page(_item, _roles(Capability.ACCEPT_FORMS), post_only=True),
    "collection-add-outside-list": Page(
        _campaign, _roles(Capability.ACCEPT_FORMS) | _roles(Capability.COLLECT_FORMS)
    ),
    "collection-request-transfer": Page(_item, _roles(Capability.ACCEPT_FORMS), post_only=True),
    "collection-return-item": Page(_item, _roles(Capability.ACCEPT_FORMS), post_only=True),
    "collection-exclude-item": Page(_item, _roles(Capability.ACCEPT_FORMS), post_only=True),
    "collection-list-review": Page(_campaign_commune, _roles(Capability.ACCEPT_FORMS)),
    "collection-list-closures": Page(_campaign_commune, REGISTER_EDIT),
    "collection-assign-work": Page(_campaign_commune, _roles(Capability.ASSIGN_WORK)),
    "collection-list-payments": Page(_campaign_commune, _roles(Capability.VIEW_PAYMENTS)),
    # The police's task list is their own commune's (no object: a province account has none).
    "reconcile-list-missing-ids": Page(None, frozenset({Role.COMMUNE_POLICE})),
    "reconcile-complete-person-id": Page(_person, frozenset({Role.COMMUNE_POLICE}), post_only=True),
    "reconcile-complete-form-id": Page(
        _item_only, frozenset({Role.COMMUNE_POLICE}), post_only=True
    ),
    "reconcile-list-duplicates": Page(None, frozenset({Role.COMMUNE_LABOR_OFFICER})),
    "reconcile-decide-pair": Page(
        None, frozenset({Role.COMMUNE_LABOR_OFFICER}), post_only=True, ok=302
    ),
    "reconcile-undo-merge": Page(_merge, frozenset({Role.COMMUNE_LABOR_OFFICER}), post_only=True),
    # A commune officer's own commune's extracts.
    "reconcile-cross-province": Page(None, frozenset({Role.PROVINCE_LABOR_DEPARTMENT})),
    "reconcile-cross-status": Page(None, frozenset({Role.PROVINCE_LABOR_DEPARTMENT})),
    "reconcile-cross-run": Page(None, frozenset({Role.PROVINCE_LABOR_DEPARTMENT}), post_only=True),
    "reconcile-cross-province-decide": Page(
        _cross_pair, frozenset({Role.PROVINCE_LABOR_DEPARTMENT}), post_only=True
    ),
    "reconcile-cross-commune-decide": Page(
        _cross_pair, frozenset({Role.COMMUNE_LABOR_OFFICER}), post_only=True
    ),
    "reconcile-list-extracts": Page(
        None, frozenset({Role.COMMUNE_LABOR_OFFICER, Role.PROVINCE_LABOR_DEPARTMENT})
    ),
    "reconcile-view-extract": Page(_extract, frozenset({Role.COMMUNE_LABOR_OFFICER})),
    "reconcile-export-extract": Page(_extract, frozenset({Role.COMMUNE_LABOR_OFFICER})),
    "reconcile-rerun-extract": Page(
        _extract, frozenset({Role.COMMUNE_LABOR_OFFICER}), post_only=True
    ),
    "reconcile-view": Page(_campaign_commune, RECONCILERS),
    "reconcile-export": Page(_campaign_commune, RECONCILERS),
    "reconcile-run": Page(_campaign_commune, _roles(Capability.RECONCILE), post_only=True),
    "reconcile-decide-row": Page(_reconcile_row, _roles(Capability.RECONCILE), post_only=True),
    "reconcile-record": Page(
        _campaign_commune, _roles(Capability.RECORD_RECONCILED), post_only=True
    ),
    "handover-list-handovers": Page(_campaign_commune, COMMUNE_WORK),
    "handover-enter-by-ids": Page(
        _campaign_commune, COMMUNE_WORK & _roles(Capability.RECEIVE_FORMS)
    ),
    "handover-view-handover": Page(_handover, COMMUNE_WORK),
    "handover-download-handover-pdf": Page(_handover, COMMUNE_WORK),
    # The place's record is not confirmed: the sheet sends back to it.
    "handover-entry-sheet": Page(_handover, COMMUNE_WORK, ok=302),
    # The register's changes of one's own commune: commune accounts only.
    "handover-list-updates": Page(
        None, COMMUNE_WORK - PROVINCE_ROLES - {Role.SYSTEM_ADMINISTRATOR}
    ),
    "handover-view-update-handover": Page(_update_handover, COMMUNE_WORK),
    "handover-download-update-handover-pdf": Page(_update_handover, COMMUNE_WORK),
    "reports-index": Page(None, REPORTS),
    "reports-download-progress": Page(lambda p: [p.campaign.pk, "xlsx"], REPORTS),
    "reports-view-statistics": Page(None, REPORTS),
    "reports-export-people": Page(None, EXPORT),
    "reports-view-periodic": Page(None, REPORTS),
    "reports-download-periodic": Page(lambda p: ["xlsx"], REPORTS),
    "reports-view-changes": Page(None, REPORTS),
    "reports-download-changes": Page(lambda p: ["xlsx"], REPORTS),
    "reports-download-statistics": Page(lambda p: ["xlsx"], REPORTS),
    "reports-list-sent": Page(None, REPORTS),
    # A count by criteria: its unit and those above (a village head is below the commune).
    "reports-custom-counts": Page(None, REPORTS),
    "reports-view-custom-count": Page(lambda p: [p.custom_count.pk], REPORTS - {Role.VILLAGE_HEAD}),
    "reports-custom-count-progress": Page(
        lambda p: [p.custom_count.pk], REPORTS - {Role.VILLAGE_HEAD}
    ),
    "reports-download-custom-count": Page(
        lambda p: [p.custom_count.pk, "xlsx"], REPORTS - {Role.VILLAGE_HEAD}
    ),
    # Each account's own reminders.
    "notices-list-notices": Page(None, ALL),
    "reports-list-acceptances": Page(_campaign_commune, REPORTS - {Role.VILLAGE_HEAD}),
    "reports-download-acceptance": Page(lambda p: [p.acceptance.pk], REPORTS - {Role.VILLAGE_HEAD}),
    "reports-cancel-acceptance": Page(lambda p: [p.acceptance.pk], REPORTS, post_only=True),
    "campaigns-edit-rates": Page(_campaign, _roles(Capability.VIEW_PAYMENTS)),
    "collection-list-receipts": Page(_campaign_commune, _roles(Capability.KEY_PAPER_FORMS)),
    "collection-download-receipt": Page(
        lambda p: [p.campaign.pk, p.commune.pk, p.receipt.pk], _roles(Capability.KEY_PAPER_FORMS)
    ),
    # A deadline is the campaign's: every unit the campaign covers sees it.
    "reports-view-deadline": Page(lambda p: [p.deadline.pk], REPORTS),
    "reports-prepare-sent": Page(lambda p: [p.deadline.pk], REPORTS, post_only=True),
    # A unit's report: its own unit and those above (a village head is below the commune).
    "reports-view-sent": Page(lambda p: [p.sent_report.pk], REPORTS - {Role.VILLAGE_HEAD}),
    "reports-download-sent": Page(
        lambda p: [p.sent_report.pk, "pdf"], REPORTS - {Role.VILLAGE_HEAD}
    ),
    "reports-decide-sent": Page(lambda p: [p.sent_report.pk], REPORTS, post_only=True),
    # Conflicts: the enumerator who collected (none of the matrix's accounts) and the officers.
    "offline-app": Page(None, _roles(Capability.COLLECT_FORMS)),
    "offline-list-conflicts": Page(None, CONFLICTS),
    "offline-view-conflict": Page(lambda p: [p.conflict.pk], _roles(Capability.ACCEPT_FORMS)),
    "offline-decide-conflict": Page(lambda p: [p.conflict.pk], CONFLICTS, post_only=True),
    "offline-list-devices": Page(None, _roles(Capability.ASSIGN_WORK)),
    "offline-revoke-device": Page(
        lambda p: [p.device.pk], _roles(Capability.ASSIGN_WORK), post_only=True
    ),
    "audit-list-events": Page(None, AUDIT),
    "audit-export-events": Page(None, AUDIT),
    "audit-monthly-report": Page(None, AUDIT),
}

# Report pages take their unit as ?unit=<pk>: the same probes run with another area's unit.
UNIT_QUERY = {
    "reports-custom-counts",
    "reports-view-statistics",
    "reports-export-people",
    "reports-view-periodic",
    "reports-view-changes",
    "reports-download-periodic",
    "reports-download-changes",
    "reports-download-statistics",
}


def url_names() -> Iterator[str]:
    def walk(patterns: list[Any]) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    yield from walk(get_resolver().url_patterns)


def test_every_page_of_the_url_conf_is_in_the_matrix() -> None:
    names = set(url_names())
    missing = sorted(names - set(PAGES) - set(EXEMPT))
    assert missing == [], f"pages without a permission matrix entry: {missing}"
    assert sorted(set(PAGES) - names) == []


def _state() -> tuple[Any, ...]:
    """What a refused request must leave as it was (its own audit rows aside)."""
    return (
        tuple(Unit.objects.order_by("pk").values_list("name", "code", "valid_to")),
        tuple(
            User.objects.order_by("pk").values_list("full_name", "role", "is_active", "password")
        ),
        tuple(PersonVersion.objects.order_by("pk").values_list("person_id", "number")),
        tuple(WorkItem.objects.order_by("pk").values_list("status", "full_name", "commune_id")),
        tuple(Campaign.objects.order_by("pk").values_list("title", "closed_at")),
        tuple(Handover.objects.order_by("pk").values_list("status", "sent_count")),
        tuple(Person.objects.order_by("pk").values_list("commune_id", "version")),
        tuple(TransferRequest.objects.order_by("pk").values_list("status", flat=True)),
        tuple(BulkUpdate.objects.order_by("pk").values_list("status", flat=True)),
        tuple(BulkRow.objects.order_by("pk").values_list("chosen", flat=True)),
        tuple(ChangeRequest.objects.order_by("pk").values_list("status", flat=True)),
        tuple(SentReport.objects.order_by("pk").values_list("status", "version")),
        tuple(ResultAcceptance.objects.order_by("pk").values_list("number", "cancelled_at")),
        tuple(PaymentRate.objects.order_by("pk").values_list("task", "amount")),
        tuple(PaperReceipt.objects.order_by("pk").values_list("count", "cancelled_at")),
        tuple(SyncedForm.objects.order_by("pk").values_list("decided_at", flat=True)),
        tuple(Device.objects.order_by("pk").values_list("revoked_at", flat=True)),
        tuple(CustomCount.objects.order_by("pk").values_list("status", "unit_id")),
    )


def _foreign(role: Role, world: World, place: str) -> bool:
    user = world.users[role]
    return not user.unit.contains(world.places[place].commune)


def _url(name: str, page: Page, place: Place) -> str:
    return reverse(name, args=page.args(place) if page.args else [])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_role_on_its_own_area(name: str, world: World) -> None:
    """Each role opens what its role allows in its own area, and is refused the rest."""
    page = PAGES[name]
    url = _url(name, page, world.places["own"])
    for role in Role:
        response = login(world.users[role]).get(url, page.query)
        if page.post_only:
            assert response.status_code in (403, 404, 405), (role, url)
            continue
        if role in page.roles:
            assert response.status_code == page.ok, (role, url, response.status_code)
        else:
            assert response.status_code in (403, 404), (role, url, response.status_code)


# Pages whose only object is a campaign: the province campaign is shared by the first two
# communes, so only the other province's campaign is out of their area.
CAMPAIGN_ONLY = {
    "campaigns-view-campaign",
    "campaigns-edit-campaign",
    "campaigns-edit-targets",
    "campaigns-close-campaign",
    "collection-list-work",
    "collection-add-outside-list",
    "reports-download-progress",
    "reports-view-deadline",
    "reports-prepare-sent",
    "campaigns-edit-rates",
}
# Pages whose object is the same everywhere (a form definition).
EVERYWHERE = {"forms-download-template", "forms-view-schema", "forms-download-blank-pdf"}
PROBED = sorted(n for n, p in PAGES.items() if (p.args or n in UNIT_QUERY) and n not in EVERYWHERE)


@pytest.mark.parametrize("name", PROBED)
def test_no_role_reaches_another_area(name: str, world: World) -> None:
    """Every object page, for every role, on objects of another commune of the same province
    (sharing a province campaign) and of another province: 404 or 403 to GET and POST, the
    other area's people never on the page, nothing changed."""
    page = PAGES[name]
    probes = 0
    places = ("other_province",) if name in CAMPAIGN_ONLY else ("other_commune", "other_province")
    for place_name in places:
        place = world.places[place_name]
        url = _url(name, page, place) if page.args else reverse(name, args=page.args)
        query = {"unit": str(place.commune.pk)} if name in UNIT_QUERY else {}
        if name in UNIT_QUERY and page.args is None:
            url = reverse(name)
        elif name in UNIT_QUERY:
            url = reverse(name, args=page.args(world.places["own"]))
        for role in Role:
            if not _foreign(role, world, place_name):
                continue
            client = login(world.users[role])
            before = _state()
            for method in ("get", "post"):
                response = getattr(client, method)(url + _query(query), {})
                probes += 1
                assert response.status_code in (403, 404, 405), (role, method, url, query)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                for secret in (place.person.full_name, place.item.full_name):
                    assert secret.encode() not in body, (role, method, url)
            assert _state() == before, (role, url)
    assert probes
    print(f"\nPROBES {name} {probes}")


def _query(query: dict[str, str]) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    client = Client()
    for name, page in PAGES.items():
        url = _url(name, page, world.places["own"])
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts-login")), url
