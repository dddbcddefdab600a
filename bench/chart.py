"""The results as a chart: `python -m bench.chart bench/results/<name>.json docs/benchmarks-<name>.svg`.

One row per scenario that has a floor or a naive baseline (in-process, then over HTTP), two panels:

- left: the portal's p50 as a multiple of its floor's (1× = the floor; shorter is better), with the
  scenario's goal as a dashed mark (e.g. "p50 ≤ 1.8× floor"); the bar is green when it meets the goal,
  red when it misses, grey when the scenario has no such goal;
- right: the naive baseline's p50 ÷ the portal's (how many times faster the portal is; longer is
  better), with the "≥ N× faster than naive" goal where there is one.

Both axes are logarithmic (ratios: 2× and ½× are the same distance from 1×). Plain SVG, no dependency;
the runner (`bench.run`) writes `bench/results/<name>.svg` after every run.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

#: the goals the chart draws, as the scenarios word them in a row's `goals`
FLOOR_GOAL = re.compile(r"^(?:p50 )?≤ (\d+(?:\.\d+)?)× floor$")
NAIVE_GOAL = re.compile(r"^≥ (\d+(?:\.\d+)?)× faster than naive$")

WIDTH = 1200
LABEL_RIGHT = 470  # labels end here (right-aligned)
LABEL_CHARS = 74  # longer labels are shortened (the full one is the row's tooltip)
PANELS = ((500, 830), (880, 1170))  # x ranges of the two panels
TOP = 96  # first row
ROW = 24
BAR = 14
GREEN, RED, GREY, GOAL_COLOUR = "#2e7d32", "#c62828", "#90a4ae", "#212121"
TICKS = (0.1, 0.2, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500, 1000)


@dataclass
class Bar:
    label: str
    vs_floor: float | None
    floor_goal: float | None
    naive_over_portal: float | None
    naive_goal: float | None


def _goal(goals: dict, pattern: re.Pattern) -> float | None:
    for text in goals or {}:
        match = pattern.match(text)
        if match:
            return float(match.group(1))
    return None


def bars(report: dict) -> list[Bar]:
    """The chart's rows: every portal row (in-process, then over HTTP) with a floor or naive ratio."""
    out = []
    for row in [*report.get("rows", []), *report.get("http", [])]:
        if row.get("variant") != "portal":
            continue
        vs_floor, naive = row.get("vs_floor"), row.get("naive_over_portal")
        if vs_floor is None and naive is None:
            continue
        goals = row.get("goals") or {}
        out.append(
            Bar(
                label=row.get("scenario") or row.get("endpoint", ""),
                vs_floor=vs_floor,
                floor_goal=_goal(goals, FLOOR_GOAL),
                naive_over_portal=naive,
                naive_goal=_goal(goals, NAIVE_GOAL),
            )
        )
    return out


class LogAxis:
    """x positions of ratios on a logarithmic axis from `lo` to `hi` (both ticks of TICKS), over [x0, x1]."""

    def __init__(self, values: list[float], x0: float, x1: float):
        values = [v for v in values if v and v > 0] or [1.0]
        low, high = min([*values, 1.0]), max([*values, 2.0]) * 1.25
        self.lo = max([t for t in TICKS if t <= low] or [TICKS[0]])
        self.hi = min([t for t in TICKS if t >= high] or [TICKS[-1]])
        self.x0, self.x1 = x0, x1

    def x(self, value: float) -> float:
        value = min(max(value, self.lo), self.hi)
        span = math.log(self.hi) - math.log(self.lo)
        return self.x0 + (math.log(value) - math.log(self.lo)) / span * (self.x1 - self.x0)

    def ticks(self) -> list[float]:
        return [t for t in TICKS if self.lo <= t <= self.hi]


def _num(value: float) -> str:
    return f"{value:g}" if value >= 10 or value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12, weight: str = "normal",
          fill: str = "#212121") -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}">{escape(content)}</text>'
    )


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _panel(parts: list[str], rows: list[Bar], axis: LogAxis, *, value, goal, higher_is_better: bool, css: str):
    """One panel: grid and ticks, a bar per row from 1× to its ratio, the goal marks, the value labels."""
    bottom = TOP + ROW * len(rows)
    for tick in axis.ticks():
        x = axis.x(tick)
        colour, dash = ("#616161", "") if tick == 1 else ("#e0e0e0", "")
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}"{dash}/>')
        parts.append(_text(x, bottom + 16, f"{_num(tick)}×", anchor="middle", size=11, fill="#616161"))
    one = axis.x(1)
    for index, bar in enumerate(rows):
        ratio_, target = value(bar), goal(bar)
        y = TOP + ROW * index + (ROW - BAR) / 2
        if ratio_ is None:
            parts.append(_text(one + 4, y + BAR - 3, "–", size=11, fill="#9e9e9e"))
            continue
        if target is None:
            colour, verdict = GREY, "no goal"
        else:
            met = ratio_ >= target if higher_is_better else ratio_ <= target
            colour, verdict = (GREEN, "goal met") if met else (RED, "goal missed")
        x = axis.x(ratio_)
        left, width = min(one, x), max(abs(x - one), 1.5)
        tip = f"{bar.label}: {_num(ratio_)}×" + ("" if target is None else f" (goal {_num(target)}×, {verdict})")
        parts.append(
            f'<rect class="bar {css}" x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR}" '
            f'fill="{colour}"><title>{escape(tip)}</title></rect>'
        )
        if target is not None:
            gx = axis.x(target)
            parts.append(
                f'<line class="goal {css}" x1="{gx:.1f}" y1="{y - 4:.1f}" x2="{gx:.1f}" y2="{y + BAR + 4:.1f}" '
                f'stroke="{GOAL_COLOUR}" stroke-width="2" stroke-dasharray="3,2"/>'
            )
        label_x = max(x, one, axis.x(target) if target else 0) + 5
        if label_x > axis.x1 - 8:  # no room to the right: inside the bar, in white
            parts.append(_text(x - 4, y + BAR - 3, f"{_num(ratio_)}×", anchor="end", size=11, fill="#ffffff"))
        else:
            parts.append(_text(label_x, y + BAR - 3, f"{_num(ratio_)}×", size=11))


def svg(report: dict) -> str:
    """The chart of a results report (the dict of `bench/results/<name>.json`) as an SVG document."""
    rows = bars(report)
    height = TOP + ROW * max(len(rows), 1) + 80
    m = report.get("machine") or {}
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(12, 24, "The portal against its floor and its naive baseline (p50 ratios)", size=16, weight="bold"),
        _text(
            12,
            44,
            f"{report.get('command', '')} · {m.get('date', '')} · {m.get('incidents', 0):,} incidents · "
            f"{m.get('nproc', '?')} CPUs · PostgreSQL {str(m.get('postgresql', '')).split(' ')[0]}",
            size=11,
            fill="#616161",
        ),
        _text(PANELS[0][0], 66, "portal p50 ÷ floor p50", weight="bold"),
        _text(PANELS[0][0], 81, "1× = the floor; shorter is better", size=11, fill="#616161"),
        _text(PANELS[1][0], 66, "naive p50 ÷ portal p50", weight="bold"),
        _text(PANELS[1][0], 81, "times faster than the naive way; longer is better", size=11, fill="#616161"),
    ]
    if not rows:
        parts.append(_text(12, TOP + 14, "No scenario with a floor or a naive baseline in these results."))
    for index, bar in enumerate(rows):
        y = TOP + ROW * index
        if index % 2:
            parts.append(f'<rect x="4" y="{y}" width="{WIDTH - 8}" height="{ROW}" fill="#f5f5f5"/>')
        label = _text(LABEL_RIGHT, y + ROW / 2 + 4, _short(bar.label), anchor="end")
        parts.append(f"<g><title>{escape(bar.label)}</title>{label}</g>")
    floor_values = [v for b in rows for v in (b.vs_floor, b.floor_goal) if v is not None]
    naive_values = [v for b in rows for v in (b.naive_over_portal, b.naive_goal) if v is not None]
    _panel(
        parts,
        rows,
        LogAxis(floor_values, *PANELS[0]),
        value=lambda b: b.vs_floor,
        goal=lambda b: b.floor_goal,
        higher_is_better=False,
        css="floor",
    )
    _panel(
        parts,
        rows,
        LogAxis(naive_values, *PANELS[1]),
        value=lambda b: b.naive_over_portal,
        goal=lambda b: b.naive_goal,
        higher_is_better=True,
        css="naive",
    )
    legend_y = TOP + ROW * max(len(rows), 1) + 48
    x = 12
    for colour, text in ((GREEN, "goal met"), (RED, "goal missed"), (GREY, "no goal of this kind")):
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="14" height="12" fill="{colour}"/>')
        parts.append(_text(x + 20, legend_y, text, size=11))
        x += 40 + 7 * len(text)
    parts.append(
        f'<line x1="{x}" y1="{legend_y - 12}" x2="{x}" y2="{legend_y + 3}" stroke="{GOAL_COLOUR}" '
        'stroke-width="2" stroke-dasharray="3,2"/>'
    )
    parts.append(_text(x + 8, legend_y, "the scenario's goal · logarithmic axes · tooltips give full names", size=11))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write(report: dict, path: Path) -> None:
    path.write_text(svg(report), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bench.chart bench/results/<name>.json docs/benchmarks-<name>.svg", file=sys.stderr)
        return 2
    source, target = Path(args[0]), Path(args[1])
    try:
        report = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"bench.chart: cannot read results from {source}: {error}", file=sys.stderr)
        return 2
    if not isinstance(report, dict) or not isinstance(report.get("rows"), list):
        print(f"bench.chart: {source} is not a results file of `python -m bench` (no rows)", file=sys.stderr)
        return 2
    write(report, target)
    print(f"Written {target} ({len(bars(report))} scenarios).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
