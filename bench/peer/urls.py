"""The peer desk's URLs: django-helpdesk's own (its templates reverse them in the emails)."""

from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
