"""The database a deployment names in DATABASE_URL, or the embedded SQLite file by default."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

POSTGRESQL_ENGINE = "lifebuoy.core.db_backends.postgresql"

SQLITE_OPTIONS = {
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
    # transaction begins, so concurrent writers wait their turn instead of failing on upgrade.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database_from_env(url: str | None, data_dir: Path) -> dict[str, object]:
    """SQLite in ``data_dir`` unless DATABASE_URL names another database. SQLite gets the same
    safe options whether it is the default or named by DATABASE_URL."""
    if not url:
        data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": data_dir / "lifebuoy.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.update(OPTIONS=dict(SQLITE_OPTIONS), CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that needs no round trip (the module says how).
        config["ENGINE"] = POSTGRESQL_ENGINE
    return config
