"""Where the test suite finds PostgreSQL and Redis, and the second test pass on PostgreSQL.

Addresses come from the environment (LIFEBUOY_TEST_POSTGRES_URL, LIFEBUOY_TEST_REDIS_URL) with the
local defaults. Without a reachable service the tests that need it skip with the reason, unless
LIFEBUOY_REQUIRE_SERVICES=1, which turns the skip into a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlparse

POSTGRES_URL = os.environ.get(
    "LIFEBUOY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("LIFEBUOY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def services_required() -> bool:
    return os.environ.get("LIFEBUOY_REQUIRE_SERVICES") == "1"


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def postgres_reachable() -> bool:
    return reachable(POSTGRES_URL, 5432)


def redis_reachable() -> bool:
    return reachable(REDIS_URL, 6379)


def run_on_postgres(extra_args: list[str]) -> int:
    """Run the suite again with PostgreSQL as the database (browser tests ran in the first pass)."""
    if not postgres_reachable():
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}"
        if services_required():
            print(f"FAILED: {message}, and LIFEBUOY_REQUIRE_SERVICES=1.", file=sys.stderr)  # noqa: T201
            return 1
        print(f"Skipping the PostgreSQL pass: {message}.")  # noqa: T201
        return 0
    env = {**os.environ, "DATABASE_URL": POSTGRES_URL}
    cmd = [sys.executable, "-m", "pytest", "-m", "not browser", *extra_args]
    print(f"PostgreSQL pass: {' '.join(cmd[2:])} with DATABASE_URL={POSTGRES_URL}")  # noqa: T201
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "run-on-postgres":
        sys.exit(run_on_postgres(sys.argv[2:]))
    print("usage: python -m tests.services run-on-postgres [pytest args]", file=sys.stderr)  # noqa: T201
    sys.exit(2)
