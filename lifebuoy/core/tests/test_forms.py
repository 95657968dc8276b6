"""The project's form renderer and error lists print exactly what Django's templates print."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from lifebuoy.core.form_renderer import FormRenderer
from lifebuoy.core.forms import Form, QuietErrorList

TRICKY = 'a "quoted" <b>&amp; value\'s'


class Everything(forms.Form):
    text = forms.CharField(label=TRICKY, max_length=20, help_text="Help")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput)
    number = forms.IntegerField(min_value=1, max_value=10)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "data-x": TRICKY}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autofocus": True, "disabled": False}))
    url = forms.URLField(required=False, assume_scheme="https")
    agree = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    pick = forms.ChoiceField(choices=[("a", TRICKY), ("b", "B")])
    many = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(widget=forms.Textarea, required=False)


def _both(form_class: type[forms.Form], **kwargs: object) -> tuple[str, str]:
    ours = form_class(renderer=FormRenderer(), **kwargs)  # type: ignore[arg-type]
    django = form_class(renderer=DjangoTemplates(), **kwargs)  # type: ignore[arg-type]
    return str(ours), str(django)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": TRICKY, "hidden": "<h>", "number": "11", "day": "2026-12-06", "agree": "on"},
        {"text": "x" * 30, "number": "abc", "email": "not an address", "pick": "zz"},
    ],
    ids=["unbound", "bound with markup", "bound with errors"],
)
def test_a_whole_form_prints_as_django_prints_it(data: dict[str, str] | None) -> None:
    ours, django = _both(Everything, data=data, initial={"day": date(2026, 12, 6)})
    assert ours == django
    assert "<input" in ours
    assert "&lt;b&gt;" in ours


def test_labels_and_fields_one_by_one_print_as_django_prints_them() -> None:
    ours = Everything(renderer=FormRenderer(), data={"text": TRICKY})
    django = Everything(renderer=DjangoTemplates(), data={"text": TRICKY})
    for name in Everything.base_fields:
        assert ours[name].label_tag() == django[name].label_tag()
        assert ours[name].label_tag(attrs={"class": TRICKY}) == django[name].label_tag(
            attrs={"class": TRICKY}
        )
        assert str(ours[name]) == str(django[name])
        assert ours[name].as_field_group() == django[name].as_field_group()
    assert ours["text"].label_tag(mark_safe("<em>Safe</em>")) == django["text"].label_tag(
        mark_safe("<em>Safe</em>")
    )


@given(
    value=st.one_of(st.none(), st.text(max_size=20), st.integers()),
    attrs=st.dictionaries(
        st.sampled_from(["class", "placeholder", "required", "data-v", "aria-label"]),
        st.one_of(st.booleans(), st.text(max_size=12), st.integers()),
        max_size=4,
    ),
    kind=st.sampled_from(["text", "hidden", "number", "date", "search", "tel", "url"]),
)
def test_any_input_prints_as_django_prints_it(
    value: object, attrs: dict[str, object], kind: str
) -> None:
    widget = forms.TextInput(attrs=attrs)
    widget.input_type = kind
    assert widget.render("f", value, renderer=FormRenderer()) == widget.render(
        "f", value, renderer=DjangoTemplates()
    )


class Quiet(Form):
    name = forms.CharField(max_length=3)


def test_an_empty_error_list_prints_nothing_and_a_full_one_prints_as_django() -> None:
    empty = Quiet()
    assert str(empty["name"].errors) == ""
    assert str(empty.non_field_errors()) == ""
    assert isinstance(empty["name"].errors, QuietErrorList)
    bound = Quiet(data={"name": "long"})
    plain = forms.Form.__new__(Quiet)
    forms.Form.__init__(plain, data={"name": "long"})  # Django's own error list
    assert str(bound["name"].errors) == str(plain["name"].errors)
    assert "errorlist" in str(bound["name"].errors)
    assert str(bound) == str(plain)
