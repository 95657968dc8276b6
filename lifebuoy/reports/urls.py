from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("weekly/", views.weekly_report_view, name="weekly"),
    path("weekly/generate/", views.weekly_report_generate_view, name="generate"),
]
