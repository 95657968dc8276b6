from django.urls import include, path

from . import views

app_name = "sso"
urlpatterns = [
    path("start/", views.sso_start_view, name="start"),
]

# allauth's own routes (the identity provider's callback, its error pages), under /sso/auth/.
allauth_patterns = [path("auth/", include("allauth.urls"))]
