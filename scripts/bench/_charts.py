"""Benchmark tables as SVG bar charts, with no dependency beyond the standard library.

A table is a Markdown table whose header's first cell is ``measure`` and that has an ``ours``
column: the one ``_common.print_table`` prints, and the ones of ``docs/performance.md``. Its
title is the nearest heading above it. Each row becomes a pair of horizontal bars, the
reference's (grey) and ours (blue), scaled to the larger of the two: rows of one table may have
different units, and what a reader compares is the two figures of one row. A cell's figure is
its last number (with its unit) outside parentheses, so "one-tool `MCPServer`: 416 ms" reads as
416 ms; a row without a figure on either side draws only the bar it has.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Bar", "Chart", "annotate", "figure", "render_svg", "slug", "tables"]

_NUMBER = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*(MiB/s|MiB|MB|GiB|ms|s|%|x)?(?![\w.])")
_HEADING = re.compile(r"^#{2,6}\s+(.+?)\s*$")
_WIDTH, _LABEL_W, _ROW_H, _BAR_H, _TOP, _VALUE_W = 760, 300, 46, 15, 44, 110
_COLOURS = {"reference": "#9e9e9e", "ours": "#1e88e5"}


@dataclass(frozen=True)
class Bar:
    """One row of a chart: what is measured and the two figures (None when the table has none)."""

    label: str
    reference: tuple[float, str] | None
    ours: tuple[float, str] | None


@dataclass(frozen=True)
class Chart:
    title: str
    reference_name: str
    bars: tuple[Bar, ...]


def figure(cell: str) -> tuple[float, str] | None:
    """The figure a cell shows, as its value and its text: its last number and unit outside parentheses."""
    text = re.sub(r"\([^()]*\)", " ", cell.replace("`", ""))
    found = _NUMBER.findall(text)
    if not found:
        return None
    number, unit = found[-1]
    return float(number.replace(",", "")), f"{number} {unit}".strip()


def slug(title: str) -> str:
    """A file name for a chart titled ``title``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower().replace("`", "")).strip("-") or "chart"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0] == "measure" and "ours" in cells


def tables(markdown: str) -> Iterator[Chart]:
    """Every benchmark table of ``markdown`` (see the module docstring), titled by its heading."""
    lines = markdown.splitlines()
    title = "benchmark"
    i = 0
    while i < len(lines):
        heading = _HEADING.match(lines[i])
        if heading:
            title = heading.group(1)
        header = _cells(lines[i]) if lines[i].startswith("|") else []
        if not _is_header(header):
            i += 1
            continue
        ours = header.index("ours")
        bars = []
        i += 2  # the header and its |---| line
        while i < len(lines) and lines[i].startswith("|"):
            row = _cells(lines[i])
            label = re.sub(r"\s*\([^()]*\)", "", row[0].replace("`", "")).strip()  # asides stay in the table
            bars.append(Bar(label, figure(row[1]), figure(row[ours])))
            i += 1
        yield Chart(title.replace("`", ""), header[1], tuple(bars))


def render_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document (deterministic: the same table gives the same bytes)."""
    height = _TOP + _ROW_H * len(chart.bars) + 16
    bar_w = _WIDTH - _LABEL_W - _VALUE_W - 10
    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{esc(chart.title)}</title>",
        f'<rect width="{_WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="18" font-size="14" font-weight="bold">{esc(chart.title)}</text>',
    ]
    legend = ((chart.reference_name, _COLOURS["reference"]), ("ours", _COLOURS["ours"]))
    x = 8
    for name, colour in legend:
        out.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="35">{esc(name)}</text>')
        x += 24 + 7 * len(name)
    for index, bar in enumerate(chart.bars):
        top = _TOP + index * _ROW_H
        label = bar.label if len(bar.label) <= 44 else bar.label[:43] + "…"
        out.append(f'<text x="8" y="{top + _BAR_H + 4}">{esc(label)}</text>')
        scale = max((v[0] for v in (bar.reference, bar.ours) if v is not None and v[0] > 0), default=0.0)
        for offset, (kind, value) in enumerate((("reference", bar.reference), ("ours", bar.ours))):
            if value is None:
                continue
            y = top + offset * (_BAR_H + 2)
            width = 0.0 if scale == 0 else max(1.0, bar_w * max(value[0], 0.0) / scale)
            out.append(f'<rect x="{_LABEL_W}" y="{y}" width="{width:.1f}" height="{_BAR_H}" fill="{_COLOURS[kind]}"/>')
            out.append(f'<text x="{_LABEL_W + width + 4:.1f}" y="{y + _BAR_H - 3}">{esc(value[1])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def annotate(markdown: str, chart_dir: Path, link_prefix: str) -> tuple[str, dict[Path, str]]:
    """Every benchmark table of ``markdown`` with its chart beside it (the line after the table).

    Returns the new text (an image line ``![title](<link_prefix><slug>.svg)`` after each table,
    replacing one already there) and the SVG documents to write, by path under ``chart_dir``.
    Nothing is written here, so a check can compare without touching the files.
    """
    charts = iter(list(tables(markdown)))
    lines = markdown.splitlines()
    out: list[str] = []
    files: dict[Path, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not (line.startswith("|") and _is_header(_cells(line))):
            continue
        while i < len(lines) and lines[i].startswith("|"):
            out.append(lines[i])
            i += 1
        chart = next(charts)
        name = slug(chart.title)
        while chart_dir / f"{name}.svg" in files:
            name += "-2"
        files[chart_dir / f"{name}.svg"] = render_svg(chart)
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and lines[j].startswith("![") and f"]({link_prefix}" in lines[j]:
            i = j + 1  # the chart line of an earlier run: replaced below
        out.extend(["", f"![{chart.title}]({link_prefix}{name}.svg)"])
        if i < len(lines) and lines[i].strip():
            out.append("")
    return "\n".join(out) + "\n", files
