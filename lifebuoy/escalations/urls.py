from django.urls import path

from . import views

app_name = "escalations"
urlpatterns = [
    path("", views.escalated_list_view, name="list"),
    path("oncall/", views.oncall_view, name="oncall"),
    path("rules/", views.rules_view, name="rules"),
    path("tickets/<int:ticket_id>/escalate/", views.escalate_view, name="escalate"),
    path(
        "tickets/<int:ticket_id>/suggestions/<int:firing_id>/",
        views.suggestion_decide_view,
        name="suggestion",
    ),
    path("tickets/<int:ticket_id>/triage/", views.triage_view, name="triage"),
    path("tickets/<int:ticket_id>/confirm/", views.confirm_view, name="confirm"),
    path("pages/<int:page_id>/ack/", views.page_ack_view, name="page_ack"),
    path("ack/<str:token>/", views.ack_link_view, name="ack_link"),
]
