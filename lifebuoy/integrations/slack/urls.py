"""The desk's Slack page under /desk/slack/ ("slack"), included from config/urls.py."""

from django.urls import path

from . import views

app_name = "slack"
urlpatterns = [
    path("", views.slack_settings_view, name="settings"),
    path("channels/", views.slack_channel_connect_view, name="connect"),
    path("channels/<int:channel_pk>/", views.slack_channel_edit_view, name="channel"),
    path("links/", views.slack_staff_link_view, name="link"),
    path("links/<int:link_pk>/delete/", views.slack_staff_unlink_view, name="unlink"),
]
