"""The sidebar every page shares: the image picker (sample, upload, camera or a shared link's photo), the
device badge and the share button.

Each page calls ``current_image()`` (or ``require_image()``) once: it draws the sidebar picker and the
device badge and returns the chosen image. The decoded image lives in a plain session-state key and
the picker's widget values are re-stored on every run, so the choice survives page switches (Streamlit
otherwise forgets the state of widgets a page does not draw).

The URL names the photo: ``sample=<name>`` for a bundled sample, ``photo=<token>`` for an upload or a
camera shot, whose bytes wait in the server's bounded photo store (``explorer.photo_store``) so the link
opens the same photo in another browser.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from PIL import Image, ImageOps

from explorer.device import default_device
from explorer.errors import ExplorerError
from explorer.images import MAX_FILE_MB, SAMPLES, SAMPLES_DIR, LoadedImage, load_image
from explorer.photo_store import PhotoStore, store_from_environment
from ui.errors import literal, show_error
from ui.links import share_button

SOURCE_SAMPLE, SOURCE_UPLOAD, SOURCE_CAMERA, SOURCE_LINK = "Sample photo", "Upload", "Camera", "Link"
EXPIRED = "The photo in this link has expired or is not on this server any more; showing a sample instead."
_LINKED_KEY = "explorer_linked_photo"
"""The token of the photo a link brought into this session."""
_TOKEN_KEY = "explorer_photo_token"
"""The token of the chosen upload or camera shot (None for a sample): what ``photo=`` says."""
_EXPIRED_KEY = "explorer_link_expired"
_IMAGE_KEY = "explorer_image"
_PICKER_KEYS = ("image_source", "image_sample")
_ERROR_KEY = "explorer_image_error"
_CHOICE_KEY = "explorer_image_choice"
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"]


@st.cache_data(max_entries=16, show_spinner=False)
def decode_image(data: bytes) -> LoadedImage:
    """Decode uploaded bytes once per distinct file (cached across reruns and sessions)."""
    return load_image(data)


@st.cache_resource(show_spinner=False)
def photo_store() -> PhotoStore:
    """The one photo store every session of this server shares."""
    return store_from_environment()


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
    open_linked_photo()
    linked = [SOURCE_LINK] if st.session_state.get(_LINKED_KEY) else []
    sources = [SOURCE_SAMPLE, SOURCE_UPLOAD, SOURCE_CAMERA, *linked]
    source = sidebar.radio("Source", sources, horizontal=True, key="image_source")
    chosen: tuple[str, Callable[[], bytes]] | None = None
    if source == SOURCE_SAMPLE:
        st.session_state.setdefault("image_sample", default_sample)
        name = sidebar.selectbox("Sample", list(SAMPLES), key="image_sample")
        chosen = (f"sample:{name}", (SAMPLES_DIR / SAMPLES[name]).read_bytes)
    elif source == SOURCE_LINK:
        token = st.session_state[_LINKED_KEY]
        sidebar.caption("Photo from a shared link")
        chosen = (f"photo:{token}", lambda: b"")  # already decoded in this session: the store is not asked
        if st.session_state.get(_CHOICE_KEY) != chosen[0]:
            data = photo_store().get(token)  # other uploads may have pushed it out of the shared store since
            if data is None:
                _expired()
                st.rerun()
            chosen = (chosen[0], lambda: data or b"")
    elif source == SOURCE_UPLOAD:
        upload = sidebar.file_uploader(
            "Upload a photo", type=UPLOAD_TYPES, key="image_upload", max_upload_size=MAX_FILE_MB
        )
        chosen = (f"upload:{upload.file_id}", upload.getvalue) if upload is not None else None
    else:
        shot = sidebar.camera_input("Take a photo", key="image_camera")
        chosen = (f"camera:{shot.file_id}", shot.getvalue) if shot is not None else None
    _remember(chosen)
    _name_photo_in_url()
    loaded = st.session_state.get(_IMAGE_KEY)
    if loaded is not None:
        sidebar.image(loaded.image, caption=f"{loaded.size[0]}x{loaded.size[1]} px", width="stretch")


def open_linked_photo() -> None:
    """When the URL names a photo this session did not put there, choose it (or say it has expired)."""
    token = st.query_params.get("photo")
    if token is None or token in (st.session_state.get(_LINKED_KEY), st.session_state.get(_TOKEN_KEY)):
        return
    if photo_store().get(token) is None:
        _expired()
        st.session_state["image_source"] = SOURCE_SAMPLE
        return
    st.session_state[_LINKED_KEY] = st.session_state[_TOKEN_KEY] = token
    st.session_state["image_source"] = SOURCE_LINK


def _expired() -> None:
    """Fall back to a sample after a link's photo was not found, and say so once."""
    st.session_state[_EXPIRED_KEY] = True
    st.session_state[_LINKED_KEY] = st.session_state[_TOKEN_KEY] = None
    if "photo" in st.query_params:  # gone already after a page switch
        del st.query_params["photo"]


def _name_photo_in_url() -> None:
    """``sample=`` for a sample, ``photo=`` for an upload, a camera shot or a linked photo (kept in the store)."""
    choice = st.session_state.get(_CHOICE_KEY) or ""
    token = st.session_state.get(_TOKEN_KEY)
    if choice.startswith("sample:"):
        st.query_params["sample"] = choice.removeprefix("sample:")
        if "photo" in st.query_params:
            del st.query_params["photo"]
    elif token is not None:
        st.query_params["photo"] = token
        if "sample" in st.query_params:
            del st.query_params["sample"]


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
    st.session_state[_TOKEN_KEY] = None
    try:
        data = read()
        st.session_state[_IMAGE_KEY], st.session_state[_ERROR_KEY] = decode_image(data), None
    except ExplorerError as error:
        st.session_state[_IMAGE_KEY], st.session_state[_ERROR_KEY] = None, str(error)
        return
    kind, _, name = what.partition(":")
    if kind in ("upload", "camera"):
        st.session_state[_TOKEN_KEY] = photo_store().put(data)
    elif kind == "photo":
        st.session_state[_TOKEN_KEY] = name


def current_image() -> LoadedImage | None:
    """Draw the sidebar (picker, badge); return the chosen image after saying what was changed about it."""
    image_picker()
    device_badge()
    share_button()
    if st.session_state.pop(_EXPIRED_KEY, False):
        st.warning(EXPIRED, icon=":material/link_off:")
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
