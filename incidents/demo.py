"""A year of synthetic incidents, tips, mediation cases, hazards and service requests for the demo.

`load_incidents_demo` runs after `patrols.demo.load_demo` (it needs the circles, teams, posts and
informants) inside the same transaction. Everything is made up but shaped like the article's
sub-bureau: night peaks in the commercial circle, water rescues and wildlife at East Lake (more in
summer), workplace disputes, help requests and traffic in the industrial circle, and the article's
own case, 13 May 23:00 at the exit of 东方伟业广场.

How it is written:

- The few thousand ordinary incidents are written with `bulk_create`, row for row what the
  services would write: the same numbers from the same yearly counter, the same stage times,
  assignments, timeline events (kinds, texts, versions, actors) and final version. Replaying them
  through the services one transition at a time takes minutes; the bulk path takes seconds. They
  carry no audit-log entries (the audit log records writes made by people, and these are made up).
- The showcase rows go through the real services: the article's case, the incidents converted
  from tips, the mediation cases, hazards, service requests and the incidents still open now. Some
  services stamp "now" on a step (a tip's handling, a hazard's remediation, a team's state change);
  to replay history those calls run under `_clock`, which sets `django.utils.timezone.now` to the
  step's time.
- Idempotent: the incidents are written once (the article's case is the marker: it is written in
  the same transaction as the rest); tips, mediation cases, hazards, service types and service
  requests are looked up by natural keys. A second run adds nothing.
- Deterministic: every random choice comes from a seeded generator; times are laid out relative
  to today, so that the year always ends now.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patrols.choices import DutyState
from patrols.demo import CIRCLES, PLAZA_EXIT, upsert
from patrols.models import Informant, PatrolCircle, PatrolPost, PatrolTeam, Station
from patrols.services import team_set_duty_state
from portal import geo

from . import rollups, services
from .choices import (
    Category,
    EventKind,
    HazardReporterKind,
    HazardSeverity,
    HazardType,
    IncidentStatus,
    MediationAgency,
    MediationOutcome,
    PersonRole,
    Priority,
    RemediationStatus,
    ServiceKind,
    Source,
    TipChannel,
    TipStatus,
)
from .models import (
    Assignment,
    Hazard,
    Incident,
    IncidentCounter,
    IncidentEvent,
    InvolvedPerson,
    MediationCase,
    ServiceRequest,
    ServiceType,
    Tip,
)
from .validators import resident_id_check_character

SEED = 2026
DEFAULT_COUNT = 3000
ARTICLE_SUMMARY = "东方伟业广场出口醉酒男子滋事"
#: the username of the demo user who records and dispatches (the sub-bureau's command centre), if it exists
ACTOR = "staff"

# --- what happens where ---------------------------------------------------------------------------

# share of incidents per circle key (None: outside every circle)
CIRCLE_SHARES = {"SQ": 0.42, "DH": 0.23, "XP": 0.30, None: 0.05}

PLACES = {
    "SQ": (
        "东方伟业广场",
        "东方伟业广场出口",
        "东方伟业广场中庭",
        "商业步行街南口",
        "商业步行街北口",
        "广场地下停车场",
        "天湖路夜宵街",
        "星光KTV门口",
        "蓝调酒吧门口",
        "五里亭农贸市场",
    ),
    "DH": ("东湖湿地公园北门", "东湖栈道", "环湖步道", "观鸟平台", "亲水码头", "东湖南岸", "湿地公园南广场"),
    "XP": (
        "锂电产业园一号厂区",
        "锂电产业园二号厂区",
        "新能源材料园",
        "职工宿舍区",
        "西陂塘路口",
        "物流通道",
        "产业园职工食堂",
    ),
    None: ("东侨大道", "金马北路", "福宁北路", "环湖南路公交站", "东侨客运站"),
}
ADDRESS_PREFIX = {
    "SQ": "宁德市东侨经济技术开发区五里亭",
    "DH": "宁德市东侨经济技术开发区东湖",
    "XP": "宁德市东侨经济技术开发区西陂塘",
    None: "宁德市东侨经济技术开发区",
}

# category -> weight, per circle key
CATEGORY_WEIGHTS = {
    "SQ": {
        Category.DRUNK_DISORDERLY: 24,
        Category.FIGHT: 18,
        Category.DISPUTE: 20,
        Category.THEFT: 18,
        Category.FRAUD: 6,
        Category.MISSING_PERSON: 3,
        Category.HELP_REQUEST: 7,
        Category.OTHER: 4,
    },
    "DH": {
        Category.WATER_RESCUE: 18,
        Category.ECOLOGICAL_WILDLIFE: 30,
        Category.HELP_REQUEST: 16,
        Category.MISSING_PERSON: 10,
        Category.DISPUTE: 9,
        Category.FIRE_HAZARD: 5,
        Category.TRAFFIC: 6,
        Category.OTHER: 6,
    },
    "XP": {
        Category.DISPUTE: 34,
        Category.HELP_REQUEST: 24,
        Category.TRAFFIC: 24,
        Category.THEFT: 8,
        Category.FIRE_HAZARD: 5,
        Category.FRAUD: 3,
        Category.OTHER: 2,
    },
    None: {Category.TRAFFIC: 40, Category.DISPUTE: 20, Category.HELP_REQUEST: 20, Category.THEFT: 20},
}

SUMMARIES = {
    Category.DRUNK_DISORDERLY: ("{place}有醉酒男子大声喧哗", "{place}醉酒人员滋扰路人", "{place}一男子酒后闹事"),
    Category.FIGHT: ("{place}多人发生斗殴", "{place}两名男子因琐事互殴", "{place}酒后口角引发打架"),
    Category.DISPUTE: ("{place}顾客与商户发生消费纠纷", "{place}邻里噪音纠纷", "{place}停车纠纷"),
    Category.THEFT: ("{place}电动车被盗", "{place}手机被盗", "{place}商铺失窃", "{place}电瓶被盗"),
    Category.FRAUD: ("{place}市民遭遇电信网络诈骗", "{place}刷单返利诈骗报警", "{place}冒充客服退款诈骗"),
    Category.MISSING_PERSON: ("{place}儿童与家长走失", "{place}老人走失", "{place}小孩走失家长求助"),
    Category.TRAFFIC: ("{place}两车追尾事故", "{place}电动车与货车剐蹭", "{place}货车占道影响通行"),
    Category.ECOLOGICAL_WILDLIFE: (
        "{place}发现受伤白鹭",
        "{place}有人非法垂钓",
        "{place}有人捕捉野生鸟类",
        "{place}发现蛇类出没",
        "{place}水面发现死鱼",
    ),
    Category.WATER_RESCUE: ("{place}有人落水", "{place}游客不慎落水", "{place}儿童湖边戏水遇险", "{place}皮划艇侧翻"),
    Category.FIRE_HAZARD: ("{place}电动车充电冒烟", "{place}垃圾桶起火", "{place}锂电池堆放点冒烟"),
    Category.HELP_REQUEST: (
        "{place}群众求助寻找遗失物品",
        "{place}群众求助开锁",
        "{place}游客求助指路",
        "{place}群众身体不适求助",
    ),
    Category.OTHER: ("{place}噪音扰民", "{place}有可疑人员徘徊"),
}
# the industrial circle's disputes are workplace disputes; East Lake's are between visitors and vendors
CIRCLE_SUMMARIES = {
    ("XP", Category.DISPUTE): (
        "{place}职工与企业发生劳资纠纷",
        "{place}工友之间发生口角纠纷",
        "{place}宿舍室友矛盾纠纷",
        "{place}工资结算纠纷",
        "{place}外包工人讨薪纠纷",
    ),
    ("XP", Category.HELP_REQUEST): (
        "{place}职工求助寻找遗失工牌",
        "{place}职工家属求助开锁",
        "{place}新入职职工求助办理居住证",
    ),
    ("DH", Category.DISPUTE): ("{place}游客与商贩发生纠纷", "{place}游船租赁纠纷"),
    ("DH", Category.HELP_REQUEST): ("{place}游客求助指路", "{place}游客中暑求助", "{place}游客扭伤求助"),
}
OUTCOMES = {
    Category.DRUNK_DISORDERLY: ("经劝导后由亲友带离", "将醉酒人员带至警务室醒酒后交家属领回", "当事人酒醒后批评教育"),
    Category.FIGHT: ("双方带回派出所依法处理", "现场制止，双方和解", "伤者送医，涉事人员带回调查"),
    Category.DISPUTE: ("现场调解，双方达成一致", "引导双方到调解室调解", "告知双方通过法律途径解决"),
    Category.THEFT: ("调取监控，受理立案", "现场勘查并登记报案信息", "失物已找回，发还失主"),
    Category.FRAUD: ("指导报警人止付并受理立案", "开展反诈宣传，已受理"),
    Category.MISSING_PERSON: ("已找到走失人员并交还家属", "通过广播和监控找回"),
    Category.TRAFFIC: ("拍照取证后撤离现场，双方自行协商", "疏导交通，恢复通行", "通知交警处理事故"),
    Category.ECOLOGICAL_WILDLIFE: (
        "受伤鸟类移交野生动物救护站",
        "劝离垂钓人员并宣传湿地保护规定",
        "联系公园管理处处置",
        "通知环保部门取样检测",
    ),
    Category.WATER_RESCUE: (
        "落水人员已救起，无生命危险",
        "联合专业救援队救起落水人员并送医",
        "救起遇险人员，现场安全教育",
    ),
    Category.FIRE_HAZARD: ("明火已扑灭，无人员受伤", "督促企业整改充电隐患", "通知消防部门检查"),
    Category.HELP_REQUEST: ("已帮助群众解决问题", "护送群众就医", "帮助联系开锁服务"),
    Category.OTHER: ("现场核查，未发现异常", "劝导当事人降低音量"),
}
PRIORITIES = {
    Category.WATER_RESCUE: (Priority.P1,),
    Category.MISSING_PERSON: (Priority.P1, Priority.P2),
    Category.FIGHT: (Priority.P1, Priority.P2, Priority.P2),
    Category.DRUNK_DISORDERLY: (Priority.P2, Priority.P3),
    Category.FIRE_HAZARD: (Priority.P2,),
    Category.TRAFFIC: (Priority.P2, Priority.P3),
    Category.THEFT: (Priority.P3,),
    Category.FRAUD: (Priority.P3,),
    Category.DISPUTE: (Priority.P3,),
    Category.ECOLOGICAL_WILDLIFE: (Priority.P3,),
    Category.HELP_REQUEST: (Priority.P3, Priority.P4),
    Category.OTHER: (Priority.P4,),
}
SOURCE_WEIGHTS = {
    "SQ": {
        Source.CALL_110: 48,
        Source.PATROL_DISCOVERY: 26,
        Source.CAMERA: 10,
        Source.WALK_IN: 6,
        Source.CHAT_GROUP: 5,
        Source.ONLINE: 5,
    },
    "DH": {
        Source.CALL_110: 50,
        Source.PATROL_DISCOVERY: 25,
        Source.CHAT_GROUP: 12,
        Source.CAMERA: 8,
        Source.ONLINE: 5,
    },
    "XP": {
        Source.CALL_110: 45,
        Source.PATROL_DISCOVERY: 15,
        Source.WALK_IN: 15,
        Source.CHAT_GROUP: 15,
        Source.ONLINE: 10,
    },
    None: {Source.CALL_110: 80, Source.WALK_IN: 10, Source.ONLINE: 10},
}
# hour of day -> weight, per circle key; the commercial circle peaks at night (19:00-02:00)
HOUR_WEIGHTS = {
    "SQ": [5, 3, 0.6, 0.3, 0.2, 0.2, 0.3, 0.5, 0.8, 1, 1.2, 1.4, 1.5, 1.3, 1.2, 1.2, 1.3, 1.5, 2, 6, 8, 10, 11, 9],
    "DH": [0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 2, 3, 4, 5, 5, 4, 4, 5, 6, 6, 5, 4, 3, 1.5, 0.8, 0.4, 0.2],
    "XP": [0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 2, 5, 5, 3, 2.5, 3, 4, 3, 2.5, 2.5, 3, 5, 6, 5, 4, 3, 1.5, 1],
    None: [0.3, 0.2, 0.1, 0.1, 0.2, 0.4, 1, 3, 4, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 3, 2, 1.5, 1, 0.5],
}
SUMMER = (6, 7, 8, 9)
CANCEL_REASONS = ("报警人称误报", "重复报警", "到场前报警人来电称已自行解决")
TRANSFER_REASONS = {
    Category.TRAFFIC: "移交交警大队处理",
    Category.THEFT: "移交刑侦大队立案侦查",
    Category.FRAUD: "移交反诈中心处理",
    Category.FIGHT: "移交派出所办案队依法处理",
}
SURNAMES = "陈林黄郑吴刘张王李杨周叶谢何游缪阮雷钟蔡肖许彭詹"
GIVEN = "伟军华明杰涛斌强磊鹏辉晨宇航凯峰勇超俊毅婷雪琳燕丽娜静敏霞洁颖芳萍慧佳欣怡"


# --- helpers -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _clock(at: datetime):
    """Run the code inside with `django.utils.timezone.now()` answering `at`, to replay a past step.

    Only for the demo loader (single-threaded, one transaction): services that stamp "now" on a
    step then stamp the step's historical time. Fields whose default captured the real `now`
    function (e.g. a mediation case's `opened_at`) are not affected.
    """
    real = timezone.now
    timezone.now = lambda: at
    try:
        yield
    finally:
        timezone.now = real


def _local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=timezone.get_current_timezone())


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"{rng.choice((135, 138, 139, 150, 158, 159, 186, 188))}{rng.randrange(10**8):08d}"


def resident_id(birth: date, serial: int, *, male: bool, region: str = "350902") -> str:
    """A synthetic 18-character resident ID number with a correct check character (蕉城区 by default)."""
    serial = serial % 1000
    if (serial % 2 == 1) != male:  # the 17th digit is odd for men, even for women
        serial = (serial + 1) % 1000
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_character(first17)


def _point_in(area: dict, rng: random.Random) -> tuple[float, float]:
    min_lng, min_lat, max_lng, max_lat = geo.bbox(area)
    while True:
        lat, lng = round(rng.uniform(min_lat, max_lat), 6), round(rng.uniform(min_lng, max_lng), 6)
        if geo.contains(area, lat, lng):
            return lat, lng


def _point_outside(circles: list[PatrolCircle], rng: random.Random) -> tuple[float, float]:
    """A point near the circles but outside every one of them."""
    while True:
        lat, lng = round(rng.uniform(26.640, 26.700), 6), round(rng.uniform(119.505, 119.580), 6)
        if geo.first_containing(circles, lat, lng) is None:
            return lat, lng


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Network:
    """The patrol network the incidents happen in, read once."""

    circles: dict  # key -> PatrolCircle
    teams: dict  # key -> PatrolTeam
    rooms: dict  # key -> the circle's mediation room
    stations: list
    circles_by_pk: list
    team_of_station: dict  # station pk -> PatrolTeam
    actor: object | None

    @classmethod
    def load(cls) -> Network:
        circles = {spec.key: PatrolCircle.objects.select_related("station").get(name=spec.name) for spec in CIRCLES}
        teams = {spec.key: PatrolTeam.objects.get(name=spec.team) for spec in CIRCLES}
        rooms = {}
        for key, circle in circles.items():
            rooms[key] = PatrolPost.objects.filter(circle=circle, kind="mediation_room").order_by("pk").first()
        return cls(
            circles=circles,
            teams=teams,
            rooms=rooms,
            stations=list(Station.objects.order_by("pk")),
            circles_by_pk=list(PatrolCircle.objects.active().select_related("station").order_by("pk")),
            team_of_station={team.station_id: team for team in teams.values()},
            actor=get_user_model().objects.filter(username=ACTOR).first(),
        )

    def placement(self, lat: float, lng: float) -> tuple[PatrolCircle | None, Station]:
        """What `services.incident_placement` gives, without a query per point."""
        circle = geo.first_containing(self.circles_by_pk, lat, lng)
        if circle is not None:
            return circle, circle.station
        return None, min(self.stations, key=lambda s: geo.distance_m(lat, lng, s.lat, s.lng))


# --- the plan of the ordinary incidents ------------------------------------------------------------


@dataclass
class Spec:
    """One synthetic incident and its whole timeline, before it is written."""

    key: str | None
    category: str
    priority: str
    source: str
    lat: float
    lng: float
    address: str
    summary: str
    description: str
    reported_at: datetime
    occurred_at: datetime
    end: str  # the final status
    dispatched_at: datetime | None = None
    en_route_at: datetime | None = None
    arrived_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    ended_at: datetime | None = None  # cancelled or transferred
    outcome: str = ""
    reason: str = ""
    reporter: tuple[str, str] | None = None  # (name, phone)
    with_team: bool = True


def _day_weights(days: list[date], key: str | None) -> list[float]:
    if key == "DH":
        return [2.5 if d.month in SUMMER else 1.0 for d in days]
    if key == "SQ":  # weekends are busier in the commercial circle
        return [1.4 if d.weekday() >= 4 else 1.0 for d in days]
    return [1.0] * len(days)


def plan_incidents(*, count: int, today: date, now: datetime, network: Network) -> list[Spec]:
    """`count` incidents over the 365 days ending today, all of them ended (or resolved) by `now`."""
    rng = random.Random(f"{SEED}-incidents")
    days = [today - timedelta(days=n) for n in range(364, -1, -1)]
    day_weights = {key: _day_weights(days, key) for key in CIRCLE_SHARES}
    latest = now - timedelta(hours=4)  # the last hours belong to the live incidents
    specs = []
    while len(specs) < count:
        key = _weighted(rng, CIRCLE_SHARES)
        day = rng.choices(days, weights=day_weights[key])[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS[key])[0]
        reported_at = _local(day, hour, rng.randrange(60), rng.randrange(60))
        if reported_at > latest:
            continue
        weights = dict(CATEGORY_WEIGHTS[key])
        if key == "DH" and day.month in SUMMER:
            weights[Category.WATER_RESCUE] *= 3
            weights[Category.ECOLOGICAL_WILDLIFE] *= 1.5
        category = _weighted(rng, weights)
        specs.append(_spec(rng, key, category, reported_at, now, network))
    specs.sort(key=lambda s: s.reported_at)
    return specs


def _spec(rng: random.Random, key: str | None, category: str, reported_at: datetime, now: datetime, network) -> Spec:
    if key is None:
        lat, lng = _point_outside(network.circles_by_pk, rng)
    else:
        lat, lng = _point_in(network.circles[key].boundary, rng)
    place = rng.choice(PLACES[key])
    summary = rng.choice(CIRCLE_SUMMARIES.get((key, category)) or SUMMARIES[category]).format(place=place)
    source = _weighted(rng, SOURCE_WEIGHTS[key])
    if category == Category.WATER_RESCUE and source == Source.WALK_IN:
        source = Source.CALL_110
    lead = timedelta(minutes=rng.randint(0, 4) if source in (Source.PATROL_DISCOVERY, Source.CAMERA) else 0)
    if source in (Source.CALL_110, Source.WALK_IN, Source.ONLINE, Source.CHAT_GROUP):
        lead = timedelta(minutes=rng.randint(1, 40))
    spec = Spec(
        key=key,
        category=category,
        priority=rng.choice(PRIORITIES[category]),
        source=source,
        lat=lat,
        lng=lng,
        address=f"{ADDRESS_PREFIX[key]}{place}",
        summary=summary,
        description=f"{timezone.localtime(reported_at - lead):%H:%M}许，{summary}。",
        reported_at=reported_at,
        occurred_at=reported_at - lead,
        end=IncidentStatus.CLOSED,
        outcome=rng.choice(OUTCOMES[category]),
    )
    if source == Source.CALL_110 and rng.random() < 0.4:
        spec.reporter = (_name(rng), _phone(rng))
    fast = spec.priority in (Priority.P1, Priority.P2)
    roll = rng.random()
    if source == Source.WALK_IN and category in (Category.HELP_REQUEST, Category.DISPUTE, Category.FRAUD):
        # settled at the desk: nobody is sent out
        spec.with_team = False
        spec.resolved_at = reported_at + timedelta(minutes=rng.randint(10, 45))
    else:
        if source == Source.PATROL_DISCOVERY:
            spec.arrived_at = reported_at  # the patrol is on the scene when it reports: no dispatch
        else:
            spec.dispatched_at = reported_at + timedelta(seconds=rng.randint(40, 180 if fast else 420))
            if rng.random() < 0.85:
                spec.en_route_at = spec.dispatched_at + timedelta(seconds=rng.randint(20, 120))
            if roll < 0.025:  # a false or duplicate report, called off before arrival
                spec.end = IncidentStatus.CANCELLED
                spec.ended_at = (spec.en_route_at or spec.dispatched_at) + timedelta(minutes=rng.randint(2, 6))
                spec.reason = rng.choice(CANCEL_REASONS)
                return spec
            travel = rng.randint(4, 10) if fast else rng.randint(6, 15)
            spec.arrived_at = spec.dispatched_at + timedelta(minutes=travel, seconds=rng.randint(0, 59))
        if 0.025 <= roll < 0.05:
            spec.end = IncidentStatus.TRANSFERRED
            spec.ended_at = spec.arrived_at + timedelta(minutes=rng.randint(10, 40))
            spec.reason = TRANSFER_REASONS.get(category, "移交相关职能部门处理")
            return spec
        scene = rng.randint(20, 120) if category == Category.WATER_RESCUE else rng.randint(8, 75)
        spec.resolved_at = spec.arrived_at + timedelta(minutes=scene, seconds=rng.randint(0, 59))
    closed_at = spec.resolved_at + timedelta(hours=rng.randint(1, 60), minutes=rng.randrange(60))
    if closed_at <= now:
        spec.closed_at = closed_at
    else:
        spec.end = IncidentStatus.RESOLVED
    return spec


# --- writing the plan as the services would -------------------------------------------------------


class _Numbers:
    """The yearly counters, kept in memory while the bulk rows are numbered and saved around showcase rows."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.last = dict(IncidentCounter.objects.values_list("year", "last"))

    def next(self, reported_at: datetime) -> tuple[int, int, str]:
        year = timezone.localtime(reported_at).year
        self.last[year] = self.last.get(year, 0) + 1
        return year, self.last[year], f"{self.prefix}-{year}-{self.last[year]:06d}"

    def save(self) -> None:
        for year, last in self.last.items():
            IncidentCounter.objects.update_or_create(year=year, defaults={"last": last})

    def reload(self) -> None:
        self.last = dict(IncidentCounter.objects.values_list("year", "last"))


class _Writer:
    """Builds the rows of the plan in memory, then writes them with a few bulk inserts."""

    def __init__(self, network: Network, numbers: _Numbers):
        self.network = network
        self.numbers = numbers
        self.rows: list[tuple[Incident, list[IncidentEvent], list[Assignment], list[InvolvedPerson]]] = []
        self.busy: dict[int, list[tuple[datetime, datetime, str]]] = {}  # team pk -> (from, until, number)

    def _overridden(self, team: PatrolTeam, at: datetime) -> str:
        """What `_check_team_free` would report (the dispatcher overrode it) when the team was busy at `at`."""
        intervals = [(s, e, n) for s, e, n in self.busy.get(team.pk, []) if s <= at < e]
        self.busy[team.pk] = [i for i in self.busy.get(team.pk, []) if i[1] > at]
        return _("was on incident %(number)s") % {"number": intervals[0][2]} if intervals else ""

    def add(self, spec: Spec) -> None:
        circle, station = self.network.placement(spec.lat, spec.lng)
        team = self.network.team_of_station[station.pk] if spec.with_team else None
        year, sequence, number = self.numbers.next(spec.reported_at)
        by = self.network.actor
        incident = Incident(
            number=number,
            year=year,
            sequence=sequence,
            category=spec.category,
            priority=spec.priority,
            source=spec.source,
            status=spec.end,
            occurred_at=spec.occurred_at,
            reported_at=spec.reported_at,
            lat=spec.lat,
            lng=spec.lng,
            address=spec.address,
            circle=circle,
            station=station,
            summary=spec.summary,
            description=spec.description,
            reported_by=by,
            first_dispatched_at=spec.dispatched_at,
            first_arrived_at=spec.arrived_at,
            resolved_at=spec.resolved_at,
            closed_at=spec.closed_at,
            outcome=spec.outcome if spec.resolved_at else "",
        )
        version = 1
        events = [self._event(spec.reported_at, version, to_status=IncidentStatus.REPORTED)]
        persons = []
        if spec.reporter:
            person = InvolvedPerson(role=PersonRole.REPORTER, name=spec.reporter[0], phone=spec.reporter[1])
            persons.append(person)
            events.append(
                self._event(
                    spec.reported_at, version, kind=EventKind.PERSON, text=_("Added %(person)s.") % {"person": person}
                )
            )
        assignments = []
        status = IncidentStatus.REPORTED
        if team is not None:
            assignment = Assignment(team=team, by=by, dispatched_at=spec.dispatched_at, arrived_at=spec.arrived_at)
            assignments.append(assignment)
            if spec.dispatched_at:
                assignment.override_note = self._overridden(team, spec.dispatched_at)
                version += 1
                events.append(
                    self._event(
                        spec.dispatched_at,
                        version,
                        team=team,
                        from_status=status,
                        to_status=IncidentStatus.DISPATCHED,
                        text=assignment.override_note,
                    )
                )
                status = IncidentStatus.DISPATCHED
                if spec.en_route_at:
                    version += 1
                    events.append(
                        self._event(
                            spec.en_route_at, version, team=team, from_status=status, to_status=IncidentStatus.EN_ROUTE
                        )
                    )
                    status = IncidentStatus.EN_ROUTE
            if spec.arrived_at:
                text = ""
                if not spec.dispatched_at:  # a patrol came upon it: the arrival adds the team
                    assignment.override_note = text = self._overridden(team, spec.arrived_at)
                version += 1
                events.append(
                    self._event(
                        spec.arrived_at,
                        version,
                        team=team,
                        from_status=status,
                        to_status=IncidentStatus.ON_SCENE,
                        text=text,
                    )
                )
                status = IncidentStatus.ON_SCENE
            assignment.cleared_at = spec.resolved_at or spec.ended_at
            start = spec.dispatched_at or spec.arrived_at
            self.busy.setdefault(team.pk, []).append((start, assignment.cleared_at, number))
        if spec.end in (IncidentStatus.CANCELLED, IncidentStatus.TRANSFERRED):
            version += 1
            events.append(
                self._event(spec.ended_at, version, from_status=status, to_status=spec.end, text=spec.reason)
            )
        else:
            version += 1
            events.append(
                self._event(
                    spec.resolved_at, version, from_status=status, to_status=IncidentStatus.RESOLVED, text=spec.outcome
                )
            )
            if spec.closed_at:
                version += 1
                events.append(
                    self._event(
                        spec.closed_at, version, from_status=IncidentStatus.RESOLVED, to_status=IncidentStatus.CLOSED
                    )
                )
        incident.version = version
        self.rows.append((incident, events, assignments, persons))

    def _event(self, at, version, *, kind=EventKind.TRANSITION, team=None, from_status="", to_status="", text=""):
        return IncidentEvent(
            kind=kind,
            actor=self.network.actor,
            at=at,
            version=version,
            team=team,
            from_status=from_status,
            to_status=to_status,
            text=text,
            changes={},
        )

    def flush(self) -> int:
        """Write the rows built so far; returns how many incidents were written."""
        if not self.rows:
            return 0
        incidents = Incident.objects.bulk_create([row[0] for row in self.rows], batch_size=500)
        events, assignments, persons = [], [], []
        for incident, (_incident, row_events, row_assignments, row_persons) in zip(incidents, self.rows, strict=True):
            for child in (*row_events, *row_assignments, *row_persons):
                child.incident = incident
            events += row_events
            assignments += row_assignments
            persons += row_persons
        IncidentEvent.objects.bulk_create(events, batch_size=1000)
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        InvolvedPerson.objects.bulk_create(persons, batch_size=1000)
        self.numbers.save()
        written = len(self.rows)
        self.rows = []
        return written


# --- the showcase rows, through the services -------------------------------------------------------


def article_case_time(today: date) -> datetime:
    """13 May 23:00 Asia/Shanghai of this year, or of last year when that is still to come."""
    at = datetime(today.year, 5, 13, 23, 0, tzinfo=timezone.get_current_timezone())
    if at > timezone.now():
        at = at.replace(year=today.year - 1)
    return at


def _article_case(network: Network, at: datetime) -> Incident:
    """The article's story: a shirtless drunk man at the plaza exit, found by the 90后警务室 on patrol."""
    by, team = network.actor, network.teams["SQ"]
    lat, lng = PLAZA_EXIT
    with _clock(at):
        incident = services.incident_report(
            by=by,
            category=Category.DRUNK_DISORDERLY,
            priority=Priority.P2,
            source=Source.PATROL_DISCOVERY,
            lat=lat,
            lng=lng,
            occurred_at=at,
            reported_at=at,
            summary=ARTICLE_SUMMARY,
            address="宁德市东侨经济技术开发区五里亭东方伟业广场出口",
            description=(
                "23时许，五里亭派出所“90后”警务室民警在东方伟业广场商圈巡逻时听到吵闹声。广场出口处，一名赤裸上身的"
                "醉酒男子大声叫嚷，推搡上前劝阻的群众，并殴打上前制止的民警。"
            ),
            note="“90后”警务室民警巡逻发现",
        )
        incident = services.incident_arrive(incident=incident, by=by, team=team, at=at)
    rng = random.Random(f"{SEED}-article")
    with _clock(at + timedelta(minutes=12)):
        services.person_add(
            incident=incident,
            by=by,
            role=PersonRole.SUSPECT,
            name="林某强",
            phone=_phone(rng),
            id_number=resident_id(date(1991, 8, 17), 135, male=True),
            notes="醉酒，赤裸上身，大声叫嚷、推搡劝阻群众，殴打上前制止的民警。",
        )
        services.person_add(
            incident=incident,
            by=by,
            role=PersonRole.OTHER,
            name="林某华",
            phone=_phone(rng),
            id_number=resident_id(date(1965, 3, 2), 242, male=True),
            notes="醉酒男子的父亲，同意民警将其带至警务室醒酒。",
        )
    with _clock(at + timedelta(minutes=20)):
        services.incident_add_note(
            incident=incident, by=by, text="经家属同意，民警将醉酒男子带至附近的“90后”警务室醒酒。"
        )
    with _clock(at + timedelta(hours=2, minutes=10)):
        incident = services.incident_resolve(
            incident=incident,
            by=by,
            at=at + timedelta(hours=2, minutes=10),
            outcome="男子酒醒后由家属领回；对其殴打民警的行为依法处理。",
        )
    closed = at + timedelta(days=1, hours=11)
    with _clock(closed):
        incident = services.incident_close(incident=incident, by=by, at=closed, note="材料齐全，结案。")
    return incident


def _handle(network: Network, incident: Incident, start: datetime, rng: random.Random, outcome: str) -> Incident:
    """Take a reported incident through dispatch, arrival, resolution and close, each at its time."""
    by = network.actor
    team = network.team_of_station[incident.station_id]
    at = start + timedelta(minutes=rng.randint(2, 5))
    with _clock(at):
        incident = services.incident_dispatch(incident=incident, team=team, by=by, override=True, at=at)
    at += timedelta(minutes=1)
    with _clock(at):
        incident = services.incident_mark_en_route(incident=incident, team=team, by=by, at=at)
    at += timedelta(minutes=rng.randint(5, 12))
    with _clock(at):
        incident = services.incident_arrive(incident=incident, team=team, by=by, at=at)
    at += timedelta(minutes=rng.randint(15, 60))
    with _clock(at):
        incident = services.incident_resolve(incident=incident, by=by, outcome=outcome, at=at)
    at += timedelta(hours=rng.randint(2, 30))
    with _clock(at):
        incident = services.incident_close(incident=incident, by=by, at=at)
    return incident


# (circle key, channel, content, category, days ago, final status) of the tips
TIPS = [
    ("SQ", TipChannel.INFORMANT, "商业步行街有人兜售假冒名牌手表", Category.FRAUD, 300, TipStatus.CONVERTED),
    ("SQ", TipChannel.CHAT_GROUP, "广场地下停车场夜间有人撬电动车电瓶", Category.THEFT, 250, TipStatus.CONVERTED),
    ("SQ", TipChannel.INFORMANT, "蓝调酒吧门口两伙人多次发生口角，可能约架", Category.FIGHT, 180, TipStatus.CONVERTED),
    (
        "SQ",
        TipChannel.CHAT_GROUP,
        "五里亭农贸市场有商户与顾客因缺斤短两争执",
        Category.DISPUTE,
        95,
        TipStatus.CONVERTED,
    ),
    (
        "DH",
        TipChannel.INFORMANT,
        "东湖栈道南段有人夜间用电网捕鱼",
        Category.ECOLOGICAL_WILDLIFE,
        200,
        TipStatus.CONVERTED,
    ),
    ("DH", TipChannel.INFORMANT, "观鸟平台附近有人张网捕鸟", Category.ECOLOGICAL_WILDLIFE, 120, TipStatus.CONVERTED),
    (
        "DH",
        TipChannel.CHAT_GROUP,
        "亲水码头有小孩独自在水边玩耍，家长不在身边",
        Category.WATER_RESCUE,
        60,
        TipStatus.CONVERTED,
    ),
    ("XP", TipChannel.INFORMANT, "二号厂区外包工人聚集讨要工资", Category.DISPUTE, 150, TipStatus.CONVERTED),
    ("XP", TipChannel.CHAT_GROUP, "职工宿舍区楼道内有电动车违规充电", Category.FIRE_HAZARD, 40, TipStatus.CONVERTED),
    ("SQ", TipChannel.INFORMANT, "天湖路夜宵街有人疑似贩卖“笑气”", Category.OTHER, 75, TipStatus.DISMISSED),
    ("SQ", TipChannel.CHAT_GROUP, "群内转发广场有人贩卖儿童的消息", Category.MISSING_PERSON, 55, TipStatus.DISMISSED),
    ("DH", TipChannel.INFORMANT, "环湖步道有流浪犬伤人", Category.ECOLOGICAL_WILDLIFE, 35, TipStatus.DISMISSED),
    ("XP", TipChannel.CHAT_GROUP, "新能源材料园门口有人冒充招聘收取押金", Category.FRAUD, 20, TipStatus.DISMISSED),
    ("SQ", TipChannel.INFORMANT, "星光KTV近期常有未成年人出入", Category.OTHER, 6, TipStatus.VERIFIED),
    ("DH", TipChannel.INFORMANT, "东湖南岸栏杆锈断一处，游客易落水", Category.OTHER, 4, TipStatus.VERIFIED),
    ("XP", TipChannel.CHAT_GROUP, "物流通道夜间常有货车超速", Category.TRAFFIC, 3, TipStatus.VERIFIED),
    ("SQ", TipChannel.CHAT_GROUP, "商业步行街北口有人散发贷款小广告", Category.FRAUD, 1, TipStatus.NEW),
    ("SQ", TipChannel.INFORMANT, "东方伟业广场中庭有醉酒人员躺卧", Category.DRUNK_DISORDERLY, 0, TipStatus.NEW),
    (
        "DH",
        TipChannel.INFORMANT,
        "湿地公园南广场有人放生外来物种巴西龟",
        Category.ECOLOGICAL_WILDLIFE,
        1,
        TipStatus.NEW,
    ),
    ("XP", TipChannel.INFORMANT, "职工宿舍区有陌生人挨户推销", Category.OTHER, 0, TipStatus.NEW),
    ("XP", TipChannel.PHONE, "产业园职工食堂附近走失一名老人", Category.MISSING_PERSON, 2, TipStatus.NEW),
]
DISMISS_REASONS = (
    "经核查，无此情况",
    "经核实为网络谣言，已在群内辟谣",
    "经核查为饲养犬只，已督促主人拴养",
    "已移交市场监管部门",
)


def _tip_times(index: int, spec: tuple, now: datetime) -> tuple[datetime, datetime, datetime]:
    """(received, checked, converted) of a tip: tips of today came in within the last hours."""
    rng = random.Random(f"{SEED}-tip-times-{index}")
    days_ago = spec[4]
    if days_ago == 0:
        received = now - timedelta(minutes=rng.randint(20, 90))
    else:
        received = _local(timezone.localdate(now) - timedelta(days=days_ago), rng.randint(8, 20), rng.randrange(60))
    checked = received + timedelta(minutes=rng.randint(20, 40))
    converted = checked + timedelta(minutes=rng.randint(5, 15))
    return received, checked, converted


def _tip(network: Network, spec: tuple, index: int, now: datetime) -> tuple[Tip, bool]:
    """Record one tip (and take it to its status); natural key: its content. Returns (tip, created)."""
    key, channel, content, category, _days_ago, status = spec
    existing = Tip.objects.filter(content=content).first()
    if existing is not None:
        return existing, False
    rng = random.Random(f"{SEED}-tip-{index}")
    by = network.actor
    circle = network.circles[key]
    lat, lng = _point_in(circle.boundary, rng)
    received, checked, converted = _tip_times(index, spec, now)
    informant = None
    if channel == TipChannel.INFORMANT:
        informant = Informant.objects.filter(circle=circle).order_by("pk")[index % 5 :].first()
        informant = informant or Informant.objects.filter(circle=circle).order_by("pk").first()
    with _clock(received):
        tip = services.tip_record(
            by=by,
            channel=channel,
            content=content,
            informant=informant,
            lat=lat,
            lng=lng,
            address=f"{ADDRESS_PREFIX[key]}{rng.choice(PLACES[key])}",
            received_at=received,
        )
    if status == TipStatus.NEW:
        return tip, True
    if status == TipStatus.DISMISSED:
        with _clock(checked):
            if rng.random() < 0.5:
                tip = services.tip_verify(tip=tip, by=by)
            tip = services.tip_dismiss(tip=tip, by=by, reason=DISMISS_REASONS[index % len(DISMISS_REASONS)])
        return tip, True
    with _clock(checked):
        tip = services.tip_verify(tip=tip, by=by)
    if status == TipStatus.CONVERTED:
        with _clock(converted):
            incident = services.tip_convert(
                tip=tip, by=by, category=category, priority=rng.choice(PRIORITIES[category])
            )
        _handle(network, incident, converted, rng, rng.choice(OUTCOMES[category]))
        tip.refresh_from_db()
    return tip, True


def _live_incidents(network: Network, now: datetime) -> None:
    """The incidents still open now, in the order they came in: the duty board shows them.

    The plaza team is responding to a drunk man at the plaza exit, the industrial team is on the
    scene of a dispute it came upon where it stands (its position from patrols.demo), and three
    reports wait for a dispatch; this matches patrols.demo.DUTY_STATES.
    """
    by = network.actor
    rng = random.Random(f"{SEED}-live")
    xp = network.teams["XP"]
    xp.refresh_from_db()
    found = services.incident_report(
        by=by,
        category=Category.DISPUTE,
        priority=Priority.P3,
        source=Source.PATROL_DISCOVERY,
        lat=xp.last_lat,
        lng=xp.last_lng,
        occurred_at=now - timedelta(minutes=26),
        reported_at=now - timedelta(minutes=24),
        summary="锂电产业园门口职工与班组长发生劳资纠纷",
        address="宁德市东侨经济技术开发区西陂塘锂电产业园",
        description="巡逻途经产业园门口，发现两名职工与班组长因加班费结算争吵。",
        note="巡逻发现",
    )
    services.incident_arrive(incident=found, by=by, team=xp, at=now - timedelta(minutes=24))
    waiting = [
        ("SQ", Category.THEFT, "商业步行街南口商铺报称手机被盗", 12),
        ("DH", Category.HELP_REQUEST, "东湖栈道游客扭伤脚踝求助", 4),
        ("XP", Category.TRAFFIC, "西陂塘路口货车与电动车剐蹭", 2),
    ]
    for key, category, summary, minutes in waiting:
        if minutes < 7:
            continue
        _waiting(network, rng, now, key, category, summary, minutes)
    plaza = services.incident_report(
        by=by,
        category=Category.DRUNK_DISORDERLY,
        priority=Priority.P2,
        source=Source.CALL_110,
        lat=PLAZA_EXIT[0],
        lng=PLAZA_EXIT[1],
        occurred_at=now - timedelta(minutes=9),
        reported_at=now - timedelta(minutes=7),
        summary="东方伟业广场出口有醉酒男子与路人推搡",
        address="宁德市东侨经济技术开发区五里亭东方伟业广场出口",
        description="报警人称广场出口有一名醉酒男子与路人推搡，情绪激动。",
    )
    services.person_add(incident=plaza, by=by, role=PersonRole.REPORTER, name=_name(rng), phone=_phone(rng))
    services.incident_dispatch(incident=plaza, team=network.teams["SQ"], by=by, at=now - timedelta(minutes=5))
    for key, category, summary, minutes in waiting:
        if minutes < 7:
            _waiting(network, rng, now, key, category, summary, minutes)


def _waiting(network, rng, now, key, category, summary, minutes) -> Incident:
    lat, lng = _point_in(network.circles[key].boundary, rng)
    return services.incident_report(
        by=network.actor,
        category=category,
        priority=Priority.P3,
        source=Source.CALL_110,
        lat=lat,
        lng=lng,
        occurred_at=now - timedelta(minutes=minutes + 3),
        reported_at=now - timedelta(minutes=minutes),
        summary=summary,
        address=f"{ADDRESS_PREFIX[key]}{summary[:4]}",
    )


def _settle_teams(network: Network) -> None:
    """Teams with an open assignment respond or are on scene; the others patrol (as DUTY_STATES says)."""
    for team in network.teams.values():
        team.refresh_from_db()
        active = Assignment.objects.active().filter(team=team, incident__status__in=services.OPEN_STATUSES)
        if active.filter(arrived_at__isnull=False).exists():
            target = DutyState.ON_SCENE
        elif active.exists():
            target = DutyState.RESPONDING
        else:
            target = DutyState.PATROLLING
        if team.duty_state != target:
            team_set_duty_state(team=team, state=target, by=network.actor, note="演示数据", force=True)


def _mediation(network: Network, today: date) -> tuple[int, int]:
    """Mediation cases from dispute incidents in the 3 rooms, in every outcome. Natural key: (incident, room)."""
    total = created = 0
    plans = [MediationOutcome.SETTLED] * 4 + [
        MediationOutcome.FAILED,
        MediationOutcome.REFERRED,
        MediationOutcome.PENDING,
    ]
    for key in ("XP", "SQ", "DH"):
        room = network.rooms[key]
        disputes = list(
            Incident.objects.filter(
                circle=network.circles[key], category=Category.DISPUTE, status=IncidentStatus.CLOSED
            ).order_by("reported_at", "pk")
        )
        if not disputes or room is None:
            continue
        for n, outcome in enumerate(plans):
            # spread over the year; the pending case comes from one of the latest disputes
            pick = len(disputes) - 1 - n if outcome == MediationOutcome.PENDING else (len(disputes) * (n + 1)) // 8
            incident = disputes[max(0, min(pick, len(disputes) - 1))]
            total += 1
            if MediationCase.objects.filter(incident=incident, room=room).exists():
                continue
            created += 1
            _mediation_case(
                network, incident, room, outcome, key, random.Random(f"{SEED}-mediation-{incident.number}")
            )
    return total, created


def _mediation_case(network, incident, room, outcome, key, rng):
    by = network.actor
    opened = max(incident.closed_at, incident.resolved_at + timedelta(days=1))
    opened = min(opened, timezone.now() - timedelta(hours=2))
    parties = "\n".join(_name(rng) for _n in range(2)) + ("\n" + "某锂电科技有限公司" if key == "XP" else "")
    agencies = {
        "XP": [MediationAgency.ENTERPRISE, MediationAgency.COMMUNITY, MediationAgency.GOVERNANCE_OFFICE],
        "SQ": [MediationAgency.GOVERNANCE_OFFICE, MediationAgency.COMMUNITY, MediationAgency.COURT],
        "DH": [MediationAgency.COMMUNITY, MediationAgency.GOVERNANCE_OFFICE],
    }[key]
    with _clock(opened):
        case = services.mediation_open(
            incident=incident, room=room, by=by, parties=parties, agencies=agencies, mediator=_name(rng)
        )
    # the case's `opened_at` default captured the real clock: put it back at the replayed time
    MediationCase.objects.filter(pk=case.pk).update(opened_at=opened)
    case.refresh_from_db()
    day = timezone.localtime(opened).date()
    today = timezone.localdate()
    sessions = 1 if outcome == MediationOutcome.PENDING else rng.randint(1, 3)
    for n in range(sessions):
        held = min(day + timedelta(days=3 * n), today)
        with _clock(min(_local(held, 15), timezone.now())):
            services.mediation_add_session(
                case=case,
                by=by,
                held_on=held,
                attendees="当事双方、调解员、社区网格员",
                notes=f"第{n + 1}次调解：听取双方陈述，释法明理。",
            )
    if outcome == MediationOutcome.PENDING:
        return
    closed_day = min(day + timedelta(days=3 * sessions), today)
    closed_at = max(_local(closed_day, 17), opened)
    closed_at = min(closed_at, timezone.now())
    with _clock(closed_at):
        case = services.mediation_close(
            case=case,
            by=by,
            outcome=outcome,
            agreement="双方自愿达成和解协议，一次性结清相关款项，互不追究。"
            if outcome == MediationOutcome.SETTLED
            else "",
            referred_to="东侨法庭诉调对接中心" if outcome == MediationOutcome.REFERRED else "",
            at=closed_at,
        )
    if outcome == MediationOutcome.SETTLED:
        for weeks, kept in ((2, True), (8, rng.random() < 0.85)):
            visited = timezone.localtime(closed_at).date() + timedelta(weeks=weeks)
            if visited > today:
                break
            with _clock(min(_local(visited, 10), timezone.now())):
                services.mediation_add_follow_up(
                    case=case,
                    by=by,
                    visited_on=visited,
                    agreement_kept=kept,
                    notes="回访双方，协议履行良好。" if kept else "一方未按期履行，再次督促。",
                )


# (circle key, kind, title, reported by kind, by whom, severity, radius, days ago, due in days, final status)
HAZARDS = [
    (
        "DH",
        HazardType.WATER,
        "东湖南岸深水区无护栏",
        HazardReporterKind.INFORMANT,
        "栈道维修工",
        "high",
        150,
        120,
        30,
        RemediationStatus.CLOSED,
    ),
    (
        "DH",
        HazardType.WATER,
        "亲水码头救生圈缺失",
        HazardReporterKind.PATROL,
        "环东湖巡防队",
        "medium",
        80,
        40,
        7,
        RemediationStatus.REMEDIATED,
    ),
    (
        "DH",
        HazardType.WATER,
        "环湖步道临水段夜间无照明",
        HazardReporterKind.DEPARTMENT,
        "东湖湿地公园管理处",
        "medium",
        200,
        20,
        10,
        RemediationStatus.OPEN,
    ),
    (
        "DH",
        HazardType.WILDLIFE,
        "观鸟平台草丛有毒蛇出没",
        HazardReporterKind.INFORMANT,
        "环卫工人",
        "high",
        120,
        10,
        5,
        RemediationStatus.IN_PROGRESS,
    ),
    (
        "DH",
        HazardType.WILDLIFE,
        "湿地公园北门马蜂窝",
        HazardReporterKind.PATROL,
        "环东湖巡防队",
        "medium",
        50,
        3,
        3,
        RemediationStatus.OPEN,
    ),
    (
        "DH",
        HazardType.STRUCTURE,
        "东湖栈道木板松动",
        HazardReporterKind.INFORMANT,
        "栈道维修工",
        "medium",
        60,
        60,
        14,
        RemediationStatus.REMEDIATED,
    ),
    (
        "DH",
        HazardType.WEATHER,
        "台风期间东湖水位上涨",
        HazardReporterKind.DEPARTMENT,
        "开发区气象站",
        "high",
        800,
        70,
        3,
        RemediationStatus.CLOSED,
    ),
    (
        "SQ",
        HazardType.FIRE,
        "商业步行街商铺私拉电线",
        HazardReporterKind.PATROL,
        "环东方伟业广场商圈巡防队",
        "high",
        100,
        25,
        7,
        RemediationStatus.OPEN,
    ),
    (
        "SQ",
        HazardType.FIRE,
        "广场地下停车场消防通道堵塞",
        HazardReporterKind.INFORMANT,
        "商业广场物业",
        "medium",
        80,
        50,
        10,
        RemediationStatus.REMEDIATED,
    ),
    (
        "SQ",
        HazardType.STRUCTURE,
        "东方伟业广场广告牌松动",
        HazardReporterKind.PATROL,
        "环东方伟业广场商圈巡防队",
        "medium",
        60,
        8,
        5,
        RemediationStatus.IN_PROGRESS,
    ),
    (
        "XP",
        HazardType.FIRE,
        "职工宿舍区楼道电动车充电",
        HazardReporterKind.INFORMANT,
        "职工宿舍区信息员",
        "high",
        100,
        30,
        7,
        RemediationStatus.IN_PROGRESS,
    ),
    (
        "XP",
        HazardType.FIRE,
        "锂电产业园废旧电池露天堆放",
        HazardReporterKind.DEPARTMENT,
        "开发区应急管理局",
        "high",
        300,
        90,
        15,
        RemediationStatus.CLOSED,
    ),
    (
        "XP",
        HazardType.STRUCTURE,
        "物流通道路面塌陷",
        HazardReporterKind.PATROL,
        "西陂塘警企巡防队",
        "medium",
        50,
        15,
        7,
        RemediationStatus.OPEN,
    ),
    (
        "XP",
        HazardType.WEATHER,
        "暴雨期间西陂塘路口积水",
        HazardReporterKind.DEPARTMENT,
        "开发区气象站",
        "low",
        200,
        5,
        2,
        RemediationStatus.REMEDIATED,
    ),
    (
        "XP",
        HazardType.OTHER,
        "产业园职工食堂燃气管道老化",
        HazardReporterKind.INFORMANT,
        "企业职工信息员",
        "medium",
        80,
        2,
        20,
        RemediationStatus.OPEN,
    ),
]


def _hazards(network: Network, now: datetime) -> tuple[int, int]:
    """Hazards of every type and status (some open ones overdue). Natural key: the title."""
    by = network.actor
    created = 0
    for index, (key, kind, title, by_kind, by_text, severity, radius, days_ago, due_in, status) in enumerate(HAZARDS):
        if Hazard.objects.filter(title=title).exists():
            continue
        created += 1
        rng = random.Random(f"{SEED}-hazard-{index}")
        lat, lng = _point_in(network.circles[key].boundary, rng)
        reported = now - timedelta(days=days_ago, hours=rng.randint(1, 8))
        with _clock(reported):
            hazard = services.hazard_report(
                by=by,
                kind=kind,
                title=title,
                lat=lat,
                lng=lng,
                reported_by_kind=by_kind,
                reported_by_text=by_text,
                severity=getattr(HazardSeverity, severity.upper()),
                warn_radius_m=radius,
                description=f"{by_text}报告：{title}，请过往群众注意安全。",
                due_date=timezone.localtime(reported).date() + timedelta(days=due_in),
            )
        steps = {
            RemediationStatus.OPEN: [],
            RemediationStatus.IN_PROGRESS: [RemediationStatus.IN_PROGRESS],
            RemediationStatus.REMEDIATED: [RemediationStatus.IN_PROGRESS, RemediationStatus.REMEDIATED],
            RemediationStatus.CLOSED: [
                RemediationStatus.IN_PROGRESS,
                RemediationStatus.REMEDIATED,
                RemediationStatus.CLOSED,
            ],
        }[status]
        notes = {
            RemediationStatus.IN_PROGRESS: "已通知责任单位整改，设置警示标志",
            RemediationStatus.REMEDIATED: "责任单位已完成整改",
            RemediationStatus.CLOSED: "复查合格，销号",
        }
        at = reported
        for step in steps:
            at = min(at + timedelta(days=rng.randint(1, max(1, days_ago // 4))), now - timedelta(hours=1))
            with _clock(at):
                hazard = services.hazard_set_status(hazard=hazard, by=by, status=step, note=notes[step])
    return len(HAZARDS), created


# (kind, name, time limit in hours, description)
SERVICE_TYPES = [
    (ServiceKind.CONSULTATION, "户籍业务咨询", 24, "户口迁移、新生儿落户、身份证办理等业务咨询"),
    (ServiceKind.CONSULTATION, "出入境咨询", 48, "护照、港澳通行证、台湾通行证办理咨询"),
    (ServiceKind.CONSULTATION, "交通管理咨询", 24, "电动车上牌、驾驶证业务咨询"),
    (ServiceKind.CONSULTATION, "治安管理咨询", 24, "特种行业许可、大型活动安全许可咨询"),
    (ServiceKind.ERRAND, "居住证代办", 120, "为企业职工代为受理居住证申领"),
    (ServiceKind.ERRAND, "无犯罪记录证明代办", 72, "代为申请开具无犯罪记录证明"),
    (ServiceKind.ERRAND, "身份证补领代办", 168, "代为受理居民身份证挂失补领"),
    (ServiceKind.ERRAND, "临时身份证明代办", 24, "代为开具临时身份证明"),
]
# (service name, circle key, days ago, final status) of the requests
SERVICE_REQUESTS = [
    ("居住证代办", "XP", 60, "completed"),
    ("居住证代办", "XP", 30, "completed"),
    ("居住证代办", "XP", 9, "received"),  # overdue
    ("居住证代办", "XP", 2, "in_progress"),
    ("无犯罪记录证明代办", "XP", 45, "completed"),
    ("无犯罪记录证明代办", "SQ", 12, "rejected"),
    ("无犯罪记录证明代办", "XP", 1, "received"),
    ("户籍业务咨询", "SQ", 20, "completed"),
    ("户籍业务咨询", "DH", 3, "in_progress"),  # overdue
    ("户籍业务咨询", "SQ", 0, "received"),
    ("出入境咨询", "SQ", 15, "completed"),
    ("出入境咨询", "XP", 5, "rejected"),
    ("出入境咨询", "DH", 1, "received"),
    ("交通管理咨询", "XP", 8, "completed"),
    ("治安管理咨询", "SQ", 25, "completed"),
    ("身份证补领代办", "DH", 40, "completed"),
    ("身份证补领代办", "XP", 4, "in_progress"),
    ("临时身份证明代办", "SQ", 6, "completed"),
]


def _service_requests(network: Network, now: datetime) -> tuple[int, int, int, int]:
    """The service catalogue (natural key: name) and requests in every status (natural key: requester, time)."""
    types_created = 0
    types = {}
    for kind, name, hours, description in SERVICE_TYPES:
        types[name], created = upsert(
            ServiceType,
            {"name": name},
            {"kind": kind, "time_limit_hours": hours, "description": description, "is_active": True},
        )
        types_created += created
    by = network.actor
    created = 0
    for index, (name, key, days_ago, status) in enumerate(SERVICE_REQUESTS):
        rng = random.Random(f"{SEED}-request-{index}")
        requester = _name(rng)
        day = timezone.localdate(now) - timedelta(days=days_ago)
        received = min(_local(day, rng.randint(9, 17), rng.randrange(60)), now - timedelta(minutes=30))
        if ServiceRequest.objects.filter(requester_name=requester, service_type=types[name]).exists():
            continue
        created += 1
        with _clock(received):
            request = services.service_request_create(
                by=by,
                service_type=types[name],
                station=network.circles[key].station,
                requester_name=requester,
                phone=_phone(rng),
                details=f"{requester}申请{name}。",
                received_at=received,
            )
        limit = timedelta(hours=types[name].time_limit_hours)
        if status in ("in_progress", "completed"):
            with _clock(min(received + limit / 4, now)):
                request = services.service_request_start(service_request=request, by=by)
        if status == "completed":
            with _clock(min(received + limit * 3 / 4, now)):
                services.service_request_complete(service_request=request, by=by, result="已办结，材料已交申请人。")
        elif status == "rejected":
            with _clock(min(received + limit / 2, now)):
                services.service_request_reject(service_request=request, by=by, reason="申请材料不齐全，已告知补正。")
    return len(SERVICE_TYPES), types_created, len(SERVICE_REQUESTS), created


# --- the entry point -----------------------------------------------------------------------------


@dataclass
class IncidentTally:
    totals: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, total: int, created: int) -> None:
        self.totals[label] = total
        self.created[label] = created


@transaction.atomic
def load_incidents_demo(*, count: int = DEFAULT_COUNT, today: date | None = None) -> IncidentTally:
    """Write (once) a year of incidents up to now, and the tips, mediation, hazards and service requests."""
    now = timezone.now().replace(microsecond=0)
    today = today or timezone.localdate()
    network = Network.load()
    tally = IncidentTally()
    incidents_before, tips_before = Incident.objects.count(), Tip.objects.count()
    article_at = article_case_time(today)

    if not Incident.objects.filter(summary=ARTICLE_SUMMARY).exists():
        numbers = _Numbers(network.stations[0].sub_bureau.code)
        writer = _Writer(network, numbers)
        specs = plan_incidents(count=count, today=today, now=now, network=network)
        # the showcase rows are numbered in their place in time: before each, the rows so far are written
        showcase = [(article_at, lambda: _article_case(network, article_at))]
        for index, tip in enumerate(TIPS):
            if tip[5] == TipStatus.CONVERTED:
                at = _tip_times(index, tip, now)[2]
                showcase.append((at, lambda i=index, t=tip: _tip(network, t, i, now)))
        showcase.sort(key=lambda item: item[0])
        for spec in specs:
            while showcase and showcase[0][0] <= spec.reported_at:
                writer.flush()
                showcase.pop(0)[1]()
                numbers.reload()
            writer.add(spec)
        writer.flush()
        for _at, run in showcase:
            run()
        _live_incidents(network, now)
        # the bulk-written rows bypass the services' rollup upkeep: recompute the days they fall on
        rollups.rebuild(
            since=min((spec.occurred_at for spec in specs), default=now).astimezone(rollups.local_zone()).date()
        )
    for index, tip in enumerate(TIPS):
        _tip(network, tip, index, now)
    tally.add("incidents", Incident.objects.count(), Incident.objects.count() - incidents_before)
    tally.add("tips", Tip.objects.count(), Tip.objects.count() - tips_before)
    tally.add("mediation", *_mediation(network, today))
    tally.add("hazards", *_hazards(network, now))
    n_types, types_created, n_requests, requests_created = _service_requests(network, now)
    tally.add("service_types", n_types, types_created)
    tally.add("service_requests", n_requests, requests_created)
    _settle_teams(network)
    return tally
