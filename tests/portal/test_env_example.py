"""`.env.example` lists every environment variable that portal/settings.py reads, so the list can't rot."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# env("NAME"...), env.bool("NAME"...), env.db("NAME"...), env.email_url("NAME"...) and the like
READ = re.compile(r"""\benv(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def variables_read() -> set[str]:
    return set(READ.findall((ROOT / "portal" / "settings.py").read_text(encoding="utf-8")))


def variables_listed() -> set[str]:
    return set(LISTED.findall((ROOT / ".env.example").read_text(encoding="utf-8")))


class EnvExampleTests:
    def test_settings_read_variables(self):
        """The parser finds the variables (a broken regex would make the next test pass vacuously)."""
        assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "GEO_BOUNDS"} <= variables_read()

    def test_every_variable_is_listed(self):
        """Each variable settings.py reads appears in .env.example, set or as a commented default."""
        missing = variables_read() - variables_listed()
        assert not missing, f"add these to .env.example: {sorted(missing)}"
