from django.urls import path

from . import views

app_name = "staff_notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("<int:notification_id>/", views.notification_open_view, name="open"),
    path("read-all/", views.notification_read_all_view, name="read_all"),
    path("bell/", views.notification_bell_view, name="bell"),
    path("preferences/", views.notification_preferences_view, name="preferences"),
    path("tickets/<int:ticket_id>/follow/", views.ticket_follow_view, name="follow"),
    path("tickets/<int:ticket_id>/cc/", views.ticket_cc_add_view, name="cc_add"),
    path(
        "tickets/<int:ticket_id>/cc/<int:user_id>/remove/",
        views.ticket_cc_remove_view,
        name="cc_remove",
    ),
]
