from django.conf import settings

from .roles import Role, has_role, sees_all_stations


def portal(request) -> dict:
    """What every page's layout needs: the user's roles and scope, and the map settings."""
    user = request.user
    return {
        "user_roles": [role for role in Role if has_role(user, role)],
        "user_sees_all": sees_all_stations(user),
        "map_settings": {
            "tileUrl": settings.MAP_TILE_URL,
            "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
            "tileSubdomains": settings.MAP_TILE_SUBDOMAINS,
            "center": list(settings.MAP_CENTER),
            "bounds": list(settings.GEO_BOUNDS),
        },
    }
