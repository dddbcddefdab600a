"""The zh-Hans catalogue: complete, compiled, in step with the code, and what the pages show.

When a test here fails after strings were added or changed, regenerate and translate the catalogue:

    DEBUG=true .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles \
        --ignore=static/vendor --ignore=tests --ignore=bench --no-obsolete
    .venv/bin/python locale/translate_zh_hans.py    # add what it lists as missing to its table, run again
    DEBUG=true .venv/bin/python manage.py compilemessages --ignore=.venv
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portal import settings as portal_settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# the ignores of the makemessages command above (the docstring), which the lead runs
IGNORES = [".venv", "staticfiles", "static/vendor", "tests", "bench"]
HOW_TO_FIX = "Regenerate the catalogue as the docstring of tests/portal/test_i18n.py says."
REQUIRED = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete `#~` ones left out), header first.

    Each entry: ctxt, msgid, plural (or None), msgstr ({plural index: text}; 0 for a singular), flags.
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip("\n")):
        entry = {"ctxt": None, "msgid": None, "plural": None, "msgstr": {}, "flags": set()}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#"):
                continue
            match = _KEYWORD.match(line)
            if match:
                keyword, index, body = match.groups()
                current = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else keyword
                text = _unquote(body)
            else:
                assert line.startswith('"') and current, f"unreadable line in {path}: {line!r}"
                text = _unquote(line.strip()[1:-1])
            if isinstance(current, tuple):
                entry["msgstr"][current[1]] = entry["msgstr"].get(current[1], "") + text
            else:
                key = {"msgctxt": "ctxt", "msgid_plural": "plural"}.get(current, current)
                entry[key] = (entry[key] or "") + text
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def key_of(entry: dict) -> str:
    """The msgid as gettext stores it: with its context, if any, before an EOT character."""
    return entry["msgid"] if entry["ctxt"] is None else f"{entry['ctxt']}\x04{entry['msgid']}"


def messages(entries: list[dict]) -> list[dict]:
    """The entries without the header."""
    return [entry for entry in entries if key_of(entry) != ""]


def test_po_is_fully_translated_and_reviewed():
    entries = read_po(PO)
    header = entries[0]
    assert key_of(header) == "", "the .po has no header"
    assert "fuzzy" not in header["flags"], "the header is still marked fuzzy"
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    entries = messages(entries)
    assert len(entries) > 100, "the zh_Hans catalogue looks truncated"
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert not fuzzy, f"fuzzy entries (check them, then drop the flag): {fuzzy}"
    empty = [entry["msgid"] for entry in entries if not entry["msgstr"] or not all(entry["msgstr"].values())]
    assert not empty, f"untranslated entries: {empty}. {HOW_TO_FIX}"
    wrong_forms = [entry["msgid"] for entry in entries if entry["plural"] is not None and set(entry["msgstr"]) != {0}]
    assert not wrong_forms, f"zh has one plural form (msgstr[0] only): {wrong_forms}"


def test_placeholders_survive_translation():
    pattern = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdiouxXeEfFgGcr]|\{[^{}]*\}|</?[a-zA-Z][^<>]*>")
    bad = []
    for entry in messages(read_po(PO)):
        source = entry["plural"] if entry["plural"] is not None else entry["msgid"]
        wanted = sorted(pattern.findall(source.replace("%%", "")))
        for text in entry["msgstr"].values():
            if sorted(pattern.findall(text.replace("%%", ""))) != wanted:
                bad.append((entry["msgid"], text))
    assert not bad, f"translations that lost or changed a placeholder or tag: {bad}"


def test_mo_is_compiled_from_the_current_po():
    expected = {}
    for entry in messages(read_po(PO)):
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()):
            continue  # msgfmt leaves these out
        if entry["plural"] is None:
            expected[key_of(entry)] = entry["msgstr"][0]
        else:
            for index, text in entry["msgstr"].items():
                expected[(key_of(entry), index)] = text
    with MO.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)  # the header: its POT-Creation-Date changes with every makemessages
    stale = {k: (compiled.get(k), v) for k, v in expected.items() if compiled.get(k) != v}
    extra = sorted(str(k) for k in compiled.keys() - expected.keys())
    assert not stale and not extra, (
        f"django.mo is not compiled from the current django.po: run compilemessages. "
        f"Differing (mo, po): {dict(list(stale.items())[:20])}; only in the .mo: {extra[:20]}"
    )


def _gettext_missing() -> str | None:
    missing = [tool for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib") if shutil.which(tool) is None]
    return f"GNU gettext is not installed (no {', '.join(missing)})" if missing else None


def test_catalogue_has_every_translatable_string(tmp_path):
    reason = _gettext_missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"{reason}: .ci/run installs it; the catalogue check must run in CI")
        pytest.skip(f"{reason}: can't extract the strings of the code to compare with the catalogue")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "locale",
            "staticfiles",
            "node_modules",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
            "*.sqlite3",
            ".env",
            "test-results",
            "var",
            "media",
        ),
    )
    (copy / "locale").mkdir()
    # settings that send the output into the copy, whatever BASE_DIR the imported settings have
    (copy / "i18n_check_settings.py").write_text(
        "from pathlib import Path\n"
        "from portal.settings import *  # noqa: F403\n"
        "LOCALE_PATHS = [Path(__file__).resolve().parent / 'locale']\n"
    )
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "i18n_check_settings", "PYTHONPATH": str(copy)}
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"]
    command += [f"--ignore={pattern}" for pattern in IGNORES]
    before = PO.read_bytes()
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert PO.read_bytes() == before, "makemessages wrote into the real catalogue"
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    fresh = {key_of(entry) for entry in messages(read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    catalogue = {key_of(entry) for entry in messages(read_po(PO))}
    assert not fresh - catalogue, (
        f"strings of the code missing from the catalogue: {sorted(fresh - catalogue)}. {HOW_TO_FIX}"
    )
    assert not catalogue - fresh, f"catalogue entries no longer in the code: {sorted(catalogue - fresh)}. {HOW_TO_FIX}"


def test_the_interface_defaults_to_simplified_chinese():
    # read from the deployed settings module: test settings may run the suite in the source language
    assert portal_settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in portal_settings.LANGUAGES] == ["zh-hans", "en"]
    assert Path(portal_settings.LOCALE_PATHS[0]) == PO.parents[2]


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_on_request(client, settings):
    settings.LANGUAGE_CODE = portal_settings.LANGUAGE_CODE
    with translation.override(translation.get_language()):  # leave the active language as it was
        page = client.get("/accounts/login/")
        assert page.status_code == 200
        html = page.content.decode()
        assert '<html lang="zh-hans"' in html
        assert "登录" in html
        assert "Log in" not in html

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get("/accounts/login/")
        assert page.status_code == 200
        html = page.content.decode()
        assert '<html lang="en"' in html
        assert "Log in" in html
        assert "登录" not in html


def test_domain_terms_are_translated():
    with translation.override("zh-hans"):
        assert translation.gettext("Patrol circles") == "巡防圈"
        assert translation.gettext("Police stations") == "派出所"
        assert translation.gettext("Green ecological circle") == "绿色生态圈"
        assert translation.gettext("Off duty") == "休整"
        assert translation.ngettext("%(counter)s row", "%(counter)s rows", 3) % {"counter": 3} == "共 3 条"
