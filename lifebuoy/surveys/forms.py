"""The survey answer form and the lead's "done" form."""

from __future__ import annotations

from typing import Any

from django import forms

from lifebuoy.core.parsing import is_ascii_digits

from .models import Survey
from .services.answers import COMMENT_MAX
from .services.followups import NOTE_MAX


class SurveyAnswerForm(forms.Form):
    rating = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything you would like to tell us? (optional)",
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = survey.scale
        field = self.fields["rating"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101  # declared above
        field.choices = [(n, str(n)) for n in scale]
        bounds = f"from {scale.start} to {scale.stop - 1}"
        field.error_messages = {
            "required": f"Choose a rating {bounds}.",
            "invalid_choice": f"The rating must be {bounds}.",
        }


def preselected(survey: Survey, raw: str | None) -> int | None:
    """The rating a link from the email carries (``?rating=4``), if it is one of the scale."""
    if raw is None or not is_ascii_digits(raw.strip()) or len(raw.strip()) > 2:
        return None
    rating = int(raw.strip())
    return rating if rating in survey.scale else None


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was done (optional)",
    )
