"""Which policy, target and business calendar apply to a ticket right now."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q

from lifebuoy.accounts.models import Organization
from lifebuoy.core.config_cache import config_cached
from lifebuoy.sla.calendar import BusinessCalendar, holiday_dates
from lifebuoy.sla.models import Calendar, ClockKind, Hours, Policy, Target

logger = logging.getLogger(__name__)
ALWAYS = BusinessCalendar.always()
_CACHE_MAX = 256
_cache: dict[tuple[object, ...], BusinessCalendar] = {}


@dataclass(frozen=True)
class ResolvedTarget:
    """A target row with everything needed to compute a deadline from it."""

    policy: Policy
    minutes: int
    hours: str
    calendar: Calendar | None  # None when the target runs on calendar time (24/7)
    business: BusinessCalendar

    @property
    def is_goal(self) -> bool:
        return self.policy.is_best_effort


def sla_policy_for_org(*, org: Organization, cached: bool = False) -> Policy | None:
    """The organization's custom policy if it has one, else its support tier's.

    ``cached=True`` (for new tickets, the hot path) may answer from the configuration cache,
    up to a few seconds old; the instance is then shared and must not be changed."""
    tier = int(org.support_tier)

    def lookup() -> Policy | None:
        candidates = Policy.objects.select_related("calendar").filter(
            Q(organization=org) | Q(tier=tier, organization__isnull=True)
        )
        # One query; a custom policy (organization set) wins over the tier's.
        return min(candidates, key=lambda p: (p.organization_id is None, p.id), default=None)

    return config_cached(("sla-policy", org.id, tier), lookup) if cached else lookup()


def sla_targets_for(*, policy: Policy, priority: str, cached: bool = False) -> dict[str, Target]:
    """Every target of ``policy`` at ``priority``, by clock kind, in one query; ``cached`` as
    for ``sla_policy_for_org``."""

    def lookup() -> dict[str, Target]:
        return {t.kind: t for t in Target.objects.filter(policy_id=policy.id, priority=priority)}

    if not cached:
        return lookup()
    return config_cached(("sla-targets", policy.id, policy.version, priority), lookup)


def sla_target_resolve(
    *,
    org: Organization,
    policy: Policy,
    kind: str,
    priority: str,
    now: datetime,
    rows: dict[str, Target] | None = None,
) -> ResolvedTarget | None:
    """The target for ``kind`` at ``priority``; next response falls back to first response.
    Pass ``rows`` from ``sla_targets_for`` to resolve several kinds with one query."""
    if rows is None:
        rows = sla_targets_for(policy=policy, priority=priority)
    target = rows.get(kind)
    if target is None and kind == ClockKind.NEXT_RESPONSE:
        target = rows.get(ClockKind.FIRST_RESPONSE)
    if target is None:
        return None
    if target.hours == Hours.CALENDAR:
        return ResolvedTarget(policy, target.minutes, target.hours, None, ALWAYS)
    business = sla_business_calendar(calendar=policy.calendar, org=org, year=now.year)
    return ResolvedTarget(policy, target.minutes, target.hours, policy.calendar, business)


def sla_business_calendar(*, calendar: Calendar, org: Organization, year: int) -> BusinessCalendar:
    """The calendar's open hours in the customer's zone and holidays, cached per edit and year.

    Holidays cover the year before to two years after ``year``, which outlasts any deadline a
    business-hours target of up to a few weeks can reach.
    """
    zone = calendar.timezone or org.timezone or "UTC"
    country = (calendar.holiday_country or org.country) if calendar.observes_public_holidays else ""
    key = (calendar.id, calendar.updated_at, zone, country, calendar.holiday_subdivision, year)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    built = _build(calendar, zone, country, year)
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[key] = built
    return built


def _build(calendar: Calendar, zone: str, country: str, year: int) -> BusinessCalendar:
    """Never fails a ticket event: a calendar that cannot be built is logged and counts 24/7;
    an unknown holiday region is logged and ignored."""
    weekly: dict[int, list[tuple[time, time]]] = {}
    for window in calendar.windows.all():
        weekly.setdefault(window.weekday, []).append((window.opens, window.closes))
    days: frozenset[date] = frozenset(h.date for h in calendar.holidays.all())
    if country:
        years = range(year - 1, year + 3)
        try:
            days |= holiday_dates(country, years, calendar.holiday_subdivision or None)
        except ValueError:
            logger.warning("SLA calendar %s: no public holidays for %r", calendar.id, country)
    if not weekly:
        logger.error("SLA calendar %s has no open window; counting 24/7", calendar.id)
        return ALWAYS
    try:
        return BusinessCalendar(zone, weekly, days)
    except ValueError:
        logger.exception("SLA calendar %s is invalid; counting 24/7", calendar.id)
        return ALWAYS


def calendar_describe(*, calendar: Calendar | None, org: Organization) -> str:
    """A short human description, e.g. "Mon–Fri 09:00–17:00 Europe/Berlin, DE holidays"."""
    if calendar is None:
        return "24/7 (calendar time)"
    days: dict[str, list[int]] = {}
    for w in calendar.windows.all():
        closes = "24:00" if w.closes.hour == 0 and w.closes.minute == 0 else f"{w.closes:%H:%M}"
        days.setdefault(f"{w.opens:%H:%M}–{closes}", []).append(w.weekday)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    parts = []
    for span, weekdays in days.items():
        first, last = min(weekdays), max(weekdays)
        contiguous = len(weekdays) == last - first + 1
        label = (
            f"{names[first]}–{names[last]}"
            if contiguous and first != last
            else ",".join(names[d] for d in weekdays)
        )
        parts.append(f"{label} {span}")
    zone = calendar.timezone or org.timezone or "UTC"
    country = calendar.holiday_country or org.country
    text = f"{calendar.name}: {'; '.join(parts) or 'never open'} {zone}"
    if calendar.observes_public_holidays and country:
        text += f", {country.upper()} public holidays"
    custom = len(calendar.holidays.all())  # uses a prefetch when the caller made one
    if custom:
        text += f" + {custom} custom date{'s' if custom != 1 else ''}"
    return text
