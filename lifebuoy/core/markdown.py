"""User text is Markdown: rendered with raw HTML disabled, then sanitized with an allow-list.

Most text people write (mail especially) uses no Markdown at all: paragraphs of words and common
punctuation. Such text is turned straight into the HTML that parsing and sanitizing would give
it (a tenth of the cost); ``_plain_paragraphs`` accepts only characters and line starts that
cannot begin any Markdown construct or need escaping, and anything else takes the long way.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")

_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}}


# Letters, digits, spaces, line breaks and punctuation that means nothing to CommonMark in the
# middle of a line (no ``* _ ` ~ [ ] < > & \\ # |``, no tab or carriage return; "!" only
# matters before "[").
_PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ \n.,;:?!'\"()/@%$+=-])*")
# What a line may start with: a letter, a digit, a quote or a parenthesis, and not a list's
# number ("1." or "1)"). A line starting with "-", "+" or "=" could be a list or an underline.
_LINE_START = re.compile(r"[^\W_]|[\"'(]")
_ORDERED = re.compile(r"\d+[.)]")


def _plain_paragraphs(text: str) -> str | None:
    """The sanitized HTML of text of plain paragraphs (line breaks kept, as ``breaks`` asks):
    the parser's paragraphs as the sanitizer writes them back (``<br>``, quotes unescaped);
    None for anything else."""
    if not _PLAIN_TEXT.fullmatch(text):
        return None
    html: list[str] = []
    paragraph: list[str] = []
    for raw_line in [*text.split("\n"), ""]:
        line = raw_line.rstrip(" ")
        if not line:
            if paragraph:
                html.append("<p>" + "<br>\n".join(paragraph) + "</p>\n")
                paragraph = []
            continue
        if not _LINE_START.match(line) or _ORDERED.match(line):
            return None
        paragraph.append(line)
    return "".join(html)


def render_markdown(text: str) -> str:
    """Safe HTML for ``text``: no scripts, no event handlers, no javascript: links."""
    text = text or ""
    plain = _plain_paragraphs(text)
    return _render(text) if plain is None else plain


def _render(text: str) -> str:
    """Parsed, then sanitized."""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(text: str, limit: int = 200) -> str:
    """A one-line preview with every tag stripped."""
    flat = " ".join(nh3.clean(text or "", tags=set()).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
