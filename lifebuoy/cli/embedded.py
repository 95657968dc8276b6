"""The environment ``lifebuoy serve`` gives the desk it runs (the web server and its worker).

DEBUG is off unless ``--debug`` is given: tracebacks and URL lists stay out of the browser. The
development settings refuse DEBUG off without a ``SECRET_KEY``, so an installation that has none
in its environment gets its own random key, generated once into the data directory (mode 0600)
and read from there on every start, so sessions survive a restart. Production settings are left
to refuse to start without a key of their own.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEV_SETTINGS = "config.settings.dev"
SECRET_KEY_FILE = "secret_key"  # noqa: S105  # a file name


def embedded_secret_key(data_dir: Path) -> str:
    """The installation's key in ``data_dir``, created on first use."""
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def serve_environment(*, debug: bool) -> None:
    """Set DEBUG (and, for the development settings, a key) for this process and its children."""
    from config.paths import data_dir_from_env  # not the settings: they read SECRET_KEY

    os.environ["DEBUG"] = "1" if debug else "0"
    module = os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEV_SETTINGS)
    if module == DEV_SETTINGS and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = embedded_secret_key(data_dir_from_env())
