"""The performance page shows a chart beside every benchmark table, drawn from that table by
`scripts/bench/run_all.py`, and a benchmark run's tables get their charts the same way."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

BENCH = ROOT / "scripts" / "bench"
PAGE = ROOT / "docs" / "performance.md"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def charts() -> ModuleType:
    return _load("_charts")


@pytest.fixture(scope="module")
def run_all() -> ModuleType:
    return _load("run_all")


def test_every_table_of_the_page_has_its_chart_beside_it_and_the_chart_is_up_to_date(charts: ModuleType) -> None:
    page = PAGE.read_text(encoding="utf-8")
    text, files = charts.annotate(page, PAGE.parent / "charts", "charts/")
    assert len(files) >= 5, "the performance page has lost its benchmark tables"
    assert text == page, "docs/performance.md lacks a chart line: python scripts/bench/run_all.py --charts-only"
    for path, svg in files.items():
        assert path.is_file(), f"{path.name} is missing: python scripts/bench/run_all.py --charts-only"
        assert path.read_text(encoding="utf-8") == svg, f"{path.name} is stale: run_all.py --charts-only"
    referenced = set(re.findall(r"\]\(charts/([\w-]+\.svg)\)", page))
    assert referenced == {path.name for path in files}
    assert {p.name for p in (PAGE.parent / "charts").glob("*.svg")} == referenced, "a chart no table draws"


def test_a_chart_reads_each_rows_figures(charts: ModuleType) -> None:
    assert charts.figure("one-tool `MCPServer`: 416 ms") == (416.0, "416 ms")
    assert charts.figure("naive GET loop: 2.98") == (2.98, "2.98")
    assert charts.figure("doing the raw GET: 2.99 ms (raw httpx GET: 1.47 ms)") == (2.99, "2.99 ms")
    assert charts.figure("`curl -T` PUT: 1,342 MiB/s") == (1342.0, "1,342 MiB/s")
    assert charts.figure("") is None
    (chart,) = charts.tables(
        "## Speed\n\n| measure | raw | ours | ratio |\n|---|---|---|---|\n| get (p50) | 2 ms | 1 ms | |\n"
    )
    assert chart.title == "Speed" and chart.reference_name == "raw"
    assert chart.bars == (charts.Bar("get", (2.0, "2 ms"), (1.0, "1 ms")),)
    svg = charts.render_svg(chart)
    widths = [float(w) for w in re.findall(r'<rect x="300" y="\d+" width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])  # bars in proportion to the figures
    assert "2 ms" in svg and "1 ms" in svg and "Speed" in svg


def test_a_run_writes_each_benchmarks_table_with_its_chart(
    run_all: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = _load("_common")
    common.print_table(
        "Uploads", [common.Row("PUT throughput", 342.0, 311.0, "MiB/s", ">= 0.7x", True)], reference_name="curl"
    )
    printed = capsys.readouterr().out
    text = run_all.write_charts(f"## upload.py\n{printed}", tmp_path / "charts", "charts/")
    assert "![Uploads](charts/uploads.svg)" in text
    svg = (tmp_path / "charts" / "uploads.svg").read_text(encoding="utf-8")
    assert "curl" in svg and "342 MiB/s" in svg and "311 MiB/s" in svg
    assert run_all.write_charts(text, tmp_path / "charts", "charts/") == text  # redrawing is stable


def test_charts_only_redraws_a_page_in_place(run_all: ModuleType, tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# P\n\n## Waits\n\n| measure | theirs | ours |\n|---|---|---|\n| lateness | 4 s | 1 s |\n")
    assert run_all.main(["--charts-only", str(page)])
    assert "![Waits](charts/waits.svg)" in page.read_text()
    assert "4 s" in (tmp_path / "charts" / "waits.svg").read_text()
