"""Personal data is masked by default; reveals need the permission and a reason, and are logged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AccessLog
from portal.privacy import mask_id_number, mask_phone, masked, reveal
from tests.factories import MemberFactory


def test_phones_and_id_numbers_are_masked():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "***45"
    assert mask_id_number("11010519491231002X") == "110105********002X"


@pytest.mark.django_db
def test_a_commander_reveals_a_phone_with_a_reason_and_it_is_logged(commander):
    member = MemberFactory(station=commander.station, phone="13912345678")
    assert masked(member, "phone") == "139****5678"
    values = reveal(user=commander, instance=member, fields=["phone"], reason="联系当事人")
    assert values == {"phone": "13912345678"}
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.fields, entry.reason) == (commander, "reveal", "phone", "联系当事人")
    assert entry.object_type == "patrols.Member" and entry.object_id == str(member.pk)


@pytest.mark.django_db
def test_a_duty_officer_may_not_reveal_and_nothing_is_logged(duty_officer):
    member = MemberFactory(station=duty_officer.station)
    with pytest.raises(PermissionDenied):
        reveal(user=duty_officer, instance=member, fields=["phone"], reason="x")
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_a_reveal_without_a_reason_is_refused(commander):
    with pytest.raises(ValueError):
        reveal(user=commander, instance=MemberFactory(station=commander.station), fields=["phone"], reason="  ")
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_the_access_log_is_append_only(commander):
    reveal(user=commander, instance=MemberFactory(station=commander.station), fields=["phone"], reason="核实")
    entry = AccessLog.objects.get()
    entry.reason = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AccessLog.objects.get().reason == "核实"
