"""The admin: every patrol model, scoped like the pages; users with their station; a read-only access log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.models import AccessLog
from portal.privacy import reveal
from tests.factories import (
    CameraFactory,
    CircleFactory,
    InformantFactory,
    MemberFactory,
    PostFactory,
    ShiftFactory,
    TeamFactory,
    UserFactory,
)

FACTORIES = {
    "station": None,
    "patrolcircle": CircleFactory,
    "patrolteam": TeamFactory,
    "patrolpost": PostFactory,
    "member": MemberFactory,
    "informant": None,
    "camera": CameraFactory,
    "patrolshift": None,
}


def admin_url(model_name: str, page: str = "changelist", *args) -> str:
    app = "portal" if model_name in ("user", "accesslog") else "patrols"
    return reverse(f"admin:{app}_{model_name}_{page}", args=args)


def make(model_name: str, station):
    if model_name == "station":
        return station
    if model_name == "informant":
        return InformantFactory(circle=CircleFactory(station=station))
    if model_name == "patrolshift":
        return ShiftFactory(team=TeamFactory(station=station))
    return FACTORIES[model_name](station=station)


@pytest.fixture
def staff_admin(staff_user):
    staff_user.is_staff = True
    staff_user.save()
    return staff_user


@pytest.fixture
def commander_admin(commander):
    commander.is_staff = True
    commander.save()
    return commander


@pytest.mark.parametrize("model_name", list(FACTORIES))
class PatrolAdminTests:
    def test_sub_bureau_staff_see_every_row(self, client, staff_admin, station, other_station, model_name):
        mine, theirs = make(model_name, station), make(model_name, other_station)
        client.force_login(staff_admin)
        response = client.get(admin_url(model_name))
        assert response.status_code == 200
        shown = set(response.context["cl"].result_list)
        assert {mine, theirs} <= shown

    def test_a_commander_sees_only_their_station_and_not_the_others_rows(
        self, client, commander_admin, station, other_station, model_name
    ):
        mine, theirs = make(model_name, station), make(model_name, other_station)
        client.force_login(commander_admin)
        shown = set(client.get(admin_url(model_name)).context["cl"].result_list)
        assert mine in shown and theirs not in shown
        assert client.get(admin_url(model_name, "change", mine.pk)).status_code == 200
        # the admin answers a row it can't see like a missing one: back to the index
        assert client.get(admin_url(model_name, "change", theirs.pk)).status_code == 302


def test_the_admin_offers_only_visible_choices(client, commander_admin, station, other_station):
    TeamFactory(station=other_station)
    mine = TeamFactory(station=station)
    client.force_login(commander_admin)
    form = client.get(admin_url("member", "add")).context["adminform"].form
    assert list(form.fields["team"].queryset) == [mine]
    assert list(form.fields["station"].queryset) == [station]


def test_the_duty_state_is_read_only_in_the_admin(client, staff_admin, station):
    team = TeamFactory(station=station)
    client.force_login(staff_admin)
    form = client.get(admin_url("patrolteam", "change", team.pk)).context["adminform"].form
    assert "duty_state" not in form.fields


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True, station=None)


def test_the_user_admin_shows_the_station_and_roles(client, superuser, commander, station):
    client.force_login(superuser)
    response = client.get(admin_url("user"))
    assert response.status_code == 200
    assert station.name in response.content.decode()
    assert "station_commander" in response.content.decode()
    form = client.get(admin_url("user", "change", commander.pk)).context["adminform"].form
    assert "station" in form.fields and "groups" in form.fields


def test_a_station_admin_sees_only_their_stations_users(client, commander_admin, other_commander):
    commander_admin.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(commander_admin)
    shown = set(client.get(admin_url("user")).context["cl"].result_list)
    assert commander_admin in shown and other_commander not in shown


class AccessLogAdminTests:
    def test_the_access_log_can_be_read_but_not_added_changed_or_deleted(
        self, client, staff_admin, commander, station
    ):
        member = MemberFactory(station=station)
        reveal(user=commander, instance=member, fields=["phone"], reason="核实警情")
        entry = AccessLog.objects.get()
        client.force_login(staff_admin)
        listing = client.get(admin_url("accesslog"))
        assert listing.status_code == 200 and "核实警情" in listing.content.decode()
        assert client.get(admin_url("accesslog", "add")).status_code == 403
        assert client.get(admin_url("accesslog", "delete", entry.pk)).status_code == 403
        page = client.get(admin_url("accesslog", "change", entry.pk))
        assert page.status_code == 200
        assert not page.context["adminform"].form.fields  # every field read-only
        client.post(admin_url("accesslog", "change", entry.pk), {"reason": "改写"})
        entry.refresh_from_db()
        assert entry.reason == "核实警情"
        assert AccessLog.objects.count() == 1
