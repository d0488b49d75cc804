"""Glue for the Live camera page: streamlit-webrtc in, the shared network on every frame, a live readout.

The browser sends its camera over WebRTC; aiortc (inside streamlit-webrtc) decodes it on a worker
thread of its own, where ``LiveProcessor`` explains the newest frame with the shared cached network
(read-only, as ``explorer.live`` promises) and sends the overlay back as video. The page redraws the
top-5 twice a second from the processor's latest result (an ``st.fragment``), so the script never
waits on the video.

ICE servers: none by default, so nothing outside is ever contacted and a browser on the same
machine or network connects directly. A hosted deployment whose visitors sit behind NAT or firewalls
sets ``EXPLORER_ICE_SERVERS`` (a JSON list in the WebRTC ``iceServers`` format, e.g. a STUN server and
a TURN server with its username and credential) as an environment variable or a root-level secret.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import av
import streamlit as st
from streamlit.runtime import Runtime
from streamlit_webrtc import Translations, VideoProcessorBase, WebRtcMode, WebRtcStreamerContext, webrtc_streamer

from explorer.errors import ExplorerError
from explorer.images import LoadedImage
from explorer.live import FrameStats, LiveClassifier, LiveFrame, LiveLook, LiveStats, draw, explain_frame, newest
from explorer.models import DEFAULT_MODEL
from ui.charts import predictions_chart
from ui.errors import show_error
from ui.models import cached_model
from ui.picker import SOURCE_CAMERA

ICE_SERVERS_VARIABLE = "EXPLORER_ICE_SERVERS"
STREAM_KEY = "live_camera"
REFRESH_SECONDS = 0.5
_ATTEMPT_KEY = "live_attempt"
CAMERA_CONSTRAINTS: dict[str, Any] = {
    "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": 15, "max": 30}},
    "audio": False,
}
"""A 640x480 camera at about 15 frames per second: the network keeps up with fewer, and the video codecs
(decoding what comes in, encoding what goes back) cost less CPU than at 30."""
SNAPSHOT_HINT = "use the snapshot camera below instead"
TRANSLATIONS: Translations = {
    "start": "Start the live camera",
    "stop": "Stop",
    "media_api_not_available": (
        "This browser does not give this page a camera (it needs https, or the app opened on localhost): "
        f"{SNAPSHOT_HINT}."
    ),
    "device_access_denied": f"The camera was blocked: allow it in the address bar, or {SNAPSHOT_HINT}.",
    "device_not_available": f"No camera was found: {SNAPSHOT_HINT}.",
}


def ice_servers(text: str | None = None) -> list[dict[str, Any]]:
    """The ICE servers from ``text`` (default: the ``EXPLORER_ICE_SERVERS`` variable); none when unset."""
    text = os.environ.get(ICE_SERVERS_VARIABLE, "") if text is None else text
    if not text.strip():
        return []
    try:
        servers = json.loads(text)
    except json.JSONDecodeError:
        servers = None
    if not isinstance(servers, list) or not all(isinstance(s, dict) and "urls" in s for s in servers):
        raise ExplorerError(
            f'{ICE_SERVERS_VARIABLE} must be a JSON list of ICE servers, like [{{"urls": "stun:host:3478"}}].'
        )
    return servers


class LiveProcessor(VideoProcessorBase):
    """Runs on streamlit-webrtc's worker thread: explains the newest frame, keeps the latest result."""

    def __init__(self, classifier: LiveClassifier) -> None:
        self.classifier = classifier
        self.stats = FrameStats()
        self._lock = threading.Lock()
        self._look = LiveLook()
        self._latest: LiveFrame | None = None
        self._error: str | None = None

    def set_look(self, look: LiveLook) -> None:
        """Change how the following frames are drawn (from the script thread)."""
        with self._lock:
            self._look = look

    def latest(self) -> tuple[LiveFrame | None, LiveStats, str | None]:
        """The last explained frame, the counts so far, and the last problem's sentence (if any)."""
        with self._lock:
            return self._latest, self.stats.snapshot(), self._error

    def explain(self, frame: av.VideoFrame, skipped: int = 0) -> av.VideoFrame:
        """The frame with its Grad-CAM and top class drawn on it; the frame itself after a problem."""
        with self._lock:
            look = self._look
        try:
            result, picture = explain_frame(
                self.classifier, frame.to_ndarray(format="rgb24"), look, self.stats, skipped
            )
        except ExplorerError as error:
            with self._lock:
                self._error = str(error)
            return frame
        with self._lock:
            self._latest, self._error = result, None
        return av.VideoFrame.from_ndarray(picture, format="rgb24")

    def recv(self, frame: av.VideoFrame) -> av.VideoFrame:
        """One frame in, its overlay out."""
        return self.explain(frame)

    async def recv_queued(self, frames: list[av.VideoFrame]) -> list[av.VideoFrame]:
        """The frames that queued up while the last one was computed: only the newest is explained."""
        frame, skipped = newest(frames)
        return [self.explain(frame, skipped)]


@st.cache_resource(show_spinner="Preparing the live network…")
def live_classifier(name: str = DEFAULT_MODEL) -> LiveClassifier:
    """One classifier per network, shared: it holds nothing per session (the model stays read-only)."""
    return LiveClassifier(cached_model(name))


def live_video_possible() -> bool:
    """Whether this run is served by a real Streamlit server: WebRTC is signalled through its session
    manager, which a bare script run or a test harness (AppTest) does not have."""
    return Runtime.exists() and type(Runtime.instance()) is Runtime


def live_panel(classifier: LiveClassifier, look: LiveLook) -> None:
    """The player (with a note while connecting or after a failure) beside the live top-5."""
    if not live_video_possible():
        st.info(
            f"The live video needs the app served by `streamlit run app.py`; {SNAPSHOT_HINT}.",
            icon=":material/videocam_off:",
        )
        return
    player, guesses = st.columns([3, 2], gap="large")
    with player:
        context = live_stream(classifier, look)
        connection_note(context)
    with guesses:
        live_readout(context)


def live_stream(classifier: LiveClassifier, look: LiveLook) -> WebRtcStreamerContext:
    """The camera player: the browser's video goes to the server and comes back explained."""
    servers = ice_servers()
    context = webrtc_streamer(
        key=STREAM_KEY,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": servers},
        media_stream_constraints=CAMERA_CONSTRAINTS,
        video_processor_factory=lambda: LiveProcessor(classifier),
        async_processing=True,
        translations=TRANSLATIONS,
    )
    processor = context.video_processor
    if isinstance(processor, LiveProcessor):
        processor.set_look(look)
    return context


def connection_note(context: WebRtcStreamerContext) -> None:
    """Say what is happening while connecting, and what to do when the connection never came."""
    state = context.state
    attempt = st.session_state.get(_ATTEMPT_KEY)
    if state.playing:
        st.session_state[_ATTEMPT_KEY] = "connected"
    elif state.signalling:
        st.session_state[_ATTEMPT_KEY] = "connecting"
        st.info(
            "Connecting the live video… If it does not start within a few seconds, this network blocks "
            f"WebRTC (a firewall, or a hosted app without a TURN server): {SNAPSHOT_HINT}.",
            icon=":material/hourglass_top:",
        )
    elif attempt == "connecting":
        st.warning(
            f"The live video could not connect from this network (a firewall or proxy blocks WebRTC): {SNAPSHOT_HINT}.",
            icon=":material/videocam_off:",
        )


def readout(context: WebRtcStreamerContext) -> None:
    """The top-5 of the newest explained frame and how fast frames are explained; redrawn while playing."""
    processor = context.video_processor
    result, stats, error = processor.latest() if isinstance(processor, LiveProcessor) else (None, None, None)
    with st.container(key="live_readout"):
        if error:
            show_error(error)
        if result is None or stats is None:
            st.caption("Start the live camera: the network's top-5 guesses appear here and follow what it sees.")
            return
        st.markdown(f"Now: **{result.top.label}** ({result.top.prob:.0%})")
        st.plotly_chart(predictions_chart(result.predictions), key="live_predictions", width="stretch")
        st.caption(
            f"{stats.fps:.1f} frames explained per second, {stats.ms_per_frame:.0f} ms each; "
            f"{stats.frames} explained, {stats.skipped} skipped to stay current."
        )


def live_readout(context: WebRtcStreamerContext) -> None:
    """``readout`` as a fragment that redraws itself every half second while the video plays."""
    run_every = REFRESH_SECONDS if context.state.playing else None
    st.fragment(readout, run_every=run_every)(context)


@st.cache_data(max_entries=16, show_spinner="Explaining the photo…")
def snapshot_frame(digest: str, _image: LoadedImage, name: str = DEFAULT_MODEL) -> LiveFrame:
    """The live pipeline on one photo (the snapshot camera's, or any chosen one), cached by its digest:
    changing how it is drawn does not compute it again."""
    return live_classifier(name).classify(_image.to_array())


def use_snapshot_camera() -> None:
    """Switch the sidebar picker to the camera (a button callback: it runs before the sidebar is drawn)."""
    st.session_state["image_source"] = SOURCE_CAMERA


def snapshot_view(image: LoadedImage, look: LiveLook) -> None:
    """The chosen photo explained exactly as a live frame would be: overlay and top-5 side by side."""
    result = snapshot_frame(image.digest, image)
    left, right = st.columns(2)
    picture = draw(image.to_array(), result, look)
    left.image(picture, caption="Grad-CAM of the top class, as in the live view", width="stretch")
    with right:
        st.plotly_chart(predictions_chart(result.predictions), key="live_snapshot_predictions", width="stretch")
