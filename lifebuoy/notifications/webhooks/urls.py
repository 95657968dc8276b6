"""The webhooks page under /portal/webhooks/ ("webhooks"), included from config/urls.py."""

from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list_view, name="list"),
    path("new/", views.webhook_create_view, name="create"),
    path("<int:endpoint_id>/", views.webhook_edit_view, name="edit"),
    path("<int:endpoint_id>/delete/", views.webhook_delete_view, name="delete"),
    path("<int:endpoint_id>/rotate-secret/", views.webhook_rotate_view, name="rotate"),
    path("<int:endpoint_id>/test/", views.webhook_test_view, name="test"),
]
