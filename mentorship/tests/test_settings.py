import os
import subprocess
import sys

from django.conf import settings


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "CACHE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        # No local .env: these tests are about the defaults production gets.
        env={**base, "DJANGO_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_passes_with_production_values():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x7!k2" * 12,
        DJANGO_ALLOWED_HOSTS="mentor.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ALLOWED_HOSTS="mentor.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " 'redis' in s.CACHES['default']['BACKEND'].lower())",
        DJANGO_SECRET_KEY="x7!k2" * 12,
        DJANGO_ALLOWED_HOSTS="mentor.example.org",
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True"], result.stderr
