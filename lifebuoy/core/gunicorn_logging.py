"""Gunicorn's own logs (the access log ``lifebuoy serve`` writes, and its error log) through the
same secret filter as Django's: request lines carry survey links and query strings."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from lifebuoy.core.redaction import RedactSecretsFilter


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
                    handler.addFilter(RedactSecretsFilter())
