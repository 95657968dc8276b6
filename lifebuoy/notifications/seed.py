"""The five starting templates, in the playbook's structure (loaded by a data migration)."""

from __future__ import annotations

from typing import Any

SIGNATURE = "Kind regards,\n{agent_name}\nDual Trinity Support"

SEED_TEMPLATES: list[dict[str, str]] = [
    {
        "key": "initial_response",
        "name": "Initial response",
        "subject": "Re: {ticket_token} {summary}",
        "body": (
            "Hello {customer_name},\n\n"
            "thanks for getting in touch with Dual Trinity Support. My name is {agent_name}, "
            "and I am looking after your request.\n\n"
            "As I read it, {summary}. I have gone through the ticket, and this is my plan:\n\n"
            "1. {first_step}\n"
            "2. {second_step}\n"
            "3. {timeline}\n\n"
            "You will hear from me again {response_window}. If you can add anything that "
            "might help (logs, recent commits, what changed), just reply to this email.\n\n"
            + SIGNATURE
        ),
    },
    {
        "key": "status_update",
        "name": "Status update",
        "subject": "Update: {ticket_token} {summary}",
        "body": (
            "Hello {customer_name},\n\n"
            "a short update on {ticket_number}.\n\n"
            "**What we found:** {diagnosis}\n"
            "**What happens next:** {next_steps}\n"
            "**When to expect a fix:** {timeline}\n\n"
            "I will keep you informed as we go; reply here with any question.\n\n" + SIGNATURE
        ),
    },
    {
        "key": "resolution",
        "name": "Resolution",
        "subject": "Resolved: {ticket_token} {summary}",
        "body": (
            "Hello {customer_name},\n\n"
            "good news: the problem reported in {ticket_number} is fixed.\n\n"
            "**The cause:** {root_cause}\n"
            "**What we changed:** {solution}\n"
            "**Keeping it from coming back:** {prevention}\n\n"
            "Please check on your side that everything works. I am marking the ticket as "
            "resolved; a reply to this email reopens it if anything is still wrong.\n\n"
            "Thank you for your patience.\n\n" + SIGNATURE
        ),
    },
    {
        "key": "escalation_notice",
        "name": "Escalation notice",
        "subject": "Escalated: {ticket_token} {summary}",
        "body": (
            "Hello {customer_name},\n\n"
            "I have escalated {ticket_number} to {escalation_team}, because "
            "{escalation_reason}.\n\n"
            "I remain your contact and will update you at least once a day. "
            "Expected timeline: {timeline}.\n\n"
            "In the meantime: {workaround}\n\n" + SIGNATURE
        ),
    },
    {
        "key": "out_of_scope",
        "name": "Out-of-scope handoff",
        "subject": "Re: {ticket_token} {summary}",
        "body": (
            "Hello {customer_name},\n\n"
            "thank you for your request about {summary}. This falls outside what Dual Trinity "
            "Support covers, so the right people to help are {referral}. I have passed your "
            "request along, and they will contact you directly.\n\n"
            "If I have misread your question, or a support issue turns up along the way, reply "
            "here and I will pick it up again.\n\n" + SIGNATURE
        ),
    },
]


def load_seed_templates(*, template_model: Any) -> None:
    for item in SEED_TEMPLATES:
        template_model.objects.get_or_create(key=item["key"], defaults=item)
