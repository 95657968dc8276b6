"""The survey page customers reach from their email, and the leads' follow-up list.

The survey page needs no sign-in: the link's secret is the credential. GET only shows the form
(a link scanner that fetches it records nothing); the answer is recorded on POST. That POST is
exempt from the CSRF cookie check because it carries no ambient authority to abuse: a forged
request would need the very secret it is trying to misuse, and the secret is in the URL only the
recipient has.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lifebuoy.accounts.decorators import staff_required
from lifebuoy.accounts.models import User
from lifebuoy.core.errors import LifebuoyError, NotFound, ValidationFailed
from lifebuoy.core.views import ServiceCall, apply_error

from .forms import FollowUpDoneForm, SurveyAnswerForm, preselected
from .models import Survey
from .selectors import follow_up_get_for_user, follow_up_list_for_user, is_lead
from .selectors import survey_get_by_token as _by_token
from .services.answers import survey_answer, survey_check_open
from .services.emails import CSAT_QUESTION, NPS_QUESTION
from .services.followups import follow_up_done

_STATES = {404: "invalid", 409: "answered", 410: "expired"}


def _page(
    request: WSGIRequest,
    survey: Survey | None,
    state: str,
    form: SurveyAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    question = "" if survey is None else CSAT_QUESTION if survey.kind == "csat" else NPS_QUESTION
    context = {"survey": survey, "state": state, "form": form, "question": question}
    response = render(request, "surveys/answer.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the URL holds the secret
    response["Cache-Control"] = "no-store"
    return response


def _refusal(request: WSGIRequest, survey: Survey, exc: LifebuoyError) -> HttpResponse:
    """Answered (409), expired (410), or invalid input (422, the form with its messages)."""
    if isinstance(exc, ValidationFailed):
        form = SurveyAnswerForm(request.POST, survey=survey)
        form.is_valid()
        apply_error(request, form, exc)
        return _page(request, survey, "form", form, 422)
    return _page(request, survey, _STATES.get(exc.http_status, "invalid"), status=exc.http_status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def survey_answer_view(request: WSGIRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        survey = _by_token(token=token)
    except NotFound:
        return _page(request, None, "invalid", status=404)
    try:
        survey_check_open(survey=survey, now=now)
        if request.method == "GET":
            initial = {"rating": preselected(survey, request.GET.get("rating"))}
            return _page(request, survey, "form", SurveyAnswerForm(survey=survey, initial=initial))
        form = SurveyAnswerForm(request.POST, survey=survey)
        if not form.is_valid():
            return _page(request, survey, "form", form, 422)
        data = form.cleaned_data
        survey_answer(survey=survey, rating=data["rating"], comment=data["comment"], now=now)
    except LifebuoyError as exc:
        return _refusal(request, survey, exc)
    return _page(request, survey, "thanks")


def _lead(request: WSGIRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_lead(user):
        raise PermissionDenied("Survey follow-ups are for support leads.")
    return user


@staff_required
def follow_up_list_view(request: WSGIRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    tasks = follow_up_list_for_user(user=_lead(request), status=status)[:200]
    return render(
        request,
        "surveys/follow_ups.html",
        {"tasks": tasks, "status": status, "done_form": FollowUpDoneForm()},
    )


@require_POST
@staff_required
def follow_up_done_view(request: WSGIRequest, task_id: int) -> HttpResponse:
    user = _lead(request)
    task = follow_up_get_for_user(user=user, task_id=task_id)
    form = FollowUpDoneForm(request.POST)
    with ServiceCall(request):
        if form.is_valid():
            follow_up_done(
                task=task, actor=user, note=form.cleaned_data["note"], now=timezone.now()
            )
            messages.success(request, "Follow-up marked done.")
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("surveys:follow_ups")
