"""The sidebar every page shares: the image picker (sample, upload or camera) and the device badge.

Each page calls ``current_image()`` (or ``require_image()``) once: it draws the sidebar picker and the
device badge and returns the chosen image. The decoded image lives in a plain session-state key and
the picker's widget values are re-stored on every run, so the choice survives page switches (Streamlit
otherwise forgets the state of widgets a page does not draw).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from PIL import Image, ImageOps

from explorer.device import default_device
from explorer.errors import ExplorerError
from explorer.images import MAX_FILE_MB, SAMPLES, SAMPLES_DIR, LoadedImage, load_image
from ui.errors import literal, show_error

SOURCE_SAMPLE, SOURCE_UPLOAD, SOURCE_CAMERA = "Sample photo", "Upload", "Camera"
_IMAGE_KEY = "explorer_image"
_PICKER_KEYS = ("image_source", "image_sample")
_ERROR_KEY = "explorer_image_error"
_CHOICE_KEY = "explorer_image_choice"
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"]


@st.cache_data(max_entries=16, show_spinner=False)
def decode_image(data: bytes) -> LoadedImage:
    """Decode uploaded bytes once per distinct file (cached across reruns and sessions)."""
    return load_image(data)


def device_badge() -> None:
    """A small sidebar badge naming the device that computes."""
    choice = default_device()
    icon = ":material/memory:" if choice.is_cuda else ":material/developer_board:"
    st.sidebar.badge(f"Computing on {choice.name}", icon=icon, color="green" if choice.is_cuda else "gray")
    st.sidebar.caption(literal(f"Why: {choice.reason}."))


def image_picker() -> None:
    """Sidebar widgets to choose the photo: a bundled sample, an upload, or the camera."""
    for key in _PICKER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    sidebar = st.sidebar
    sidebar.subheader("Your image")
    default_sample = st.query_params.get("sample", "chelsea")
    if default_sample not in SAMPLES:
        default_sample = "chelsea"
    source = sidebar.radio("Source", [SOURCE_SAMPLE, SOURCE_UPLOAD, SOURCE_CAMERA], horizontal=True, key="image_source")
    chosen: tuple[str, Callable[[], bytes]] | None = None
    if source == SOURCE_SAMPLE:
        st.session_state.setdefault("image_sample", default_sample)
        name = sidebar.selectbox("Sample", list(SAMPLES), key="image_sample")
        st.query_params["sample"] = name
        chosen = (f"sample:{name}", (SAMPLES_DIR / SAMPLES[name]).read_bytes)
    elif source == SOURCE_UPLOAD:
        upload = sidebar.file_uploader(
            "Upload a photo", type=UPLOAD_TYPES, key="image_upload", max_upload_size=MAX_FILE_MB
        )
        chosen = (f"upload:{upload.file_id}", upload.getvalue) if upload is not None else None
    else:
        shot = sidebar.camera_input("Take a photo", key="image_camera")
        chosen = (f"camera:{shot.file_id}", shot.getvalue) if shot is not None else None
    _remember(chosen)
    loaded = st.session_state.get(_IMAGE_KEY)
    if loaded is not None:
        sidebar.image(loaded.image, caption=f"{loaded.size[0]}x{loaded.size[1]} px", width="stretch")


def choose_sample(name: str) -> None:
    """Make a bundled sample the chosen photo (a button callback: runs before the widgets are drawn)."""
    st.session_state["image_source"] = SOURCE_SAMPLE
    st.session_state["image_sample"] = name


@st.cache_data(show_spinner=False)
def _thumbnail(file: str) -> Image.Image:
    """A 4:3 centre crop of a sample, so the gallery's buttons line up."""
    with Image.open(SAMPLES_DIR / file) as photo:
        return ImageOps.fit(photo.convert("RGB"), (320, 240))


def sample_gallery(columns: int = 5) -> None:
    """Thumbnails of every bundled sample photo, each with a button that chooses it."""
    for column, (name, file) in zip(st.columns(columns), SAMPLES.items()):
        with column:
            st.image(_thumbnail(file), width="stretch")
            st.button(f"Use {name}", key=f"gallery_{name}", on_click=choose_sample, args=(name,), width="stretch")


def _remember(chosen: tuple[str, Callable[[], bytes]] | None) -> None:
    """Decode the chosen photo only when the choice changes; every other rerun reuses the image as it is.

    ``chosen`` is (what was chosen, how to read its bytes). Until an upload or a photo arrives, the
    previous image stays chosen.
    """
    if chosen is None:
        st.session_state[_ERROR_KEY] = st.session_state[_CHOICE_KEY] = None
        return
    what, read = chosen
    if st.session_state.get(_CHOICE_KEY) == what:
        return
    st.session_state[_CHOICE_KEY] = what
    try:
        st.session_state[_IMAGE_KEY], st.session_state[_ERROR_KEY] = decode_image(read()), None
    except ExplorerError as error:
        st.session_state[_IMAGE_KEY], st.session_state[_ERROR_KEY] = None, str(error)


def current_image() -> LoadedImage | None:
    """Draw the sidebar (picker, badge); return the chosen image after saying what was changed about it."""
    image_picker()
    device_badge()
    error = st.session_state.get(_ERROR_KEY)
    if error:
        show_error(error)
        return None
    loaded: LoadedImage | None = st.session_state.get(_IMAGE_KEY)
    if loaded is None:
        st.info("Choose a photo in the sidebar: a sample, an upload or the camera.", icon=":material/image:")
        return None
    for note in loaded.notes:
        st.caption(f":material/info: {note}")
    return loaded


def require_image() -> LoadedImage:
    """The chosen image, or stop the page after saying how to choose one."""
    loaded = current_image()
    if loaded is None:
        st.stop()
    return loaded
