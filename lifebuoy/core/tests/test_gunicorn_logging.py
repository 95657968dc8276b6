"""The web server's access log goes through the secret filter too."""

from __future__ import annotations

import io
import logging

from gunicorn.config import Config  # type: ignore[import-untyped]

from lifebuoy.core.gunicorn_logging import RedactingLogger

TOKEN = "k2j3h4g5f6d7s8a9q0w1e2r3t4y5u6i7"


def test_an_access_log_line_loses_the_survey_token_and_query_secrets():
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = RedactingLogger(cfg)
    stream = io.StringIO()
    (handler,) = logger.access_log.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logger.access_log.info("GET /surveys/%s/?token=%s HTTP/1.1 200", TOKEN, TOKEN)
    line = stream.getvalue()
    assert "/surveys/[redacted]/" in line
    assert TOKEN not in line
