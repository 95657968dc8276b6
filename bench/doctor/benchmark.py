"""Time ``lifebuoy doctor`` against ``git log --name-only`` on synthetic repositories.

    python bench/doctor/benchmark.py --sizes 20000 200000 --runs 5

For each size: generate a repository (once, under --workdir), then alternate runs of
``git log --name-only`` (output discarded) and ``lifebuoy doctor --format json`` (a fresh
process, output discarded) and keep the fastest of each; the ratio compares the two. Memory
is measured in a separate in-process run: peak RSS of the Python process and the tracemalloc
peak of Python objects, which should stay flat as the history grows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import generate  # noqa: E402


def timed(argv: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of the process and the children it waited for."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4 above
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def child(path: Path, now: str, trace: bool) -> None:
    """Run the doctor in this process and print elapsed time and memory as JSON."""
    from lifebuoy.diagnostics.engine.profiles import load_profile
    from lifebuoy.diagnostics.engine.runner import diagnose
    from lifebuoy.diagnostics.engine.timeutil import parse_instant

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    report = diagnose(path, now=parse_instant(now), profile=load_profile())
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "tracemalloc_peak": peak,
                "commits": report.snapshot.history.commits_read,
                "findings": len(report.findings),
            }
        )
    )


def measure_child(path: Path, now: str, *, trace: bool) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", str(path), now]
    out = subprocess.run(
        argv + (["--trace"] if trace else []), capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_size(workdir: Path, size: int, runs: int) -> dict[str, object]:
    repo = workdir / f"dual-trinity-{size}"
    generated = None
    if not repo.exists():
        start = time.perf_counter()
        generate(repo, size)
        generated = time.perf_counter() - start
    last = subprocess.run(
        ["git", "-C", str(repo), "log", "-1", "--format=%at"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    now = (datetime.fromtimestamp(int(last), tz=UTC) + timedelta(minutes=5)).isoformat()
    lifebuoy = str(Path(sys.executable).with_name("lifebuoy"))
    git_runs, doctor_runs = [], []
    for _ in range(runs):
        git_runs.append(timed(["git", "log", "--name-only"], cwd=repo))
        doctor_runs.append(timed([lifebuoy, "doctor", str(repo), "--now", now, "--format", "json"]))
    git_times, doctor_times = [w for w, _ in git_runs], [w for w, _ in doctor_runs]
    git_cpu, doctor_cpu = min(c for _, c in git_runs), min(c for _, c in doctor_runs)
    memory = measure_child(repo, now, trace=False)
    traced = measure_child(repo, now, trace=True)
    git_best, doctor_best = min(git_times), min(doctor_times)
    return {
        "size": size,
        "generated_seconds": generated,
        "git_log_best": git_best,
        "git_log_median": sorted(git_times)[len(git_times) // 2],
        "doctor_best": doctor_best,
        "doctor_median": sorted(doctor_times)[len(doctor_times) // 2],
        "ratio_best": doctor_best / git_best,
        "git_log_cpu": git_cpu,
        "doctor_cpu": doctor_cpu,
        "engine_seconds": memory["elapsed"],
        "maxrss_mb": memory["maxrss_kb"] / 1024,
        "tracemalloc_peak_mb": (traced["tracemalloc_peak"] or 0) / 2**20,
        "commits": memory["commits"],
    }


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}, Python {platform.python_version()}, "
        f"{git.stdout.strip()}, load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lifebuoy-doctor-bench"
    )
    parser.add_argument("--child", nargs=2, metavar=("PATH", "NOW"))
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], args.trace)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(
        "| commits | git log --name-only, wall best/median | doctor CLI, wall best/median "
        "| wall ratio | CPU git log / doctor (ratio) | engine only | peak RSS | tracemalloc peak |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = bench_size(args.workdir, size, args.runs)
        print(
            f"| {r['commits']:,} | {r['git_log_best']:.2f} s / {r['git_log_median']:.2f} s "
            f"| {r['doctor_best']:.2f} s / {r['doctor_median']:.2f} s | {r['ratio_best']:.2f}x "
            f"| {r['git_log_cpu']:.2f} s / {r['doctor_cpu']:.2f} s "
            f"({r['doctor_cpu'] / r['git_log_cpu']:.2f}x) "
            f"| {r['engine_seconds']:.2f} s | {r['maxrss_mb']:.0f} MB "
            f"| {r['tracemalloc_peak_mb']:.1f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
