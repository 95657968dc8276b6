"""Knowledge-base search latency with 50,000 articles, on SQLite (FTS5) and PostgreSQL.

    python bench/kb_search_bench.py                 # both databases, prints a Markdown table
    python bench/kb_search_bench.py --database-url sqlite:////tmp/kb_bench.sqlite3

Each database is created from nothing: migrations (which load the 28 seed articles), then
generated articles bulk-inserted and indexed through the same ``index_documents`` the services
use. Generated text follows the seed articles' topics and word frequencies (see TextMaker).

Timed through the selectors, exactly as the portal, API and CLI call them (query parsing,
typo/prefix expansion against the vocabulary, the full-text query, loading the articles):
- topical search: 1-3 of the most frequent words of one topic, as customers search, 20% with
  a typo and 30% with the last word cut short, as a customer (published customer-facing only);
- common-word search: the same with the corpus's 300 most frequent words (a stress test);
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

from bench.databases import drop_database, prepare_database, setup_django  # noqa: E402

DEFAULT_SQLITE = "sqlite:////tmp/lifebuoy_bench_kb.sqlite3"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lifebuoy_bench_kb"


class TextMaker:
    """Text on a topic: each generated article takes one seed article as its topic and draws
    70% of its words from that article's vocabulary and 30% from the whole seed corpus, with
    the observed frequencies; a few synthetic identifiers per article (error codes, file and
    host names) make the long tail of rare words a real knowledge base has."""

    def __init__(self, rng: random.Random) -> None:
        from lifebuoy.kb.search.text import STOP_WORDS, WORD_RE
        from lifebuoy.kb.seed import SEED_DIR

        self.rng = rng
        self.topics: list[tuple[list[str], list[int]]] = []
        overall: Counter[str] = Counter()
        for path in sorted(SEED_DIR.glob("KB-*.md")):
            found = WORD_RE.findall(path.read_text(encoding="utf-8").lower())
            counts = Counter(w for w in found if len(w) > 2 and w not in STOP_WORDS)
            overall.update(counts)
            self.topics.append((list(counts), list(counts.values())))
        self.words = [w for w, _ in overall.most_common()]
        self.weights = [overall[w] for w in self.words]
        self.tail = [f"{rng.choice(self.words[:300])}{n}" for n in range(20_000)]
        self.topic = self.topics[0]

    def choose_topic(self) -> int:
        index = self.rng.randrange(len(self.topics))
        self.topic = self.topics[index]
        return index

    def words_(self, n: int) -> list[str]:
        local = self.rng.choices(self.topic[0], self.topic[1], k=n)
        common = self.rng.choices(self.words, self.weights, k=n)
        return [a if self.rng.random() < 0.7 else b for a, b in zip(local, common, strict=True)]

    def sentence(self, lo: int, hi: int) -> str:
        return " ".join(self.words_(self.rng.randint(lo, hi))).capitalize() + "."

    def identifiers(self) -> str:
        return " ".join(self.rng.sample(self.tail, 3))


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
            maker.choose_topic()
            rows.append(
                Article(
                    number=first + i,
                    title=maker.sentence(4, 9)[:-1],
                    issue=maker.sentence(8, 16),
                    affected_versions=versions,
                    versions_key=versions_key(versions),
                    symptoms=[maker.sentence(6, 14) for _ in range(rng.randint(2, 5))],
                    root_cause=" ".join(maker.sentence(8, 20) for _ in range(3))
                    + f" Seen with {maker.identifiers()}.",
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


def _shape(words: list[str], rng: random.Random) -> str:
    """20% of queries carry a typo, 30% end in a word still being typed."""
    roll = rng.random()
    if roll < 0.2:
        words[0] = _typo(words[0], rng)
    elif roll < 0.5 and len(words[-1]) > 5:
        words[-1] = words[-1][: rng.randint(3, len(words[-1]) - 1)]
    return " ".join(words)


def topical_queries(n: int, seed: int) -> list[str]:
    """What customers type: 1-3 of the 40 most frequent words of one topic."""
    rng = random.Random(seed + 1)
    maker = TextMaker(rng)
    queries = []
    for _ in range(n):
        words, counts = maker.topics[rng.randrange(len(maker.topics))]
        top = [w for _, w in sorted(zip(counts, words, strict=True), reverse=True)[:40]]
        queries.append(_shape(rng.sample(top, rng.randint(1, 3)), rng))
    return queries


def common_queries(n: int, seed: int) -> list[str]:
    """A stress test: 1-3 of the 300 most frequent words of the whole corpus."""
    rng = random.Random(seed + 2)
    pool = [w for w in TextMaker(rng).words[:300] if len(w) > 3]
    return [_shape(rng.sample(pool, rng.randint(1, 3)), rng) for _ in range(n)]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": round(pick(0.50) * 1000, 2),
        "p95": round(pick(0.95) * 1000, 2),
        "p99": round(pick(0.99) * 1000, 2),
        "mean": round(statistics.fmean(ordered) * 1000, 2),
    }


def _time_searches(queries: list[str], restriction: object) -> tuple[list[float], int]:
    from lifebuoy.kb.selectors import kb_search

    timings: list[float] = []
    empty = 0
    for text in queries:
        began = time.perf_counter()
        found = kb_search(user=None, text=text, restriction=restriction, limit=10)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - began)
        empty += not found
    return timings, empty


def measure(seed: int, searches: int) -> dict[str, object]:
    import yaml
    from django.db import connection

    from lifebuoy.kb.selectors import kb_restriction_for, kb_search, kb_suggest

    restriction = kb_restriction_for(user=None)
    topical = topical_queries(searches, seed)
    common = common_queries(searches, seed)
    tickets = yaml.safe_load((ROOT / "lifebuoy/kb/seed/eval_tickets.yaml").read_text())["tickets"]
    for text in topical[:50] + common[:50]:  # warm caches and the query planner
        kb_search(user=None, text=text, restriction=restriction)
    topical_t, topical_empty = _time_searches(topical, restriction)
    common_t, common_empty = _time_searches(common, restriction)
    suggest: list[float] = []
    for _ in range(3):
        for t in tickets:
            began = time.perf_counter()
            kb_suggest(user=None, subject=t["subject"], description=t["description"])
            suggest.append(time.perf_counter() - began)
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "vendor": connection.vendor,
        "search": percentiles(topical_t),
        "search_empty": topical_empty,
        "common": percentiles(common_t),
        "common_empty": common_empty,
        "searches": searches,
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
    for r in rows:
        print(f"{r['vendor']}: load average {r['load_average']} (1, 5, 15 min) after timing")
    print("| database | queries | p50 | p95 | p99 | mean |")
    print("|---|---|---:|---:|---:|---:|")
    names = {"search": "topical search", "common": "common-word search", "suggest": "suggestions"}
    for r in rows:
        for key, name in names.items():
            p = r[key]
            print(
                f"| {r['vendor']} | {name} | {p['p50']} ms | {p['p95']} ms | {p['p99']} ms "
                f"| {p['mean']} ms |"
            )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
