"""`manage.py seed_demo` builds the demo data set of the issue, validly, idempotently, and users only in demo mode."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from patrols.choices import CircleKind, DutyState, InformantKind, MemberKind, PostKind
from patrols.demo import DEMO_PASSWORD
from patrols.models import (
    Camera,
    Informant,
    Member,
    PatrolCircle,
    PatrolPost,
    PatrolShift,
    PatrolTeam,
    Station,
    SubBureau,
    TeamStateChange,
)
from portal.models import User
from portal.roles import Role

MODELS = (
    SubBureau,
    Station,
    PatrolCircle,
    PatrolTeam,
    PatrolPost,
    Member,
    Informant,
    Camera,
    PatrolShift,
    TeamStateChange,
    User,
    LogEntry,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", incidents=100, stdout=out)  # few incidents: tests/incidents/test_demo.py checks them
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(db, settings):
    settings.DEMO_MODE = True
    return seed()


@pytest.mark.django_db
class SeedDemoTests:
    def test_organisation(self, seeded):
        """One sub-bureau DQ, 3 stations including 五里亭派出所, 3 circles of the 3 kinds, 3 teams."""
        assert SubBureau.objects.get().code == "DQ"
        assert Station.objects.count() == 3
        assert Station.objects.filter(name="五里亭派出所", code="wuliting").exists()
        assert sorted(PatrolCircle.objects.values_list("kind", flat=True)) == sorted(CircleKind.values)
        assert set(PatrolTeam.objects.values_list("name", flat=True)) == {
            "环东湖巡防队",
            "环东方伟业广场商圈巡防队",
            "西陂塘警企巡防队",
        }
        for team in PatrolTeam.objects.all():
            assert team.leader is not None and team.leader.team_id == team.pk
            assert team.circle.station_id == team.station_id
            assert team.strategy and team.circle.brand and team.circle.focus

    def test_posts_lie_in_circles(self, seeded):
        """At least 12 posts, among them the article's office, booth, Lei Feng station and 3 mediation rooms."""
        posts = PatrolPost.objects.all()
        assert posts.count() >= 12
        names = set(posts.values_list("name", flat=True))
        assert {"90后警务室", "学雷锋服务站", "警民联动调处中心", "警企调解工作室", "联动调解室"} <= names
        kinds = Counter(posts.values_list("kind", flat=True))
        assert kinds[PostKind.MEDIATION_ROOM] == 3
        assert kinds[PostKind.VANGUARD_POST] >= 3
        assert kinds[PostKind.SECURITY_BOOTH] >= 1
        for post in posts:
            assert post.circle is not None, post
            assert post.circle.station_id == post.station_id, post

    def test_people(self, seeded):
        """About 40 members (about a third party members), 20 informants covering every type."""
        members = Member.objects.all()
        assert 36 <= members.count() <= 44
        assert {MemberKind.OFFICER, MemberKind.AUXILIARY} <= set(members.values_list("kind", flat=True))
        party = members.filter(is_party_member=True).count()
        assert members.count() / 4 <= party <= members.count() / 2
        assert members.filter(is_youth_league=True).exists()
        assert members.filter(team__isnull=False).count() >= 30
        for phone in members.values_list("phone", flat=True):
            assert len(phone) == 11 and phone[:2] in {"13", "15", "18"}, phone
        assert Informant.objects.count() == 20
        assert set(Informant.objects.values_list("kind", flat=True)) == set(InformantKind.values)

    def test_cameras_lie_in_circles(self, seeded):
        """30 cameras of both kinds inside the circles, with coverage radii of 30-120 m."""
        cameras = Camera.objects.all()
        assert cameras.count() == 30
        assert set(cameras.values_list("kind", flat=True)) == {"public", "police"}
        for camera in cameras:
            assert camera.circle is not None, camera
            assert 30 <= camera.coverage_radius_m <= 120
        assert cameras.filter(bearing__isnull=False, field_of_view__isnull=False).exists()

    def test_shifts_cover_a_week(self, seeded):
        """Each team has two shifts a day over 7 days, each with a route inside its circle."""
        for team in PatrolTeam.objects.all():
            shifts = team.shifts.all()
            days = {timezone.localtime(shift.starts_at).date() for shift in shifts}
            assert len(days) == 7 and max(days) - min(days) == timedelta(days=6)
            assert shifts.count() == 14
            for shift in shifts:
                assert shift.ends_at > shift.starts_at
                assert shift.route["type"] == "LineString"
                assert all(team.circle.contains(lat, lng) for lng, lat in shift.route["coordinates"])

    def test_duty_states(self, seeded):
        """Teams are set on duty through the service: one patrolling, one responding, one on scene, with positions."""
        states = Counter(PatrolTeam.objects.values_list("duty_state", flat=True))
        assert states == {DutyState.RESPONDING: 1, DutyState.PATROLLING: 1, DutyState.ON_SCENE: 1}
        for team in PatrolTeam.objects.all():  # every move was recorded (the incidents demo moves teams too)
            assert team.state_changes.order_by("-at", "-pk").first().to_state == team.duty_state
        assert not PatrolTeam.objects.filter(last_lat__isnull=True).exists()

    def test_one_user_per_role(self, seeded):
        """Every role has a demo user, who can log in with the documented password."""
        for role in Role.values:
            assert User.objects.filter(groups__name=role).exists(), role
        assert User.objects.get(username="admin").is_superuser
        assert User.objects.get(username="staff").station is None
        assert User.objects.get(username="commander").station.code == "wuliting"
        assert User.objects.get(username="commander_dh").station.code != "wuliting"
        assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
        assert "demo-pass-2026" in seeded

    def test_second_run_changes_nothing(self, seeded):
        """Running the command again creates no row, no duty-state change and no audit entry."""
        before = counts()
        seed()
        assert counts() == before


@pytest.mark.django_db
def test_no_demo_users_outside_demo_mode(settings):
    """With DEMO_MODE off, the data set is built but no user with a published password is created."""
    settings.DEMO_MODE = False
    output = seed()
    assert not User.objects.exists()
    assert PatrolTeam.objects.count() == 3
    assert "DEMO_MODE" in output
