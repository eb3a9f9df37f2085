"""Run every benchmark, one after the other (they must not compete for the 2 cores), print their
tables, and draw each table as an SVG chart beside it.

    python scripts/bench/run_all.py                # quick sizes (a few minutes)
    python scripts/bench/run_all.py --full         # the published figures' sizes: 256 MiB and 1 GiB uploads, ...
    python scripts/bench/run_all.py --charts-only  # redraw docs/performance.md's charts from its tables

A run writes OUT/results.md (every benchmark's output, each table followed by its chart) and
OUT/charts/*.svg. ``--charts-only`` runs nothing: it draws a chart of every table of the page
(docs/performance.md unless given) into docs/charts/ and puts each chart's image line right
after its table. Exits 1 if any benchmark missed its target or failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from _charts import annotate  # noqa: E402  (a sibling module: this file runs as a script)

PAGE = ROOT / "docs" / "performance.md"
PAGE_CHARTS = "charts/"  # relative to the page, under docs/

QUICK: list[list[str]] = [
    ["mcp_cold_start.py", "--runs", "10"],
    ["call_overhead.py", "--calls", "300"],
    ["upload.py", "--size-mib", "64"],
    ["many_jobs.py", "--jobs", "100"],
    ["wait_latency.py", "--durations", "5", "30", "120", "--jobs", "2"],
    ["campaign.py", "--rows", "50", "--skip-kill"],
    ["cli_startup.py", "--runs", "10"],
    ["reliability.py", "--creates", "200", "--restart-jobs", "60"],
    ["tools_list.py"],
]
FULL: list[list[str]] = [
    ["mcp_cold_start.py", "--runs", "30", "--importtime"],
    ["call_overhead.py", "--calls", "2000"],
    ["upload.py"],  # its defaults: 256 MiB and 1 GiB, 7 runs each
    ["many_jobs.py", "--jobs", "100", "--runs", "3"],
    ["wait_latency.py", "--jobs", "3"],
    ["campaign.py", "--rows", "200"],
    ["cli_startup.py", "--runs", "30", "--importtime"],
    ["reliability.py", "--creates", "1000", "--restart-jobs", "200"],
    ["tools_list.py"],
    ["scale_out.py"],
]


def write_charts(markdown: str, chart_dir: Path, link_prefix: str) -> str:
    """Write a chart of every table of ``markdown`` into ``chart_dir``; return the text with the charts."""
    text, files = annotate(markdown, chart_dir, link_prefix)
    chart_dir.mkdir(parents=True, exist_ok=True)
    for path, svg in files.items():
        path.write_text(svg, encoding="utf-8")
    return text


def _run(command: list[str]) -> tuple[int, str]:
    """Run one benchmark, echoing its output as it comes; its exit code and what it printed."""
    lines: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1) as child:
        assert child.stdout is not None
        for line in child.stdout:
            sys.stdout.write(line)
            lines.append(line)
        code = child.wait(timeout=3600)
    return code, "".join(lines)


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the big sizes (several minutes)")
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="where results.md and charts go")
    parser.add_argument(
        "--charts-only",
        nargs="?",
        const=PAGE,
        type=Path,
        metavar="PAGE",
        help="run nothing: redraw the charts of PAGE's tables (default docs/performance.md)",
    )
    args = parser.parse_args(argv)
    if args.charts_only is not None:
        page: Path = args.charts_only
        page.write_text(write_charts(page.read_text(encoding="utf-8"), page.parent / PAGE_CHARTS, PAGE_CHARTS))
        print(f"charts of {page} redrawn in {page.parent / PAGE_CHARTS}")
        return True
    failed: list[str] = []
    report: list[str] = [f"# Benchmarks ({'full' if args.full else 'quick'} sizes)\n"]
    for script, *options in FULL if args.full else QUICK:
        command = [sys.executable, str(HERE / script), *options]
        print(f"\n# {script} {' '.join(options)}", flush=True)
        start = time.perf_counter()
        code, output = _run(command)
        print(f"({time.perf_counter() - start:.0f} s)", flush=True)
        report.append(f"\n## {script} {' '.join(options)}\n{output}")
        if code != 0:
            failed.append(script)
    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / "results.md"
    results.write_text(write_charts("".join(report), args.out / "charts", "charts/"), encoding="utf-8")
    print(f"\ntables and charts: {results}")
    print("\nall targets met" if not failed else f"\nmissed a target or failed: {', '.join(failed)}")
    return not failed


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
