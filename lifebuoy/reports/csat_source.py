"""Where the charts and the quarterly review read CSAT from: one function to repoint.

It is the satisfaction surveys' selector, narrowed by scope (one organization's answers for its
quarterly review, everyone's for the weekly chart). Tests pass their own source to the charts.
"""

from __future__ import annotations

from lifebuoy.core.periods import Period
from lifebuoy.reports.selectors.common import EVERYTHING, Metric, Scope
from lifebuoy.reports.selectors.satisfaction import csat


def csat_for(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """The CSAT metric of ``period`` for ``scope``; ``value`` is None when nobody answered."""
    return csat(period, scope=scope)
