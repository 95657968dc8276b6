"""The settings refuse to run insecurely, checked in a fresh interpreter as a server starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(settings: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("settings", "env"),
    [
        ("config.settings.prod", {}),
        ("config.settings.prod", {"SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}),
        ("config.settings.dev", {"DEBUG": "0"}),
    ],
)
def test_it_refuses_to_start_without_a_real_secret_key(settings, env, tmp_path):
    result = start(settings, LIFEBUOY_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_runs_with_its_own_key_in_debug_mode(tmp_path):
    result = start("config.settings.dev", DEBUG="1", LIFEBUOY_DATA_DIR=str(tmp_path))
    assert result.stdout.strip() == "started"


def test_production_starts_with_a_secret_key_and_secure_cookies(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": "x" * 50,
            "LIFEBUOY_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["False", "True", "True"]


@pytest.mark.parametrize("url", [None, "sqlite:////tmp/lifebuoy-elsewhere.sqlite3"])
def test_sqlite_always_takes_the_write_lock_up_front_and_waits_for_it(url, tmp_path):
    from config.databases import database_from_env

    config = database_from_env(url, tmp_path)
    options = config["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 10


def test_postgresql_urls_keep_persistent_checked_connections():
    from config.databases import database_from_env

    config = database_from_env("postgres://u:p@db.internal:5432/lifebuoy", Path("/unused"))
    assert config["ENGINE"] == "lifebuoy.core.db_backends.postgresql"
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def _in_dev(code: str, tmp_path: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "LIFEBUOY_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "1",
            "LIFEBUOY_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_embedded_default_shares_its_cache_between_processes(tmp_path):
    """Two web processes (and the worker) see the same counts and the same presence."""
    _in_dev("from django.core.cache import cache; cache.set('shared', 'yes', 60)", tmp_path)
    seen = _in_dev("from django.core.cache import cache; print(cache.get('shared'))", tmp_path)
    assert seen == "yes"


@pytest.mark.parametrize(
    ("env", "location"),
    [
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, "redis://127.0.0.1:6379/0"),
        (
            {
                "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
                "LIFEBUOY_CACHE_URL": "redis://cache.internal:6379/3",
            },
            "redis://cache.internal:6379/3",
        ),
    ],
)
def test_scaled_out_the_cache_is_redis(tmp_path, env, location):
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'].rsplit('.', 1)[1], c['LOCATION'])"
    )
    assert _in_dev(code, tmp_path, **env) == f"RedisCache {location}"
