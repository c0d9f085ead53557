"""Every benchmark, one after another in fresh processes, then one table of figures against their goals.

    .venv/bin/python bench/run.py        (about 5 minutes on 2 cores; store_scale starts a PostgreSQL 15 cluster;
                                          export_vs_ffmpeg needs Debian's ffmpeg: apt-get install ffmpeg)

Each row says which benchmark gave it and the load average (1 minute) when that benchmark started: on a shared
machine a figure says as much about the load as about the code.

Each benchmark also runs alone: ``.venv/bin/python bench/<name>.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["compare_wall", "single_run", "upload_choice", "history_scale", "cold_start", "load", "offline_clip",
           "page_weight", "store_scale", "signals", "export_vs_ffmpeg", "decide_scale"]


def run(name: str) -> dict:
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), "--json"], capture_output=True, text=True,
                          timeout=900, cwd=HERE.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-2000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "_load": load}


def rows(f: dict) -> list[tuple[str, str, str, str, bool]]:
    """(the benchmark that gives it, measurement, figure, goal, met) for every figure the issues ask for."""
    c, s, u, h, cs, ld, oc, pw, st, sg, ex, dc = (f[name] for name in BENCHES)
    pages, stores = h["pages_s"], st["pages_s"]
    return [
        ("compare_wall", "compare 4×2 wall ÷ slowest cell", f"{c['wall_over_slowest']:.3f} (wall {c['wall_s']:.2f} s, "
         f"serial sum {c['serial_sum_s']:.2f} s)", "≤ 1.10", c["wall_over_slowest"] <= 1.10),
        ("single_run",
         "single run ÷ bare fal_client", f"{s['ours_over_bare']:.3f} ({s['ours_s']:.2f} s vs {s['bare_s']:.2f} s)",
         "≤ 1.02", s["ours_over_bare"] <= 1.02),
        ("single_run", "status requests per job-second", f"{s['status_per_job_s_stream']:.2f} (polling only: "
         f"{s['status_per_job_s_polling']:.2f})", "≤ 1", s["status_per_job_s_stream"] <= 1),
        ("upload_choice",
         "uploads per batch sharing one image", str(u["uploads_per_batch"]), "1", u["uploads_per_batch"] == 1),
        ("history_scale", "History first page, 100k rows", f"{pages['cold first page'] * 1000:.0f} ms cold, "
         f"{pages['warm first page'] * 1000:.0f} ms warm", "< 1 s", pages["cold first page"] < 1),
        ("history_scale",
         "append at 100k rows ÷ at 100 rows", f"{h['append_ratio']:.2f} ({h['append_100k_s'] * 1000:.2f} ms vs "
         f"{h['append_100_s'] * 1000:.2f} ms)", "0.8–1.2", 0.8 <= h["append_ratio"] <= 1.2),
        ("store_scale",
         "History first page, 100k runs in PostgreSQL", f"{stores['postgresql']['cold first page'] * 1000:.0f} ms "
         f"cold, {stores['postgresql']['warm first page'] * 1000:.0f} ms warm (embedded beside it: "
         f"{stores['embedded']['cold first page'] * 1000:.0f} ms, {stores['embedded']['warm first page'] * 1000:.0f} ms)",
         "< 1 s", stores["postgresql"]["cold first page"] < 1),
        ("store_scale", "one append, PostgreSQL beside embedded", f"{st['append_s']['postgresql'] * 1000:.2f} ms vs "
         f"{st['append_s']['embedded'] * 1000:.2f} ms (each durable before it returns)", "< 20 ms",
         st["append_s"]["postgresql"] < 0.020),
        ("cold_start",
         "cold start ÷ hello-world Gradio", f"{cs['ratio']:.2f}, median of {cs['pairs']} pairs ({cs['app_s']:.2f} s "
         f"vs {cs['hello_s']:.2f} s; CPU {cs['cpu_ratio']:.2f})", "≤ 1.10", cs["ratio"] <= 1.10),
        ("load", "200 concurrent jobs finished", f"{ld['completed']} of {ld['jobs']} in {ld['wall_s']:.1f} s", "all",
         ld["completed"] == ld["jobs"]),
        ("load",
         "page p99 during those jobs", f"{ld['page_p99_ms']:.0f} ms (p50 {ld['page_p50_ms']:.0f} ms)", "< 250 ms",
         ld["page_p99_ms"] < 250),
        ("load", "peak RSS during those jobs", f"{ld['peak_rss_mb']:.0f} MB", "< 600 MB", ld["peak_rss_mb"] < 600),
        ("offline_clip",
         "offline preview, 5 s 720p", f"{oc['clip_720p_5s_s']:.2f} s", "< 3 s", oc["clip_720p_5s_s"] < 3),
        ("page_weight",
         "page on the wire (gzip)", f"{pw['page_gzip_kb']:.0f} KB ({pw['page_raw_kb']:.0f} KB uncompressed)",
         "≤ 150 KB", pw["page_gzip_kb"] <= 150),
        ("page_weight",
         "/config raw", f"{pw['config_raw_kb']:.0f} KB ({pw['config_gzip_kb']:.0f} KB gzip; {pw['components']} "
         f"components, {pw['events']} events)", "≤ 400 KB", pw["config_raw_kb"] <= 400),
        ("signals", "signals of a 5 s 720p clip with sound", f"{sg['measure_s']:.2f} s (probe_video alone "
         f"{sg['probe_video_s']:.2f} s, ×{sg['measure_over_probe']:.2f}; in the worker {sg['worker_warm_s']:.2f} s, "
         f"its first call {sg['worker_first_s']:.2f} s)", "< 1 s", sg["measure_s"] < 1),
        ("export_vs_ffmpeg", "row export ÷ ffmpeg hstack, 4 × 5 s 720p",
         (f"wall {ex['wall_ratio']:.2f}, CPU {ex['cpu_ratio']:.2f} ({ex['app_wall_s']:.2f} s vs "
          f"{ex['ffmpeg_wall_s']:.2f} s; growth {ex['app_growth_mb']:.0f} MB vs ffmpeg's peak "
          f"{ex['ffmpeg_peak_mb']:.0f} MB)") if ex["ffmpeg"] else "ffmpeg not installed",
         "≤ 1.2; growth ≤ ffmpeg's peak", bool(ex["ffmpeg"]) and ex["wall_ratio"] <= 1.2 and ex["cpu_ratio"] <= 1.2
         and ex["app_growth_mb"] <= ex["ffmpeg_peak_mb"]),
        ("page_weight", "first load ÷ hello-world Gradio (bytes on the wire)", f"{pw['first_load_ratio']:.2f} "
         f"({pw['first_load_kb']:.0f} KB vs {pw['hello_load_kb']:.0f} KB); made twice: "
         f"{len(pw['requests_made_twice']) or 'none'}", "≤ 2; none twice",
         pw["first_load_ratio"] <= 2 and not pw["requests_made_twice"]),
        ("page_weight",
         "first switch into a tab (Chromium)", f"worst {pw['switch_worst_ms']:.0f} ms ({pw['switch_worst_tab']}), "
         f"median {pw['switch_median_ms']:.0f} ms", "worst ≤ 300 ms, median ≤ 150 ms",
         pw["switch_worst_ms"] <= 300 and pw["switch_median_ms"] <= 150),
        ("decide_scale",
         "/decide at 10,000 votes", f"{dc['at_10k']['cold_s'] * 1000:.0f} ms cold, {dc['at_10k']['warm_s'] * 1000:.0f}"
         f" ms warm; ÷ 1,000 votes: {dc['cold_ratio']:.1f}", "< 1 s; ≤ 10",
         dc["at_10k"]["cold_s"] < 1 and dc["cold_ratio"] <= 10),
    ]


def main() -> None:
    started, figures = time.perf_counter(), {}
    for name in BENCHES:
        print(f"… {name}", file=sys.stderr, flush=True)
        figures[name] = run(name)
    table = rows(figures)
    width = max(len(r[1]) for r in table)
    print(f"| {'measurement':<{width}} | figure | goal | met | bench (load) |\n|{'-' * (width + 2)}|---|---|---|---|")
    for source, name, figure, goal, met in table:
        print(f"| {name:<{width}} | {figure} | {goal} | {'yes' if met else '**no**'} | {source} "
              f"({figures[source]['_load']:.1f}) |")
    print(f"\n{sum(r[4] for r in table)} of {len(table)} goals met · {time.perf_counter() - started:.0f} s in all · "
          f"2 cores · load average (1 min) when each benchmark started in brackets, {os.getloadavg()[0]:.1f} "
          "at the end")


if __name__ == "__main__":
    main()
