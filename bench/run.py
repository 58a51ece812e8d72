"""`make bench`: run every benchmark part, print one table, and (with --write-docs) record it in docs/benchmarks.md.

Each part is a script that writes a JSON list of rows ({"what", "baseline", "measured", "target", "met", "detail"}):
bench/http_load.py (the portal under HTTP load) and bench/data_scale.py (large tables). They run one after the other,
never at the same time, so neither disturbs the other's measurements. A part that is missing, crashes or overruns its
time gives a row saying so; the exit status is non-zero only then. A missed target is a result, not an error.

Usage: python bench/run.py [--write-docs] [--only http_load|data_scale]
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DOCS = BASE_DIR / "docs" / "benchmarks.md"
# (name, script, time limit in seconds): together well inside the quarter of an hour `make bench` may take.
PARTS = [
    ("http_load", "bench/http_load.py", 9 * 60),
    ("data_scale", "bench/data_scale.py", 9 * 60),
]
START_MARK = "<!-- bench:results:start -->"
END_MARK = "<!-- bench:results:end -->"
COLUMNS = ["what", "baseline", "measured", "target", "met", "detail"]


def crashed_row(name: str, script: str, reason: str) -> dict:
    return {
        "what": f"{name} ({script})",
        "baseline": None,
        "measured": "part missing" if reason.startswith("missing") else "part crashed",
        "target": "-",
        "met": False,
        "detail": reason,
    }


def run_part(name: str, script: str, limit: int) -> tuple[list[dict], bool]:
    """The part's rows, and whether it crashed (missing, non-zero exit, no JSON, over time)."""
    path = BASE_DIR / script
    if not path.exists():
        return [crashed_row(name, script, f"missing: {script} does not exist yet")], True
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        out = Path(tmp) / "rows.json"
        started = time.monotonic()
        print(f"== {name}: {script} (at most {limit // 60} min)", file=sys.stderr, flush=True)
        try:
            done = subprocess.run([sys.executable, str(path), "--json", str(out)], cwd=BASE_DIR, timeout=limit)  # noqa: S603
        except subprocess.TimeoutExpired:
            rows = _read_rows(out)
            return [*rows, crashed_row(name, script, f"stopped after {limit} s, its time limit")], True
        rows = _read_rows(out)
        elapsed = time.monotonic() - started
        print(f"== {name}: done in {elapsed:.0f} s (exit {done.returncode})", file=sys.stderr, flush=True)
        if done.returncode != 0:
            return [*rows, crashed_row(name, script, f"exit status {done.returncode}; its output above says why")], True
        if not rows:
            return [crashed_row(name, script, "it wrote no result rows")], True
        return rows, False


def _read_rows(out: Path) -> list[dict]:
    try:
        rows = json.loads(out.read_text())
    except (OSError, ValueError):
        return []
    return [row for row in rows if isinstance(row, dict)]


def cell(row: dict, column: str) -> str:
    value = row.get(column)
    if column == "met":
        return "yes" if value else "**no**"
    return "-" if value in (None, "") else str(value)


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(cell(row, column).replace("|", "\\|") for column in COLUMNS) + " |")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "RAM unknown"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, {memory}; {platform.system()} {platform.release()}; load average {load}"


def commit() -> str:
    def git(*args):
        done = subprocess.run(["git", *args], cwd=BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603, S607
        return done.stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{sha} (uncommitted changes)" if git("status", "--porcelain") else sha


def results_section(rows: list[dict], started: datetime.datetime) -> str:
    missed = [row["what"] for row in rows if not row.get("met")]
    summary = "every target met" if not missed else f"{len(missed)} of {len(rows)} rows not met: " + "; ".join(missed)
    return "\n".join(
        [
            START_MARK,
            f"Run of {started:%Y-%m-%d %H:%M %Z} with `make bench` (`bench/run.py --write-docs`).",
            "",
            f"- Machine: {machine()}",
            f"- Commit: {commit()}",
            f"- Result: {summary}",
            "",
            table(rows),
            END_MARK,
        ]
    )


def write_docs(section: str) -> None:
    """Replace the results between the marks; everything else in the file (the history, notes) stays as it is."""
    if DOCS.exists():
        text = DOCS.read_text()
        if START_MARK in text and END_MARK in text:
            before, rest = text.split(START_MARK, 1)
            after = rest.split(END_MARK, 1)[1]
            DOCS.write_text(before + section + after)
            return
        DOCS.write_text(text.rstrip() + "\n\n## Latest results\n\n" + section + "\n")
        return
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(
        "# Benchmarks\n\n"
        "`make bench` measures the portal against baselines taken in the same run (see issue 8 for the targets): "
        "bench/http_load.py under HTTP load, bench/data_scale.py with large tables. Each figure is a ratio or a time "
        "on the machine named below, which is shared and noisy.\n\n"
        "## Latest results\n\n" + section + "\n\n## History\n\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-docs", action="store_true", help="record the table in docs/benchmarks.md")
    parser.add_argument("--only", choices=[name for name, _script, _limit in PARTS], action="append")
    args = parser.parse_args()
    started = datetime.datetime.now().astimezone()
    rows, crashed = [], False
    for name, script, limit in PARTS:
        if args.only and name not in args.only:
            continue
        part_rows, part_crashed = run_part(name, script, limit)
        rows += part_rows
        crashed = crashed or part_crashed
    print()
    print(table(rows))
    print()
    print(f"Machine: {machine()}; commit {commit()}")
    if args.write_docs:
        write_docs(results_section(rows, started))
        print(f"Written to {DOCS.relative_to(BASE_DIR)}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
