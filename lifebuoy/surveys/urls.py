from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("surveys/<str:token>/", views.survey_answer_view, name="answer"),
    path("desk/surveys/follow-ups/", views.follow_up_list_view, name="follow_ups"),
    path(
        "desk/surveys/follow-ups/<int:task_id>/done/",
        views.follow_up_done_view,
        name="follow_up_done",
    ),
]
