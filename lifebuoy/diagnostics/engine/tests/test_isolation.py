"""The engine stays Django-free, and only repo.py runs git."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent
FORBIDDEN = ("django", "celery", "lifebuoy.core")


def engine_modules():
    return [p for p in ENGINE.rglob("*.py") if "tests" not in p.relative_to(ENGINE).parts]


def test_no_engine_module_imports_django_celery_or_core():
    for path in engine_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_only_repo_py_starts_processes():
    for path in engine_modules():
        if path.name == "repo.py":
            continue
        text = path.read_text()
        assert "subprocess" not in text, path.name
        assert "os.system" not in text, path.name


def test_running_the_doctor_loads_no_django(tmp_path):
    code = (
        "import sys, datetime\n"
        "from pathlib import Path\n"
        "from lifebuoy.cli.app import build\n"
        "from typer.testing import CliRunner\n"
        f"CliRunner().invoke(build(), ['doctor', {str(tmp_path)!r}])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'celery')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_progress_bar_only_draws_when_asked():
    from lifebuoy.cli.commands.doctor import LARGE_REPOSITORY, _ProgressBar

    quiet = _ProgressBar(enabled=False)
    quiet.advance(LARGE_REPOSITORY * 10)
    assert quiet._progress is None
    live = _ProgressBar(enabled=True)
    live.advance(LARGE_REPOSITORY - 1)
    assert live._progress is None
    with live:
        live.advance(LARGE_REPOSITORY)
        assert live._progress is not None
