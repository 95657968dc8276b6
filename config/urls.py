from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api
from lifebuoy.accounts.views import home_view
from lifebuoy.core.views import health_view
from lifebuoy.kb import urls as kb_urls
from lifebuoy.monitoring import urls as monitoring_urls
from lifebuoy.reports import urls as reports_urls
from lifebuoy.sso import urls as sso_urls
from lifebuoy.tickets.views import attachment_download_view

admin.site.site_header = "Lifebuoy administration"
admin.site.site_title = "Lifebuoy"

urlpatterns = [
    path("", home_view, name="home"),
    path("healthz", health_view, name="health"),
    # First after the two exact paths: every API request is resolved against what comes before
    # it, and no pattern above or below can match a path under api/.
    path("api/", api.urls),
    path("accounts/", include("lifebuoy.accounts.urls")),
    path("sso/", include("lifebuoy.sso.urls")),
    # allauth's own sign-in and sign-up pages are not used: Lifebuoy's sign-in page is.
    path("sso/auth/login/", RedirectView.as_view(pattern_name="accounts:login")),
    path("sso/auth/signup/", RedirectView.as_view(pattern_name="accounts:login")),
    path("sso/", include(sso_urls.allauth_patterns)),
    path("desk/kb/", include((kb_urls.desk_patterns, "kb"))),
    path("desk/templates/", include("lifebuoy.notifications.urls")),
    path("desk/macros/", include("lifebuoy.macros.urls")),
    path("desk/inbound/", include("lifebuoy.notifications.inbound.urls")),
    path("desk/slack/", include("lifebuoy.integrations.slack.urls")),
    path("desk/notifications/", include("lifebuoy.notifications.staff.urls")),
    path("desk/escalations/", include("lifebuoy.escalations.urls")),
    path("desk/monitoring/", include((monitoring_urls.desk_patterns, "monitoring"))),
    path("desk/reports/", include((reports_urls.desk_patterns, "reports"))),
    path("", include("lifebuoy.surveys.urls")),
    path("desk/people/", include("lifebuoy.accounts.people.urls")),
    path("desk/", include("lifebuoy.timetracking.urls")),
    path("desk/", include("lifebuoy.desk.urls")),
    path("portal/kb/", include((kb_urls.portal_patterns, "kb_portal"))),
    path("portal/monitoring/", include((monitoring_urls.portal_patterns, "monitoring_portal"))),
    path("portal/reports/", include((reports_urls.portal_patterns, "reports_portal"))),
    path("portal/webhooks/", include("lifebuoy.notifications.webhooks.urls")),
    path("portal/", include("lifebuoy.portal.urls")),
    path("attachments/<int:attachment_id>/", attachment_download_view, name="attachment"),
    path("admin/", admin.site.urls),
    path("integrations/", include("lifebuoy.integrations.urls")),
]
