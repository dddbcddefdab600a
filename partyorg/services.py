"""Multi-step writes of the party organisation. Forms, the admin and the demo call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from patrols.models import Member
from portal.audit import audited

from .models import PartyMember, Secondment


@audited
@transaction.atomic
def party_member_save(*, party_member: PartyMember, by=None) -> PartyMember:
    """Put a member on (or update them in) a branch's party roll, and mark the patrol member a party member.

    The roll is the record; `Member.is_party_member` follows it (see the models' docstring).
    """
    party_member.full_clean()
    party_member.save()
    Member.objects.filter(pk=party_member.member_id, is_party_member=False).update(is_party_member=True)
    return party_member


@audited
@transaction.atomic
def party_member_remove(*, party_member: PartyMember, by=None) -> None:
    """Take a member off the party roll (their zones, posts and rota lines go with it); clear the flag."""
    if party_member.secondments.exists():
        raise ValidationError(_("The member has secondments on record: end them instead of removing the member."))
    member_id = party_member.member_id
    party_member.zones.clear()
    party_member.vanguard_posts.clear()
    party_member.delete()
    Member.objects.filter(pk=member_id).update(is_party_member=False)


@audited
def secondment_save(*, secondment: Secondment, by=None) -> Secondment:
    """Create or change a secondment, refusing one that overlaps another of the same member.

    The member's roll row is locked while the overlap is checked and the row written, so two
    concurrent saves can't both pass the check; on PostgreSQL the exclusion constraint is the last
    guard, and its violation comes back as the same clear error.
    """
    try:
        with transaction.atomic():
            PartyMember.objects.select_for_update().filter(pk=secondment.member_id).first()
            secondment.full_clean()
            secondment.save()
    except IntegrityError as error:
        if "no_overlap" not in str(error):
            raise
        raise ValidationError(
            {"starts_on": _("%(member)s already holds a secondment in that period.") % {"member": secondment.member}}
        ) from error
    return secondment


@audited
@transaction.atomic
def save_with_people(*, instance, by=None, **people: Iterable) -> None:
    """Save a zone, vanguard post or activity together with the people attached to it.

    The row is validated (`full_clean`), then the people by the model's own `validate_people`
    (many-to-many rows can't be checked in `clean()`); nothing is written when either refuses.
    """
    instance.full_clean()
    instance.validate_people(**people)
    instance.save()
    for name, rows in people.items():
        getattr(instance, name).set(rows)
    return instance
