from rest_framework.permissions import DjangoModelPermissions


class PortalModelPermissions(DjangoModelPermissions):
    """Model permissions of the user's role, reads included (a role without `view_x` can't list x)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
