"""Throwaway databases for the benchmarks: made from nothing each run, dropped when asked."""

from __future__ import annotations

import os
from pathlib import Path


def _postgres_admin(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return f"{base}/postgres", name


def prepare_database(url: str) -> None:
    """Start from an empty database: drop and create it (PostgreSQL) or delete the file (SQLite)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        prepare_database(url)
        return
    import psycopg

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def setup_django(url: str) -> None:
    """Point Django at ``url`` with the development settings, outside DEBUG."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
