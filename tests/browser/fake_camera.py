"""A fake webcam for Chromium: a Y4M clip built here from the sample photos, the flags that play it as
the camera, and in-page measurements of the video the browser really receives.

Chromium loops the clip as its camera (``--use-file-for-fake-video-capture``) and grants camera access
without asking (``--use-fake-ui-for-media-stream``). The clip shows the cat photo sliding across a grey
background, then the espresso photo: a network that follows the camera must change its mind.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from explorer.images import load_sample

CLIP_SIZE = (640, 480)
CLIP_FPS = 15
SCENES = ("chelsea", "coffee")
SECONDS_PER_SCENE = 2.0


def camera_flags(clip: Path) -> list[str]:
    """Chromium flags for a camera that plays ``clip`` and is allowed without a permission prompt.

    Host candidates are real addresses (not mDNS names), so the connection to the server on this
    machine needs no multicast lookup."""
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        "--autoplay-policy=no-user-gesture-required",
    ]


def scene_frames(name: str, count: int, size: tuple[int, int] = CLIP_SIZE) -> list[np.ndarray]:
    """``count`` RGB frames of the sample ``name`` (0.6 of the frame's height) sliding from left to right."""
    width, height = size
    photo = load_sample(name).image
    scale = 0.6 * height / photo.height
    picture = np.asarray(photo.resize((round(photo.width * scale), round(photo.height * scale))))
    ph, pw = picture.shape[:2]
    top, travel = (height - ph) // 2, max(0, width - pw)
    frames = []
    for index in range(count):
        frame = np.full((height, width, 3), 128, dtype=np.uint8)
        left = round(travel * index / max(1, count - 1))
        frame[top : top + ph, left : left + min(pw, width)] = picture[:, : min(pw, width)]
        frames.append(frame)
    return frames


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = CLIP_FPS) -> Path:
    """Write RGB frames (all one even size) as an uncompressed 4:2:0 Y4M clip, the format Chromium plays."""
    height, width = frames[0].shape[:2]
    with path.open("wb") as clip:
        clip.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            clip.write(b"FRAME\n")
            clip.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def build_clip(path: Path) -> Path:
    """The test clip: each scene in ``SCENES`` for ``SECONDS_PER_SCENE``, at ``CLIP_FPS``, looped by Chromium."""
    count = round(CLIP_FPS * SECONDS_PER_SCENE)
    return write_y4m(path, [frame for name in SCENES for frame in scene_frames(name, count)])


COUNT_FRAMES = """async (seconds) => {
    // Frames the <video> element presented in `seconds`, and how many of them showed a new picture
    // (the server repeats its last explained frame until the next one is ready).
    const video = document.querySelector('video');
    const canvas = new OffscreenCanvas(160, 120);
    const context = canvas.getContext('2d', {willReadFrequently: true});
    let presented = 0, changed = 0, previous = null;
    const started = performance.now();
    await new Promise((done) => {
        const step = () => {
            presented += 1;
            context.drawImage(video, 0, 0, 160, 120);
            const pixels = context.getImageData(0, 0, 160, 120).data;
            if (previous) {
                let total = 0;
                for (let i = 0; i < pixels.length; i += 4) total += Math.abs(pixels[i + 1] - previous[i + 1]);
                if (total / (pixels.length / 4) > 1.0) changed += 1;
            }
            previous = pixels;
            if (performance.now() - started < seconds * 1000) video.requestVideoFrameCallback(step);
            else done();
        };
        video.requestVideoFrameCallback(step);
    });
    const elapsed = (performance.now() - started) / 1000;
    return {presented: presented / elapsed, changed: changed / elapsed, seconds: elapsed};
}"""
"""JavaScript run inside the player's frame: presented and changed frames per second of the <video>."""
