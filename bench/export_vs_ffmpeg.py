"""A comparison row exported as one MP4 by the app, beside the ffmpeg CLI doing the same job on the same files.

Four 5 s 720p clips are made by the app's offline backend in one comparison (Seedance 1.0 Lite, 1.0 Pro, 1.0 Pro
Fast and 1.5 Pro, the last with sound), so the row is 4 tiles of 1248×704 above a label strip: 4992×762. Then, in
alternating pairs (which goes first swaps each pair, so load hits both alike):

- the app: ``/export_row``'s core call (``NamedApi.export_row``) in a fresh process, so its memory growth is its own:
  wall and CPU (user + system, every thread) of the call, and its growth (peak resident memory after the call less
  resident memory before it);
- ffmpeg: ``-filter_complex`` with setpts, scale, fps, tpad, pad, drawtext and hstack, libx264 ``veryfast`` at the
  app's CRF, yuv420p, the same clip's sound as AAC, faststart; wall, CPU and peak memory of the whole process (its
  start-up, some 40 ms, included).

Goals (issue 28): median of the pairs' ratios ≤ 1.2 in wall time and in CPU; the app's growth ≤ ffmpeg's peak.
ffmpeg is Debian's package (``apt-get install ffmpeg``); without it the ffmpeg side is skipped and said so.

    .venv/bin/python bench/export_vs_ffmpeg.py [--pairs N] [--json]
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# isort: off
from common import report  # first: it puts the repository on sys.path
# isort: on

ENDPOINTS = ["fal-ai/bytedance/seedance/v1/lite/text-to-video", "fal-ai/bytedance/seedance/v1/pro/text-to-video",
             "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video", "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"]
SPEC = {"prompts": ["a lighthouse at dusk, waves rolling in"], "endpoints": ENDPOINTS, "seeds": [7],
        "arguments": {"resolution": "720p", "duration": "5", "aspect_ratio": "16:9"}}
ROW, KEY = "1 × 7", "p1-s7"
PAIRS = 5


def _playground(data: Path):
    from playground.backends.offline import OfflineBackend
    from playground.catalog import load_catalog
    from playground.service import Playground

    return Playground(load_catalog(), data, "auto", offline=OfflineBackend(step_delay_s=0))


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def app_export(data: Path, batch_id: str, audio: str) -> None:
    """The child: the app built on the data folder, then one export measured on its own."""
    from playground.visitor import Visitor

    playground = _playground(data)
    import av  # noqa: F401  (imported before the baseline, as in an app that has already shown a video)

    before_mb, usage, started = _status_mb("VmRSS"), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    out = playground.api.export_row(batch_id, ROW, audio, Visitor())
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "growth_mb": _status_mb("VmHWM") - before_mb,
                      "baseline_mb": before_mb, "path": str(out)}))


def make_row(data: Path) -> tuple[str, list, str]:
    """(batch id, the row's (letter, cell) pairs, the letter of the clip with sound) from one offline comparison."""
    from playground.compare.voting import lettered
    from playground.visitor import Visitor

    async def run():
        last = None
        async for snapshot in _playground(data).comparisons.batches(SPEC, Visitor()):
            last = snapshot
        return last

    snapshot = asyncio.run(run())
    cells = lettered(snapshot, KEY)
    sound = [letter for letter, cell in cells if cell.run.has_audio]
    assert len(cells) == 4 and all(cell.run.video_path for _, cell in cells) and len(sound) == 1, cells
    return snapshot.batch_id, cells, sound[0]


def _timed_child(command: list[str]) -> tuple[float, resource.struct_rusage, str]:
    """(wall, the child's own resource usage, its stdout): waited with wait4, so no other child counts."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({child.returncode}):\n{err.read()[-2000:]}")
        return wall, usage, out.read()


def ffmpeg_command(ffmpeg: str, cells: list, sound: str, folder: Path) -> list[str]:
    """The same job for the ffmpeg CLI: the app's layout and labels, drawn by drawtext."""
    from playground.compare.export import X264, Layout, Shape

    shapes = [Shape.of(cell.run) for _, cell in cells]
    layout = Layout.of(shapes)
    font = subprocess.run(["fc-match", "-f", "%{file}", "sans"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("fc-match") else ""
    chains = []
    for i, ((_, cell), width) in enumerate(zip(cells, layout.widths, strict=True)):
        label = folder / f"label{i}.txt"
        label.write_text(f"{cell.label} · seed {cell.seed} · ${cell.run.estimated_cost_usd or 0:.4f}")
        chains.append(
            f"[{i}:v]setpts=PTS-STARTPTS,scale={width}:{layout.height},format=yuv420p,fps={layout.rate}:round=up,"
            f"tpad=stop=-1:stop_mode=clone,pad={width}:{layout.height + layout.strip_h}:0:0:color=0x18181c,"
            f"drawtext=textfile={label}:{f'fontfile={font}:' if font else ''}fontcolor=white:"
            f"fontsize={int(layout.strip_h * 0.45)}:x=(w-text_w)/2:y={layout.height}+({layout.strip_h}-text_h)/2[t{i}]")
    graph = ";".join(chains) + ";" + "".join(f"[t{i}]" for i in range(len(cells))) + f"hstack=inputs={len(cells)}[v]"
    inputs = [arg for _, cell in cells for arg in ("-i", cell.run.video_path)]
    return [ffmpeg, "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[v]",
            "-map", f"{'ABCD'.index(sound)}:a", "-frames:v", str(layout.frames), "-c:v", "libx264", "-preset",
            X264["preset"], "-crf", X264["crf"], "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2",
            "-movflags", "+faststart", str(folder / "ffmpeg.mp4")]


def _made(path: Path) -> list:
    """What a written row is, from its header: size, rate, frames, and whether it has sound."""
    import av

    from playground.compare.export import header_shape

    with av.open(str(path)) as container:
        return [*vars(header_shape(path)).values(), bool(container.streams.audio)]


def measure(pairs: int) -> dict:
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    data = folder / "data"
    started = time.perf_counter()
    batch_id, cells, sound = make_row(data)
    made_s = time.perf_counter() - started
    ffmpeg = shutil.which("ffmpeg")
    app_command = [sys.executable, __file__, "--app-export", str(data), batch_id, sound]
    command = ffmpeg_command(ffmpeg, cells, sound, folder) if ffmpeg else None
    app, theirs = [], []
    for pair in range(pairs):
        order = ("app", "ffmpeg") if pair % 2 == 0 else ("ffmpeg", "app")
        for side in order:
            if side == "app":
                whole_s, usage, out = _timed_child(app_command)
                app.append({**json.loads(out.strip().splitlines()[-1]), "process_s": whole_s})
            elif command:
                wall, usage, _ = _timed_child(command)
                theirs.append({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                               "peak_mb": usage.ru_maxrss / 1024})
    med = lambda rows, key: statistics.median(row[key] for row in rows)  # noqa: E731
    figures = {"pairs": pairs, "clips_made_s": made_s, "load_before": load_before, "load_after": os.getloadavg(),
               "app_wall_s": med(app, "wall_s"), "app_cpu_s": med(app, "cpu_s"), "app_growth_mb": med(app, "growth_mb"),
               "app_process_s": med(app, "process_s"), "app_baseline_mb": med(app, "baseline_mb"), "ffmpeg": None}
    if theirs:
        version = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.split("\n")[0]
        figures |= {"ffmpeg": version, "ffmpeg_wall_s": med(theirs, "wall_s"), "ffmpeg_cpu_s": med(theirs, "cpu_s"),
                    "ffmpeg_peak_mb": med(theirs, "peak_mb"),
                    "wall_ratio": statistics.median(a["wall_s"] / f["wall_s"] for a, f in zip(app, theirs, strict=True)),
                    "cpu_ratio": statistics.median(a["cpu_s"] / f["cpu_s"] for a, f in zip(app, theirs, strict=True)),
                    "pairs_wall": [[a["wall_s"], f["wall_s"]] for a, f in zip(app, theirs, strict=True)],
                    "pairs_cpu": [[a["cpu_s"], f["cpu_s"]] for a, f in zip(app, theirs, strict=True)]}
        made = _made(Path(app[-1]["path"])), _made(folder / "ffmpeg.mp4")
        if made[0] != made[1]:  # the same job, or the ratio means nothing
            raise RuntimeError(f"the app wrote {made[0]}, ffmpeg {made[1]}")
        figures["output"] = made[0]
    return figures


def lines(f: dict) -> list[str]:
    load = f"load average {f['load_before'][0]:.2f} before, {f['load_after'][0]:.2f} after (2 cores)"
    said = [f"row of 4 × 5 s 720p offline clips (made in {f['clips_made_s']:.1f} s) → 4992×762 MP4; "
            f"medians of {f['pairs']} alternating pairs; {load}",
            f"app export:  wall {f['app_wall_s']:.2f} s, CPU {f['app_cpu_s']:.2f} s, memory growth "
            f"{f['app_growth_mb']:.0f} MB (on a {f['app_baseline_mb']:.0f} MB process; the whole child process "
            f"{f['app_process_s']:.2f} s)"]
    if f["ffmpeg"] is None:
        return [*said, "ffmpeg not installed: the ffmpeg side is skipped (apt-get install ffmpeg)"]
    width, height, fps, frames, sound = f["output"]
    return [*said, f"both wrote {width}×{height}, {frames} frames at {fps:g} fps, {'with' if sound else 'no'} sound",
            f"ffmpeg CLI:  wall {f['ffmpeg_wall_s']:.2f} s, CPU {f['ffmpeg_cpu_s']:.2f} s, peak memory "
                   f"{f['ffmpeg_peak_mb']:.0f} MB ({f['ffmpeg']})",
            f"app ÷ ffmpeg (median of the pairs): wall {f['wall_ratio']:.2f}, CPU {f['cpu_ratio']:.2f} (goal ≤ 1.2); "
            f"app growth {f['app_growth_mb']:.0f} MB vs ffmpeg peak {f['ffmpeg_peak_mb']:.0f} MB (goal ≤)"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--app-export"]:
        app_export(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        count = int(sys.argv[sys.argv.index("--pairs") + 1]) if "--pairs" in sys.argv else PAIRS
        result = measure(count)
        report(result, lines(result))
