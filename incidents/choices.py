"""Choices of the incidents app, and the tables of the moves each workflow may make.

Source strings are English; the comment after each label gives the zh-Hans term the users use, for
the translator of `locale/zh_Hans/LC_MESSAGES/django.po`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    DISPUTE = "dispute", _("Dispute")  # 纠纷
    DRUNK_DISORDERLY = "drunk_disorderly", _("Drunk and disorderly")  # 醉酒滋事
    FIGHT = "fight", _("Fight")  # 打架斗殴
    THEFT = "theft", _("Theft")  # 盗窃
    FRAUD = "fraud", _("Fraud")  # 诈骗
    MISSING_PERSON = "missing_person", _("Missing person (child)")  # 人员走失(儿童)
    TRAFFIC = "traffic", _("Traffic")  # 交通
    ECOLOGICAL_WILDLIFE = "ecological_wildlife", _("Ecology / wildlife")  # 生态/野生动物
    WATER_RESCUE = "water_rescue", _("Water rescue")  # 水上救援
    FIRE_HAZARD = "fire_hazard", _("Fire / safety hazard")  # 火灾/安全隐患
    HELP_REQUEST = "help_request", _("Help request")  # 求助
    OTHER = "other", _("Other")  # 其他


class Priority(models.TextChoices):
    P1 = "P1", _("P1 – immediate danger")  # P1 紧急
    P2 = "P2", _("P2 – urgent")  # P2 较急
    P3 = "P3", _("P3 – routine")  # P3 一般
    P4 = "P4", _("P4 – no response needed")  # P4 无需出警


class Source(models.TextChoices):
    CALL_110 = "call_110", _("110 call")  # 110报警
    PATROL_DISCOVERY = "patrol_discovery", _("Patrol discovery")  # 巡逻发现
    INFORMANT_TIP = "informant_tip", _("Informant tip")  # 信息员线索
    WALK_IN = "walk_in", _("Walk-in report")  # 来所报警
    CHAT_GROUP = "chat_group", _("Chat group")  # 联络群
    CAMERA = "camera", _("Camera")  # 监控发现
    ONLINE = "online", _("Online")  # 网上报警


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 已接报
    DISPATCHED = "dispatched", _("Dispatched")  # 已派警
    EN_ROUTE = "en_route", _("En route")  # 途中
    ON_SCENE = "on_scene", _("On scene")  # 已到场
    RESOLVED = "resolved", _("Resolved")  # 已处置
    CLOSED = "closed", _("Closed")  # 已结案
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销
    TRANSFERRED = "transferred", _("Transferred")  # 已移交


OPEN_STATUSES: frozenset[str] = frozenset(
    {IncidentStatus.REPORTED, IncidentStatus.DISPATCHED, IncidentStatus.EN_ROUTE, IncidentStatus.ON_SCENE}
)
END_STATUSES: frozenset[str] = frozenset({IncidentStatus.CLOSED, IncidentStatus.CANCELLED, IncidentStatus.TRANSFERRED})

# The moves an incident's status may make (DESIGN.md, "Incident lifecycle"). Only services move it.
# - reported -> on_scene: a patrol that discovers an incident is on the scene at once (no dispatch).
# - reported -> resolved: a walk-in help request settled at the desk, with no one sent out.
# - a resolved incident can't be cancelled or transferred: it was handled; it can only be closed.
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentStatus.REPORTED: frozenset(
        {
            IncidentStatus.DISPATCHED,
            IncidentStatus.ON_SCENE,
            IncidentStatus.RESOLVED,
            IncidentStatus.CANCELLED,
            IncidentStatus.TRANSFERRED,
        }
    ),
    IncidentStatus.DISPATCHED: frozenset(
        {
            IncidentStatus.EN_ROUTE,
            IncidentStatus.ON_SCENE,
            IncidentStatus.CANCELLED,
            IncidentStatus.TRANSFERRED,
        }
    ),
    IncidentStatus.EN_ROUTE: frozenset(
        {IncidentStatus.ON_SCENE, IncidentStatus.CANCELLED, IncidentStatus.TRANSFERRED}
    ),
    IncidentStatus.ON_SCENE: frozenset({IncidentStatus.RESOLVED, IncidentStatus.TRANSFERRED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.CLOSED}),
    IncidentStatus.CLOSED: frozenset(),
    IncidentStatus.CANCELLED: frozenset(),
    IncidentStatus.TRANSFERRED: frozenset(),
}


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")  # 状态变更
    ASSIGNMENT = "assignment", _("Team assignment")  # 派警
    NOTE = "note", _("Note")  # 备注
    OVERRIDE = "override", _("Placement override")  # 人工调整辖区
    EDIT = "edit", _("Edit")  # 修改
    PERSON = "person", _("Involved person")  # 涉事人员
    MEDIATION = "mediation", _("Mediation")  # 调解


class PersonRole(models.TextChoices):
    REPORTER = "reporter", _("Reporter")  # 报警人
    VICTIM = "victim", _("Victim")  # 受害人
    SUSPECT = "suspect", _("Suspect")  # 嫌疑人
    WITNESS = "witness", _("Witness")  # 证人
    OTHER = "other", _("Other")  # 其他


class TipChannel(models.TextChoices):
    INFORMANT = "informant", _("Informant")  # 信息员
    CHAT_GROUP = "chat_group", _("Chat group")  # 联络群
    PHONE = "phone", _("Phone")  # 电话
    WALK_IN = "walk_in", _("Walk-in")  # 来访
    ONLINE = "online", _("Online")  # 网上


class TipStatus(models.TextChoices):
    NEW = "new", _("New")  # 新线索
    VERIFIED = "verified", _("Verified")  # 已核实
    CONVERTED = "converted", _("Converted to an incident")  # 已转警情
    DISMISSED = "dismissed", _("Dismissed")  # 已排除


TIP_TRANSITIONS: dict[str, frozenset[str]] = {
    TipStatus.NEW: frozenset({TipStatus.VERIFIED, TipStatus.DISMISSED}),
    TipStatus.VERIFIED: frozenset({TipStatus.CONVERTED, TipStatus.DISMISSED}),
    TipStatus.CONVERTED: frozenset(),
    TipStatus.DISMISSED: frozenset(),
}


class MediationOutcome(models.TextChoices):
    PENDING = "pending", pgettext_lazy("mediation outcome", "Pending")  # 调解中
    SETTLED = "settled", _("Settled")  # 调解成功
    FAILED = "failed", pgettext_lazy("mediation outcome", "Failed")  # 调解失败
    REFERRED = "referred", _("Referred")  # 移交


class MediationAgency(models.TextChoices):
    GOVERNANCE_OFFICE = "governance_office", _("Comprehensive-governance office")  # 综治办
    COURT = "court", _("Court")  # 法院
    PROCURATORATE = "procuratorate", _("Procuratorate")  # 检察院
    COMMUNITY = "community", _("Community")  # 社区
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业


class HazardType(models.TextChoices):
    WATER = "water", _("Water")  # 水域
    WILDLIFE = "wildlife", _("Wildlife")  # 野生动物
    FIRE = "fire", _("Fire")  # 消防
    STRUCTURE = "structure", _("Structure")  # 建筑设施
    WEATHER = "weather", _("Weather")  # 气象
    OTHER = "other", _("Other")  # 其他


class HazardSeverity(models.TextChoices):
    LOW = "low", _("Low")  # 一般
    MEDIUM = "medium", _("Medium")  # 较大
    HIGH = "high", _("High")  # 重大


class HazardReporterKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")  # 职能部门
    INFORMANT = "informant", _("Informant")  # 信息员
    PATROL = "patrol", _("Patrol")  # 巡逻发现


class RemediationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("hazard remediation", "Open")  # 待整改
    IN_PROGRESS = "in_progress", _("In progress")  # 整改中
    REMEDIATED = "remediated", _("Remediated")  # 已整改
    CLOSED = "closed", pgettext_lazy("hazard remediation", "Closed")  # 已销号


OPEN_HAZARD_STATUSES: frozenset[str] = frozenset({RemediationStatus.OPEN, RemediationStatus.IN_PROGRESS})

# A remediated hazard may be reopened (back to in progress) when a check finds it isn't gone.
HAZARD_TRANSITIONS: dict[str, frozenset[str]] = {
    RemediationStatus.OPEN: frozenset({RemediationStatus.IN_PROGRESS, RemediationStatus.REMEDIATED}),
    RemediationStatus.IN_PROGRESS: frozenset({RemediationStatus.REMEDIATED}),
    RemediationStatus.REMEDIATED: frozenset({RemediationStatus.CLOSED, RemediationStatus.IN_PROGRESS}),
    RemediationStatus.CLOSED: frozenset(),
}


class ServiceKind(models.TextChoices):
    CONSULTATION = "consultation", _("Police consultation")  # 警务咨询
    ERRAND = "errand", _("Police errand")  # 警务代办


class ServiceRequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")  # 已受理
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    COMPLETED = "completed", _("Completed")  # 已办结
    REJECTED = "rejected", _("Rejected")  # 不予受理


OPEN_SERVICE_REQUEST_STATUSES: frozenset[str] = frozenset(
    {ServiceRequestStatus.RECEIVED, ServiceRequestStatus.IN_PROGRESS}
)

SERVICE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    ServiceRequestStatus.RECEIVED: frozenset(
        {
            ServiceRequestStatus.IN_PROGRESS,
            ServiceRequestStatus.COMPLETED,
            ServiceRequestStatus.REJECTED,
        }
    ),
    ServiceRequestStatus.IN_PROGRESS: frozenset({ServiceRequestStatus.COMPLETED, ServiceRequestStatus.REJECTED}),
    ServiceRequestStatus.COMPLETED: frozenset(),
    ServiceRequestStatus.REJECTED: frozenset(),
}
