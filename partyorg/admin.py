"""Admin of the party organisation. Every queryset and choice goes through `visible_to(user)`."""

from django.contrib import admin

from portal.admin import ScopedAdmin, _visible

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


class PartyAdmin(ScopedAdmin):
    """Scoped like every admin, the many-to-many choices (members, informants, participants) too."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and getattr(field, "queryset", None) is not None:
            field.queryset = _visible(field.queryset, request.user)
        return field


@admin.register(PartyBranch)
class BranchAdmin(PartyAdmin):
    list_display = ["name", "station", "secretary", "founded_on"]
    list_select_related = ["station", "secretary"]
    search_fields = ["name"]


@admin.register(PartyGroup)
class GroupAdmin(PartyAdmin):
    list_display = ["name", "branch", "team", "leader"]
    list_select_related = ["branch", "team", "leader__member"]
    search_fields = ["name"]


@admin.register(PartyMember)
class PartyMemberAdmin(PartyAdmin):
    list_display = ["member", "branch", "group", "role", "joined_on"]
    list_filter = ["role", "branch"]
    list_select_related = ["member", "branch", "group"]
    search_fields = ["member__name", "member__badge_number"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # taking a member off the roll goes through `party_member_remove` (the member's page, "Remove"):
        # a bare delete would leave `Member.is_party_member` set and skip the secondments check
        return False


@admin.register(ResponsibilityZone)
class ZoneAdmin(PartyAdmin):
    list_display = ["name", "circle"]
    list_select_related = ["circle"]
    filter_horizontal = ["members", "informants"]
    search_fields = ["name", "tasks"]


class DutyInline(admin.TabularInline):
    model = VanguardDuty
    extra = 0


@admin.register(VanguardPost)
class VanguardPostAdmin(PartyAdmin):
    list_display = ["post", "pledge"]
    list_select_related = ["post"]
    filter_horizontal = ["members", "informants"]
    inlines = [DutyInline]


@admin.register(VanguardDuty)
class DutyAdmin(PartyAdmin):
    list_display = ["vanguard_post", "member", "weekday", "on_date", "starts", "ends"]
    list_select_related = ["vanguard_post__post", "member__member"]


@admin.register(CommunityBranch)
class CommunityBranchAdmin(PartyAdmin):
    list_display = ["name", "community", "station", "address"]
    list_select_related = ["station"]
    search_fields = ["name", "community"]


@admin.register(Secondment)
class SecondmentAdmin(PartyAdmin):
    list_display = ["member", "community_branch", "position", "starts_on", "ends_on"]
    list_select_related = ["member__member", "community_branch"]
    date_hierarchy = "starts_on"


@admin.register(Partner)
class PartnerAdmin(PartyAdmin):
    # the phone is personal data: never in the changelist, where it would be shown unmasked
    list_display = ["name", "kind", "station", "circle", "agreement_signed_on", "agreement_ends_on", "contact_name"]
    list_filter = ["kind", "station"]
    list_select_related = ["station", "circle"]
    search_fields = ["name", "contact_name"]


@admin.register(VolunteerActivity)
class ActivityAdmin(PartyAdmin):
    list_display = ["held_on", "title", "kind", "station", "beneficiaries", "hours"]
    list_filter = ["kind", "station"]
    list_select_related = ["station"]
    filter_horizontal = ["participants"]
    date_hierarchy = "held_on"
    search_fields = ["title", "place"]
