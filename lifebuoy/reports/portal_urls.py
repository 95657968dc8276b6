"""The customer's quarterly business review under /portal/reports/ ("reports_portal")."""

from django.urls import path

from . import views

app_name = "reports_portal"

urlpatterns = [
    path("qbr/", views.portal_qbr_home_view, name="qbr_home"),
    path("qbr/<slug:slug>/", views.portal_qbr_view, name="qbr"),
]
