"""Error pages: 403 for a signed-in person outside their role, styled 403/404/500 pages that
never show URL patterns or tracebacks, and sign-in for anonymous visitors."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def _broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("broken/", _broken_view)]


def test_a_customer_opening_the_desk_gets_a_403_page_with_a_link_home(client, alice):
    client.force_login(alice)
    response = client.get("/desk/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    page = response.content.decode()
    assert "You may not open this page" in page
    assert 'href="/"' in page
    assert "/portal/" in page  # the customer's own navigation from the base layout
    assert "Sign in" not in page


def test_an_agent_opening_a_lead_only_report_gets_the_403_page(client, ted):
    client.force_login(ted)
    response = client.get("/desk/reports/weekly/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You may not open this page" in response.content.decode()


def test_a_staff_member_opening_the_portal_gets_the_403_page(client, ted):
    client.force_login(ted)
    response = client.get("/portal/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "/desk/" in response.content.decode()  # the agent's navigation


def test_an_anonymous_visitor_is_still_sent_to_sign_in(client, db):
    response = client.get("/desk/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/?next=/desk/")


def test_the_404_page_uses_the_layout_and_lists_no_url_patterns(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)
    response = client.get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    page = response.content.decode()
    assert "Page not found" in page
    assert "lifebuoy/app.css" in page
    assert 'href="/"' in page
    assert "URLconf" not in page
    assert "desk/" not in page.split("<main", 1)[1]  # no list of patterns


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    page = response.content.decode()
    assert "lifebuoy/app.css" in page
    assert "Something went wrong" in page
    assert 'href="/"' in page


@pytest.mark.urls(__name__)
def test_a_failing_view_shows_the_500_page_without_a_traceback(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "Traceback" not in page
    assert "hunter2" not in page


def test_a_service_refusal_inside_a_decorated_view_is_the_403_page(rf, ted):
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    from lifebuoy.accounts.decorators import staff_required
    from lifebuoy.core.errors import PermissionDenied

    @staff_required
    def view(request: HttpRequest) -> HttpResponse:
        raise PermissionDenied("not_lead", "Only leads may do this.")

    request = rf.get("/desk/x/")
    request.user = ted
    with pytest.raises(DjangoPermissionDenied, match="Only leads may do this"):
        view(request)
