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
- suggest: the 80 ticket texts of the older evaluation set (subject and description, 30-80
  words), cache cleared before each round so every call is computed;
- typing: suggestions while a customer types, as the portal asks for them (after a pause, once
  12 characters are typed): every word-boundary prefix of the labelled customer questions in
  lifebuoy/kb/evaluation/questions.yaml, asked by a customer of an organization with learned
  words, against the default vocabulary and 10,000 learned signals from 200 organizations.

Beside each latency: CPU per operation, of this process (on SQLite the whole query runs here)
and, on PostgreSQL, of the server process serving the connection (read from /proc).
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


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of the database server process ``pid``; 0 without one."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU per operation over a block: this process, and the database server's process."""

    def __init__(self) -> None:
        self.pid = _backend_pid()

    def __enter__(self) -> CpuMeter:
        self.began = (time.process_time(), _server_cpu(self.pid))
        return self

    def __exit__(self, *exc: object) -> None:
        self.spent = (
            time.process_time() - self.began[0],
            _server_cpu(self.pid) - self.began[1],
        )

    def per_op(self, count: int) -> dict[str, float]:
        return {
            "client_cpu": round(self.spent[0] / count * 1000, 2),
            "server_cpu": round(self.spent[1] / count * 1000, 2),
        }


def _time_searches(queries: list[str], restriction: object) -> tuple[list[float], int, dict]:
    from lifebuoy.kb.selectors import kb_search

    timings: list[float] = []
    empty = 0
    with CpuMeter() as meter:
        for text in queries:
            began = time.perf_counter()
            found = kb_search(user=None, text=text, restriction=restriction, limit=10)  # type: ignore[arg-type]
            timings.append(time.perf_counter() - began)
            empty += not found
    return timings, empty, meter.per_op(len(queries))


def typing_prefixes(questions: list[str]) -> list[str]:
    """What the portal asks while each question is typed: the text at every word boundary,
    once it is 12 characters long (the portal waits for a pause and 12 characters)."""
    prefixes = []
    for question in questions:
        parts = question.split()
        for n in range(1, len(parts) + 1):
            text = " ".join(parts[:n])
            if len(text) >= 12:
                prefixes.append(text)
    return prefixes


def teach(seed: int, organizations: int = 200, signals: int = 10_000) -> int:
    """Learned words at scale: ``signals`` "solved" clicks and ticket links spread over
    ``organizations``, each teaching the words of a seed question or a generated sentence."""
    from django.db import transaction
    from django.utils import timezone

    from lifebuoy.accounts.models import Organization
    from lifebuoy.kb.evaluation import load_questions
    from lifebuoy.kb.learning import learned_term_record
    from lifebuoy.kb.models import Article, LearnedTerm

    rng = random.Random(seed + 3)
    maker = TextMaker(rng)
    orgs = Organization.objects.bulk_create(
        [Organization(name=f"Bench {n}", slug=f"bench-{n}") for n in range(organizations)]
    )
    seeded = dict(Article.objects.filter(number__lt=2000).values_list("number", "id"))
    generated = list(Article.objects.filter(number__gte=100_000).values_list("id", flat=True))
    questions = [q for q in load_questions() if q.reader == "customer"]
    now = timezone.now()
    with transaction.atomic():
        for _ in range(signals):
            org = rng.choice(orgs)
            if rng.random() < 0.5:
                question = rng.choice(questions)
                article_id = seeded[int(question.article.removeprefix("KB-"))]
                text = question.text
            else:
                maker.choose_topic()
                article_id, text = rng.choice(generated), maker.sentence(4, 12)
            learned_term_record(organization_id=org.id, article_id=article_id, text=text, now=now)
    return LearnedTerm.objects.count()


def _time_suggestions(texts: list[tuple[str, str]], user: object) -> tuple[list[float], dict]:
    from django.core.cache import cache

    from lifebuoy.kb.selectors import kb_suggest

    timings: list[float] = []
    with CpuMeter() as meter:
        for subject, description in texts:
            began = time.perf_counter()
            kb_suggest(user=user, subject=subject, description=description)  # type: ignore[arg-type]
            timings.append(time.perf_counter() - began)
    cache.clear()  # every round computes its suggestions
    return timings, meter.per_op(len(texts))


def measure(seed: int, searches: int) -> dict[str, object]:
    import yaml
    from django.core.cache import cache
    from django.db import connection

    from lifebuoy.accounts.models import Organization, Role, User
    from lifebuoy.kb.evaluation import load_questions
    from lifebuoy.kb.selectors import kb_restriction_for, kb_search

    restriction = kb_restriction_for(user=None)
    topical = topical_queries(searches, seed)
    common = common_queries(searches, seed)
    tickets = yaml.safe_load((ROOT / "lifebuoy/kb/seed/eval_tickets.yaml").read_text())["tickets"]
    questions = [q.text for q in load_questions() if q.reader == "customer"]
    typing = [(text, "") for text in typing_prefixes(questions)]
    # A customer (never saved) of the organization with the most learned words.
    org = Organization.objects.filter(slug__startswith="bench-").order_by("id").first()
    customer = User(role=Role.CUSTOMER, is_active=True, organization=org)
    for text in topical[:50] + common[:50]:  # warm caches and the query planner
        kb_search(user=None, text=text, restriction=restriction)
    cache.clear()
    topical_t, topical_empty, topical_cpu = _time_searches(topical, restriction)
    common_t, common_empty, common_cpu = _time_searches(common, restriction)
    suggest: list[float] = []
    typed: list[float] = []
    suggest_cpu: list[dict] = []
    typing_cpu: list[dict] = []
    for _ in range(3):
        timings, cpu = _time_suggestions([(t["subject"], t["description"]) for t in tickets], None)
        suggest += timings
        suggest_cpu.append(cpu)
        timings, cpu = _time_suggestions(typing, customer)
        typed += timings
        typing_cpu.append(cpu)

    def mean_cpu(rounds: list[dict]) -> dict[str, float]:
        return {k: round(statistics.fmean(r[k] for r in rounds), 2) for k in rounds[0]}

    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "vendor": connection.vendor,
        "search": percentiles(topical_t) | topical_cpu,
        "search_empty": topical_empty,
        "common": percentiles(common_t) | common_cpu,
        "common_empty": common_empty,
        "searches": searches,
        "suggest": percentiles(suggest) | mean_cpu(suggest_cpu),
        "suggest_count": len(suggest),
        "typing": percentiles(typed) | mean_cpu(typing_cpu),
        "typing_count": len(typed),
    }


def run_one(url: str, count: int, seed: int, searches: int, keep: bool) -> dict[str, object]:
    prepare_database(url)
    setup_django(url)
    try:
        articles, seconds = generate(count, seed)
        learned = teach(seed)
        result = measure(seed, searches)
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            drop_database(url)
    result.update(articles=articles, load_seconds=round(seconds, 1), learned_terms=learned)
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
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="Which of the default databases to run, comma separated (sqlite, postgresql).",
    )
    args = parser.parse_args()
    if args.database_url:
        result = run_one(args.database_url, args.articles, args.seed, args.searches, args.keep)
        print(json.dumps(result))
        return 0
    rows = []
    urls = {
        "sqlite": DEFAULT_SQLITE,
        "postgresql": os.environ.get("KB_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
    }
    for url in (urls[name.strip()] for name in args.databases.split(",")):
        cmd = [sys.executable, __file__, "--database-url", url]
        cmd += ["--articles", str(args.articles), "--searches", str(args.searches)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"Machine: {machine()}")
    for r in rows:
        print(f"{r['vendor']}: load average {r['load_average']} (1, 5, 15 min) after timing")
    print("| database | queries | p50 | p95 | p99 | mean | CPU per op (client / server) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    names = {
        "search": "topical search",
        "common": "common-word search",
        "suggest": "suggestions (tickets)",
        "typing": "suggestions while typing",
    }
    for r in rows:
        for key, name in names.items():
            p = r[key]
            print(
                f"| {r['vendor']} | {name} | {p['p50']} ms | {p['p95']} ms | {p['p99']} ms "
                f"| {p['mean']} ms | {p['client_cpu']} / {p['server_cpu']} ms |"
            )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
