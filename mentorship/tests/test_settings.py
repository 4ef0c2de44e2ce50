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
        " s.CACHES['default']['BACKEND'].endswith('DatabaseCache'))",
        DJANGO_SECRET_KEY="x7!k2" * 12,
        DJANGO_ALLOWED_HOSTS="mentor.example.org",
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True"], result.stderr


def test_the_development_server_does_not_pile_up_database_connections(db):
    """runserver serves each request in a thread of its own; with persistent connections
    each thread's connection outlived it (97 of 100 slots after two evenings)."""
    import socket
    import time
    import urllib.request
    import uuid

    from django.db import connection

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    name = f"runserver-test-{uuid.uuid4().hex[:8]}"
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV_FILE",)}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_DEBUG": "true", "DJANGO_CONN_MAX_AGE": "60",
             "DJANGO_DB_APPLICATION_NAME": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        for _attempt in range(100):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        for _request in range(40):
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
        time.sleep(0.5)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name]
            )
            (open_connections,) = cursor.fetchone()
        assert open_connections <= 2
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_pyproject_pins_the_direct_dependencies_as_the_requirements_files_do():
    """Production installs requirements.txt (no pytest, Playwright or ruff); development adds
    requirements-dev.txt; pyproject.toml names the direct ones with the same pins."""
    import tomllib
    from pathlib import Path

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    base = Path(settings.BASE_DIR)

    def pins(name):
        return {
            canonicalize_name(line.split("==")[0]): line.split("==")[1]
            for line in (base / name).read_text().splitlines()
            if "==" in line and not line.startswith("#")
        }

    runtime, development = pins("requirements.txt"), pins("requirements-dev.txt")
    project = tomllib.loads((base / "pyproject.toml").read_text())["project"]
    for group, where in ((project["dependencies"], runtime),
                         (project["optional-dependencies"]["dev"], development)):  # fmt: skip
        for line in group:
            requirement = Requirement(line)
            pinned = next(iter(requirement.specifier)).version
            assert where[canonicalize_name(requirement.name)] == pinned, line
    assert not {"pytest", "playwright", "ruff", "hypothesis"} & set(runtime)
    assert not set(runtime) & set(development)


def test_a_bypass_code_left_in_production_refuses_to_start_and_fails_the_deploy_check():
    """allauth only refused it at the second step of every staff login, with a 500."""
    production = {"DJANGO_SECRET_KEY": "x7!k2" * 12, "DJANGO_ALLOWED_HOSTS": "mentor.example.org"}
    result = run_manage("check", "--deploy", DJANGO_MFA_BYPASS_CODE="000000", **production)
    assert result.returncode != 0
    assert "DJANGO_MFA_BYPASS_CODE" in result.stderr
    started = subprocess.run(
        [sys.executable, "-c", "import mentorship.wsgi"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_ENV_FILE": "", "DJANGO_DEBUG": "false",
             "DJANGO_MFA_BYPASS_CODE": "000000", **production},
    )  # fmt: skip
    assert started.returncode != 0 and "DJANGO_MFA_BYPASS_CODE" in started.stderr
    # In development it is what `make run` uses.
    assert run_manage("check", DJANGO_DEBUG="true", DJANGO_MFA_BYPASS_CODE="000000").returncode == 0
