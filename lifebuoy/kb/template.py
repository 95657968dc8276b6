"""The knowledge-base article template: parse it from Markdown and render it back.

An article is written in the support playbook's template form, optionally preceded by a
small YAML front-matter block that carries what the template itself has no line for::

    ---
    category: Common issues & solutions
    visibility: customer
    tags: [git, offline]
    ---
    # Title

    **Issue:** What the customer experiences
    **Affected Versions:** 1.0, 1.1
    **Severity:** High

    ## Symptoms
    - one symptom per bullet

    ## Root Cause
    ...

    ## Solution
    ...

    ## Prevention
    ...

    ## Related Articles
    - KB-1002

    **Last Updated:** 2026-11-25
    **Article ID:** KB-1001

This module is pure Python (no Django) so the seed loader, the CLI and the editor share it.

Invariants:
- ``ArticleDraft`` normalises itself on construction (surrounding whitespace, line endings,
  trailing spaces) and rejects anything that could not be rendered and parsed back unchanged,
  so ``parse_article(render_article(d)) == d`` holds for every draft that can be built.
- Structure is recognised only outside fenced code blocks: a ``## Symptoms`` line inside a
  fenced block is content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal, TypeVar, cast, get_args

import yaml

Severity = Literal["Low", "Medium", "High", "Critical"]
Category = Literal[
    "Common issues & solutions",
    "Configuration guides",
    "Integration how-tos",
    "Performance optimization",
    "Security best practices",
]
Visibility = Literal["internal", "customer"]

SEVERITIES: Final[tuple[Severity, ...]] = get_args(Severity)
CATEGORIES: Final[tuple[Category, ...]] = get_args(Category)
VISIBILITIES: Final[tuple[Visibility, ...]] = get_args(Visibility)

DEFAULT_CATEGORY: Final[Category] = "Common issues & solutions"
# A draft without front matter is kept away from customers until someone decides otherwise.
DEFAULT_VISIBILITY: Final[Visibility] = "internal"

ARTICLE_ID_RE: Final = re.compile(r"KB-[0-9]+")
_ARTICLE_ID_FULL_RE: Final = re.compile(r"^KB-[0-9]+$")

# Section headings in rendering order; parsing accepts them in any order and any letter case.
SECTION_SYMPTOMS: Final = "Symptoms"
SECTION_ROOT_CAUSE: Final = "Root Cause"
SECTION_SOLUTION: Final = "Solution"
SECTION_PREVENTION: Final = "Prevention"
SECTION_RELATED: Final = "Related Articles"
SECTIONS: Final[tuple[str, ...]] = (
    SECTION_SYMPTOMS,
    SECTION_ROOT_CAUSE,
    SECTION_SOLUTION,
    SECTION_PREVENTION,
    SECTION_RELATED,
)

FIELD_ISSUE: Final = "Issue"
FIELD_VERSIONS: Final = "Affected Versions"
FIELD_SEVERITY: Final = "Severity"
FIELD_LAST_UPDATED: Final = "Last Updated"
FIELD_ARTICLE_ID: Final = "Article ID"
FIELDS: Final[tuple[str, ...]] = (
    FIELD_ISSUE,
    FIELD_VERSIONS,
    FIELD_SEVERITY,
    FIELD_LAST_UPDATED,
    FIELD_ARTICLE_ID,
)

FRONT_MATTER_KEYS: Final[tuple[str, ...]] = ("category", "visibility", "tags")

_HEADING_RE: Final = re.compile(r"^##(?:[ \t]+(.*?))?[ \t]*$")
_TITLE_RE: Final = re.compile(r"^#[ \t]+(.*?)[ \t]*$")
_FIELD_RE: Final = re.compile(
    r"^\*\*(" + "|".join(re.escape(name) for name in FIELDS) + r"):\*\*[ \t]*(.*?)[ \t]*$",
    re.IGNORECASE,
)
_FENCE_OPEN_RE: Final = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_BULLET_RE: Final = re.compile(r"^[-*+][ \t]+(.*?)[ \t]*$")
_EMPTY_RELATED: Final = frozenset({"", "none", "none.", "-", "n/a"})

_T = TypeVar("_T", bound=str)
_V = TypeVar("_V")
_SECTION_NAMES: Final = {name.lower(): name for name in SECTIONS}
_FIELD_NAMES: Final = {name.lower(): name for name in FIELDS}


@dataclass
class ArticleDraft:
    """One article in template form; validated and normalised on construction."""

    title: str
    issue: str
    affected_versions: list[str]
    severity: Severity
    symptoms: list[str]
    root_cause: str
    solution: str
    prevention: str
    related: list[str] = field(default_factory=list)
    last_updated: date | None = None
    article_id: str | None = None
    category: Category = DEFAULT_CATEGORY
    visibility: Visibility = DEFAULT_VISIBILITY
    tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.title = _one_line("title", self.title)
        self.issue = _one_line("issue", self.issue)
        self.affected_versions = _items("affected version", self.affected_versions, comma=False)
        if not self.affected_versions:
            raise ValueError("affected versions: name at least one version")
        self.severity = _choice("severity", self.severity, SEVERITIES)
        self.symptoms = _items("symptom", self.symptoms, comma=True)
        if not self.symptoms:
            raise ValueError("symptoms: list at least one symptom")
        self.root_cause = _body("root cause", self.root_cause)
        self.solution = _body("solution", self.solution)
        self.prevention = _body("prevention", self.prevention)
        self.related = [_article_id("related article", ref) for ref in self.related]
        if self.article_id is not None:
            self.article_id = _article_id("article ID", self.article_id)
        self.last_updated = _plain_date(self.last_updated)
        self.category = _choice("category", self.category, CATEGORIES)
        self.visibility = _choice("visibility", self.visibility, VISIBILITIES)
        self.tags = _items("tag", self.tags, comma=False)


# --- validation helpers -------------------------------------------------------------------


def _normalise(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _one_line(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected text, got {value!r}")
    text = _normalise(value)
    if not text:
        raise ValueError(f"{name}: must not be empty")
    if "\n" in text:
        raise ValueError(f"{name}: must be a single line")
    return text


def _items(name: str, values: object, *, comma: bool) -> list[str]:
    if not isinstance(values, list):
        raise ValueError(f"{name}s: expected a list, got {values!r}")
    items = [_one_line(name, value) for value in values]
    if not comma:
        for item in items:
            if "," in item:
                raise ValueError(f"{name} {item!r}: must not contain a comma")
    return items


def _choice(name: str, value: object, allowed: tuple[_T, ...]) -> _T:
    for option in allowed:
        if value == option:
            return option
    choices = ", ".join(allowed)
    raise ValueError(f"{name}: {value!r} is not one of: {choices}")


def _plain_date(value: object) -> date | None:
    # A datetime is a date subclass, but its time part would not survive the template.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise ValueError(f"last updated: expected a date such as 2026-11-25, got {value!r}")


def _article_id(name: str, value: object) -> str:
    if not isinstance(value, str) or not _ARTICLE_ID_FULL_RE.match(value.strip()):
        raise ValueError(f"{name}: {value!r} is not an article ID like KB-1001")
    return value.strip()


def _body(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected text, got {value!r}")
    text = _normalise(value)
    if not text:
        raise ValueError(f"{name}: must not be empty")
    fence: tuple[str, int] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        fence, in_code = _step_fence(fence, line)
        if in_code:
            continue
        if _HEADING_RE.match(line) or _FIELD_RE.match(line):
            raise ValueError(
                f"{name}: line {number} {line!r} would be read as template structure; "
                "use '###' for sub-headings or put it inside a code block"
            )
    if fence is not None:
        raise ValueError(f"{name}: a code block opened with {fence[0] * fence[1]} is never closed")
    return text


def _step_fence(fence: tuple[str, int] | None, line: str) -> tuple[tuple[str, int] | None, bool]:
    """Track fenced code blocks. Returns the new fence state and whether ``line`` is code."""
    if fence is not None:
        char, length = fence
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) <= 3:
            run = len(stripped) - len(stripped.lstrip(char))
            if run >= length and not stripped[run:].strip():
                return None, True
        return fence, True
    match = _FENCE_OPEN_RE.match(line)
    if match is None:
        return None, False
    marker, info = match.group(1), match.group(2)
    if marker[0] == "`" and "`" in info:
        return None, False
    return (marker[0], len(marker)), True


# --- parsing ------------------------------------------------------------------------------


def parse_article(markdown_text: str) -> ArticleDraft:
    """Read an article in template form. Raises ``ValueError`` naming what is missing or wrong."""
    lines = markdown_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front, start = _split_front_matter(lines)
    title, fields, sections = _scan(lines, start)

    for name in (FIELD_ISSUE, FIELD_VERSIONS, FIELD_SEVERITY):
        if name not in fields:
            raise ValueError(f"missing field line '**{name}:** ...'")
    for name in SECTIONS:
        if name not in sections:
            raise ValueError(f"missing section '## {name}'")

    return ArticleDraft(
        title=title,
        issue=fields[FIELD_ISSUE],
        affected_versions=[v.strip() for v in fields[FIELD_VERSIONS].split(",") if v.strip()],
        severity=_parse_choice("severity", fields[FIELD_SEVERITY], SEVERITIES),
        symptoms=_parse_bullets(SECTION_SYMPTOMS, sections[SECTION_SYMPTOMS]),
        root_cause="\n".join(sections[SECTION_ROOT_CAUSE]),
        solution="\n".join(sections[SECTION_SOLUTION]),
        prevention="\n".join(sections[SECTION_PREVENTION]),
        related=_parse_related(sections[SECTION_RELATED]),
        last_updated=_parse_date(fields.get(FIELD_LAST_UPDATED)),
        article_id=_parse_article_id(fields.get(FIELD_ARTICLE_ID)),
        category=cast(Category, front.get("category", DEFAULT_CATEGORY)),
        visibility=cast(Visibility, front.get("visibility", DEFAULT_VISIBILITY)),
        tags=cast(list[str], front.get("tags", [])),
    )


def _split_front_matter(lines: list[str]) -> tuple[dict[str, object], int]:
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines) or lines[first].rstrip() != "---":
        return {}, first
    for end in range(first + 1, len(lines)):
        if lines[end].rstrip() == "---":
            break
    else:
        raise ValueError("front matter: opening '---' has no closing '---' line")
    try:
        loaded = yaml.safe_load("\n".join(lines[first + 1 : end]))
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter: not valid YAML ({exc})") from exc
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ValueError("front matter: expected 'key: value' lines")
    unknown = sorted(str(key) for key in loaded if key not in FRONT_MATTER_KEYS)
    if unknown:
        allowed = ", ".join(FRONT_MATTER_KEYS)
        raise ValueError(f"front matter: unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    front: dict[str, object] = {}
    if "category" in loaded:
        front["category"] = _parse_choice("category", loaded["category"], CATEGORIES)
    if "visibility" in loaded:
        front["visibility"] = _parse_choice("visibility", loaded["visibility"], VISIBILITIES)
    if "tags" in loaded:
        front["tags"] = _parse_tags(loaded["tags"])
    return front, end + 1


def _parse_tags(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"front matter: tags must be a list like [git, offline], got {value!r}")
    for tag in value:
        if not isinstance(tag, str):
            raise ValueError(f"front matter: tag {tag!r} is not text; put it in quotes")
    return cast(list[str], value)


def _scan(lines: list[str], start: int) -> tuple[str, dict[str, str], dict[str, list[str]]]:
    """Walk the document once: the title, the field lines and each section's raw lines."""
    title: str | None = None
    fields: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    fence: tuple[str, int] | None = None

    for number, line in enumerate(lines[start:], start=start + 1):
        fence, in_code = _step_fence(fence, line)
        if in_code:
            if current is None:
                raise ValueError(f"line {number}: code block outside any section")
            current.append(line)
            continue
        if title is None:
            if not line.strip():
                continue
            match = _TITLE_RE.match(line)
            if match is None or not match.group(1):
                raise ValueError(f"line {number}: expected the title as '# Title', got {line!r}")
            title = match.group(1)
            continue
        heading = _HEADING_RE.match(line)
        if heading is not None:
            name = _new_key(_SECTION_NAMES, heading.group(1) or "", sections, number, line)
            current = sections[name] = []
            continue
        field_match = _FIELD_RE.match(line)
        if field_match is not None:
            key = _new_key(_FIELD_NAMES, field_match.group(1), fields, number, line)
            fields[key] = field_match.group(2)
            continue
        if current is None:
            if line.strip():
                raise ValueError(
                    f"line {number}: unexpected text before the first section "
                    f"(is the '## {SECTION_SYMPTOMS}' heading missing?): {line.strip()!r}"
                )
            continue
        current.append(line)

    if title is None:
        raise ValueError("missing title: the article must start with '# Title'")
    return title, fields, sections


def _new_key(
    canonical: dict[str, str], raw: str, seen: dict[str, _V], number: int, line: str
) -> str:
    """The canonical section or field name for ``raw``, refusing unknown names and repeats."""
    name = canonical.get(raw.strip().lower())
    if name is None:
        known = ", ".join(canonical.values())
        raise ValueError(f"line {number}: unknown section {line.strip()!r}; sections are: {known}")
    if name in seen:
        raise ValueError(f"line {number}: {line.strip()!r} appears twice")
    return name


def _parse_choice(name: str, value: object, allowed: tuple[_T, ...]) -> _T:
    text = value.strip() if isinstance(value, str) else value
    for option in allowed:
        if isinstance(text, str) and text.lower() == option.lower():
            return option
    return _choice(name, text, allowed)


def _parse_bullets(section: str, lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        bullet = _BULLET_RE.match(line)
        if bullet is not None:
            items.append(bullet.group(1))
        elif line[:1] in (" ", "\t") and items:
            items[-1] = f"{items[-1]} {line.strip()}"
        else:
            raise ValueError(f"section '## {section}': expected '- ' bullets, got {line.strip()!r}")
    return items


def _parse_related(lines: list[str]) -> list[str]:
    body = [line.strip() for line in lines if line.strip()]
    if len(body) <= 1 and (not body or body[0].lower() in _EMPTY_RELATED):
        return []
    related: list[str] = []
    for line in body:
        bullet = _BULLET_RE.match(line)
        found = ARTICLE_ID_RE.search(bullet.group(1)) if bullet else None
        if found is None:
            raise ValueError(
                f"section '## {SECTION_RELATED}': expected bullets naming an article ID "
                f"like '- KB-1002', got {line!r}"
            )
        related.append(found.group(0))
    return related


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"last updated: {value!r} is not a date like 2026-11-25") from None


def _parse_article_id(value: str | None) -> str | None:
    if value is None:
        return None
    return _article_id("article ID", value)


# --- rendering ----------------------------------------------------------------------------


def render_article(draft: ArticleDraft) -> str:
    """Write ``draft`` in template form, front matter first. Ends with a newline."""
    tags = yaml.safe_dump(draft.tags, default_flow_style=True, width=1_000_000).strip()
    out = [
        "---",
        f"category: {draft.category}",
        f"visibility: {draft.visibility}",
        f"tags: {tags}",
        "---",
        f"# {draft.title}",
        "",
        f"**{FIELD_ISSUE}:** {draft.issue}",
        f"**{FIELD_VERSIONS}:** {', '.join(draft.affected_versions)}",
        f"**{FIELD_SEVERITY}:** {draft.severity}",
        "",
        f"## {SECTION_SYMPTOMS}",
        *(f"- {symptom}" for symptom in draft.symptoms),
        "",
        f"## {SECTION_ROOT_CAUSE}",
        draft.root_cause,
        "",
        f"## {SECTION_SOLUTION}",
        draft.solution,
        "",
        f"## {SECTION_PREVENTION}",
        draft.prevention,
        "",
        f"## {SECTION_RELATED}",
        *([f"- {ref}" for ref in draft.related] or ["None."]),
    ]
    trailer = []
    if draft.last_updated is not None:
        trailer.append(f"**{FIELD_LAST_UPDATED}:** {draft.last_updated.isoformat()}")
    if draft.article_id is not None:
        trailer.append(f"**{FIELD_ARTICLE_ID}:** {draft.article_id}")
    if trailer:
        out += ["", *trailer]
    return "\n".join(out) + "\n"
