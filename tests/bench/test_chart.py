"""The results chart (`bench.chart`): one bar per scenario, the goal marks, a well-formed SVG."""

import json
import xml.etree.ElementTree as ET

from bench import chart

SVG = "{http://www.w3.org/2000/svg}"


def _report() -> dict:
    """A small results report, shaped as `python -m bench` writes it."""
    return {
        "command": "make bench-quick",
        "machine": {"date": "2026-11-29 12:00 UTC", "nproc": 2, "incidents": 20_000, "postgresql": "15.20 (Debian)"},
        "rows": [
            {
                "scenario": "(a) incident list, 100 rows, first page",
                "variant": "portal",
                "p50_ms": 20.0,
                "vs_floor": 4.0,
                "naive_over_portal": 3.5,
                "goals": {
                    "p50 ≤ 1.8× floor": False,
                    "≥ 3× faster than naive": True,
                    "peak memory ≤ 1.5× floor": False,
                },
            },
            {"scenario": "(a) incident list, 100 rows, first page", "variant": "floor", "p50_ms": 5.0},
            {"scenario": "(a) incident list, 100 rows, first page", "variant": "naive", "p50_ms": 70.0},
            {
                "scenario": "(c) dashboard panel tips <30d> & co",
                "variant": "portal",
                "vs_floor": 1.1,
                "naive_over_portal": None,
                "goals": {"≤ 1.25× floor": True},
            },
            {
                "scenario": "(c) dashboard page overview",
                "variant": "portal",
                "goals": {"whole page < 150 ms p95": True},
            },
        ],
        "http": [
            {
                "endpoint": "portal `/api/v1/incidents/?page_size=100`",
                "variant": "portal",
                "scenario": "HTTP incident list, 100 rows, 1 worker(s) / 1 connection(s)",
                "vs_floor": 1.6,
                "naive_over_portal": 2.5,
                "goals": {"p50 ≤ 2× floor": True},
            },
            {"endpoint": "floor `/bench/floor/incidents/?page_size=100`", "variant": "floor", "p50_ms": 9.0},
        ],
    }


def _bars(root, panel: str) -> list:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == f"bar {panel}"]


def _goals(root, panel: str) -> list:
    return [line for line in root.iter(f"{SVG}line") if line.get("class") == f"goal {panel}"]


class ChartTests:
    def test_the_svg_is_well_formed_and_names_every_scenario(self):
        root = ET.fromstring(chart.svg(_report()).encode())
        assert root.tag == f"{SVG}svg"
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        assert "(a) incident list, 100 rows, first page" in texts
        assert "(c) dashboard panel tips <30d> & co" in texts  # escaped in the file, intact when read
        assert "HTTP incident list, 100 rows, 1 worker(s) / 1 connection(s)" in texts
        assert "dashboard page overview" not in texts  # no floor, no naive: not a row of the chart

    def test_one_bar_per_scenario_with_a_ratio(self):
        root = ET.fromstring(chart.svg(_report()).encode())
        assert len(_bars(root, "floor")) == 3  # list, tips panel, HTTP
        assert len(_bars(root, "naive")) == 2  # the tips panel has no naive baseline

    def test_goal_marks_and_colours_follow_the_goals(self):
        root = ET.fromstring(chart.svg(_report()).encode())
        floor_bars = _bars(root, "floor")
        # list 4× misses 1.8×; tips 1.1× meets 1.25×; HTTP 1.6× meets 2× (peak memory is not a p50 goal)
        assert [b.get("fill") for b in floor_bars] == [chart.RED, chart.GREEN, chart.GREEN]
        assert len(_goals(root, "floor")) == 3
        assert [b.get("fill") for b in _bars(root, "naive")] == [chart.GREEN, chart.GREY]
        assert len(_goals(root, "naive")) == 1

    def test_a_longer_ratio_is_a_longer_bar_and_goal_marks_sit_at_their_ratio(self):
        root = ET.fromstring(chart.svg(_report()).encode())
        widths = [float(b.get("width")) for b in _bars(root, "floor")]
        assert widths[0] > widths[2] > widths[1]  # 4× > 1.6× > 1.1×
        goal_x = [float(line.get("x1")) for line in _goals(root, "floor")]
        assert goal_x[1] < goal_x[0] < goal_x[2]  # 1.25× < 1.8× < 2×

    def test_the_command_writes_the_file_and_refuses_what_is_not_a_results_file(self, tmp_path, capsys):
        source, target = tmp_path / "r.json", tmp_path / "r.svg"
        source.write_text(json.dumps(_report()), encoding="utf-8")
        assert chart.main([str(source), str(target)]) == 0
        ET.fromstring(target.read_bytes())
        bad, nowhere = tmp_path / "bad.json", tmp_path / "bad.svg"
        bad.write_text('{"not": "results"}', encoding="utf-8")
        assert chart.main([str(bad), str(nowhere)]) == 2
        assert "not a results file" in capsys.readouterr().err
        assert not nowhere.exists()
        assert chart.main([str(tmp_path / "missing.json"), str(nowhere)]) == 2
        assert not nowhere.exists()
