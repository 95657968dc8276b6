"""Knowledge-base search latency with 50,000 articles, on SQLite (FTS5) and PostgreSQL.

    python bench/kb_search_bench.py                 # both databases, prints a Markdown table
    python bench/kb_search_bench.py --database-url sqlite:////tmp/kb_bench.sqlite3

Each database is created from nothing: migrations (which load the 28 seed articles), then
generated articles bulk-inserted and indexed through the same ``index_documents`` the services
use. Generated text draws words from the seed articles with a Zipf-like frequency, so common
words ("agent", "git") are common and rare ones rare, as in a real knowledge base.

Timed through the selectors, exactly as the portal, API and CLI call them (query parsing,
typo/prefix expansion against the vocabulary, the full-text query, loading the articles):
- search: 1-3 word queries a customer types, 20% with a typo and 30% with the last word cut
  short, as a customer (published customer-facing articles only);
- suggest: the 80 ticket texts of the evaluation set (subject and description, 30-80 words).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SQLITE = "sqlite:////tmp/lifebuoy_bench_kb.sqlite3"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lifebuoy_bench_kb"


def prepare_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        prepare_database(url)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()


class TextMaker:
    """Sentences from the seed articles' words, drawn with their observed frequencies."""

    def __init__(self, rng: random.Random) -> None:
        from lifebuoy.kb.search.text import WORD_RE
        from lifebuoy.kb.seed import SEED_DIR

        counts: Counter[str] = Counter()
        for path in SEED_DIR.glob("KB-*.md"):
            counts.update(w for w in WORD_RE.findall(path.read_text().lower()) if len(w) > 2)
        self.words = [w for w, _ in counts.most_common()]
        # Zipf-like weights by rank, so the corpus has both very common and rare words.
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.rng = rng

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, self.weights, k=n)

    def sentence(self, lo: int, hi: int) -> str:
        return " ".join(self.words_(self.rng.randint(lo, hi))).capitalize() + "."


def generate(count: int, seed: int) -> tuple[int, float]:
    from django.core.management import call_command
    from django.db import transaction

    from lifebuoy.kb.drafts import document_of, versions_key
    from lifebuoy.kb.models import Article, Category
    from lifebuoy.kb.search import index_documents

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    maker = TextMaker(rng)
    first = 100_000
    began = time.monotonic()
    batch = 2000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(start + batch, count)):
            versions = rng.sample(["1.0", "1.1", "1.2", "2.0"], rng.randint(1, 2))
            rows.append(
                Article(
                    number=first + i,
                    title=maker.sentence(4, 9)[:-1],
                    issue=maker.sentence(8, 16),
                    affected_versions=versions,
                    versions_key=versions_key(versions),
                    symptoms=[maker.sentence(6, 14) for _ in range(rng.randint(2, 5))],
                    root_cause=" ".join(maker.sentence(8, 20) for _ in range(3)),
                    solution=" ".join(maker.sentence(8, 20) for _ in range(6)),
                    prevention=" ".join(maker.sentence(8, 20) for _ in range(2)),
                    category=rng.choice(Category.values),
                    visibility="customer" if rng.random() < 0.7 else "internal",
                    state=rng.choices(["published", "draft", "archived"], [90, 5, 5])[0],
                    tags=maker.words_(3),
                )
            )
        with transaction.atomic():
            created = Article.objects.bulk_create(rows)
            index_documents([document_of(a) for a in created])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum or `PRAGMA optimize` keep
    return Article.objects.count(), time.monotonic() - began


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # one letter dropped


def search_queries(n: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    maker = TextMaker(rng)
    pool = [w for w in maker.words[:600] if len(w) > 3]
    queries = []
    for _ in range(n):
        words = rng.sample(pool, rng.randint(1, 3))
        roll = rng.random()
        if roll < 0.2:
            words[0] = _typo(words[0], rng)
        elif roll < 0.5 and len(words[-1]) > 5:
            words[-1] = words[-1][: rng.randint(3, len(words[-1]) - 1)]
        queries.append(" ".join(words))
    return queries


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": round(pick(0.50) * 1000, 2),
        "p95": round(pick(0.95) * 1000, 2),
        "p99": round(pick(0.99) * 1000, 2),
        "mean": round(statistics.fmean(ordered) * 1000, 2),
    }


def measure(seed: int, searches: int) -> dict[str, object]:
    import yaml
    from django.db import connection

    from lifebuoy.kb.selectors import kb_restriction_for, kb_search, kb_suggest

    restriction = kb_restriction_for(user=None)
    queries = search_queries(searches, seed)
    tickets = yaml.safe_load((ROOT / "lifebuoy/kb/seed/eval_tickets.yaml").read_text())["tickets"]
    for text in queries[:50]:  # warm caches and the query planner
        kb_search(user=None, text=text, restriction=restriction)
    timings: list[float] = []
    empty = 0
    for text in queries:
        began = time.perf_counter()
        found = kb_search(user=None, text=text, restriction=restriction, limit=10)
        timings.append(time.perf_counter() - began)
        empty += not found
    suggest: list[float] = []
    for _ in range(3):
        for t in tickets:
            began = time.perf_counter()
            kb_suggest(user=None, subject=t["subject"], description=t["description"])
            suggest.append(time.perf_counter() - began)
    return {
        "vendor": connection.vendor,
        "search": percentiles(timings),
        "search_count": len(timings),
        "search_empty": empty,
        "suggest": percentiles(suggest),
        "suggest_count": len(suggest),
    }


def run_one(url: str, count: int, seed: int, searches: int, keep: bool) -> dict[str, object]:
    prepare_database(url)
    setup_django(url)
    try:
        articles, seconds = generate(count, seed)
        result = measure(seed, searches)
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            drop_database(url)
    result.update(articles=articles, load_seconds=round(seconds, 1))
    return result


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="Run on this database only (printed as JSON).")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    if args.database_url:
        result = run_one(args.database_url, args.articles, args.seed, args.searches, args.keep)
        print(json.dumps(result))
        return 0
    rows = []
    for url in (DEFAULT_SQLITE, os.environ.get("KB_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)):
        cmd = [sys.executable, __file__, "--database-url", url]
        cmd += ["--articles", str(args.articles), "--searches", str(args.searches)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"Machine: {machine()}")
    print("| database | articles | search p50 | search p95 | search p99 | suggest p50 | suggest p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        s, g = r["search"], r["suggest"]
        print(
            f"| {r['vendor']} | {r['articles']:,} | {s['p50']} ms | {s['p95']} ms | {s['p99']} ms "
            f"| {g['p50']} ms | {g['p95']} ms |"
        )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
