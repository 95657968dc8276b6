from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.notifications.models import MessageTemplate, TemplateKey
from lifebuoy.notifications.placeholders import PlaceholderError, fill, placeholders_in
from lifebuoy.notifications.services.templates import template_render, template_update
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, now):
    """Opened through the service: some tests read the acknowledgement it queues."""
    return ticket_opened(alice, now, subject="C2 stopped committing")


def test_the_five_templates_are_seeded_and_use_only_known_placeholders():
    keys = set(MessageTemplate.objects.values_list("key", flat=True))
    assert keys == set(TemplateKey.values)
    for template in MessageTemplate.objects.all():
        assert "{customer_name}" in template.body
        placeholders_in(template.subject + template.body)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Hi {custmer_name}", "Unknown placeholder {custmer_name}"),
        ("Hi {customer_name.upper}", "not a placeholder"),
        ("Hi {customer_name!r}", "not a placeholder"),
        ("Hi {customer_name:>10}", "not a placeholder"),
        ("Hi {0}", "not a placeholder"),
        ("Hi {customer_name", "literal brace"),
        ("Hi customer_name}", "literal brace"),
    ],
)
def test_it_rejects_unknown_and_malformed_placeholders(text, fragment):
    with pytest.raises(PlaceholderError) as info:
        placeholders_in(text)
    assert fragment in str(info.value)


def test_doubled_braces_are_literal_and_missing_values_stay_visible():
    assert fill("{{json}} for {customer_name}: {diagnosis}", {"customer_name": "Alice"}) == (
        "{json} for Alice: [diagnosis]"
    )


def test_a_lead_edits_a_template_and_an_unknown_placeholder_is_an_error(lena):
    template = MessageTemplate.objects.get(key="status_update")
    with pytest.raises(ValidationFailed) as info:
        template_update(
            template=template, actor=lena, name="", subject="{summary}", body="Hi {nmae}"
        )
    assert "Unknown placeholder {nmae}" in info.value.extra["fields"]["body"]
    template_update(template=template, actor=lena, name="", subject="{summary}", body="Hi {{x}}")
    template.refresh_from_db()
    assert (template.body, template.updated_by) == ("Hi {{x}}", lena)


def test_agents_cannot_edit_templates(bob):
    template = MessageTemplate.objects.get(key="resolution")
    with pytest.raises(PermissionDenied, match="Only support leads edit reply templates"):
        template_update(template=template, actor=bob, name="x", subject="x", body="x")


def test_render_fills_what_the_desk_knows_and_what_the_agent_supplies(ticket, bob):
    template = MessageTemplate.objects.get(key="status_update")
    rendered = template_render(
        template=template, ticket=ticket, agent=bob, values={"diagnosis": "C2's key expired"}
    )
    assert rendered.subject == f"Update: [Ticket #{ticket.id}] C2 stopped committing"
    assert rendered.body.startswith("Hello Alice,")
    assert "C2's key expired" in rendered.body
    assert "[next steps]" in rendered.body
    assert "Bob" in rendered.body


def test_macro_api_renders_for_staff_and_hides_other_tickets(api, bob, alice, ticket):
    url = reverse("api-1.0.0:template_render_api", args=["initial_response"])
    response = api(bob).post(url, {"ticket_id": ticket.id}, content_type="application/json")
    assert response.status_code == HTTPStatus.OK
    assert "I am looking after your request" in response.json()["body"]
    missing = api(bob).post(url, {"ticket_id": 999999}, content_type="application/json")
    assert missing.status_code == HTTPStatus.NOT_FOUND
    customer = api(alice).post(url, {"ticket_id": ticket.id}, content_type="application/json")
    assert customer.status_code == HTTPStatus.FORBIDDEN


def test_template_api_lists_and_validates(api, bob, lena, alice):
    listed = api(bob).get(reverse("api-1.0.0:template_list_api"))
    assert listed.status_code == HTTPStatus.OK
    assert {t["key"] for t in listed.json()} == set(TemplateKey.values)
    assert api(alice).get(reverse("api-1.0.0:template_list_api")).status_code == 403
    url = reverse("api-1.0.0:template_update_api", args=["resolution"])
    bad = api(lena).put(
        url, {"subject": "{summary}", "body": "{root_kause}"}, content_type="application/json"
    )
    assert bad.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "root_kause" in bad.json()["extra"]["fields"]["body"]
    assert (
        api(bob)
        .put(url, {"subject": "{summary}", "body": "ok"}, content_type="application/json")
        .status_code
        == HTTPStatus.FORBIDDEN
    )


def test_ticket_page_offers_the_macro_picker(bob, ticket):
    client = Client()
    client.force_login(bob)
    page = client.get(reverse("desk:detail", args=[ticket.id]))
    assert b"macros-picker" in page.content
    assert b"macros/picker.js" in page.content


def test_a_lead_edits_in_the_desk_and_sees_placeholder_errors(lena):
    client = Client()
    client.force_login(lena)
    url = reverse("notifications:edit", args=["resolution"])
    assert client.get(reverse("notifications:list")).status_code == HTTPStatus.OK
    bad = client.post(url, {"name": "Resolution", "subject": "{summary}", "body": "{oops}"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "Unknown placeholder {oops}" in bad.content.decode()
    good = client.post(url, {"name": "Resolved", "subject": "{summary}", "body": "Fixed."})
    assert good.status_code == HTTPStatus.FOUND
    assert MessageTemplate.objects.get(key="resolution").name == "Resolved"


def test_the_admin_form_refuses_unknown_placeholders():
    from lifebuoy.notifications.admin import MessageTemplateForm

    form = MessageTemplateForm(
        data={"key": "new", "name": "New", "subject": "{summary}", "body": "{sumary}"}
    )
    assert not form.is_valid()
    assert "Unknown placeholder {sumary}" in form.errors["body"][0]


def test_staff_find_the_templates_in_the_navigation(bob):
    client = Client()
    client.force_login(bob)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == HTTPStatus.OK
    assert reverse("notifications:list").encode() in page.content
    assert b"Status update" in page.content


def test_the_ticket_page_shows_what_was_sent_to_the_customer(bob, ticket):
    client = Client()
    client.force_login(bob)
    page = client.get(reverse("desk:detail", args=[ticket.id])).content.decode()
    assert "Notifications" in page
    assert "Email to alice@acme.example" in page
    assert "<strong>pending</strong>" in page


def test_staff_list_a_tickets_deliveries_over_the_api_and_customers_cannot(api, bob, alice, ticket):
    url = reverse("api-1.0.0:delivery_list_api", args=[ticket.id])
    listed = api(bob).get(url)
    assert listed.status_code == HTTPStatus.OK
    assert [(d["kind"], d["status"], d["target"]) for d in listed.json()] == [
        ("email", "pending", alice.email)
    ]
    assert api(alice).get(url).status_code == HTTPStatus.FORBIDDEN
    missing = reverse("api-1.0.0:delivery_list_api", args=[999999])
    assert api(bob).get(missing).status_code == HTTPStatus.NOT_FOUND
