"""What the demo desk is made of: customers on every tier, staff on every tier, and ticket texts."""

from __future__ import annotations

DEMO_PASSWORD = "lifebuoy-demo"  # noqa: S105  # printed by `make run`; demo data only

# name, slug, plan, time zone, country
ORGANIZATIONS = [
    ("Tidewater Labs", "tidewater", "community", "America/Los_Angeles", "US"),
    ("Open Harbor Collective", "open-harbor", "community", "Europe/Lisbon", "PT"),
    ("Northwind Robotics", "northwind", "cloud_starter", "America/New_York", "US"),
    ("Kestrel Analytics", "kestrel", "cloud_professional", "Europe/Berlin", "DE"),
    ("Banyan Health", "banyan", "enterprise", "Asia/Kolkata", "IN"),
    ("Southern Cross Energy", "southern-cross", "enterprise", "Australia/Sydney", "AU"),
    ("Meridian Bank", "meridian", "managed", "Europe/London", "GB"),
]

# email, name, role, tier
STAFF = [
    ("admin@lifebuoy.test", "Ada Admin", "admin", None),
    ("lead@lifebuoy.test", "Lena Lead", "lead", None),
    ("ana@lifebuoy.test", "Ana Flores", "agent", 1),
    ("ben@lifebuoy.test", "Ben Okafor", "agent", 1),
    ("chloe@lifebuoy.test", "Chloe Martin", "agent", 2),
    ("dev@lifebuoy.test", "Dev Raman", "agent", 2),
    ("emma@lifebuoy.test", "Emma Lindqvist", "agent", 3),
    ("farid@lifebuoy.test", "Farid Haddad", "agent", 3),
    ("grace@lifebuoy.test", "Grace Ho", "engineer", None),
]

# Premium organizations' named engineers
NAMED_ENGINEERS = {
    "banyan": "emma@lifebuoy.test",
    "southern-cross": "farid@lifebuoy.test",
    "meridian": "emma@lifebuoy.test",
}

CUSTOMER_FIRST_NAMES = [
    "Priya",
    "Tom",
    "Mei",
    "Jonas",
    "Amara",
    "Lucas",
    "Sofia",
    "Kenji",
    "Ines",
    "Omar",
    "Hannah",
    "Rafael",
    "Zoe",
    "Arjun",
]

# Paired with the first names in turn: demo customers are people, not "Lucas (Tidewater Labs)".
CUSTOMER_SURNAMES = [
    "Raman",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Haddad",
    "Tanaka",
    "Costa",
    "Brennan",
    "Novak",
    "Ferreira",
    "Weiss",
    "Adeyemi",
    "Kowalski",
    "Park",
]

# category -> list of (subject, description); {agent} and {hours} are filled in at random
TICKETS: dict[str, list[tuple[str, str]]] = {
    "agent_not_responding": [
        (
            "C2 stopped committing since this morning",
            "Our builder (C2) on the cloud trinity has not pushed anything for about {hours} hours. "
            "C1 keeps writing tasks into `c1_to_c2.md` but nothing comes back.",
        ),
        (
            "Terminal C1 looks offline",
            "The hub has no new consolidation and the terminal C1 has been silent for {hours} hours. "
            "The status table still says ONLINE for everyone.",
        ),
        (
            "Validator not answering messages",
            "We sent two validation requests to C3 yesterday. No reply in `c3_to_c1.md`.",
        ),
    ],
    "slow_consolidation": [
        (
            "Consolidation takes over an hour now",
            "Hub consolidation used to take ~10 minutes. Since last week it takes 60–90 minutes. "
            "The repo has grown a lot.",
        ),
        (
            "git pull is painfully slow for all agents",
            "Every agent spends minutes on pull/push. `.git` is about {hours} GB.",
        ),
        (
            "Tasks take forever to complete",
            "A single task from C1 to C2 took {hours} hours today. Is that expected?",
        ),
    ],
    "quality": [
        (
            "Outputs contradict each other",
            "The consolidated report says the migration is done in one section and pending in another. "
            "Did C3 even look at it?",
        ),
        (
            "C3 approves everything",
            "Every validation report is ✅ APPROVED with 10/10, even when the code does not build.",
        ),
    ],
    "git_conflicts": [
        (
            "Merge conflicts every few hours",
            "Two agents keep editing `trinity_status.md` at the same time and the push fails.",
        ),
        (
            "C2 and C3 talking directly",
            "We found a file where C3 writes instructions straight to C2. Is that allowed by the protocol?",
        ),
        (
            "Agent stuck on an old branch",
            "C2 keeps working on last week's branch, its reports never reach C1.",
        ),
    ],
    "cost_overruns": [
        (
            "API bill doubled this month",
            "Our model usage cost is twice what we budgeted. We need to understand which agent burns it.",
        ),
        ("Budget alert triggered", "We got the 80% budget alert on day 12 of the month."),
    ],
    "installation": [
        (
            "Setting up the terminal trinity",
            "We have the cloud trinity running. How do we add the terminal trinity and the hub?",
        ),
    ],
    "configuration": [
        (
            "Our roles are named differently",
            "In our repo C1 is MECHANIC and builds, C2 is ARCHITECT. How do we configure that?",
        ),
        (
            "Change the offline threshold",
            "Two hours is too long for us; we want to know after 30 minutes.",
        ),
    ],
    "integration": [
        ("Slack alerts not arriving", "We connected Slack but no alert reached #ops."),
        ("GitHub issues as tickets", "Can issues from our repo become tickets automatically?"),
    ],
    "performance": [
        (
            "Daemon heartbeat commits flood history",
            "The heartbeat daemon commits every minute. The log has 40k commits. Does that slow things?",
        ),
    ],
    "bug": [
        (
            "Status file shows wrong timestamps",
            "trinity_status.md timestamps are in the future compared to the commits.",
        ),
        (
            "Hub writes placeholder forever",
            "`master_consolidated.md` still says PENDING_FIRST_SYNC after three days.",
        ),
    ],
    "feature_request": [
        ("Weekly uptime email", "We would love a weekly email with agent uptime per trinity."),
    ],
    "custom_development": [
        (
            "Can you build us a custom agent?",
            "We need a fourth agent that writes our release notes.",
        ),
    ],
    "training": [("Training for our new team", "Do you offer a workshop for five new operators?")],
    "non_technical": [
        ("Invoice address change", "Please update the billing address on our invoices.")
    ],
}

AGENT_REPLIES = [
    "Thanks for the report. Could you send the output of `git log --since='6 hours ago' "
    "--format='%ad %s' --date=iso-strict` from the coordinator's branch?",
    "I've looked at the repository. The last commit attributed to the agent is from a few hours ago; "
    "the session most likely expired. Please reopen it and re-upload the activation instructions.",
    "Quick update: we found the cause and are preparing the fix. Next update within the SLA window.",
    "Running `git gc` and a repack should shrink the repository considerably. Steps are in the KB.",
    "That channel is outside the protocol: C1 must mediate between C2 and C3. "
    "I've attached the recommended activation text.",
]
CUSTOMER_REPLIES = [
    "Here is the log you asked for. Nothing from C2 after 09:12.",
    "Thanks, that worked! The agent is back.",
    "Still happening after the restart, unfortunately.",
    "We tried that, it helped a little but consolidation is still slow.",
]
INTERNAL_NOTES = [
    "Customer is on a busy release week; keep updates short.",
    "Looks like the rebased-heartbeat pattern again; committer dates are misleading here.",
    "Checked the repo size: 2.3 GB, mostly node_modules committed by accident.",
    "Possible product bug; if it reproduces, escalate to engineering with the doctor output.",
]

# What customers wrote beside their satisfaction rating (by rating; some leave none).
SURVEY_COMMENTS: dict[int, list[str]] = {
    5: ["", "Fixed within the hour, thank you!", "Clear steps, the builder is back.", ""],
    4: ["", "Good answer, took a day longer than hoped.", "Worked after the second try."],
    3: ["", "Solved, but we had to chase twice."],
    2: ["The validator still drops messages now and then.", "Too slow for a P2."],
    1: ["Nobody answered for two days while our agents were down.", ""],
}
