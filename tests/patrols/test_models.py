"""Patrol network models: geometry validated on save, derived circles, constraints."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from patrols.choices import PostKind
from patrols.models import PatrolShift
from tests.factories import (
    CameraFactory,
    CircleFactory,
    MemberFactory,
    PostFactory,
    ShiftFactory,
    StationFactory,
    TeamFactory,
    square,
)

pytestmark = pytest.mark.django_db


class CircleTests:
    def test_a_circle_with_an_open_ring_is_refused_on_the_boundary_field(self):
        circle = CircleFactory.build(
            station=StationFactory(),
            boundary={"type": "Polygon", "coordinates": [[[119.54, 26.65], [119.56, 26.65], [119.56, 26.67]]]},
        )
        with pytest.raises(ValidationError) as error:
            circle.full_clean()
        assert "boundary" in error.value.message_dict

    def test_a_circle_outside_the_sub_bureau_is_refused(self):
        circle = CircleFactory.build(station=StationFactory(), boundary=square(116.4, 39.9))
        with pytest.raises(ValidationError) as error:
            circle.full_clean()
        assert "boundary" in error.value.message_dict

    def test_active_hours_need_both_ends(self):
        circle = CircleFactory.build(station=StationFactory(), active_from=time(18), active_until=None)
        with pytest.raises(ValidationError) as error:
            circle.full_clean()
        assert "active_until" in error.value.message_dict

    def test_a_night_circle_spans_midnight(self):
        circle = CircleFactory(active_from=time(18), active_until=time(2))
        circle.full_clean()


class DerivedCircleTests:
    def test_a_post_inside_a_circle_gets_that_circle(self):
        inside = CircleFactory(boundary=square(119.55, 26.66))
        CircleFactory(boundary=square(119.60, 26.66))
        post = PostFactory(lat=26.661, lng=119.551)
        assert post.circle == inside

    def test_a_post_outside_every_circle_has_none(self):
        CircleFactory(boundary=square(119.55, 26.66))
        assert PostFactory(lat=26.70, lng=119.45).circle is None

    def test_moving_a_camera_moves_its_circle(self):
        first = CircleFactory(boundary=square(119.55, 26.66))
        second = CircleFactory(boundary=square(119.60, 26.66))
        camera = CameraFactory(lat=26.66, lng=119.55)
        assert camera.circle == first
        camera.lng = 119.60
        camera.save()
        assert camera.circle == second

    def test_a_point_outside_the_bounds_is_refused_on_clean(self):
        post = PostFactory.build(station=StationFactory(), lat=39.9, lng=116.4)
        with pytest.raises(ValidationError) as error:
            post.full_clean()
        assert "lat" in error.value.message_dict


class ConstraintTests:
    def test_a_shift_must_end_after_it_starts(self):
        start = datetime(2026, 5, 13, 15, tzinfo=UTC)
        with pytest.raises(IntegrityError), transaction.atomic():
            ShiftFactory(starts_at=start, ends_at=start - timedelta(hours=1))

    def test_shift_hours_and_route_length(self):
        start = datetime(2026, 5, 13, 15, tzinfo=UTC)
        shift = ShiftFactory(
            starts_at=start,
            ends_at=start + timedelta(hours=3, minutes=30),
            route={"type": "LineString", "coordinates": [[119.55, 26.660], [119.55, 26.661]]},
        )
        assert shift.hours == 3.5
        assert shift.route_length_m == 111

    def test_a_bad_route_is_refused(self):
        shift = ShiftFactory.build(team=TeamFactory(), route={"type": "LineString", "coordinates": [[0, 0]]})
        with pytest.raises(ValidationError) as error:
            shift.full_clean()
        assert "route" in error.value.message_dict

    def test_two_posts_of_one_station_cannot_share_a_name(self):
        station = StationFactory()
        PostFactory(station=station, name="岗亭")
        with pytest.raises(ValidationError):
            PostFactory.build(station=station, name="岗亭", kind=PostKind.POLICE_OFFICE).full_clean()

    def test_a_member_cannot_join_another_stations_team(self):
        team = TeamFactory()
        member = MemberFactory.build(station=StationFactory(), team=team)
        with pytest.raises(ValidationError) as error:
            member.full_clean()
        assert "team" in error.value.message_dict

    def test_camera_bearing_and_field_of_view_go_together(self):
        camera = CameraFactory.build(station=StationFactory(), bearing=90, field_of_view=None)
        with pytest.raises(ValidationError) as error:
            camera.full_clean()
        assert "field_of_view" in error.value.message_dict

    def test_a_team_position_falls_back_to_its_base_post(self):
        post = PostFactory(lat=26.661, lng=119.552)
        team = TeamFactory(station=post.station, base_post=post)
        assert team.position == (26.661, 119.552)
        assert PatrolShift.objects.count() == 0
