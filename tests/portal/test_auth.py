"""Logging in and out, locking out password guessers, session expiry and the security headers."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from portal.roles import Role
from tests.factories import user_with_role

PASSWORD = "correct-horse-battery"  # the password UserFactory gives every user
LOGIN_URL = "/accounts/login/"
BASE_DIR = Path(__file__).resolve().parents[2]


def _login(client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password})


@pytest.mark.django_db
class LoginRequiredTests:
    @pytest.mark.parametrize("url", ["/", "/map/"])
    def test_an_anonymous_visitor_is_sent_to_the_log_in_page(self, client, url):
        """Pages need a log-in: the visitor lands on the log-in form, which brings them back afterwards."""
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN_URL}?next={url}"

    def test_the_log_in_page_shows_a_form_and_the_language_switch(self, client):
        response = client.get(LOGIN_URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="login-form"' in html
        assert 'name="username"' in html and 'name="password"' in html
        assert 'id="language-form"' in html
        assert 'name="viewport"' in html

    def test_the_log_in_page_speaks_english_when_asked(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = client.get(LOGIN_URL).content.decode()
        assert '<html lang="en">' in html
        assert "Password" in html


@pytest.mark.django_db
class LogInOutTests:
    def test_logging_in_with_the_right_password_opens_the_home_page(self, client, commander):
        response = _login(client, "commander", PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.session["_auth_user_id"] == str(commander.pk)

    def test_logging_in_returns_to_the_page_asked_for(self, client, commander):
        response = client.post(
            LOGIN_URL + "?next=/map/", {"username": "commander", "password": PASSWORD, "next": "/map/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/map/"

    def test_a_wrong_password_shows_the_form_again_with_an_error(self, client, commander):
        response = _login(client, "commander", "wrong-password")
        assert response.status_code == 200
        assert 'id="login-error"' in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_logging_out_ends_the_session(self, client, commander):
        client.force_login(commander)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302

    def test_a_logged_in_user_who_opens_the_log_in_page_goes_home(self, client, commander):
        client.force_login(commander)
        response = client.get(LOGIN_URL)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")


@pytest.mark.django_db
class LockoutTests:
    def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(self, client, commander):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _login(client, "commander", "wrong-password").status_code == 200
        fifth = _login(client, "commander", "wrong-password")
        assert fifth.status_code == 429
        sixth = _login(client, "commander", PASSWORD)
        assert sixth.status_code == 429
        assert "registration/locked.html" in [t.name for t in sixth.templates]
        html = sixth.content.decode()
        assert 'id="locked"' in html
        assert "commander" in html
        assert "_auth_user_id" not in client.session

    def test_the_locked_page_says_how_long_to_wait(self, client, commander):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "commander", "wrong-password")
        html = _login(client, "commander", PASSWORD).content.decode()
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        assert f"Try again in {minutes} minutes." in html

    def test_locking_one_username_leaves_other_users_able_to_log_in(self, client, commander, station):
        """Officers share one office address, so the lock is per username and not per IP address."""
        user_with_role(Role.DUTY_OFFICER, username="duty", station=station)
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "commander", "wrong-password")
        assert _login(client, "commander", PASSWORD).status_code == 429
        response = _login(client, "duty", PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")

    def test_fewer_than_five_failures_do_not_lock_and_a_success_clears_them(self, client, commander):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            _login(client, "commander", "wrong-password")
        assert _login(client, "commander", PASSWORD).status_code == 302
        client.post(reverse("logout"))
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            _login(client, "commander", "wrong-password")
        assert _login(client, "commander", PASSWORD).status_code == 302


@pytest.mark.django_db
class SessionTests:
    def test_sessions_end_after_thirty_idle_minutes_and_each_request_extends_them(self):
        assert settings.SESSION_COOKIE_AGE == 30 * 60
        assert settings.SESSION_SAVE_EVERY_REQUEST is True

    def test_an_expired_session_sends_the_user_back_to_log_in(self, client, commander):
        assert _login(client, "commander", PASSWORD).status_code == 302
        key = client.session.session_key
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
        response = client.get("/map/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)

    def test_a_request_pushes_the_session_expiry_forward(self, client, commander):
        assert _login(client, "commander", PASSWORD).status_code == 302
        key = client.session.session_key
        soon = timezone.now() + timedelta(minutes=5)
        Session.objects.filter(session_key=key).update(expire_date=soon)
        client.get(LOGIN_URL)  # any request; the log-in page redirects a logged-in user home
        expiry = Session.objects.get(session_key=key).expire_date
        assert expiry > soon + timedelta(minutes=20)


class SecurityHeaderTests:
    @pytest.mark.django_db
    def test_pages_forbid_inline_scripts_through_the_content_security_policy(self, client):
        response = client.get(LOGIN_URL)
        policy = response["Content-Security-Policy"]
        directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
        assert directives["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in directives.get("script-src", [])
        assert "'unsafe-eval'" not in directives.get("script-src", [])
        assert directives["object-src"] == ["'none'"]

    @pytest.mark.django_db
    def test_pages_may_not_be_framed(self, client):
        response = client.get(LOGIN_URL)
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_the_deployment_check_passes_with_production_settings(self, tmp_path):
        """`manage.py check --deploy` finds nothing to warn about when DEBUG is off and secrets are set."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DEBUG": "false",
                "SECRET_KEY": "deploy-check-" + "k3y-" * 12 + "0123456789abcdefghijklmnopqrstuvwxyz",
                "ALLOWED_HOSTS": "portal.example",
                "SECURE_SSL_REDIRECT": "true",
            }
        )
        env.pop("SECURE_HSTS_SECONDS", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_a_deployment_is_refused_but_makemigrations_runs(tmp_path):
    """DEBUG off and no SECRET_KEY: `check --deploy` reports portal.E001 and the WSGI app won't load."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="false", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", ALLOWED_HOSTS="portal.example")

    def run(*args):
        return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)

    check = run("manage.py", "check", "--deploy")
    assert check.returncode != 0 and "portal.E001" in check.stderr
    assert run("-c", "import portal.wsgi").returncode != 0
    assert run("manage.py", "makemigrations", "--check", "--dry-run").returncode == 0
