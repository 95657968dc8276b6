"""Plain text skips the Markdown parser and the sanitizer, and must come out exactly as they
would give it."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lifebuoy.core import markdown
from lifebuoy.core.markdown import render_markdown

# Plain words and punctuation, and everything that could start Markdown, mixed.
_ALPHABET = st.sampled_from(
    [*"aZ09é ", " ", "  ", "\n", "\n\n", *".,;:?!'\"()/@%$+=-", "1.", "2)", "10.", "    ",
     *"*_`~[]<>&\\#|\t\r", "\u00a0", "ß", "Ж", "٣", "😀", "==", "--", "http://x.example/a?b=c"]
)  # fmt: skip
_TEXTS = st.lists(_ALPHABET, max_size=40).map("".join)
# Only what the fast path accepts somewhere in a line, so that most examples take it.
_PLAIN = st.lists(
    st.sampled_from([*"aZ09é ", " ", "  ", "\n", "\n\n", *".,;:?!'\"()/@%$+=-", "1.", "2)", "ß"]),
    max_size=40,
).map("".join)


def _parsed(text: str) -> str:
    return markdown._render(text)  # parsed, then sanitized


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_TEXTS, _PLAIN))
@example("Hello,\nit broke.\n\nThanks!")
@example('He said "no"  \n  indented\n')
@example("1. one\n2. two")
@example("Title\n===")
@example("text\n--")
@example("a\n\n\n\nb  \n")
def test_plain_text_renders_exactly_as_parsing_and_sanitizing_render_it(text: str) -> None:
    fast = markdown._plain_paragraphs(text)
    if fast is not None:
        assert fast == _parsed(text)


def test_mail_like_text_takes_the_fast_path_and_markup_does_not() -> None:
    mail = 'Hi,\n\nC2 stopped committing after the upgrade (v4.2); "replica" lags: 30%.\nThanks!\n'
    assert markdown._plain_paragraphs(mail) == _parsed(mail)
    for markup in ("**bold**", "- item", "# Title", "a\n---", "[x](http://y)", "`code`", "1) one"):
        assert markdown._plain_paragraphs(markup) is None
        assert render_markdown(markup) != f"<p>{markup}</p>\n"


def test_plain_text_is_still_sanitized_and_escaped() -> None:
    assert render_markdown('He said "yes"\nthen left') == '<p>He said "yes"<br>\nthen left</p>\n'
    assert render_markdown("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )
    assert render_markdown("") == ""
