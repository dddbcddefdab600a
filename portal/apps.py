from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(SimpleAdminConfig):
    """The admin, autodiscovering every app's `admin` module except django-leaflet's.

    `leaflet.admin` imports GeoDjango, which needs the GDAL system library; the portal keeps its
    install pip-only, so that one module is skipped (see DESIGN.md, "Geometry").
    """

    default = False
    skipped = {"leaflet"}

    def ready(self):
        super().ready()
        from importlib import import_module

        from django.apps import apps

        for config in apps.get_app_configs():
            if config.name in self.skipped or not module_has_submodule(config.module, "admin"):
                continue
            import_module(f"{config.name}.admin")


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import checks, signals, sync  # noqa: F401
        from .api import authcache

        sync.connect()
        authcache.connect()
