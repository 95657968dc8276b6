"""Two URL sets: the desk's pages under /desk/monitoring/ ("monitoring") and the customer's
under /portal/monitoring/ ("monitoring_portal"). Both are included from config/urls.py."""

from django.urls import path

from . import views

desk_patterns = [
    path("", views.deployment_list_view, name="list"),
    path("new/", views.deployment_create_view, name="create"),
    path("<int:deployment_id>/", views.deployment_detail_view, name="detail"),
    path("<int:deployment_id>/edit/", views.deployment_edit_view, name="edit"),
    path(
        "<int:deployment_id>/consent/withdraw/",
        views.deployment_withdraw_consent_view,
        name="withdraw_consent",
    ),
    path("<int:deployment_id>/poll/", views.deployment_poll_view, name="poll"),
    path("<int:deployment_id>/usage/", views.deployment_usage_upload_view, name="usage"),
]

portal_patterns = [
    path("", views.portal_deployment_list_view, name="list"),
    path("<int:deployment_id>/", views.portal_deployment_detail_view, name="detail"),
    path("<int:deployment_id>/consent/", views.portal_consent_view, name="consent"),
]
