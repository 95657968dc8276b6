from django.urls import path

from . import views
from .dashboard.views import dashboard_view

app_name = "reports"

urlpatterns = [
    path("weekly/", views.weekly_report_view, name="weekly"),
    path("weekly/generate/", views.weekly_report_generate_view, name="generate"),
    path("dashboard/", dashboard_view, name="dashboard"),
    path("qbr/", views.qbr_index_view, name="qbr_index"),
    path("qbr/<slug:slug>/", views.qbr_view, name="qbr"),
    path("qbr/<slug:slug>/send/", views.qbr_send_view, name="qbr_send"),
]
