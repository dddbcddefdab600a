"""The Docker image's build step: `collectstatic` with the production storage succeeds.

The production storage (WhiteNoise's compressed manifest) rewrites every reference between static
files and refuses one that points nowhere, e.g. a `sourceMappingURL` to a source map that was not
vendored. `make run` and the tests serve files unprocessed, so only this test sees such a break.
"""

from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


class CollectstaticTests:
    def test_production_collectstatic(self, tmp_path):
        """Every static file is collected and post-processed, and the manifest names the base stylesheet."""
        with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
            call_command("collectstatic", interactive=False, verbosity=0)
        manifest = (tmp_path / "staticfiles.json").read_text(encoding="utf-8")
        assert "vendor/bootstrap/bootstrap.min.css" in manifest
