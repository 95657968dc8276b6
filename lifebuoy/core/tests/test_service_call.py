"""Pages show a service's refusal on the form, or as a message, and go on."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from lifebuoy.core.errors import InvalidState, PayloadTooLarge, ValidationFailed
from lifebuoy.core.views import ServiceCall


class SubjectForm(forms.Form):
    subject = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _messages(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_field_error_lands_on_its_field_and_the_code_after_the_block_runs():
    request, form = _request(), SubjectForm({"subject": "x"})
    assert form.is_valid()
    reached = []
    with ServiceCall(request, form) as call:
        raise ValidationFailed.for_fields({"subject": "Too short."})
    reached.append("after")
    assert call.failed
    assert reached == ["after"]
    assert form.errors["subject"] == ["Too short."]
    assert call.status(400) == 400
    assert _messages(request) == []


def test_any_other_refusal_becomes_one_message():
    request = _request()
    with ServiceCall(request) as call:
        raise InvalidState("stale", "Someone changed this ticket meanwhile.")
    assert _messages(request) == ["Someone changed this ticket meanwhile."]
    assert isinstance(call.error, InvalidState)


def test_an_upload_over_the_limit_is_413_and_success_keeps_the_default():
    with ServiceCall(_request()) as call:
        raise PayloadTooLarge("too_large", "Attachments may be 25 MB in all.")
    assert call.status(400) == 413
    with ServiceCall(_request()) as ok:
        pass
    assert not ok.failed
    assert ok.status(200) == 200


def test_a_programming_error_is_not_swallowed():
    with pytest.raises(KeyError, match="boom"), ServiceCall(_request()):
        raise KeyError("boom")


def test_field_errors_without_a_form_show_their_own_words():
    request = _request()
    with ServiceCall(request):
        raise ValidationFailed.for_fields({"changes": "Choose at least one change to make."})
    assert _messages(request) == ["Choose at least one change to make."]
