from django.urls import path

from . import views

app_name = "timetracking"
urlpatterns = [
    path("tickets/<int:ticket_id>/time/", views.ticket_time_view, name="ticket"),
    path("tickets/<int:ticket_id>/time/start/", views.time_timer_start_view, name="start"),
    path("tickets/<int:ticket_id>/time/stop/", views.time_timer_stop_view, name="stop"),
    path(
        "tickets/<int:ticket_id>/time/<int:entry_id>/remove/",
        views.time_entry_remove_view,
        name="remove",
    ),
]
