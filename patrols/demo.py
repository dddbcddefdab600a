"""The demo data set: the Dongqiao sub-bureau's three patrol circles around East Lake, Ningde.

Names of units, circles, teams and posts come from the article the portal was built from; every
person, phone number, camera and shift is synthetic. `load_demo` writes it idempotently (every row
is looked up by its natural key and updated in place) and validates each row with `full_clean()`.
It is deterministic: the random choices come from fixed seeds, and the shifts of a week are laid
out relative to today's date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from portal import geo
from portal.roles import Role, setup_roles

from .choices import DUTY_TRANSITIONS, CameraKind, CircleKind, DutyState, InformantKind, MemberKind, PostKind
from .models import (
    Camera,
    CircleDerivedModel,
    Informant,
    Member,
    PatrolCircle,
    PatrolPost,
    PatrolShift,
    PatrolTeam,
    Station,
    SubBureau,
)
from .services import team_report_position, team_set_duty_state

#: The one password of every demo user; they exist only where settings.DEMO_MODE is true.
DEMO_PASSWORD = "demo-pass-2026"
SEED = 2026
SHIFT_DAYS = 7


def _ring(*points: tuple[float, float]) -> dict:
    """A GeoJSON Polygon from (lng, lat) corners, closed."""
    coords = [[lng, lat] for lng, lat in points]
    return {"type": "Polygon", "coordinates": [[*coords, coords[0]]]}


SUB_BUREAU = {"code": "DQ", "name": "东侨分局", "address": "宁德市东侨经济技术开发区"}

# code -> fields; the first is the station of the article's story
STATIONS = {
    "wuliting": {
        "name": "五里亭派出所",
        "address": "宁德市东侨经济技术开发区五里亭路",
        "phone": "0593-2101110",
        "lat": 26.6672,
        "lng": 119.5368,
    },
    "donghu": {
        "name": "东湖派出所",
        "address": "宁德市东侨经济技术开发区环东湖路",
        "phone": "0593-2102110",
        "lat": 26.6622,
        "lng": 119.5548,
    },
    "xipitang": {
        "name": "西陂塘派出所",
        "address": "宁德市东侨经济技术开发区西陂塘工业区",
        "phone": "0593-2103110",
        "lat": 26.6805,
        "lng": 119.5195,
    },
}


@dataclass(frozen=True)
class CircleSpec:
    key: str
    name: str
    station: str
    kind: str
    boundary: dict
    focus: str
    brand: str
    colour: str
    team: str
    call_sign: str
    strategy: str
    shifts: tuple[tuple[int, int], ...]  # (start hour, length in hours) of each daily shift, local time
    active: tuple[time, time] | None = None
    camera_places: tuple[str, ...] = field(default_factory=tuple)


# Three convex, non-overlapping areas near East Lake (all inside settings.GEO_BOUNDS).
CIRCLES = [
    CircleSpec(
        key="DH",
        name="绿色生态圈",
        station="donghu",
        kind=CircleKind.ECOLOGICAL,
        boundary=_ring(
            (119.548, 26.652),
            (119.553, 26.646),
            (119.563, 26.644),
            (119.573, 26.648),
            (119.576, 26.656),
            (119.571, 26.663),
            (119.560, 26.665),
            (119.551, 26.661),
        ),
        focus="生态保护与救援",
        colour="#2e7d32",
        brand="一队一策一品牌：守护东湖湿地，生态警务护碧水",
        team="环东湖巡防队",
        call_sign="东湖1",
        strategy="针对东湖湿地公园生物多样性丰富的特点，突出生态环境保护和水上救援，"
        "与开发区环保、建设、公共水域等部门及公园管理处联动，打造绿色生态圈。",
        shifts=((7, 8), (15, 8)),
        camera_places=("东湖栈道", "湿地公园北门", "环湖步道", "观鸟平台", "亲水码头"),
    ),
    CircleSpec(
        key="SQ",
        name="平安商业圈",
        station="wuliting",
        kind=CircleKind.COMMERCIAL,
        boundary=_ring(
            (119.532, 26.665),
            (119.540, 26.663),
            (119.546, 26.666),
            (119.546, 26.673),
            (119.539, 26.676),
            (119.532, 26.673),
        ),
        focus="防范打击",
        colour="#1565c0",
        brand="一队一策一品牌：城市快警零距离，有警出警、无警巡逻",
        team="环东方伟业广场商圈巡防队",
        call_sign="商圈1",
        strategy="针对商圈商铺林立、娱乐场所密集、夜间警情高发的特点，依托“90后”警务室和广场岗亭，"
        "实行“有警出警，无警巡逻”的城市快警模式，突出防范打击，打造平安商业圈。",
        shifts=((10, 8), (18, 8)),
        active=(time(18, 0), time(2, 0)),
        camera_places=("东方伟业广场", "广场出口", "商业步行街", "娱乐场所集中区", "地下停车场入口"),
    ),
    CircleSpec(
        key="XP",
        name="和谐工业圈",
        station="xipitang",
        kind=CircleKind.INDUSTRIAL,
        boundary=_ring(
            (119.510, 26.676),
            (119.522, 26.672),
            (119.530, 26.678),
            (119.529, 26.690),
            (119.518, 26.694),
            (119.509, 26.687),
        ),
        focus="服务保障",
        colour="#ef6c00",
        brand="一队一策一品牌：警企同心护新能源，服务保障促和谐",
        team="西陂塘警企巡防队",
        call_sign="警企1",
        strategy="针对锂电新能源产业特色和辖区人口主要为企业职工及家属的特点，警企联勤联防，"
        "突出服务保障，打造和谐工业圈。",
        shifts=((8, 8), (16, 8)),
        camera_places=("锂电产业园大门", "职工宿舍区", "西陂塘路口", "物流通道", "职工之家"),
    ),
]
CIRCLE_BY_KEY = {c.key: c for c in CIRCLES}

# (circle key, name, kind, lat, lng, staffed hours or None for round the clock, address, description)
POSTS = [
    (
        "SQ",
        "90后警务室",
        PostKind.POLICE_OFFICE,
        26.6686,
        119.5385,
        None,
        "东方伟业广场东侧",
        "警企结合的“90后”警务室，与商圈巡防队组成城市快警，24小时值守。",
    ),
    (
        "SQ",
        "东方伟业广场中心治安岗亭",
        PostKind.SECURITY_BOOTH,
        26.66905,
        119.5390,
        None,
        "东方伟业广场中心",
        "警力零距离驻守广场岗亭，有警出警，无警巡逻。",
    ),
    (
        "SQ",
        "学雷锋服务站",
        PostKind.LEI_FENG_STATION,
        26.66912,
        119.53918,
        (time(8), time(22)),
        "广场中心岗亭旁",
        "团员青年志愿服务点：指路、失物招领、应急药品。",
    ),
    (
        "SQ",
        "警民联动调处中心",
        PostKind.MEDIATION_ROOM,
        26.6700,
        119.5410,
        (time(9), time(21)),
        "东方伟业广场北侧",
        "联合综治、法院、检察院和社区，就地化解商圈矛盾纠纷。",
    ),
    (
        "SQ",
        "商圈党员先锋岗",
        PostKind.VANGUARD_POST,
        26.6680,
        119.5420,
        (time(18), time(2)),
        "商业步行街南口",
        "党员民警夜间带班值守。",
    ),
    ("SQ", "步行街党员先锋岗", PostKind.VANGUARD_POST, 26.6715, 119.5355, (time(18), time(2)), "商业步行街北口", ""),
    ("DH", "东湖湿地公园警务室", PostKind.POLICE_OFFICE, 26.6600, 119.5540, None, "东湖湿地公园北门", ""),
    ("DH", "东湖栈道治安岗亭", PostKind.SECURITY_BOOTH, 26.6500, 119.5600, (time(6), time(22)), "东湖南岸栈道", ""),
    (
        "DH",
        "联动调解室",
        PostKind.MEDIATION_ROOM,
        26.6610,
        119.5620,
        (time(9), time(17)),
        "湿地公园管理处一楼",
        "与公园管理、环保部门联动调解游园纠纷。",
    ),
    ("DH", "环东湖党员先锋岗", PostKind.VANGUARD_POST, 26.6560, 119.5700, (time(7), time(19)), "东湖东岸", ""),
    (
        "DH",
        "东湖水上救援党员先锋岗",
        PostKind.VANGUARD_POST,
        26.6480,
        119.5650,
        (time(7), time(19)),
        "亲水码头",
        "配备救生圈、救生衣和救援艇，联系市专业救援机构。",
    ),
    ("XP", "西陂塘警企联勤警务室", PostKind.POLICE_OFFICE, 26.6800, 119.5200, None, "西陂塘工业区管委会旁", ""),
    (
        "XP",
        "警企调解工作室",
        PostKind.MEDIATION_ROOM,
        26.6820,
        119.5180,
        (time(9), time(18)),
        "产业园职工服务中心",
        "联合企业、社区化解劳资和邻里纠纷。",
    ),
    (
        "XP",
        "锂电产业园党员先锋岗",
        PostKind.VANGUARD_POST,
        26.6850,
        119.5230,
        (time(8), time(20)),
        "锂电产业园大门",
        "",
    ),
    ("XP", "西陂塘工业园治安岗亭", PostKind.SECURITY_BOOTH, 26.6780, 119.5250, None, "西陂塘路口", ""),
    (
        "XP",
        "职工之家学雷锋服务站",
        PostKind.LEI_FENG_STATION,
        26.6830,
        119.5150,
        (time(8), time(20)),
        "职工宿舍区",
        "为企业职工及家属提供警务代办和咨询。",
    ),
]
# The post each team works from
BASE_POSTS = {"DH": "东湖湿地公园警务室", "SQ": "90后警务室", "XP": "西陂塘警企联勤警务室"}

# (circle key, kind, organisation or ""), 20 informants covering every InformantKind
INFORMANTS = [
    ("DH", InformantKind.BOARDWALK_MAINTENANCE, "东湖湿地公园管理处"),
    ("DH", InformantKind.BOARDWALK_MAINTENANCE, "东湖湿地公园管理处"),
    ("DH", InformantKind.BOARDWALK_MAINTENANCE, "东湖湿地公园管理处"),
    ("DH", InformantKind.SANITATION_WORKER, "开发区环卫所"),
    ("DH", InformantKind.SANITATION_WORKER, "开发区环卫所"),
    ("DH", InformantKind.GRID_WORKER, "东湖社区"),
    ("DH", InformantKind.OTHER, "东湖游船码头"),
    ("SQ", InformantKind.GRID_WORKER, "五里亭社区"),
    ("SQ", InformantKind.GRID_WORKER, "五里亭社区"),
    ("SQ", InformantKind.HOMEOWNERS_COMMITTEE, "东方伟业小区业委会"),
    ("SQ", InformantKind.HOMEOWNERS_COMMITTEE, "商业广场物业"),
    ("SQ", InformantKind.SANITATION_WORKER, "开发区环卫所"),
    ("SQ", InformantKind.OTHER, "商圈商户"),
    ("SQ", InformantKind.OTHER, "娱乐场所"),
    ("XP", InformantKind.ENTERPRISE_WORKER, "锂电产业园一号厂区"),
    ("XP", InformantKind.ENTERPRISE_WORKER, "锂电产业园二号厂区"),
    ("XP", InformantKind.ENTERPRISE_WORKER, "新能源材料园"),
    ("XP", InformantKind.ENTERPRISE_WORKER, "职工宿舍区"),
    ("XP", InformantKind.GRID_WORKER, "西陂塘社区"),
    ("XP", InformantKind.HOMEOWNERS_COMMITTEE, "职工家属小区业委会"),
]
CAMERAS_PER_CIRCLE = {"DH": 10, "SQ": 12, "XP": 8}
# Members per station: (officers, auxiliaries); two officers of each station lead it and are in no team.
MEMBERS_PER_STATION = {"wuliting": (6, 8), "donghu": (5, 8), "xipitang": (5, 8)}
STATION_LEADS = ("所长", "教导员")
OFFICER_RANKS = ("一级警长", "二级警长", "三级警长", "四级警长", "一级警员", "二级警员")
AUXILIARY_RANKS = ("辅警", "辅警", "辅警", "巡防队员", "巡防队员", "辅警班长")

SURNAMES = "陈林黄郑吴刘张王李杨周叶谢何游缪阮雷钟蔡肖许彭詹"
# given-name characters in two pools, so that a synthetic name reads as one person's
GIVEN = ("伟军华明杰涛斌强磊鹏辉晨宇航凯峰勇超俊毅志", "婷雪琳燕丽娜静敏霞洁颖芳萍慧佳欣怡")

# (username, role, station code or None, display name, superuser)
DEMO_USERS = [
    ("admin", Role.SUB_BUREAU_STAFF, None, "系统管理员", True),
    ("staff", Role.SUB_BUREAU_STAFF, None, "分局指挥中心", False),
    ("commander", Role.STATION_COMMANDER, "wuliting", "五里亭派出所指挥员", False),
    ("commander_dh", Role.STATION_COMMANDER, "donghu", "东湖派出所指挥员", False),
    ("duty", Role.DUTY_OFFICER, "wuliting", "五里亭值班民警", False),
    ("party", Role.PARTY_AFFAIRS, "wuliting", "党务干部", False),
    ("auditor", Role.AUDITOR, "wuliting", "审计员", False),
]
# The story of the article: the plaza team is out to a drunk man at the plaza exit; the industrial team is
# on the scene of a dispute it came upon where it stands (incidents.demo writes both open incidents).
DUTY_STATES = {"DH": DutyState.PATROLLING, "SQ": DutyState.RESPONDING, "XP": DutyState.ON_SCENE}
PLAZA_EXIT = (26.6694, 119.5402)


# --- the writer -------------------------------------------------------------------------------


@dataclass
class Tally:
    """How many rows of each kind the demo holds, and how many this run created."""

    totals: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    users_skipped: bool = False

    def count(self, label: str, created: bool) -> None:
        self.totals[label] = self.totals.get(label, 0) + 1
        self.created[label] = self.created.get(label, 0) + int(created)


def upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, bool]:
    """`update_or_create` on a natural key, but validating with `full_clean()` and saving only on change.

    A row whose point decides its circle (`CircleDerivedModel`) is always saved so that its circle
    is derived again; django-auditlog writes no entry for a save that changes nothing.
    """
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    before = {} if created else {name: getattr(obj, name) for name in values}
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    changed = not created and any(getattr(obj, name) != before[name] for name in values)
    if created or changed or isinstance(obj, CircleDerivedModel):
        obj.save()
    return obj, created


def _phone(rng: random.Random) -> str:
    prefix = rng.choice([*range(130, 140), *range(150, 160), *range(180, 190)])
    return f"{prefix}{rng.randrange(10**8):08d}"


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        given = "".join(rng.sample(rng.choice(GIVEN), rng.choice((1, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _point_in(area: dict, rng: random.Random) -> tuple[float, float]:
    """A random (lat, lng) inside the area."""
    min_lng, min_lat, max_lng, max_lat = geo.bbox(area)
    while True:
        lat = round(rng.uniform(min_lat, max_lat), 6)
        lng = round(rng.uniform(min_lng, max_lng), 6)
        if geo.contains(area, lat, lng):
            return lat, lng


def _route(area: dict, rng: random.Random) -> dict:
    """A patrol loop inside a convex area: its outline shrunk towards the centre, from a random corner."""
    ring = area["coordinates"][0][:-1]
    c_lat, c_lng = geo.centroid(area)
    scale = rng.uniform(0.45, 0.85)
    start = rng.randrange(len(ring))
    corners = ring[start:] + ring[:start]
    if rng.random() < 0.5:
        corners.reverse()
    coords = [
        [round(c_lng + (lng - c_lng) * scale, 6), round(c_lat + (lat - c_lat) * scale, 6)] for lng, lat in corners
    ]
    return {"type": "LineString", "coordinates": [*coords, coords[0]]}


@transaction.atomic
def load_demo(*, today: date | None = None, with_users: bool | None = None) -> Tally:
    """Write (or bring up to date) the whole demo data set in one transaction; return the tally."""
    setup_roles()
    tally = Tally()
    today = today or timezone.localdate()
    with_users = settings.DEMO_MODE if with_users is None else with_users

    sub_bureau, created = upsert(
        SubBureau, {"code": SUB_BUREAU["code"]}, {"name": SUB_BUREAU["name"], "address": SUB_BUREAU["address"]}
    )
    tally.count("sub_bureaus", created)

    stations = {}
    for code, values in STATIONS.items():
        stations[code], created = upsert(Station, {"code": code}, {"sub_bureau": sub_bureau, **values})
        tally.count("stations", created)

    circles, teams = {}, {}
    for spec in CIRCLES:
        circles[spec.key], created = upsert(
            PatrolCircle,
            {"name": spec.name},
            {
                "station": stations[spec.station],
                "kind": spec.kind,
                "boundary": spec.boundary,
                "focus": spec.focus,
                "brand": spec.brand,
                "colour": spec.colour,
                "is_active": True,
                "active_from": spec.active[0] if spec.active else None,
                "active_until": spec.active[1] if spec.active else None,
            },
        )
        tally.count("circles", created)

    posts = {}
    for key, name, kind, lat, lng, hours, address, description in POSTS:
        station = stations[CIRCLE_BY_KEY[key].station]
        posts[name], created = upsert(
            PatrolPost,
            {"station": station, "name": name},
            {
                "kind": kind,
                "lat": lat,
                "lng": lng,
                "address": address,
                "description": description,
                "staffed_from": hours[0] if hours else None,
                "staffed_until": hours[1] if hours else None,
            },
        )
        tally.count("posts", created)

    for spec in CIRCLES:
        teams[spec.key], created = upsert(
            PatrolTeam,
            {"name": spec.team},
            {
                "station": stations[spec.station],
                "circle": circles[spec.key],
                "call_sign": spec.call_sign,
                "strategy": spec.strategy,
                "base_post": posts[BASE_POSTS[spec.key]],
            },
        )
        tally.count("teams", created)

    members = _load_members(stations, teams, tally)
    _load_informants(circles, teams, tally)
    _load_cameras(stations, circles, tally)
    _load_shifts(teams, members, today, tally)
    _set_duty_states(teams, tally)
    if with_users:
        _load_users(stations, tally)
    else:
        tally.users_skipped = True
    return tally


def _load_members(stations: dict, teams: dict, tally: Tally) -> dict[str, list[Member]]:
    """About 40 officers and auxiliaries; returns each team's members, its leader first."""
    rng = random.Random(f"{SEED}-members")
    taken: set[str] = set()
    team_of_station = {spec.station: spec.key for spec in CIRCLES}
    by_team: dict[str, list[Member]] = {key: [] for key in teams}
    for s_index, (code, (officers, auxiliaries)) in enumerate(MEMBERS_PER_STATION.items(), start=1):
        team_key = team_of_station[code]
        names = _names(rng, officers + auxiliaries, taken)
        for i, name in enumerate(names):
            is_officer = i < officers
            lead = i < len(STATION_LEADS)
            if is_officer:
                # the team's officers in order of rank: the first (一级警长) leads the team
                rank = STATION_LEADS[i] if lead else OFFICER_RANKS[i - len(STATION_LEADS)]
                badge = f"DQ{s_index}{i + 1:03d}"
            else:
                rank = rng.choice(AUXILIARY_RANKS)
                badge = f"FJ{s_index}{i + 1:03d}"
            # officers are mostly party members; young auxiliaries ("post-90s") are often in the youth league
            party = lead or (is_officer and rng.random() < 0.6) or (not is_officer and rng.random() < 0.12)
            league = not party and not is_officer and rng.random() < 0.6
            member, created = upsert(
                Member,
                {"badge_number": badge},
                {
                    "station": stations[code],
                    "team": None if lead else teams[team_key],
                    "name": name,
                    "kind": MemberKind.OFFICER if is_officer else MemberKind.AUXILIARY,
                    "rank": rank,
                    "phone": _phone(rng),
                    "is_party_member": party,
                    "is_youth_league": league,
                    "is_active": True,
                },
            )
            tally.count("members", created)
            if not lead:
                by_team[team_key].append(member)
    # the first officer of each team (the most senior rank after the station's leads) leads it
    for key, team in teams.items():
        leader = by_team[key][0]
        if team.leader_id != leader.pk:
            team.leader = leader
            team.full_clean()
            team.save(update_fields=["leader"])
    return by_team


def _load_informants(circles: dict, teams: dict, tally: Tally) -> None:
    rng = random.Random(f"{SEED}-informants")
    taken: set[str] = set()
    for key, kind, organisation in INFORMANTS:
        (name,) = _names(rng, 1, taken)
        _obj, created = upsert(
            Informant,
            {"circle": circles[key], "name": name},
            {
                "team": teams[key],
                "kind": kind,
                "organisation": organisation,
                "phone": _phone(rng),
                "is_active": True,
            },
        )
        tally.count("informants", created)


def _load_cameras(stations: dict, circles: dict, tally: Tally) -> None:
    rng = random.Random(f"{SEED}-cameras")
    for spec in CIRCLES:
        for n in range(1, CAMERAS_PER_CIRCLE[spec.key] + 1):
            lat, lng = _point_in(spec.boundary, rng)
            kind = CameraKind.POLICE if n % 3 == 0 else CameraKind.PUBLIC
            place = spec.camera_places[(n - 1) % len(spec.camera_places)]
            directional = rng.random() < 0.5
            _obj, created = upsert(
                Camera,
                {"code": f"DQ-{spec.key}-{n:03d}"},
                {
                    "station": stations[spec.station],
                    "name": f"{place}{'警用' if kind == CameraKind.POLICE else ''}探头{n}号",
                    "kind": kind,
                    "lat": lat,
                    "lng": lng,
                    "coverage_radius_m": rng.randrange(30, 121, 5),
                    "bearing": rng.randrange(360) if directional else None,
                    "field_of_view": rng.choice((60, 90, 120)) if directional else None,
                    "is_active": n != 7,  # one broken camera, so that the map shows one
                },
            )
            tally.count("cameras", created)


def _load_shifts(teams: dict, members: dict, today: date, tally: Tally) -> None:
    """Two shifts a day per team for the week ending today, each with a loop route inside the circle."""
    tz = timezone.get_current_timezone()
    for spec in CIRCLES:
        team = teams[spec.key]
        for day_offset in range(SHIFT_DAYS - 1, -1, -1):
            day = today - timedelta(days=day_offset)
            for slot, (hour, length) in enumerate(spec.shifts):
                rng = random.Random(f"{SEED}-{spec.key}-{day.isoformat()}-{slot}")
                starts_at = datetime.combine(day, time(hour), tzinfo=tz)
                night = hour >= 18
                _obj, created = upsert(
                    PatrolShift,
                    {"team": team, "starts_at": starts_at},
                    {
                        "ends_at": starts_at + timedelta(hours=length),
                        "route": _route(spec.boundary, rng),
                        "leader": members[spec.key][(day.toordinal() + slot) % 3],
                        "notes": "夜间巡逻：有警出警，无警巡逻" if night else "日间巡逻",
                    },
                )
                tally.count("shifts", created)


def _set_duty_states(teams: dict, tally: Tally) -> None:
    """Put each team in its demo duty state through the service, and give it a last position."""
    for key, team in teams.items():
        target = DUTY_STATES[key]
        team.refresh_from_db()
        # walk the allowed moves (off duty -> patrolling -> responding); force only if the board was edited
        steps = [] if team.duty_state == target else [DutyState.PATROLLING, target]
        for step in steps:
            if team.duty_state == step:
                continue
            force = step not in DUTY_TRANSITIONS[team.duty_state]
            team = team_set_duty_state(team=team, state=step, by=None, note="演示数据", force=force)
        if target == DutyState.RESPONDING:
            lat, lng = PLAZA_EXIT
        else:
            lat, lng = CIRCLE_BY_KEY[key].boundary["coordinates"][0][0][::-1]
            c_lat, c_lng = geo.centroid(CIRCLE_BY_KEY[key].boundary)
            lat, lng = round((lat + c_lat) / 2, 6), round((lng + c_lng) / 2, 6)
        if (team.last_lat, team.last_lng) != (lat, lng):
            team_report_position(team=team, lat=lat, lng=lng)


def _load_users(stations: dict, tally: Tally) -> None:
    User = get_user_model()
    groups = {role: Group.objects.get(name=role) for role in Role.values}
    for username, role, station_code, display_name, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        values = {
            "station": stations[station_code] if station_code else None,
            "display_name": display_name,
            "is_superuser": superuser,
            "is_staff": role == Role.SUB_BUREAU_STAFF,
            "is_active": True,
            "email": f"{username}@demo.invalid",
        }
        changed = created or any(getattr(user, name) != value for name, value in values.items())
        for name, value in values.items():
            setattr(user, name, value)
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed = True
        user.full_clean()
        if changed:
            user.save()
        if set(user.groups.all()) != {groups[role]}:
            user.groups.set([groups[role]])
        tally.count("users", created)
