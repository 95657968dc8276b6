"""The demo's own repositories are the one local path a desk with default settings reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.diagnostics.engine.tests.gitrepo import RepoBuilder
from lifebuoy.monitoring.mirror import check_repository, demo_repositories_root
from lifebuoy.monitoring.services.polling import deployment_poll

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db
REFUSED = "Local paths are not allowed on this server; give an https:// or ssh:// URL."


@pytest.fixture(autouse=True)
def default_settings(settings):
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = False


def test_a_repository_in_the_demo_folder_is_accepted_and_no_other_path(data_dir, tmp_path):
    root = demo_repositories_root()
    assert root == data_dir / "demo-repos"
    root.mkdir(parents=True)
    (root / "inside.git").mkdir()
    (root / "leak.git").symlink_to(tmp_path / "elsewhere.git")
    assert check_repository(str(root / "inside.git")) is None
    assert check_repository(str(root / "not-built-yet.git")) is None  # and fails to clone
    for value in (
        str(tmp_path / "elsewhere.git"),
        str(root),  # the folder itself
        str(root / ".." / "mirrors" / "deployment-1.git"),
        str(root / "leak.git"),  # a link out of the folder
        str(root / "inside.git" / "nested"),
        f"file://{root / 'inside.git'}",
        str(data_dir / "lifebuoy.sqlite3"),
    ):
        assert check_repository(value) == REFUSED, value


def test_a_deployment_of_a_demo_repository_is_polled_with_default_settings(acme, alice):
    repo = RepoBuilder(demo_repositories_root() / "acme.git")
    repo.commit("C1: plan", {".consciousness/trinity/c1_to_c2.md": "# C1 → C2: TASK\n"}, at=T0)
    deployment = make_deployment(acme, alice, repo.path)
    first = deployment_poll(deployment=deployment, now=T0)
    assert (first.outcome, first.error) == ("diagnosed", "")
    # the fetch of a later poll may read it too
    head = repo.commit("C2: report", at=T0 + timedelta(minutes=5))
    later = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=10))
    assert later.outcome == "diagnosed"
    assert later.run is not None
    assert later.run.head_commit == head


def test_a_local_path_elsewhere_is_still_not_read(acme, alice, customer_repo, settings):
    customer_repo.commit("C1: plan", at=T0)
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = True  # registered while it was allowed
    deployment = make_deployment(acme, alice, customer_repo.path)
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = False
    result = deployment_poll(deployment=deployment, now=T0)
    assert (result.outcome, result.error) == ("failed", REFUSED)
