"""Live camera speed: the inference path alone, then the whole app with Chromium's fake camera.

1. Inference path: the frames of the test clip (640x480, a cat then an espresso sliding by) through
   ``explorer.live.LiveClassifier`` with EfficientNet-Lite0, one after another on one worker thread:
   frames per second, and per-frame CPU-ms of this process (every thread, torch's included) - the figure
   that does not depend on what else the machine is doing.
2. End to end: ``streamlit run app.py``, Chromium playing the clip as its camera, the Live camera page
   started; over a window, how many frames the server explained per second (the page's own count),
   what the browser's <video> presented and how many of those were new pictures (the server repeats
   its last explained frame until the next is ready), and the server's CPU-seconds per explained frame
   (decoding, encoding and the page included). The machine's load average is printed alongside.

    python -m benchmarks.live [--frames 60] [--seconds 20] [--skip-browser]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.live import LiveClassifier  # noqa: E402
from explorer.models import load_model  # noqa: E402
from tests.browser.fake_camera import COUNT_FRAMES, SCENES, build_clip, camera_flags, scene_frames  # noqa: E402

EXPLAINED = re.compile(r"(\d+) explained")


def inference_path(frames: int) -> None:
    """Median wall ms, fps and CPU-ms per frame of ``LiveClassifier.classify`` on one worker thread."""
    classifier = LiveClassifier(load_model())
    clip = [frame for name in SCENES for frame in scene_frames(name, max(1, frames // len(SCENES)))]
    for frame in clip[:3]:
        classifier.classify(frame)
    walls: list[float] = []

    def work() -> None:
        for frame in clip:
            started = time.perf_counter()
            classifier.classify(frame)
            walls.append(time.perf_counter() - started)

    cpu, wall = time.process_time(), time.perf_counter()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"inference path ({len(clip)} frames 640x480 -> 299x224, EfficientNet-Lite0, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}): {len(clip) / wall:.1f} fps, median {1000 * statistics.median(walls):.0f} "
        f"ms/frame wall, {1000 * cpu / len(clip):.0f} CPU-ms/frame"
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU-seconds of process ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def explained(page) -> int:
    """How many frames the server has explained, as the page's readout says."""
    match = EXPLAINED.search(page.locator(".st-key-live_readout").inner_text())
    return int(match.group(1)) if match else 0


def end_to_end(seconds: float) -> None:
    """Serve the app, play the clip as Chromium's camera, and measure the live page over ``seconds``."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    with tempfile.TemporaryDirectory() as folder:
        clip = build_clip(Path(folder) / "clip.y4m")
        server = subprocess.Popen(
            [*command, "--server.address", "127.0.0.1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(180):
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as playwright:
                flags = CHROMIUM_FLAGS + camera_flags(clip)
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{url}/live_camera")
                player = page.frame_locator('iframe[title="streamlit_webrtc.component.webrtc_streamer"]')
                player.get_by_role("button", name="Start the live camera").click(timeout=180_000)
                expect(page.get_by_text("Now:")).to_be_visible(timeout=180_000)
                page.wait_for_timeout(3000)  # past the first frames, which warm the network up
                video_frame = next(frame for frame in page.frames if frame != page.main_frame)
                first, cpu, wall = explained(page), cpu_seconds(server.pid), time.perf_counter()
                received = video_frame.evaluate(COUNT_FRAMES, seconds)
                count, cpu, wall = explained(page) - first, cpu_seconds(server.pid) - cpu, time.perf_counter() - wall
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    per_frame = f"{1000 * cpu / count:.0f}" if count else "n/a"
    print(
        f"end to end ({wall:.0f} s, load {os.getloadavg()[0]:.1f}): server explained {count / wall:.1f} fps; "
        f"browser presented {received['presented']:.1f} fps, {received['changed']:.1f} fps of them new pictures; "
        f"server {per_frame} CPU-ms per explained frame (codecs and page included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--skip-browser", action="store_true", help="measure the inference path only")
    arguments = parser.parse_args()
    inference_path(arguments.frames)
    if not arguments.skip_browser:
        end_to_end(arguments.seconds)


if __name__ == "__main__":
    main()
