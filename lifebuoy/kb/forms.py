from __future__ import annotations

from django import forms

from lifebuoy.accounts.selectors import staff_list
from lifebuoy.kb.selectors import parse_article_key

from .models import Category, State, Visibility

MAX_SHOWN = 20


def parse_shown(raw: str) -> list[int]:
    """Article numbers from ``"1001,1004"`` or ``"KB-1001 KB-1004"``; junk is skipped."""
    numbers = []
    for part in raw.replace(",", " ").split()[:MAX_SHOWN]:
        number = parse_article_key(part)
        if number is not None:
            numbers.append(number)
    return numbers


class SearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=500)
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *Category.choices]
    )
    version = forms.CharField(required=False, max_length=40, label="Version")


class StaffSearchForm(SearchForm):
    visibility = forms.ChoiceField(
        required=False, choices=[("", "Any audience"), *Visibility.choices]
    )
    state = forms.ChoiceField(
        required=False, choices=[("", "Published and drafts"), *State.choices]
    )


class ArticleEditorForm(forms.Form):
    markdown = forms.CharField(
        label="Article",
        widget=forms.Textarea(attrs={"rows": 30, "class": "mono"}),
        help_text="The playbook's template; the block between the --- lines sets category, "
        "visibility (internal or customer) and tags.",
    )
    state = forms.ChoiceField(choices=State.choices, initial=State.DRAFT)
    owner = forms.ModelChoiceField(queryset=staff_list(), required=False, empty_label="Me")
    note = forms.CharField(required=False, max_length=200, label="What changed")


class LinkForm(forms.Form):
    article = forms.CharField(max_length=20, label="Article ID", help_text="For example KB-1001")


class SolvedForm(forms.Form):
    article = forms.CharField(max_length=20)
    shown = forms.CharField(required=False, max_length=400)
    subject = forms.CharField(required=False, max_length=200)


BLANK_ARTICLE = """---
category: Common issues & solutions
visibility: internal
tags: []
---
# Title

**Issue:** What the customer experiences
**Affected Versions:** 1.0
**Severity:** Medium

## Symptoms
- One symptom per line

## Root Cause
Why it happens.

## Solution
1. Step one

## Prevention
How to avoid it.

## Related Articles
None.
"""
