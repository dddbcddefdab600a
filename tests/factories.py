"""factory_boy factories shared by every test. Coordinates lie near East Lake, Ningde."""

import factory
from django.contrib.auth.models import Group

from patrols import models as patrols
from patrols.choices import CameraKind, CircleKind, InformantKind, MemberKind, PostKind
from portal.models import User
from portal.roles import Role


def square(lng: float, lat: float, half: float = 0.005) -> dict:
    """A closed square polygon centred on (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lng - half, lat - half],
                [lng + half, lat - half],
                [lng + half, lat + half],
                [lng - half, lat + half],
                [lng - half, lat - half],
            ]
        ],
    }


class SubBureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.SubBureau
        django_get_or_create = ("code",)

    name = "东侨分局"
    code = "DQ"


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.Station

    sub_bureau = factory.SubFactory(SubBureauFactory)
    name = factory.Sequence(lambda n: f"测试派出所{n}")
    code = factory.Sequence(lambda n: f"st{n}")
    address = "宁德市东侨经济开发区"
    lat = 26.66
    lng = 119.55


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.PatrolCircle

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"测试圈{n}")
    kind = CircleKind.COMMERCIAL
    boundary = factory.LazyFunction(lambda: square(119.55, 26.66))
    focus = "防范打击"
    brand = "平安商业圈"
    colour = "#1565c0"


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.PatrolPost

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"岗亭{n}")
    kind = PostKind.SECURITY_BOOTH
    lat = 26.66
    lng = 119.55


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.Member

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"队员{n}")
    kind = MemberKind.AUXILIARY
    phone = "13812345678"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.PatrolTeam

    station = factory.SubFactory(StationFactory)
    circle = factory.SubFactory(CircleFactory, station=factory.SelfAttribute("..station"))
    name = factory.Sequence(lambda n: f"巡防队{n}")


class InformantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.Informant

    circle = factory.SubFactory(CircleFactory)
    name = factory.Sequence(lambda n: f"信息员{n}")
    kind = InformantKind.GRID_WORKER
    phone = "13900001111"


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.Camera

    station = factory.SubFactory(StationFactory)
    code = factory.Sequence(lambda n: f"CAM-{n:04d}")
    name = factory.Sequence(lambda n: f"探头{n}")
    kind = CameraKind.PUBLIC
    lat = 26.66
    lng = 119.55
    coverage_radius_m = 60


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = patrols.PatrolShift

    team = factory.SubFactory(TeamFactory)
    starts_at = factory.Faker("date_time_this_month", tzinfo=__import__("datetime").UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + __import__("datetime").timedelta(hours=4))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    station = factory.SubFactory(StationFactory)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def user_with_role(role: Role, **kwargs) -> User:
    return UserFactory(role=role, **kwargs)


# --- incidents -------------------------------------------------------------------------------
# Rows made directly, for reads and scoping; tests of behaviour create incidents through the services.

import datetime as _dt  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from incidents import models as incidents  # noqa: E402
from incidents.choices import (  # noqa: E402
    Category,
    HazardReporterKind,
    HazardType,
    PersonRole,
    Priority,
    ServiceKind,
    Source,
    TipChannel,
)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = incidents.Incident

    station = factory.SubFactory(StationFactory)
    year = 2026
    sequence = factory.Sequence(lambda n: 900000 + n)
    number = factory.LazyAttribute(lambda o: f"DQ-{o.year}-{o.sequence:06d}")
    category = Category.FIGHT
    priority = Priority.P2
    source = Source.CALL_110
    reported_at = factory.LazyFunction(_tz.now)
    occurred_at = factory.LazyAttribute(lambda o: o.reported_at - _dt.timedelta(minutes=5))
    lat = 26.66
    lng = 119.55
    summary = factory.Sequence(lambda n: f"测试警情{n}")


class InvolvedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = incidents.InvolvedPerson

    incident = factory.SubFactory(IncidentFactory)
    role = PersonRole.VICTIM
    name = factory.Sequence(lambda n: f"当事人{n}")
    phone = "13812345678"
    id_number = "11010519491231002X"


class TipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = incidents.Tip

    station = factory.SubFactory(StationFactory)
    channel = TipChannel.CHAT_GROUP
    content = factory.Sequence(lambda n: f"群内反映线索{n}")
    lat = 26.66
    lng = 119.55


class HazardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = incidents.Hazard

    station = factory.SubFactory(StationFactory)
    kind = HazardType.WATER
    title = factory.Sequence(lambda n: f"隐患{n}")
    reported_by_kind = HazardReporterKind.PATROL
    lat = 26.66
    lng = 119.55
    warn_radius_m = 100


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = incidents.ServiceType

    kind = ServiceKind.ERRAND
    name = factory.Sequence(lambda n: f"代办服务{n}")
    time_limit_hours = 48


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = incidents.ServiceRequest

    service_type = factory.SubFactory(ServiceTypeFactory)
    station = factory.SubFactory(StationFactory)
    requester_name = factory.Sequence(lambda n: f"群众{n}")
    phone = "13900002222"


# --- party organisation ------------------------------------------------------------------------

from partyorg import models as partyorg  # noqa: E402
from partyorg.choices import ActivityKind, PartnerKind, PartyRole  # noqa: E402


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.PartyBranch

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"党支部{n}")


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.PartyMember

    branch = factory.SubFactory(PartyBranchFactory)
    member = factory.SubFactory(MemberFactory, station=factory.SelfAttribute("..branch.station"), is_party_member=True)
    role = PartyRole.MEMBER
    joined_on = _dt.date(2015, 7, 1)


class PartyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.PartyGroup

    branch = factory.SubFactory(PartyBranchFactory)
    team = factory.SubFactory(TeamFactory, station=factory.SelfAttribute("..branch.station"))
    name = factory.Sequence(lambda n: f"党小组{n}")


class CommunityBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.CommunityBranch

    station = factory.SubFactory(StationFactory)
    community = factory.Sequence(lambda n: f"社区{n}")
    name = factory.Sequence(lambda n: f"社区党支部{n}")
    lat = 26.66
    lng = 119.55


class SecondmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.Secondment

    member = factory.SubFactory(PartyMemberFactory)
    community_branch = factory.SubFactory(
        CommunityBranchFactory, station=factory.SelfAttribute("..member.branch.station")
    )
    position = "副书记"
    starts_on = _dt.date(2026, 1, 1)
    ends_on = _dt.date(2026, 12, 31)


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.ResponsibilityZone

    circle = factory.SubFactory(CircleFactory)
    name = factory.Sequence(lambda n: f"责任区{n}")
    area = factory.LazyAttribute(lambda o: square(119.55, 26.66, 0.002))


class VanguardPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.VanguardPost

    post = factory.SubFactory(PostFactory, kind=PostKind.VANGUARD_POST)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.Partner

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"共建单位{n}")
    kind = PartnerKind.HOSPITAL
    contact_name = "林医生"
    phone = "13700001234"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = partyorg.VolunteerActivity

    station = factory.SubFactory(StationFactory)
    kind = ActivityKind.LEI_FENG
    title = factory.Sequence(lambda n: f"志愿服务{n}")
    held_on = _dt.date(2026, 3, 5)
    place = "学雷锋服务站"
    hours = 6


# --- alerts ------------------------------------------------------------------------------------

from alerts import models as alerts  # noqa: E402
from alerts.choices import AudienceGroup, EndpointKind  # noqa: E402


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = alerts.Audience

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"警社群{n}")
    group = AudienceGroup.POLICE_COMMUNITY


class EndpointFactory(factory.django.DjangoModelFactory):
    """A plain JSON webhook by default (tests point it at their own receiver on 127.0.0.1)."""

    class Meta:
        model = alerts.Endpoint

    audience = factory.SubFactory(AudienceFactory)
    kind = EndpointKind.JSON
    name = factory.Sequence(lambda n: f"endpoint{n}")
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/hook/{n}")
