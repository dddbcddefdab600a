"""The patrol network's forms and the portal's map widgets, without going through the pages."""

from __future__ import annotations

import json

import pytest

from patrols.forms import CircleForm, MemberForm, PostForm, ShiftForm, StationForm
from portal.forms import AreaField, LineField
from portal.widgets import AreaMapWidget, LineMapWidget, PointMapWidget
from tests.factories import CircleFactory, MemberFactory, PostFactory, TeamFactory, square

pytestmark = pytest.mark.django_db


class AreaFieldTests:
    def test_a_closed_square_is_accepted_and_normalised(self):
        value = AreaField().clean(json.dumps(square(119.55, 26.66)))
        assert value["type"] == "Polygon"
        assert value["coordinates"][0][0] == value["coordinates"][0][-1]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{not json", "valid GeoJSON"),
            (json.dumps({"type": "Point", "coordinates": [119.55, 26.66]}), "Polygon or MultiPolygon"),
            (
                json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [[[119.55, 26.66], [119.56, 26.66], [119.56, 26.67], [119.55, 26.67]]],
                    }
                ),
                "closed",
            ),
            (
                json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[119.55, 26.66], [119.56, 26.67], [119.56, 26.66], [119.55, 26.67], [119.55, 26.66]]
                        ],
                    }
                ),
                "not a valid shape",
            ),
            (json.dumps(square(121.5, 31.2)), "outside"),
        ],
        ids=["not json", "a point", "open ring", "bow tie", "out of bounds"],
    )
    def test_a_bad_area_is_a_clear_error(self, text, message):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            AreaField().clean(text)
        assert message in " ".join(error.value.messages)

    def test_the_stored_area_is_shown_as_readable_json(self):
        text = AreaField().prepare_value({"type": "Polygon", "coordinates": [[[1, 2]]], "name": "东湖"})
        assert json.loads(text)["name"] == "东湖"
        assert "东湖" in text  # not \\u escapes: the text stays editable by hand

    def test_an_empty_optional_route_is_none(self):
        assert LineField(required=False).clean("") is None


class WidgetTests:
    def test_the_point_widget_is_a_number_input_followed_by_a_map_that_names_both_inputs(self):
        html = PointMapWidget().render("lng", 119.55, {"id": "id_lng"})
        assert '<input type="number" name="lng"' in html
        assert 'data-kind="point"' in html
        assert 'data-lat-input="id_lat"' in html and 'data-lng-input="id_lng"' in html

    def test_the_point_widget_keeps_a_form_prefix(self):
        html = PointMapWidget().render("post-lng", None, {"id": "id_post-lng"})
        assert 'data-lat-input="id_post-lat"' in html

    @pytest.mark.parametrize(("widget", "kind"), [(AreaMapWidget, "area"), (LineMapWidget, "line")])
    def test_the_area_and_line_widgets_keep_an_editable_textarea(self, widget, kind):
        html = widget().render("boundary", '{"type": "Polygon"}', {"id": "id_boundary"})
        assert "<textarea" in html and 'data-input="id_boundary"' in html and f'data-kind="{kind}"' in html

    def test_the_widgets_bring_leaflet_draw_and_their_script_but_no_cdn(self):
        media = str(AreaMapWidget().media)
        assert "leaflet-draw/leaflet.draw.js" in media and "portal/js/mapwidget.js" in media
        assert "http" not in media


class ScopedFormTests:
    def test_choices_are_limited_to_the_users_station(self, commander, station, other_station):
        mine, theirs = TeamFactory(station=station), TeamFactory(station=other_station)
        form = MemberForm(user=commander)
        assert list(form.fields["team"].queryset) == [mine]
        assert theirs not in form.fields["team"].queryset

    def test_a_station_users_station_is_pinned_to_their_own(self, commander, station, other_station):
        form = MemberForm(user=commander, data={"station": other_station.pk, "name": "张三", "kind": "officer"})
        assert form.fields["station"].disabled
        assert form.is_valid(), form.errors
        assert form.save().station == station

    def test_sub_bureau_staff_choose_any_station(self, staff_user, station, other_station):
        form = MemberForm(user=staff_user, data={"station": other_station.pk, "name": "张三", "kind": "officer"})
        assert not form.fields["station"].disabled
        assert form.is_valid(), form.errors
        assert form.save().station == other_station

    def test_a_point_outside_the_bounds_is_an_error_on_latitude(self, commander):
        form = PostForm(user=commander, data={"name": "岗亭", "kind": "security_booth", "lat": "31.2", "lng": "121.5"})
        assert not form.is_valid()
        assert "outside" in form.errors["lat"][0]

    def test_the_station_form_has_a_point_map(self, staff_user):
        form = StationForm(user=staff_user)
        assert form.has_map
        assert "data-map-widget" in str(form["lng"])

    def test_an_area_error_is_shown_once(self, commander, station):
        form = CircleForm(
            user=commander,
            data={"station": station.pk, "name": "圈", "kind": "ecological", "colour": "#2e7d32", "boundary": "{oops"},
        )
        assert not form.is_valid()
        assert len(form.errors["boundary"]) == 1
        assert "is-invalid" in form.fields["boundary"].widget.attrs["class"]

    def test_a_shift_ending_before_it_starts_is_an_error_on_its_end(self, commander, station):
        team = TeamFactory(station=station)
        form = ShiftForm(
            user=commander, data={"team": team.pk, "starts_at": "2025-05-13T20:00", "ends_at": "2025-05-13T08:00"}
        )
        assert not form.is_valid()
        assert form.errors["ends_at"] == ["A shift must end after it starts."]
        assert "__all__" not in form.errors

    def test_a_duplicate_post_name_is_an_error_on_the_name(self, commander, station):
        PostFactory(station=station, name="东湖岗亭")
        form = PostForm(
            user=commander, data={"name": "东湖岗亭", "kind": "security_booth", "lat": "26.66", "lng": "119.55"}
        )
        assert not form.is_valid()
        assert form.errors["name"] == ["This station already has a post of that name."]

    def test_a_duplicate_badge_number_is_an_error_on_the_badge(self, commander, station):
        MemberFactory(station=station, badge_number="012345")
        form = MemberForm(user=commander, data={"name": "李四", "kind": "officer", "badge_number": "012345"})
        assert not form.is_valid()
        assert form.errors["badge_number"] == ["Another member has this badge number."]

    def test_a_circles_boundary_round_trips_through_the_edit_form(self, commander, station):
        circle = CircleFactory(station=station)
        form = CircleForm(user=commander, instance=circle)
        assert json.loads(form["boundary"].value()) == circle.boundary
