"""Choices of the alerts app. The CAP 1.2 enumerations keep the standard's own values (stored as is,
written as is into the XML); the labels are English source strings for the zh-Hans catalogue.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AudienceGroup(models.TextChoices):
    POLICE_COMMUNITY = "police_community", _("Police-community group")  # 警社群
    POLICE_ENTERPRISE = "police_enterprise", _("Police-enterprise group")  # 警企群
    POLICE_SCHOOL = "police_school", _("Police-school group")  # 警校群
    STAFF = "staff", _("Staff")  # 内部
    OTHER = "other", _("Other")  # 其他


class EndpointKind(models.TextChoices):
    WECOM = "wecom", _("WeCom robot webhook")  # 企业微信机器人
    DINGTALK = "dingtalk", _("DingTalk robot webhook")  # 钉钉机器人
    JSON = "json", _("JSON webhook")  # JSON 回调
    EMAIL = "email", _("E-mail")  # 电子邮件
    SMS = "sms", _("SMS")  # 短信


WEBHOOK_KINDS = frozenset({EndpointKind.WECOM, EndpointKind.DINGTALK, EndpointKind.JSON})
# Chat robots allow about 20 messages a minute per key; the sender keeps under that.
ROBOT_KINDS = frozenset({EndpointKind.WECOM, EndpointKind.DINGTALK})


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Alert warning")  # 警情预警
    BULLETIN = "bulletin", _("Incident bulletin")  # 警情通报
    MISSING_PERSON = "missing_person", _("Missing person")  # 人员走失
    WEATHER = "weather", _("Weather warning")  # 气象预警
    HAZARD = "hazard", _("Hazard warning")  # 隐患提示


class AlertState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    APPROVED = "approved", _("Approved")  # 已批准
    CANCELLED = "cancelled", _("Cancelled")  # 已撤回


# --- CAP 1.2 enumerations ---------------------------------------------------------------------


class CapStatus(models.TextChoices):
    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    SYSTEM = "System", _("System")
    TEST = "Test", _("Test")
    DRAFT = "Draft", _("Draft (CAP)")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")


class CapScope(models.TextChoices):
    PUBLIC = "Public", _("Public")
    RESTRICTED = "Restricted", _("Restricted")
    PRIVATE = "Private", _("Private")


class CapCategory(models.TextChoices):
    GEO = "Geo", _("Geophysical")
    MET = "Met", _("Meteorological")
    SAFETY = "Safety", _("General safety")
    SECURITY = "Security", _("Law enforcement and security")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Health")
    ENV = "Env", _("Environment")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Infrastructure")
    CBRNE = "CBRNE", _("CBRNE")
    OTHER = "Other", _("Other")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class AlertLanguage(models.TextChoices):
    ZH_CN = "zh-CN", _("Chinese")
    EN = "en", _("English")


class DeliveryState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery state", "Pending")  # 待发送
    SENDING = "sending", _("Sending")  # 发送中
    SENT = "sent", _("Sent")  # 已发送
    FAILED = "failed", _("Failed, will retry")  # 失败待重试
    DEAD = "dead", _("Dead")  # 已放弃


# Rows a worker may claim: new ones and failed ones whose retry time has come.
CLAIMABLE_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)
