"""Two URL sets: the desk's reports under /desk/reports/ ("reports") and the customer's
quarterly business review under /portal/reports/ ("reports_portal"). Both are included from
config/urls.py."""

from django.urls import path

from . import views
from .dashboard.views import dashboard_tiles_view, dashboard_view

desk_patterns = [
    path("weekly/", views.weekly_report_view, name="weekly"),
    path("weekly/generate/", views.weekly_report_generate_view, name="generate"),
    path("dashboard/", dashboard_view, name="dashboard"),
    path("dashboard/tiles/", dashboard_tiles_view, name="dashboard_tiles"),
    path("qbr/", views.qbr_index_view, name="qbr_index"),
    path("qbr/<slug:slug>/", views.qbr_view, name="qbr"),
    path("qbr/<slug:slug>/send/", views.qbr_send_view, name="qbr_send"),
]

portal_patterns = [
    path("qbr/", views.portal_qbr_home_view, name="qbr_home"),
    path("qbr/<slug:slug>/", views.portal_qbr_view, name="qbr"),
]
