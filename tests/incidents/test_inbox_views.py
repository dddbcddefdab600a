"""The inboxes around the incident: tips, mediation cases, hazards and service requests.

Who may see and do what, scoping (another station's row is 404), the workflow buttons (each goes
through its service; a refused one changes nothing and says why), bad forms (errors, nothing saved),
masked phones, and list query counts that don't grow with the rows.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import (
    Category,
    HazardType,
    MediationAgency,
    MediationOutcome,
    RemediationStatus,
    ServiceRequestStatus,
    TipChannel,
    TipStatus,
)
from incidents.models import Hazard, Incident, MediationCase, MediationFollowUp, MediationSession, ServiceRequest, Tip
from patrols.choices import PostKind
from portal.models import AccessLog
from tests.factories import (
    HazardFactory,
    InformantFactory,
    PostFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    TipFactory,
)

from .conftest import INSIDE_A

MODELS = {"tip": Tip, "mediation": MediationCase, "hazard": Hazard, "servicerequest": ServiceRequest}


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, so that the tests read the services' source messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def url(stem: str, page: str, *args) -> str:
    return reverse(f"incidents:{stem}_{page}", args=args)


def act(stem: str, obj, action: str) -> str:
    return reverse(f"incidents:{stem}_action", args=[obj.pk, action])


def html_of(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page with HTML entities decoded (an apostrophe is escaped as &#x27;)."""
    return unescape(html_of(response))


@pytest.fixture
def room(station):
    return PostFactory(station=station, name="警民联动调处中心", kind=PostKind.MEDIATION_ROOM)


@pytest.fixture
def dispute(report):
    return report(category=Category.DISPUTE, summary="邻里纠纷")


@pytest.fixture
def case(dispute, room, duty_officer):
    return services.mediation_open(
        incident=dispute, room=room, by=duty_officer, parties="张三\n李四", agencies=[MediationAgency.COMMUNITY]
    )


@pytest.fixture
def service_type(db):
    return ServiceTypeFactory(name="户籍证明代办", time_limit_hours=48)


def rows_of(station, circle=None) -> dict:
    """One row of every inbox in `station` (the mediation case needs a dispute incident of it)."""
    from tests.factories import IncidentFactory

    incident = IncidentFactory(station=station, category=Category.DISPUTE)
    room = PostFactory(station=station, kind=PostKind.MEDIATION_ROOM)
    return {
        "tip": TipFactory(station=station),
        "mediation": MediationCase.objects.create(
            incident=incident, station=station, room=room, parties="甲\n乙", agencies=[]
        ),
        "hazard": HazardFactory(station=station, due_date=timezone.localdate() - timedelta(days=3)),
        "servicerequest": ServiceRequestFactory(station=station),
    }


@pytest.fixture
def mine(station, circle):
    return rows_of(station)


@pytest.fixture
def theirs(other_station):
    return rows_of(other_station)


OVERDUE_BADGE = 'text-bg-danger">Overdue<'
STEMS = ["tip", "mediation", "hazard", "servicerequest"]


# --- reading and permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
class InboxAccessTests:
    def test_the_list_shows_only_the_users_station(self, client, duty_officer, mine, theirs, stem):
        client.force_login(duty_officer)
        response = client.get(url(stem, "list"))
        assert response.status_code == 200
        assert f'href="{mine[stem].get_absolute_url()}"' in html_of(response)
        assert f'href="{theirs[stem].get_absolute_url()}"' not in html_of(response)

    def test_sub_bureau_staff_see_every_station(self, client, staff_user, mine, theirs, stem):
        client.force_login(staff_user)
        html = html_of(client.get(url(stem, "list")))
        assert f'href="{mine[stem].get_absolute_url()}"' in html
        assert f'href="{theirs[stem].get_absolute_url()}"' in html

    def test_detail_and_create_pages_open_for_a_duty_officer(self, client, duty_officer, mine, stem):
        client.force_login(duty_officer)
        assert client.get(mine[stem].get_absolute_url()).status_code == 200
        assert client.get(url(stem, "create")).status_code == 200

    def test_another_stations_row_is_not_found(self, client, duty_officer, theirs, stem):
        client.force_login(duty_officer)
        assert client.get(theirs[stem].get_absolute_url()).status_code == 404
        assert client.post(act(stem, theirs[stem], "x")).status_code == 404

    def test_a_user_without_permission_is_forbidden(self, client, no_role_user, party_officer, mine, stem):
        for user in (no_role_user, party_officer):
            client.force_login(user)
            assert client.get(url(stem, "list")).status_code == 403
            assert client.get(mine[stem].get_absolute_url()).status_code == 403
            assert client.get(url(stem, "create")).status_code == 403
            before = MODELS[stem].objects.count()
            assert client.post(url(stem, "create"), {"content": "x", "title": "x"}).status_code == 403
            assert MODELS[stem].objects.count() == before

    def test_an_auditor_may_look_but_gets_no_buttons_and_no_create(self, client, auditor, mine, stem):
        client.force_login(auditor)
        response = client.get(mine[stem].get_absolute_url())
        assert response.status_code == 200
        assert response.context["action_panels"] == []
        assert client.get(url(stem, "create")).status_code == 403
        assert url(stem, "create") not in html_of(client.get(url(stem, "list")))

    def test_anonymous_visitors_are_sent_to_log_in(self, client, mine, stem):
        response = client.get(url(stem, "list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("stem", STEMS)
def test_list_queries_do_not_grow_with_the_rows(client, commander, station, stem, django_assert_max_num_queries):
    """No N+1: many rows cost no more queries than one, and a page stays under a fixed budget."""
    rows_of(station)
    client.force_login(commander)
    client.get(url(stem, "list"))  # warm the session and the permission cache
    with CaptureQueriesContext(connection) as few:
        client.get(url(stem, "list"))
    for _ in range(4):
        rows_of(station)
    with CaptureQueriesContext(connection) as many:
        client.get(url(stem, "list"))
    assert len(many) <= len(few)
    with django_assert_max_num_queries(14):
        client.get(url(stem, "list"))


def test_the_service_catalogue_lists_the_service_types(client, duty_officer, service_type, no_role_user):
    client.force_login(duty_officer)
    response = client.get(url("servicetype", "list"))
    assert response.status_code == 200
    assert "户籍证明代办" in html_of(response)
    client.force_login(no_role_user)
    assert client.get(url("servicetype", "list")).status_code == 403


# --- tips -----------------------------------------------------------------------------------------------------


class TipInboxTests:
    def test_the_inbox_opens_on_new_and_verified_tips_and_the_filter_shows_the_others(
        self, client, duty_officer, station
    ):
        new = TipFactory(station=station, content="新线索")
        dismissed = TipFactory(station=station, content="已排除线索", status=TipStatus.DISMISSED)
        client.force_login(duty_officer)
        html = html_of(client.get(url("tip", "list")))
        assert new.get_absolute_url() in html and dismissed.get_absolute_url() not in html
        html = html_of(client.get(url("tip", "list"), {"channel": TipChannel.CHAT_GROUP}))
        assert new.get_absolute_url() in html and dismissed.get_absolute_url() not in html
        html = html_of(client.get(url("tip", "list"), {"status": "dismissed"}))
        assert new.get_absolute_url() not in html and dismissed.get_absolute_url() in html
        html = html_of(client.get(url("tip", "list"), {"status": "all"}))
        assert new.get_absolute_url() in html and dismissed.get_absolute_url() in html

    def test_recording_a_tip_puts_it_in_the_users_station(self, client, duty_officer, station, circle):
        informant = InformantFactory(circle=circle)
        client.force_login(duty_officer)
        response = client.post(
            url("tip", "create"),
            {
                "channel": TipChannel.INFORMANT,
                "informant": informant.pk,
                "content": "广场出口有人聚集滋事",
                "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "lat": "26.6612",
                "lng": "119.5523",
            },
        )
        tip = Tip.objects.get()
        assert response.status_code == 302 and response["Location"] == tip.get_absolute_url()
        assert (tip.station, tip.informant, tip.status, tip.recorded_by) == (
            station,
            informant,
            TipStatus.NEW,
            duty_officer,
        )

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"lat": "31.2", "lng": "121.5"}, "lat"),
            ({"lat": "26.66", "lng": ""}, "lng"),
            ({"content": ""}, "content"),
            ({"channel": TipChannel.INFORMANT}, "informant"),
        ],
        ids=["out of bounds", "half a point", "no content", "informant channel without informant"],
    )
    def test_a_bad_tip_shows_the_error_and_saves_nothing(self, client, duty_officer, circle, change, field):
        client.force_login(duty_officer)
        data = {
            "channel": TipChannel.CHAT_GROUP,
            "content": "群内反映",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            **change,
        }
        response = client.post(url("tip", "create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors.get(field), response.context["form"].errors
        assert "alert-danger" in html_of(response)
        assert not Tip.objects.exists()

    def test_the_informant_choices_are_the_visible_informants(self, client, duty_officer, circle, circle_b):
        mine, theirs = InformantFactory(circle=circle), InformantFactory(circle=circle_b)
        client.force_login(duty_officer)
        choices = list(client.get(url("tip", "create")).context["form"].fields["informant"].queryset)
        assert mine in choices and theirs not in choices

    def test_the_informants_phone_is_masked_with_a_reveal_through_the_informant(self, client, commander, circle):
        tip = TipFactory(
            station=circle.station, channel=TipChannel.INFORMANT, informant=InformantFactory(circle=circle)
        )
        client.force_login(commander)
        html = html_of(client.get(tip.get_absolute_url()))
        assert "139****1111" in html and "13900001111" not in html
        assert reverse("patrols:informant_reveal", args=[tip.informant.pk]) in html

    def test_verify_then_dismiss_with_a_reason(self, client, duty_officer, station):
        tip = TipFactory(station=station)
        client.force_login(duty_officer)
        assert client.post(act("tip", tip, "verify")).status_code == 302
        tip.refresh_from_db()
        assert tip.status == TipStatus.VERIFIED and tip.handled_by == duty_officer
        response = client.post(act("tip", tip, "dismiss"), {"reason": "重复线索"}, follow=True)
        tip.refresh_from_db()
        assert (tip.status, tip.dismiss_reason) == (TipStatus.DISMISSED, "重复线索")
        assert "alert-success" in html_of(response)

    def test_dismissing_without_a_reason_is_refused_and_changes_nothing(self, client, duty_officer, station):
        tip = TipFactory(station=station)
        client.force_login(duty_officer)
        response = client.post(act("tip", tip, "dismiss"), {"reason": ""})
        assert response.status_code == 400
        assert response.context["action_panels"][-1].form.errors.get("reason")
        tip.refresh_from_db()
        assert tip.status == TipStatus.NEW

    def test_converting_a_verified_tip_creates_the_incident_and_goes_there(self, client, duty_officer, circle):
        tip = services.tip_verify(tip=TipFactory(station=circle.station, content="广场打架\n详情"), by=duty_officer)
        client.force_login(duty_officer)
        form = client.get(url("tip", "convert", tip.pk)).context["form"]
        assert form.initial["summary"] == "广场打架"
        response = client.post(
            url("tip", "convert", tip.pk), {"category": Category.FIGHT, "priority": "P2", "summary": "广场打架"}
        )
        incident = Incident.objects.get()
        tip.refresh_from_db()
        assert tip.status == TipStatus.CONVERTED and tip.incident == incident
        assert response.status_code == 302
        assert response["Location"] == (incident.get_absolute_url() or tip.get_absolute_url())

    def test_converting_a_dismissed_tip_is_refused_with_the_message(self, client, duty_officer, circle):
        tip = services.tip_dismiss(tip=TipFactory(station=circle.station), by=duty_officer, reason="无效")
        client.force_login(duty_officer)
        assert client.get(tip.get_absolute_url()).context["can_convert"] is False
        response = client.post(
            url("tip", "convert", tip.pk), {"category": Category.FIGHT, "priority": "P2", "summary": "x"}
        )
        assert response.status_code == 200
        assert "can't become" in text_of(response)
        assert not Incident.objects.exists()
        tip.refresh_from_db()
        assert tip.status == TipStatus.DISMISSED

    def test_verifying_a_dismissed_tip_is_refused_with_the_message(self, client, duty_officer, station):
        tip = TipFactory(station=station, status=TipStatus.DISMISSED, dismiss_reason="x")
        client.force_login(duty_officer)
        response = client.post(act("tip", tip, "verify"))
        assert response.status_code == 400
        assert "Dismissed" in html_of(response)
        tip.refresh_from_db()
        assert tip.status == TipStatus.DISMISSED

    def test_a_tip_without_a_location_needs_one_to_convert(self, client, duty_officer, circle):
        tip = TipFactory(station=circle.station, lat=None, lng=None, status=TipStatus.VERIFIED)
        client.force_login(duty_officer)
        data = {"category": Category.FIGHT, "priority": "P2", "summary": "x"}
        response = client.post(url("tip", "convert", tip.pk), data)
        assert response.context["form"].errors.get("lat")
        assert not Incident.objects.exists()
        response = client.post(url("tip", "convert", tip.pk), {**data, "lat": INSIDE_A[0], "lng": INSIDE_A[1]})
        assert response.status_code == 302 and Incident.objects.count() == 1


# --- mediation --------------------------------------------------------------------------------------------------


class MediationTests:
    def test_opening_a_case_from_a_dispute(self, client, duty_officer, dispute, room):
        client.force_login(duty_officer)
        form = client.get(url("mediation", "create"), {"incident": dispute.pk}).context["form"]
        assert form.initial["incident"] == dispute.number
        assert list(form.fields["room"].queryset) == [room]
        response = client.post(
            url("mediation", "create"),
            {
                "incident": dispute.number,
                "room": room.pk,
                "parties": "张三\n李四",
                "agencies": [MediationAgency.COMMUNITY, MediationAgency.COURT],
                "mediator": "王调解员",
            },
        )
        case = MediationCase.objects.get()
        assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
        assert case.agencies == [MediationAgency.COMMUNITY, MediationAgency.COURT]
        assert case.outcome == MediationOutcome.PENDING and case.opened_by == duty_officer

    def test_a_non_dispute_incident_is_refused_with_the_services_message(self, client, duty_officer, report, room):
        fight = report(category=Category.FIGHT)
        client.force_login(duty_officer)
        response = client.post(
            url("mediation", "create"), {"incident": fight.number, "room": room.pk, "parties": "张三"}
        )
        assert response.status_code == 200
        assert "Only a dispute incident can go to mediation." in html_of(response)
        assert not MediationCase.objects.exists()

    def test_another_stations_incident_or_room_cant_be_chosen(
        self, client, duty_officer, dispute, other_station, theirs
    ):
        other_room = PostFactory(station=other_station, kind=PostKind.MEDIATION_ROOM)
        client.force_login(duty_officer)
        response = client.post(
            url("mediation", "create"),
            {"incident": theirs["mediation"].incident.number, "room": other_room.pk, "parties": "张三"},
        )
        form = response.context["form"]
        assert form.errors.get("incident") and form.errors.get("room")
        assert MediationCase.objects.count() == 1  # theirs only

    def test_a_session_then_a_settlement_then_a_follow_up(self, client, duty_officer, case):
        client.force_login(duty_officer)
        today = timezone.localdate().isoformat()
        response = client.post(
            act("mediation", case, "session"),
            {"session-held_on": today, "session-notes": "双方陈述", "session-attendees": "张三、李四"},
        )
        assert response.status_code == 302
        assert MediationSession.objects.get(case=case).notes == "双方陈述"
        response = client.post(act("mediation", case, "close"), {"close-outcome": "settled", "close-agreement": ""})
        assert response.status_code == 400
        assert "A settlement needs the agreement text." in html_of(response)
        case.refresh_from_db()
        assert case.outcome == MediationOutcome.PENDING
        client.post(act("mediation", case, "close"), {"close-outcome": "settled", "close-agreement": "赔偿500元"})
        case.refresh_from_db()
        assert (case.outcome, case.agreement) == (MediationOutcome.SETTLED, "赔偿500元")
        client.post(
            act("mediation", case, "followup"),
            {"followup-visited_on": today, "followup-agreement_kept": "true", "followup-notes": "已履行"},
        )
        assert MediationFollowUp.objects.get(case=case).agreement_kept is True
        html = html_of(client.get(case.get_absolute_url()))
        assert "双方陈述" in html and "已履行" in html and "张三" in html and "Community" in html

    def test_a_session_of_a_closed_case_is_refused(self, client, duty_officer, case):
        services.mediation_close(case=case, by=duty_officer, outcome=MediationOutcome.FAILED)
        client.force_login(duty_officer)
        response = client.post(
            act("mediation", case, "session"),
            {"session-held_on": timezone.localdate().isoformat(), "session-notes": "x"},
        )
        assert response.status_code == 400
        assert "The case is closed: no more sessions." in html_of(response)
        assert not MediationSession.objects.exists()

    def test_the_list_filters_by_outcome(self, client, duty_officer, case, mine):
        client.force_login(duty_officer)
        html = html_of(client.get(url("mediation", "list"), {"outcome": "pending"}))
        assert case.get_absolute_url() in html


# --- hazards -----------------------------------------------------------------------------------------------------


def hazard_data(**change) -> dict:
    return {
        "title": "东湖栈道护栏松动",
        "kind": HazardType.STRUCTURE,
        "severity": "high",
        "lat": "26.6612",
        "lng": "119.5523",
        "warn_radius_m": "150",
        "reported_by_kind": "department",
        "reported_by_text": "公园管理处",
        "due_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
        **change,
    }


class HazardTests:
    def test_reporting_a_hazard(self, client, duty_officer, station, circle):
        client.force_login(duty_officer)
        response = client.post(url("hazard", "create"), hazard_data())
        hazard = Hazard.objects.get()
        assert response.status_code == 302 and response["Location"] == hazard.get_absolute_url()
        assert (hazard.station, hazard.circle, hazard.warn_radius_m) == (station, circle, 150)

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"lat": "31.2", "lng": "121.5"}, "lat"),
            ({"lat": ""}, "lat"),
            ({"title": ""}, "title"),
            ({"warn_radius_m": "0"}, None),
        ],
        ids=["out of bounds", "no point", "no title", "radius out of range"],
    )
    def test_a_bad_hazard_shows_the_error_and_saves_nothing(self, client, duty_officer, circle, change, field):
        client.force_login(duty_officer)
        response = client.post(url("hazard", "create"), hazard_data(**change))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors.get(field) if field else errors, errors
        assert not Hazard.objects.exists()

    def test_overdue_hazards_are_flagged_and_filtered(self, client, duty_officer, station):
        late = HazardFactory(station=station, title="逾期隐患", due_date=timezone.localdate() - timedelta(days=1))
        on_time = HazardFactory(station=station, title="未到期隐患", due_date=timezone.localdate() + timedelta(days=5))
        client.force_login(duty_officer)
        response = client.get(url("hazard", "list"))
        html = html_of(response)
        assert html.count(OVERDUE_BADGE) == 1
        html = html_of(client.get(url("hazard", "list"), {"overdue": "true"}))
        assert late.get_absolute_url() in html and on_time.get_absolute_url() not in html

    def test_the_detail_map_shows_the_point_and_the_warn_radius(self, client, duty_officer, station):
        hazard = HazardFactory(station=station, warn_radius_m=250)
        client.force_login(duty_officer)
        response = client.get(hazard.get_absolute_url())
        point = response.context["map_features"]["features"][-1]
        assert point["properties"]["radius"] == 250
        assert point["geometry"]["coordinates"] == [hazard.lng, hazard.lat]
        assert 'id="minimap-features"' in html_of(response)

    def test_status_buttons_move_the_hazard_and_a_refused_move_changes_nothing(self, client, duty_officer, station):
        hazard = HazardFactory(station=station)
        client.force_login(duty_officer)
        response = client.post(act("hazard", hazard, "status"), {"status": "closed"})
        assert response.status_code == 400
        assert "can't become" in text_of(response)
        hazard.refresh_from_db()
        assert hazard.status == RemediationStatus.OPEN
        client.post(act("hazard", hazard, "status"), {"status": "in_progress", "note": "已设警示牌"})
        hazard.refresh_from_db()
        assert (hazard.status, hazard.status_note) == (RemediationStatus.IN_PROGRESS, "已设警示牌")
        panel = client.get(hazard.get_absolute_url()).context["action_panels"][0]
        assert [value for value, _label in panel.buttons] == [RemediationStatus.REMEDIATED]


# --- service requests --------------------------------------------------------------------------------------------


class ServiceRequestTests:
    def test_receiving_a_request_sets_its_due_time(self, client, duty_officer, station, service_type):
        client.force_login(duty_officer)
        response = client.post(
            url("servicerequest", "create"),
            {"service_type": service_type.pk, "requester_name": "陈女士", "phone": "13712345678", "details": "开证明"},
        )
        request = ServiceRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
        assert request.station == station
        assert request.due_at - request.received_at == timedelta(hours=48)

    def test_a_bad_request_shows_errors_and_saves_nothing(self, client, duty_officer, service_type):
        client.force_login(duty_officer)
        response = client.post(
            url("servicerequest", "create"),
            {"service_type": service_type.pk, "requester_name": "", "phone": "not a phone"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors.get("requester_name")
        assert not ServiceRequest.objects.exists()

    def test_sub_bureau_staff_must_choose_the_station(self, client, staff_user, service_type, station):
        client.force_login(staff_user)
        data = {"service_type": service_type.pk, "requester_name": "陈女士"}
        response = client.post(url("servicerequest", "create"), data)
        assert response.context["form"].errors.get("station")
        assert client.post(url("servicerequest", "create"), {**data, "station": station.pk}).status_code == 302

    def test_the_phone_is_masked_in_the_list_and_on_the_page_and_a_reveal_is_logged(self, client, commander, station):
        request = ServiceRequestFactory(station=station)
        client.force_login(commander)
        for page in (url("servicerequest", "list"), request.get_absolute_url()):
            html = html_of(client.get(page))
            assert "139****2222" in html and "13900002222" not in html
        response = client.post(url("servicerequest", "reveal", request.pk), {"field": "phone", "reason": "回访"})
        assert "13900002222" in html_of(response)
        assert AccessLog.objects.filter(user=commander, object_id=str(request.pk), reason="回访").exists()

    def test_a_duty_officer_may_not_reveal_the_phone(self, client, duty_officer, station):
        request = ServiceRequestFactory(station=station)
        client.force_login(duty_officer)
        response = client.post(url("servicerequest", "reveal", request.pk), {"field": "phone", "reason": "x"})
        assert response.status_code == 403
        assert not AccessLog.objects.exists()

    def test_start_then_complete_and_a_completion_without_result_is_refused(self, client, duty_officer, station):
        request = ServiceRequestFactory(station=station)
        client.force_login(duty_officer)
        assert client.post(act("servicerequest", request, "start")).status_code == 302
        response = client.post(act("servicerequest", request, "complete"), {"text": ""})
        assert response.status_code == 400
        assert "Say what was done." in html_of(response)
        request.refresh_from_db()
        assert request.status == ServiceRequestStatus.IN_PROGRESS
        client.post(act("servicerequest", request, "complete"), {"text": "证明已开具"})
        request.refresh_from_db()
        assert (request.status, request.result) == (ServiceRequestStatus.COMPLETED, "证明已开具")
        response = client.post(act("servicerequest", request, "reject"), {"text": "x"})
        assert response.status_code == 400
        request.refresh_from_db()
        assert request.status == ServiceRequestStatus.COMPLETED

    def test_overdue_requests_are_flagged(self, client, duty_officer, station, service_type):
        long_ago = timezone.now() - timedelta(hours=72)
        late = ServiceRequestFactory(station=station, service_type=service_type, received_at=long_ago)
        ServiceRequestFactory(station=station, service_type=service_type)
        client.force_login(duty_officer)
        html = html_of(client.get(url("servicerequest", "list")))
        assert html.count(OVERDUE_BADGE) == 1
        html = html_of(client.get(url("servicerequest", "list"), {"overdue": "true"}))
        assert late.get_absolute_url() in html
