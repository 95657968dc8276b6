"""What a broker outage adds to a request: the after-commit publish against a Redis that is down.

    python bench/publish_outage_bench.py [--requests 200] [--gap 0.05]

Nothing listens on the broker's port (127.0.0.1, a free port). Each "request" queues one task
after its commit (``enqueue_on_commit`` outside a transaction sends at once), ``--gap`` seconds
apart, as a web process would under light load; printed: the slowest, the median and p99 time
the publish took, and how many publishes actually tried the broker (the others were left to the
sweeps during the pause after a failure).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.05)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{port}/0"
    os.environ["LIFEBUOY_CACHE_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("SECRET_KEY", "publish-outage-benchmark-" + "k" * 40)
    os.environ["LIFEBUOY_DATA_DIR"] = tempfile.mkdtemp(prefix="lifebuoy-outage-")
    logging.disable(logging.CRITICAL)
    import django

    django.setup()
    from lifebuoy.core import tasks

    tried = 0
    real_delay = tasks.enqueue_batch.delay

    def counted(jobs: list[list[Any]]) -> Any:
        nonlocal tried
        tried += 1
        return real_delay(jobs)

    tasks.enqueue_batch.delay = counted  # type: ignore[method-assign]
    took = []
    for _ in range(args.requests):
        started = time.perf_counter()
        tasks.enqueue_on_commit(tasks.enqueue_batch, [])
        took.append(1000 * (time.perf_counter() - started))
        time.sleep(args.gap)
    took.sort()
    print(
        f"{args.requests} publishes over {args.requests * args.gap:.0f} s with the broker down: "
        f"slowest {took[-1]:.1f} ms, p50 {statistics.median(took):.3f} ms, "
        f"p99 {took[int(0.99 * len(took)) - 1]:.2f} ms; {tried} tried the broker"
    )


if __name__ == "__main__":
    main()
