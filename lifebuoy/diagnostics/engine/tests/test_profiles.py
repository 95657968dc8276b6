from __future__ import annotations

import pytest

from lifebuoy.diagnostics.engine.profiles import ProfileError, builtin_names, load_profile


def test_every_builtin_profile_loads():
    names = builtin_names()
    assert {
        "dual-trinity",
        "networked-triad",
        "machine-hub",
        "coordination-folder",
        "per-branch",
        "chat-file",
    } <= set(names)
    for name in names:
        assert load_profile(name).name == name


def test_defaults_come_from_the_playbook():
    profile = load_profile()
    thresholds = profile.thresholds
    assert profile.name == "dual-trinity"
    assert thresholds.agent_offline.total_seconds() == 2 * 3600
    assert thresholds.c3_validation_within.total_seconds() == 24 * 3600
    assert thresholds.consolidation_slow.total_seconds() == 30 * 60
    assert thresholds.task_slow.total_seconds() == 2 * 3600
    assert thresholds.git_size == 10**9
    assert ("C2", "C3") not in profile.allowed_pairs
    assert len(profile.agents) == 6


def test_a_customer_profile_extends_a_builtin(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: dual-trinity\nname: acme\nroles:\n  C1: {name: MECHANIC, duty: builder}\n"
        "  C2: {name: ARCHITECT, duty: coordinator}\n  C3: {name: ORACLE, duty: validator}\n"
        "thresholds:\n  agent_offline: 45m\n"
    )
    profile = load_profile(str(path))
    assert profile.thresholds.agent_offline.total_seconds() == 45 * 60
    assert profile.builder == "C1"
    assert profile.role_names["C3"] == "ORACLE"
    assert profile.thresholds.task_slow.total_seconds() == 2 * 3600


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour: red\n", "unknown setting 'colour' in the top level"),
        ("thresholds:\n  agent_offline: soon\n", "'thresholds.agent_offline' must be a duration"),
        ("thresholds:\n  git_size: huge\n", "'thresholds.git_size' must be a size"),
        ("attribution:\n  subject: ['(C[1-3']\n", "is not a valid regular expression"),
        ("attribution:\n  subject: ['^(C[1-3]):']\n", "needs a named group (?P<role>...)"),
        ("allowed_pairs: ['C1 to C2']\n", "'allowed_pairs[0]' must look like"),
        ("scope: everything\n", "'scope' must be one of branch, all-branches"),
        ("default_trinity: moon\n", "'default_trinity' must be the id of one of the trinities"),
        ("paths:\n  owned: [{pattern: x, agent: moon/C1}]\n", "'paths.owned[0].agent' must be"),
    ],
)
def test_invalid_profiles_get_one_clear_sentence(tmp_path, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: dual-trinity\nname: bad\n{body}")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert message in str(caught.value)
    assert str(caught.value).endswith(".")


def test_unknown_names_and_broken_files(tmp_path):
    with pytest.raises(ProfileError, match="No profile named 'nope'"):
        load_profile("nope")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(ProfileError, match="is not valid YAML"):
        load_profile(str(broken))
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(ProfileError, match="must be a YAML mapping"):
        load_profile(str(listing))
