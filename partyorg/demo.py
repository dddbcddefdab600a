"""The party organisation of the demo data set, as the article describes it.

Each station's party branch and its roll (the members marked party members by `patrols.demo`),
2 party groups in patrol teams, 3 responsibility zones inside their circles, the 5 vanguard posts
(the patrol posts of that kind) with members on duty and a weekly rota, 10 officers seconded to 10
community branches, the co-building partners (the ecological circle's departments among them),
and a year of volunteer activities by party members and youth-league members. Synthetic people and
phone numbers; deterministic and idempotent like `patrols.demo` (rows are looked up by natural key).
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patrols.choices import PostKind
from patrols.demo import CIRCLES, SEED, Tally, _phone, upsert
from patrols.models import Informant, Member, PatrolCircle, PatrolPost, PatrolTeam, Station

from .choices import ActivityKind, PartnerKind, PartyRole
from .models import (
    CommunityBranch,
    Partner,
    PartyBranch,
    PartyGroup,
    PartyMember,
    ResponsibilityZone,
    Secondment,
    VanguardDuty,
    VanguardPost,
    VolunteerActivity,
)

# circle key -> (group name); the two teams with party groups
GROUPS = {"SQ": "商圈巡防队党小组", "DH": "环东湖巡防队党小组"}
# circle key -> (zone name, tasks, colour, scale of the circle it covers)
ZONES = {
    "SQ": ("东方伟业广场党员责任区", "夜间商圈巡逻、醉酒滋事劝解、商户安全宣传。", "#c62828", 0.45),
    "DH": ("东湖湿地党员责任区", "湿地野生动物保护、水上救援、游客安全提示。", "#ad1457", 0.5),
    "XP": ("锂电产业园党员责任区", "企业安全防范、劳资纠纷化解、职工家属服务。", "#6a1b9a", 0.45),
}
COMMUNITIES = [
    ("wuliting", "五里亭社区"),
    ("wuliting", "东方伟业社区"),
    ("wuliting", "金马社区"),
    ("wuliting", "南岸社区"),
    ("donghu", "东湖社区"),
    ("donghu", "湖滨社区"),
    ("donghu", "天湖社区"),
    ("xipitang", "西陂塘社区"),
    ("xipitang", "新能源社区"),
    ("xipitang", "职工家园社区"),
]
# (station, circle key or "", kind, name, contact, cooperation)
PARTNERS = [
    ("wuliting", "", PartnerKind.HOSPITAL, "东侨社区卫生服务中心", "林医生", "健康宣教、急救培训"),
    ("wuliting", "", PartnerKind.SCHOOL, "东侨实验小学", "陈老师", "警校共建、护学岗"),
    ("wuliting", "SQ", PartnerKind.ENTERPRISE, "东方伟业广场商户联合会", "黄经理", "警企共建“90后”警务室"),
    ("xipitang", "XP", PartnerKind.ENTERPRISE, "锂电产业园企业联合会", "郑主任", "警企联勤、职工服务"),
    ("wuliting", "", PartnerKind.GOVERNMENT, "开发区综治办", "吴主任", "矛盾纠纷联调联处"),
    ("donghu", "DH", PartnerKind.RESCUE, "宁德市专业救援队（演示）", "刘队长", "水上救援联训联动"),
    ("donghu", "DH", PartnerKind.ENVIRONMENTAL_PROTECTION, "开发区环保部门", "张科长", "湿地生态保护联合巡查"),
    ("donghu", "DH", PartnerKind.CONSTRUCTION, "开发区建设部门", "王科长", "栈道设施安全隐患排查"),
    ("donghu", "DH", PartnerKind.PUBLIC_WATERS, "开发区公共水域管理部门", "李科长", "水域安全与救生设施"),
    ("donghu", "DH", PartnerKind.PARK_MANAGEMENT, "东湖湿地公园管理处", "杨主任", "游园秩序、信息发布"),
    ("donghu", "DH", PartnerKind.METEOROLOGY, "宁德市气象部门", "周工", "恶劣天气预警提前发布"),
]
ACTIVITY_TITLES = {
    ActivityKind.HEALTH_EDUCATION: ("健康知识进社区", "社区卫生服务中心"),
    ActivityKind.ELDERLY_CARE: ("关爱空巢老人", "社区居家养老服务站"),
    ActivityKind.POVERTY_RELIEF: ("扶贫济困·爱心助孤", "社区党群服务中心"),
    ActivityKind.DISABILITY_AID: ("助残助学", "东侨实验小学"),
    ActivityKind.LEI_FENG: ("学雷锋志愿服务", "学雷锋服务站"),
    ActivityKind.OTHER: ("平安宣传进企业", "锂电产业园"),
}
DAYS_OF_ACTIVITY = 365


def _shrunk(area: dict, scale: float) -> dict:
    """A convex area's outline shrunk towards its first corner's opposite: stays inside it."""
    ring = area["coordinates"][0]
    xs = [p[0] for p in ring[:-1]]
    ys = [p[1] for p in ring[:-1]]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    coords = [[round(cx + (x - cx) * scale, 6), round(cy + (y - cy) * scale, 6)] for x, y in ring]
    return {"type": "Polygon", "coordinates": [coords]}


def _set_if_changed(manager, rows) -> None:
    if set(manager.values_list("pk", flat=True)) != {row.pk for row in rows}:
        manager.set(rows)


@transaction.atomic
def load_party_demo(*, today: date | None = None) -> Tally:
    """Write (or bring up to date) the party organisation of the demo; return the tally."""
    today = today or timezone.localdate()
    tally = Tally()
    rng = random.Random(f"{SEED}-party")
    stations = {s.code: s for s in Station.objects.filter(code__in=[spec.station for spec in CIRCLES])}
    circles = {spec.key: PatrolCircle.objects.get(name=spec.name) for spec in CIRCLES}
    teams = {spec.key: PatrolTeam.objects.get(name=spec.team) for spec in CIRCLES}

    branches, roll = {}, {}
    for code, station in stations.items():
        branch, created = upsert(
            PartyBranch, {"station": station}, {"name": f"{station.name}党支部", "founded_on": date(2016, 7, 1)}
        )
        tally.count("branches", created)
        branches[code] = branch
        party = list(Member.objects.filter(station=station, is_party_member=True).order_by("badge_number"))
        roll[code] = []
        for i, member in enumerate(party):
            role = (
                PartyRole.SECRETARY
                if member.rank == "教导员"
                else PartyRole.COMMITTEE_MEMBER
                if member.rank == "所长"
                else PartyRole.PROBATIONARY
                if i == len(party) - 1 and member.kind == "auxiliary"
                else PartyRole.MEMBER
            )
            serial = int(member.badge_number[-3:] or 0) + i
            joined = date(2000 + (serial * 7) % 22, 1 + serial % 12, 1)
            values = {"branch": branch, "role": role, "joined_on": joined}
            pm, created = upsert(PartyMember, {"member": member}, values)
            tally.count("party_members", created)
            roll[code].append(pm)
        secretary = next((pm.member for pm in roll[code] if pm.role == PartyRole.SECRETARY), None)
        if branch.secretary_id != getattr(secretary, "pk", None):
            branch.secretary = secretary
            branch.full_clean()
            branch.save(update_fields=["secretary"])

    spec_by_key = {spec.key: spec for spec in CIRCLES}
    for key, name in GROUPS.items():
        code = spec_by_key[key].station
        in_team = [pm for pm in roll[code] if pm.member.team_id == teams[key].pk]
        group, created = upsert(
            PartyGroup,
            {"name": name},
            {"branch": branches[code], "team": teams[key], "leader": in_team[0] if in_team else None},
        )
        tally.count("groups", created)
        for pm in in_team:
            if pm.group_id != group.pk:
                pm.group = group
                pm.save(update_fields=["group"])

    for key, (name, tasks, colour, scale) in ZONES.items():
        code = spec_by_key[key].station
        zone, created = upsert(
            ResponsibilityZone,
            {"name": name},
            {"circle": circles[key], "area": _shrunk(circles[key].boundary, scale), "tasks": tasks, "colour": colour},
        )
        tally.count("zones", created)
        members = roll[code][:3]
        informants = list(Informant.objects.filter(circle=circles[key]).order_by("name")[:2])
        zone.validate_people(members=members, informants=informants)
        _set_if_changed(zone.members, members)
        _set_if_changed(zone.informants, informants)

    for post in PatrolPost.objects.filter(kind=PostKind.VANGUARD_POST, station__in=stations.values()).order_by("pk"):
        code = next(c for c, s in stations.items() if s.pk == post.station_id)
        vanguard, created = upsert(
            VanguardPost,
            {"post": post},
            {"pledge": "亮身份、践承诺、当先锋", "duties": "党员带班值守，有警出警、无警巡逻，就近服务群众。"},
        )
        tally.count("vanguard_posts", created)
        on_duty = roll[code][-2:] if post.pk % 2 else roll[code][:2]
        informants = list(Informant.objects.filter(circle__station=post.station).order_by("-name")[:1])
        vanguard.validate_people(members=on_duty, informants=informants)
        _set_if_changed(vanguard.members, on_duty)
        _set_if_changed(vanguard.informants, informants)
        starts, ends = post.staffed_from or time(8), post.staffed_until or time(20)
        for weekday in range(1, 8):
            member = on_duty[weekday % len(on_duty)]
            _duty, created = upsert(
                VanguardDuty,
                {"vanguard_post": vanguard, "weekday": weekday},
                {"member": member, "on_date": None, "starts": starts, "ends": ends},
            )
            tally.count("duties", created)

    # 10 party-member officers seconded as deputy secretaries of 10 community branches
    seconded = [pm for code in stations for pm in roll[code] if pm.member.kind == "officer"]
    if len(seconded) < len(COMMUNITIES):
        raise ValidationError(f"the demo needs {len(COMMUNITIES)} party-member officers, it has {len(seconded)}")
    by_station = {code: [pm for pm in seconded if pm.branch.station_id == s.pk] for code, s in stations.items()}
    used: set[int] = set()
    for n, (code, community) in enumerate(COMMUNITIES):
        station = stations[code]
        community_branch, created = upsert(
            CommunityBranch,
            {"name": f"{community}党支部"},
            {
                "station": station,
                "community": community,
                "address": f"宁德市东侨经济技术开发区{community}",
                "lat": round(station.lat + 0.002 * ((n % 3) - 1), 6),
                "lng": round(station.lng + 0.002 * ((n % 4) - 1.5), 6),
            },
        )
        tally.count("community_branches", created)
        candidates = [pm for pm in by_station[code] if pm.pk not in used] or [
            pm for pm in seconded if pm.pk not in used
        ]
        member = candidates[0]
        used.add(member.pk)
        starts_on = date(today.year - 1, 3, 1) + timedelta(days=15 * n)
        _obj, created = upsert(
            Secondment,
            {"member": member, "community_branch": community_branch},
            {"position": "副书记", "starts_on": starts_on, "ends_on": starts_on + timedelta(days=2 * 365)},
        )
        tally.count("secondments", created)

    partners = {}
    for code, key, kind, name, contact, cooperation in PARTNERS:
        partners[name], created = upsert(
            Partner,
            {"name": name},
            {
                "station": stations[code],
                "circle": circles[key] if key else None,
                "kind": kind,
                "agreement_signed_on": date(today.year - 2, 1 + len(name) % 12, 10),
                "agreement_ends_on": date(today.year + 1, 12, 31),
                "contact_name": contact,
                "phone": _phone(rng),
                "cooperation": cooperation,
            },
        )
        tally.count("partners", created)
    _load_activities(stations, partners, today, tally)
    return tally


def _load_activities(stations: dict, partners: dict, today: date, tally: Tally) -> None:
    """Two activities a month for the year ending today, by party members and youth-league members."""
    kinds = list(ActivityKind)
    codes = list(stations)
    partner_of_station = {}
    for partner in partners.values():
        partner_of_station.setdefault(partner.station_id, partner)
    for n in range(24):
        held_on = today - timedelta(days=DAYS_OF_ACTIVITY - 1 - n * (DAYS_OF_ACTIVITY // 24))
        code = codes[n % len(codes)]
        station = stations[code]
        kind = kinds[n % len(kinds)]
        title, place = ACTIVITY_TITLES[kind]
        rng = random.Random(f"{SEED}-activity-{n}")
        pool = list(
            Member.objects.filter(station=station, is_active=True)
            .filter(is_party_member=True)
            .order_by("badge_number")
        ) + list(Member.objects.filter(station=station, is_youth_league=True).order_by("badge_number"))
        participants = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
        length = Decimal(rng.choice((2, 3, 4)))
        activity, created = upsert(
            VolunteerActivity,
            {"station": station, "held_on": held_on, "title": f"{title}（第{n + 1}期）"},
            {
                "kind": kind,
                "place": place,
                "partner": partner_of_station.get(station.pk) if n % 3 == 0 else None,
                "beneficiaries": rng.randint(10, 80),
                "hours": length * len(participants),
                "description": "党建带团建：党员民警与团员青年共同参与。",
            },
        )
        tally.count("activities", created)
        activity.validate_people(participants=participants)
        _set_if_changed(activity.participants, participants)
