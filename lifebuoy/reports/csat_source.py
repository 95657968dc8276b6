"""Where the charts and the quarterly review read CSAT from: one function to repoint.

The satisfaction surveys' selector (``selectors.csat``) is what the weekly report shows. Until it
takes a ``scope``, an organization's CSAT cannot be told apart from everyone's, so a scoped
question answers "awaiting surveys" rather than a desk-wide number passed off as one customer's.
"""

from __future__ import annotations

from lifebuoy.reports import selectors
from lifebuoy.reports.periods import Period
from lifebuoy.reports.selectors.common import CSAT_TARGET, EVERYTHING, Metric, Scope


def csat_for(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """The CSAT metric of ``period`` for ``scope``; ``value`` is None when there is no answer."""
    if scope.is_everything:
        return selectors.csat(period)
    return Metric(
        key="csat",
        label="CSAT",
        value=None,
        target=CSAT_TARGET,
        comparison=">",
        unit="/5",
        note=selectors.AWAITING_SURVEYS,
    )
