"""The patrol network's pages: what each role can see and do, and what a bad form does (nothing).

Every model has four pages (list, detail, create, update); the tests are parametrized over the
models so that a new model's pages get the same checks by adding one entry to `PAGES`.
"""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from patrols.choices import DutyState
from patrols.models import (
    Camera,
    Informant,
    Member,
    PatrolCircle,
    PatrolPost,
    PatrolShift,
    PatrolTeam,
    Station,
    TeamStateChange,
)
from portal.models import AccessLog
from tests.factories import (
    CameraFactory,
    CircleFactory,
    InformantFactory,
    MemberFactory,
    PostFactory,
    ShiftFactory,
    StationFactory,
    TeamFactory,
    square,
)

KINDS = ["station", "circle", "team", "post", "member", "informant", "camera", "shift"]
MODELS = {
    "station": Station,
    "circle": PatrolCircle,
    "team": PatrolTeam,
    "post": PatrolPost,
    "member": Member,
    "informant": Informant,
    "camera": Camera,
    "shift": PatrolShift,
}


def build_network(station) -> dict:
    """One row of every patrol model, all belonging to `station`."""
    circle = CircleFactory(station=station, boundary=square(119.55, 26.66))
    team = TeamFactory(station=station, circle=circle)
    return {
        "station": station,
        "circle": circle,
        "team": team,
        "post": PostFactory(station=station),
        "member": MemberFactory(station=station, team=team),
        "informant": InformantFactory(circle=circle, team=team),
        "camera": CameraFactory(station=station),
        "shift": ShiftFactory(team=team),
    }


@pytest.fixture
def mine(station):
    return build_network(station)


@pytest.fixture
def theirs(other_station):
    return build_network(other_station)


def url(kind: str, page: str, obj=None) -> str:
    return reverse(f"patrols:{kind}_{page}", args=[obj.pk] if obj is not None else [])


def valid_data(kind: str, rows: dict) -> dict:
    """A complete, valid POST of the create form of `kind`, in the station of `rows`."""
    station = rows["station"]
    point = {"lat": "26.6612345", "lng": "119.5512345"}
    return {
        "station": {
            "sub_bureau": station.sub_bureau_id,
            "name": "新建派出所",
            "code": "new-station",
            "address": "宁德市东侨",
            "phone": "0593-1234567",
            **point,
        },
        "circle": {
            "station": station.pk,
            "name": "新的圈",
            "kind": "ecological",
            "colour": "#2e7d32",
            "is_active": "on",
            "boundary": json.dumps(square(119.57, 26.67)),
        },
        "team": {"station": station.pk, "circle": rows["circle"].pk, "name": "新的巡防队", "call_sign": "D9"},
        "post": {"station": station.pk, "name": "新的岗亭", "kind": "security_booth", **point},
        "member": {
            "station": station.pk,
            "team": rows["team"].pk,
            "name": "新队员",
            "kind": "auxiliary",
            "phone": "13700001234",
            "is_active": "on",
        },
        "informant": {
            "circle": rows["circle"].pk,
            "team": rows["team"].pk,
            "name": "新信息员",
            "kind": "sanitation_worker",
            "is_active": "on",
        },
        "camera": {
            "station": station.pk,
            "code": "CAM-NEW",
            "name": "新探头",
            "kind": "police",
            "coverage_radius_m": "80",
            "is_active": "on",
            **point,
        },
        "shift": {
            "team": rows["team"].pk,
            "starts_at": "2025-05-13T20:00",
            "ends_at": "2025-05-14T02:00",
            "route": json.dumps({"type": "LineString", "coordinates": [[119.55, 26.66], [119.552, 26.661]]}),
        },
    }[kind]


def editor(kind, request):
    """Who creates rows of `kind` in the tests: a commander, but sub-bureau staff for a new station."""
    return request.getfixturevalue("staff_user" if kind == "station" else "commander")


# --- reading --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
class PageAccessTests:
    def test_commander_sees_the_list_with_only_their_station_rows(self, client, commander, mine, theirs, kind):
        client.force_login(commander)
        response = client.get(url(kind, "list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'href="{mine[kind].get_absolute_url()}"' in html
        assert f'href="{theirs[kind].get_absolute_url()}"' not in html

    def test_sub_bureau_staff_see_every_station_in_the_list(self, client, staff_user, mine, theirs, kind):
        client.force_login(staff_user)
        html = client.get(url(kind, "list")).content.decode()
        assert f'href="{mine[kind].get_absolute_url()}"' in html
        assert f'href="{theirs[kind].get_absolute_url()}"' in html

    def test_detail_page_shows_the_row(self, client, commander, mine, kind):
        client.force_login(commander)
        response = client.get(url(kind, "detail", mine[kind]))
        assert response.status_code == 200
        assert str(mine[kind]) in response.content.decode()

    def test_another_stations_row_is_not_found(self, client, commander, theirs, kind):
        client.force_login(commander)
        assert client.get(url(kind, "detail", theirs[kind])).status_code == 404
        assert client.get(url(kind, "update", theirs[kind])).status_code == 404
        assert client.post(url(kind, "update", theirs[kind]), {"name": "x"}).status_code == 404

    def test_a_user_without_the_view_permission_is_forbidden(self, client, no_role_user, mine, kind):
        client.force_login(no_role_user)
        assert client.get(url(kind, "list")).status_code == 403
        assert client.get(url(kind, "detail", mine[kind])).status_code == 403

    def test_anonymous_visitors_are_sent_to_log_in(self, client, mine, kind):
        response = client.get(url(kind, "list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_party_affairs_can_look_but_not_add_or_change(self, client, party_officer, mine, kind):
        client.force_login(party_officer)
        assert client.get(url(kind, "detail", mine[kind])).status_code == 200
        assert client.get(url(kind, "create")).status_code == 403
        assert client.get(url(kind, "update", mine[kind])).status_code == 403
        before = MODELS[kind].objects.count()
        assert client.post(url(kind, "create"), valid_data(kind, mine)).status_code == 403
        assert MODELS[kind].objects.count() == before

    def test_the_add_and_edit_pages_open_for_an_editor(self, client, request, mine, kind):
        client.force_login(editor(kind, request))
        assert client.get(url(kind, "create")).status_code == 200
        assert client.get(url(kind, "update", mine[kind])).status_code == 200


def test_the_list_hides_add_and_the_detail_hides_edit_from_read_only_roles(client, party_officer, mine):
    client.force_login(party_officer)
    assert url("camera", "create") not in client.get(url("camera", "list")).content.decode()
    assert (
        url("camera", "update", mine["camera"])
        not in client.get(url("camera", "detail", mine["camera"])).content.decode()
    )


def test_a_station_commander_may_not_create_a_station(client, commander, mine):
    client.force_login(commander)
    assert client.get(url("station", "create")).status_code == 403
    assert url("station", "create") not in client.get(url("station", "list")).content.decode()


@pytest.mark.parametrize("kind", ["station", "circle", "post", "camera", "team", "shift"])
def test_detail_pages_of_located_things_carry_a_map(client, commander, mine, kind):
    client.force_login(commander)
    html = client.get(url(kind, "detail", mine[kind])).content.decode()
    assert 'id="minimap-features"' in html and "data-minimap" in html
    assert "portal/js/mapwidget.js" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline script


def test_the_list_searches_with_q(client, commander, mine, station):
    PostFactory(station=station, name="东方伟业广场岗亭")
    client.force_login(commander)
    html = client.get(url("post", "list"), {"q": "伟业"}).content.decode()
    assert "东方伟业广场岗亭" in html
    assert mine["post"].name not in html


def test_the_list_filters_and_its_choices_hold_only_visible_rows(client, commander, mine, theirs):
    client.force_login(commander)
    response = client.get(url("team", "list"), {"circle": mine["circle"].pk})
    assert mine["team"].name in response.content.decode()
    choices = [c.pk for c in response.context["filter_form"].fields["circle"].queryset]
    assert choices == [mine["circle"].pk]


def test_the_list_is_paginated(client, commander, station):
    CameraFactory.create_batch(55, station=station)
    client.force_login(commander)
    first = client.get(url("camera", "list"))
    assert len(first.context["rows"]) == 50
    assert client.get(url("camera", "list"), {"page": 2}).context["rows"].__len__() == 5


@pytest.mark.parametrize("kind", KINDS)
def test_list_queries_do_not_grow_with_the_rows(client, commander, station, kind, django_assert_max_num_queries):
    """No N+1: a list of many rows costs the same number of queries as a list of a few."""
    build_network(station)
    client.force_login(commander)
    client.get(url(kind, "list"))  # warm the session and the permission cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url(kind, "list"))
    for _ in range(3):
        build_network(StationFactory()) if kind == "station" else build_network(station)
    with CaptureQueriesContext(connection) as many:
        client.get(url(kind, "list"))
    assert len(many) <= len(few)


def test_shift_list_shows_hours_and_their_total(client, commander, mine):
    client.force_login(commander)
    html = client.get(url("shift", "list")).content.decode()
    assert "4.0" in html or "4.00" in html or ">4<" in html
    assert "4.0 hours in all" in html


# --- writing --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_valid_form_creates_the_row_and_the_audit_names_the_user(client, request, mine, kind):
    user = editor(kind, request)
    client.force_login(user)
    before = set(MODELS[kind].objects.values_list("pk", flat=True))
    response = client.post(url(kind, "create"), valid_data(kind, mine), follow=True)
    assert response.status_code == 200, response.context["form"].errors if response.context else ""
    created = MODELS[kind].objects.exclude(pk__in=before).get()
    assert response.redirect_chain[-1][0] == created.get_absolute_url()
    assert "alert-success" in response.content.decode()
    entry = LogEntry.objects.get_for_object(created).get(action=LogEntry.Action.CREATE)
    assert entry.actor == user


@pytest.mark.parametrize("kind", KINDS)
def test_a_valid_edit_changes_the_row_and_is_audited(client, commander, mine, kind):
    client.force_login(commander)
    obj = mine[kind]
    form = client.get(url(kind, "update", obj)).context["form"]
    # post back what the edit page shows, as a browser would
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = form[name].field.widget.format_value(value) if name in ("starts_at", "ends_at") else value
    changed_field = "notes" if kind == "shift" else "name"
    data[changed_field] = "改过的名字"
    response = client.post(url(kind, "update", obj), data)
    assert response.status_code == 302, response.context["form"].errors
    obj.refresh_from_db()
    assert getattr(obj, changed_field) == "改过的名字"
    assert LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE, actor=commander).exists()


def test_a_station_user_can_only_create_in_their_own_station(client, commander, mine, other_station):
    client.force_login(commander)
    data = {**valid_data("post", mine), "station": other_station.pk}
    assert client.post(url("post", "create"), data).status_code == 302
    assert PatrolPost.objects.get(name="新的岗亭").station == mine["station"]


def test_form_choices_hold_only_the_users_visible_rows(client, commander, mine, theirs):
    client.force_login(commander)
    form = client.get(url("member", "create")).context["form"]
    assert list(form.fields["team"].queryset) == [mine["team"]]
    assert list(form.fields["station"].queryset) == [mine["station"]]
    assert form.fields["station"].disabled


BAD_POSTS = {
    "open ring": (
        "circle",
        "boundary",
        lambda rows: {
            "boundary": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [[[119.55, 26.66], [119.56, 26.66], [119.56, 26.67], [119.55, 26.67]]],
                }
            )
        },
    ),
    "self-intersecting": (
        "circle",
        "boundary",
        lambda rows: {
            "boundary": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[119.55, 26.66], [119.56, 26.67], [119.56, 26.66], [119.55, 26.67], [119.55, 26.66]]
                    ],
                }
            )
        },
    ),
    "area out of bounds": ("circle", "boundary", lambda rows: {"boundary": json.dumps(square(121.5, 31.2))}),
    "not JSON": ("circle", "boundary", lambda rows: {"boundary": "{not json"}),
    "point out of bounds": ("post", "lat", lambda rows: {"lat": "31.2", "lng": "121.5"}),
    "camera out of bounds": ("camera", "lat", lambda rows: {"lat": "26.0", "lng": "119.55"}),
    "end before start": ("shift", "ends_at", lambda rows: {"ends_at": "2025-05-13T19:00"}),
    "route out of bounds": (
        "shift",
        "route",
        lambda rows: {"route": json.dumps({"type": "LineString", "coordinates": [[119.55, 26.66], [121.5, 31.2]]})},
    ),
    "team of another station": ("member", "team", lambda rows: {"team": rows["theirs"]["team"].pk}),
    "shift of another station's team": ("shift", "team", lambda rows: {"team": rows["theirs"]["team"].pk}),
    "duplicate post name": ("post", "name", lambda rows: {"name": rows["mine"]["post"].name}),
    "informant's team of another circle": (
        "informant",
        "team",
        lambda rows: {"team": TeamFactory(station=rows["mine"]["station"]).pk},
    ),
}


@pytest.mark.parametrize("case", BAD_POSTS, ids=list(BAD_POSTS))
def test_a_bad_form_shows_the_error_on_its_field_and_saves_nothing(client, commander, mine, theirs, case):
    kind, field, change = BAD_POSTS[case]
    client.force_login(commander)
    model = MODELS[kind]
    before = model.objects.count()
    data = {**valid_data(kind, mine), **change({"mine": mine, "theirs": theirs})}
    response = client.post(url(kind, "create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert "alert-danger" in response.content.decode()
    assert model.objects.count() == before


def test_a_bad_polygon_on_edit_leaves_the_circle_as_it_was(client, commander, mine):
    client.force_login(commander)
    circle = mine["circle"]
    boundary = circle.boundary
    data = {
        **valid_data("circle", mine),
        "name": circle.name,
        "boundary": json.dumps({"type": "Polygon", "coordinates": [[[119.55, 26.66], [119.56, 26.66]]]}),
    }
    response = client.post(url("circle", "update", circle), data)
    assert response.status_code == 200
    assert "boundary" in response.context["form"].errors
    circle.refresh_from_db()
    assert circle.boundary == boundary


def test_staff_choosing_a_team_of_another_station_get_the_models_message(client, staff_user, mine, theirs):
    client.force_login(staff_user)
    data = {**valid_data("member", mine), "team": theirs["team"].pk}
    response = client.post(url("member", "create"), data)
    assert response.context["form"].errors["team"] == ["The team belongs to another station."]
    assert not Member.objects.filter(name="新队员").exists()


# --- personal data -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["member", "informant"])
class RevealTests:
    def test_the_phone_is_masked_in_the_list_and_on_the_pages(self, client, commander, mine, kind):
        client.force_login(commander)
        phone = mine[kind].phone
        pages = (
            client.get(url(kind, "list")),
            client.get(url(kind, "detail", mine[kind])),
            client.get(url(kind, "update", mine[kind])),
        )
        for page in pages:
            html = page.content.decode()
            assert phone not in html
            assert phone[:3] + "****" + phone[-4:] in html

    def test_editing_without_retyping_the_phone_keeps_it_and_a_new_one_replaces_it(
        self, client, commander, mine, kind
    ):
        client.force_login(commander)
        obj = mine[kind]
        form = client.get(url(kind, "update", obj)).context["form"]
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data = {k: v for k, v in data.items() if v is not False}
        data["phone"] = ""
        response = client.post(url(kind, "update", obj), data)
        assert response.status_code == 302, response.context["form"].errors
        obj.refresh_from_db()
        assert obj.phone == mine[kind].phone
        data["phone"] = "13600009999"
        client.post(url(kind, "update", obj), data)
        obj.refresh_from_db()
        assert obj.phone == "13600009999"

    def test_a_reveal_with_a_reason_shows_the_phone_and_is_logged(self, client, commander, mine, kind):
        client.force_login(commander)
        obj = mine[kind]
        assert url(kind, "reveal", obj) in client.get(url(kind, "detail", obj)).content.decode()
        response = client.post(
            url(kind, "reveal", obj), {"reason": "核实警情", "field": "phone"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert obj.phone in response.content.decode()
        log = AccessLog.objects.get()
        assert (log.user, log.action, log.fields, log.reason) == (commander, "reveal", "phone", "核实警情")
        assert log.object_id == str(obj.pk)

    def test_a_reveal_without_a_reason_is_refused_and_not_logged(self, client, commander, mine, kind):
        client.force_login(commander)
        response = client.post(url(kind, "reveal", mine[kind]), {"reason": "  "}, headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert mine[kind].phone not in response.content.decode()
        assert not AccessLog.objects.exists()

    def test_a_role_without_the_permission_has_no_reveal_and_gets_403(self, client, duty_officer, mine, kind):
        client.force_login(duty_officer)
        obj = mine[kind]
        assert url(kind, "reveal", obj) not in client.get(url(kind, "detail", obj)).content.decode()
        assert client.post(url(kind, "reveal", obj), {"reason": "好奇"}).status_code == 403
        assert not AccessLog.objects.exists()

    def test_another_stations_phone_cant_be_revealed(self, client, commander, theirs, kind):
        client.force_login(commander)
        assert client.post(url(kind, "reveal", theirs[kind]), {"reason": "核实"}).status_code == 404
        assert not AccessLog.objects.exists()

    def test_a_reveal_without_javascript_gets_a_whole_page(self, client, commander, mine, kind):
        client.force_login(commander)
        response = client.post(url(kind, "reveal", mine[kind]), {"reason": "核实警情"})
        assert response.status_code == 200
        assert "<html" in response.content.decode() and mine[kind].phone in response.content.decode()


# --- the team's duty board ---------------------------------------------------------------------------------


class DutyBoardTests:
    def test_the_team_page_offers_the_allowed_moves_and_the_history(self, client, duty_officer, mine):
        client.force_login(duty_officer)
        response = client.get(url("team", "detail", mine["team"]))
        assert [s.value for s in response.context["next_states"]] == [DutyState.PATROLLING]
        assert 'id="duty-history"' in response.content.decode()

    def test_an_allowed_move_changes_the_state_and_records_who(self, client, duty_officer, mine):
        client.force_login(duty_officer)
        team = mine["team"]
        response = client.post(
            reverse("patrols:team_duty", args=[team.pk]), {"state": "patrolling"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert 'id="team-duty"' in response.content.decode()
        team.refresh_from_db()
        assert team.duty_state == DutyState.PATROLLING
        change = TeamStateChange.objects.get(team=team)
        assert (change.from_state, change.to_state, change.by) == ("off_duty", "patrolling", duty_officer)

    def test_a_refused_move_shows_why_and_changes_nothing(self, client, duty_officer, mine):
        client.force_login(duty_officer)
        team = mine["team"]
        response = client.post(
            reverse("patrols:team_duty", args=[team.pk]), {"state": "on_scene"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 400
        assert "can&#x27;t become" in response.content.decode() or "can't become" in response.content.decode()
        team.refresh_from_db()
        assert team.duty_state == DutyState.OFF_DUTY
        assert not TeamStateChange.objects.exists()

    def test_without_javascript_the_move_redirects_back_to_the_team(self, client, duty_officer, mine):
        client.force_login(duty_officer)
        team = mine["team"]
        response = client.post(reverse("patrols:team_duty", args=[team.pk]), {"state": "patrolling"})
        assert response.status_code == 302 and response["Location"] == team.get_absolute_url()

    def test_roles_without_change_permission_and_other_stations_are_refused(
        self, client, party_officer, other_commander, mine
    ):
        duty = reverse("patrols:team_duty", args=[mine["team"].pk])
        client.force_login(party_officer)
        assert client.post(duty, {"state": "patrolling"}).status_code == 403
        client.force_login(other_commander)
        assert client.post(duty, {"state": "patrolling"}).status_code == 404
        assert not TeamStateChange.objects.exists()
