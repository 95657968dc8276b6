"""Content-Security-Policy on every response, and templates that live within it: no inline
scripts, event handlers or style attributes in anything served as a page."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest

from config.paths import BASE_DIR
from lifebuoy.core.csp import POLICY

pytestmark = pytest.mark.django_db
ROOT = BASE_DIR
# Standalone documents: emails and downloads, opened outside the site, never served as a page.
NOT_PAGES = {"reports/email/report.html", "reports/qbr_export.html"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_the_policy_allows_only_this_site():
    directives = dict(part.strip().split(" ", 1) for part in POLICY.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/no/such/page/", "/api/me", "/api/docs", "/healthz"]
)
def test_every_response_carries_the_policy(client, url):
    response = client.get(url)
    assert response["Content-Security-Policy"] == POLICY


def test_signed_in_pages_and_403s_carry_it_too(client, alice):
    client.force_login(alice)
    assert client.get("/portal/")["Content-Security-Policy"] == POLICY
    forbidden = client.get("/desk/")
    assert forbidden.status_code == HTTPStatus.FORBIDDEN
    assert forbidden["Content-Security-Policy"] == POLICY


def test_the_api_docs_load_swagger_from_this_site(client):
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/ninja/swagger-ui.css" in page
    assert "cdn" not in page.lower()
    assert not INLINE_SCRIPT.search(page)


def _templates() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "lifebuoy").glob("**/templates/**/*.html")):
        name = path.as_posix().split("/templates/", 1)[1]
        if name not in NOT_PAGES:
            found.append((name, path.read_text()))
    return found


def test_templates_have_no_inline_scripts_handlers_or_styles():
    offenders = [
        name
        for name, text in _templates()
        if INLINE_SCRIPT.search(text) or HANDLER.search(text) or INLINE_STYLE.search(text)
    ]
    assert offenders == []


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from lifebuoy.core.csp import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = ContentSecurityPolicyMiddleware(view)(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
