"""The article template: parsing, rendering, the round trip and the error messages."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifebuoy.kb.template import (
    CATEGORIES,
    SEVERITIES,
    VISIBILITIES,
    ArticleDraft,
    parse_article,
    render_article,
)

GOOD = """\
---
category: Configuration guides
visibility: customer
tags: [git, offline]
---
# Agent stopped committing

**Issue:** The builder has gone quiet
**Affected Versions:** 1.0, 1.1
**Severity:** High

## Symptoms
- No commits from C2 for three hours
- Status table still says ONLINE

## Root Cause
The browser tab was closed.

## Solution
1. Find the last commit:

   ```bash
   git log -1 --format='%aI %s' --grep='^C2'
   ## Symptoms  <- inside a code block, so content
   ```

2. Reopen the agent.

## Prevention
Watch the heartbeat.

## Related Articles
- KB-1002
- KB-1003 (slow consolidation)

**Last Updated:** 2026-11-25
**Article ID:** KB-1001
"""


def _draft(**changes: object) -> ArticleDraft:
    base = ArticleDraft(
        title="Title",
        issue="Issue",
        affected_versions=["1.0"],
        severity="Low",
        symptoms=["one"],
        root_cause="cause",
        solution="fix",
        prevention="avoid",
    )
    return replace(base, **changes)  # type: ignore[arg-type]  # changes are test input


def _without(text: str, line: str) -> str:
    assert line in text
    return text.replace(line, "", 1)


def test_it_parses_every_field_of_a_complete_article():
    draft = parse_article(GOOD)

    assert draft.title == "Agent stopped committing"
    assert draft.issue == "The builder has gone quiet"
    assert draft.affected_versions == ["1.0", "1.1"]
    assert draft.severity == "High"
    assert draft.symptoms == [
        "No commits from C2 for three hours",
        "Status table still says ONLINE",
    ]
    assert draft.root_cause == "The browser tab was closed."
    assert draft.solution.startswith("1. Find the last commit:")
    assert "   ## Symptoms  <- inside a code block" in draft.solution
    assert draft.solution.endswith("2. Reopen the agent.")
    assert draft.prevention == "Watch the heartbeat."
    assert draft.related == ["KB-1002", "KB-1003"]
    assert draft.last_updated == date(2026, 11, 25)
    assert draft.article_id == "KB-1001"
    assert draft.category == "Configuration guides"
    assert draft.visibility == "customer"
    assert draft.tags == ["git", "offline"]


def test_it_keeps_code_blocks_verbatim_in_the_solution():
    solution = parse_article(GOOD).solution

    assert "   ```bash\n   git log -1 --format='%aI %s' --grep='^C2'\n" in solution


def test_it_renders_a_parsed_article_back_to_the_same_draft():
    draft = parse_article(GOOD)

    assert parse_article(render_article(draft)) == draft


def test_it_uses_defaults_without_front_matter():
    text = GOOD.split("---\n", 2)[2]

    draft = parse_article(text)

    assert draft.category == "Common issues & solutions"
    assert draft.visibility == "internal"
    assert draft.tags == []


def test_it_accepts_an_unpublished_draft_without_id_or_date():
    text = GOOD.replace("**Last Updated:** 2026-11-25\n", "").replace(
        "**Article ID:** KB-1001\n", ""
    )

    draft = parse_article(text)

    assert draft.article_id is None
    assert draft.last_updated is None
    assert "Article ID" not in render_article(draft)


def test_it_accepts_windows_line_endings_and_loose_case():
    text = GOOD.replace("## Root Cause", "## root cause").replace(
        "**Severity:** High", "**Severity:** high"
    )

    draft = parse_article(text.replace("\n", "\r\n"))

    assert draft.severity == "High"
    assert draft.root_cause == "The browser tab was closed."


def test_it_reads_an_empty_related_section_as_no_links():
    text = GOOD.replace("- KB-1002\n- KB-1003 (slow consolidation)\n", "None.\n")

    assert parse_article(text).related == []


def test_it_joins_an_indented_continuation_line_to_its_symptom():
    text = GOOD.replace("three hours\n", "three hours\n  on the cloud side\n")

    assert parse_article(text).symptoms[0] == "No commits from C2 for three hours on the cloud side"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (_without(GOOD, "# Agent stopped committing\n"), "title"),
        (_without(GOOD, "**Issue:** The builder has gone quiet\n"), "**Issue:**"),
        (_without(GOOD, "**Affected Versions:** 1.0, 1.1\n"), "**Affected Versions:**"),
        (_without(GOOD, "**Severity:** High\n"), "**Severity:**"),
        (_without(GOOD, "## Symptoms\n"), "Symptoms"),
        (_without(GOOD, "## Root Cause\n"), "Root Cause"),
        (_without(GOOD, "## Prevention\n"), "Prevention"),
        (_without(GOOD, "## Related Articles\n"), "Related Articles"),
        (GOOD.replace("**Severity:** High", "**Severity:** Urgent"), "severity: 'Urgent'"),
        (GOOD.replace("category: Configuration guides", "category: Howtos"), "category: 'Howtos'"),
        (GOOD.replace("visibility: customer", "visibility: public"), "visibility: 'public'"),
        (GOOD.replace("tags: [git, offline]", "tags: git"), "tags must be a list"),
        (GOOD.replace("tags: [git, offline]", "tag: [git]"), "unknown key(s) tag"),
        (GOOD.replace("tags: [git, offline]", "tags: [git, 1.0]"), "tag 1.0 is not text"),
        (GOOD.replace("category: Configuration", "category: [Configuration"), "not valid YAML"),
        (GOOD.replace("---\n# Agent", "# Agent"), "no closing '---'"),
        (GOOD.replace("**Affected Versions:** 1.0, 1.1", "**Affected Versions:**"), "version"),
        (GOOD.replace("**Issue:** The builder has gone quiet", "**Issue:**"), "issue"),
        (GOOD.replace("The browser tab was closed.", ""), "root cause: must not be empty"),
        (GOOD.replace("- KB-1002\n", "- the other article\n"), "like '- KB-1002'"),
        (GOOD.replace("2026-11-25", "25/11/2026"), "last updated: '25/11/2026'"),
        (GOOD.replace("**Article ID:** KB-1001", "**Article ID:** 1001"), "article ID: '1001'"),
        (GOOD.replace("## Prevention", "## Prevent"), "unknown section '## Prevent'"),
        (GOOD.replace("## Related Articles", "## Symptoms"), "appears twice"),
        (GOOD.replace("- Status table", "Status table"), "expected '- ' bullets"),
        (GOOD.replace("**Issue:**", "Stray text\n**Issue:**"), "before the first section"),
        (GOOD.replace("   ```\n\n2.", "\n2."), "missing section"),
    ],
)
def test_it_explains_what_is_wrong_with_a_broken_article(broken, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_article(broken)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "two\nlines"}, "title: must be a single line"),
        ({"symptoms": []}, "at least one symptom"),
        ({"affected_versions": ["1.0, 1.1"]}, "must not contain a comma"),
        ({"solution": "fine\n## Symptoms\nbad"}, "would be read as template structure"),
        ({"solution": "**Article ID:** KB-9"}, "would be read as template structure"),
        ({"solution": "```\nnever closed"}, "never closed"),
        ({"related": ["1002"]}, "related article: '1002'"),
        ({"severity": "Urgent"}, "severity"),
        ({"last_updated": datetime(2026, 1, 1, 12, 0)}, "last updated"),
    ],
)
def test_it_refuses_a_draft_that_could_not_survive_the_template(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _draft(**changes)


def test_it_normalises_whitespace_on_construction():
    draft = _draft(title="  Title  ", solution="\n\nstep one   \r\nstep two\n\n")

    assert draft.title == "Title"
    assert draft.solution == "step one\nstep two"


# --- the round-trip property -----------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("#*-`~ \t"),
    max_size=40,
)
_WORDS = st.text(alphabet=string.ascii_letters + string.digits + " .-_/:#*`~", max_size=30)
_LINE = st.one_of(
    _TEXT,
    _WORDS,
    st.sampled_from(["", "### Step 1", "1. do this", "- a bullet", "# top heading", "---"]),
    _WORDS.map(lambda w: f"    ## indented {w}"),
)
_CODE_BLOCK = st.lists(
    st.one_of(_LINE, st.sampled_from(["## Symptoms", "**Article ID:** KB-1", "~~~"])),
    max_size=4,
).map(lambda lines: "\n".join(["```bash", *lines, "```"]))


def _valid(factory: st.SearchStrategy[str], validate: str) -> st.SearchStrategy[str]:
    def ok(text: str) -> bool:
        try:
            _draft(**{validate: text})
        except ValueError:
            return False
        return True

    return factory.filter(ok)


_BODY = _valid(
    st.lists(st.one_of(_LINE, _CODE_BLOCK), min_size=1, max_size=8).map("\n".join), "solution"
)
_ONE_LINE = _valid(st.one_of(_TEXT, _WORDS), "title")
_ITEM = _ONE_LINE.filter(lambda s: "," not in s)
_IDS = st.integers(min_value=0, max_value=10**6).map(lambda n: f"KB-{n}")

DRAFTS = st.builds(
    ArticleDraft,
    title=_ONE_LINE,
    issue=_ONE_LINE,
    affected_versions=st.lists(_ITEM, min_size=1, max_size=3),
    severity=st.sampled_from(SEVERITIES),
    symptoms=st.lists(_ONE_LINE, min_size=1, max_size=4),
    root_cause=_BODY,
    solution=_BODY,
    prevention=_BODY,
    related=st.lists(_IDS, max_size=3),
    last_updated=st.none() | st.dates(),
    article_id=st.none() | _IDS,
    category=st.sampled_from(CATEGORIES),
    visibility=st.sampled_from(VISIBILITIES),
    tags=st.lists(_ITEM, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(DRAFTS)
def test_parsing_a_rendered_draft_gives_the_same_draft(draft):
    assert parse_article(render_article(draft)) == draft


@settings(max_examples=100, deadline=None)
@given(DRAFTS)
def test_rendering_is_stable(draft):
    text = render_article(draft)

    assert render_article(parse_article(text)) == text
