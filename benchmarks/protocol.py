"""A light client that speaks Streamlit's own protocol, for a class of sessions without a browser each.

A browser session sends ``BackMsg`` protobufs over ``/_stcore/stream`` (rerun this page with these widget
values) and receives ``ForwardMsg``s (the page's elements, then ``script_finished``). ``Session`` does the
same with the ``websockets`` package: it opens a page, presses a button or picks an option by the widget's
key, and times each run from the message sent to the server's ``script_finished``. Only the changed
widget is sent (a browser sends them all); the server keeps the others' values. What it does not measure: the
browser drawing the page, and the download of images and charts' data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState


@dataclass
class Widget:
    """A widget the server drew: its id, its element type, the fragment it belongs to, its options."""

    id: str
    kind: str
    fragment: str
    options: tuple[str, ...] = ()
    value: str = ""


@dataclass
class Run:
    """What one rerun sent back: its seconds, the exceptions and error alerts it showed, its texts."""

    seconds: float
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class Session:
    """One student's connection to the server (``async with Session(url) as session``)."""

    def __init__(self, url: str, query: str = "") -> None:
        self.url = url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.query = query
        self.page = ""
        self.widgets: dict[str, Widget] = {}
        self._socket: websockets.ClientConnection | None = None

    async def __aenter__(self) -> Session:
        self._socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=2**28)  # type: ignore[list-item]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def open(self, page: str) -> Run:
        """Open ``page`` (its URL path, e.g. ``feature_maps``) as a fresh visit would."""
        self.page = page
        return await self._rerun([], "")

    async def press(self, key: str) -> Run:
        """Press the button whose widget key is ``key``."""
        widget = self.widgets[key]
        return await self._rerun([WidgetState(id=widget.id, trigger_value=True)], widget.fragment)

    async def choose(self, key: str, option: str) -> Run:
        """Pick ``option`` (as the select box shows it) in the select box whose key is ``key``."""
        widget = self.widgets[key]
        if option not in widget.options:
            raise ValueError(f"{key} offers {widget.options}, not {option!r}")
        return await self._rerun([WidgetState(id=widget.id, string_value=option)], widget.fragment)

    async def _rerun(self, states: list[WidgetState], fragment: str) -> Run:
        assert self._socket is not None, "use `async with Session(...)`"
        message = BackMsg()
        message.rerun_script.query_string = self.query
        message.rerun_script.page_name = self.page
        message.rerun_script.fragment_id = fragment
        message.rerun_script.widget_states.widgets.extend(states)
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        run = Run(0.0)
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await self._socket.recv())
            kind = reply.WhichOneof("type")
            if kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                self._read(reply.delta.new_element, reply.delta.fragment_id, run)
            elif kind == "script_finished":
                run.seconds = time.perf_counter() - started
                return run

    def _read(self, element, fragment: str, run: Run) -> None:
        kind = element.WhichOneof("type")
        inner = getattr(element, kind)
        if kind == "exception":
            run.exceptions.append(f"{inner.type}: {inner.message}")
        elif kind == "alert" and inner.format == inner.ERROR:
            run.errors.append(inner.body)
        elif kind == "markdown":
            run.texts.append(inner.body)
        widget_id = getattr(inner, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID"):
            key = widget_id.rsplit("-", 1)[-1]
            options = tuple(getattr(inner, "options", ()) or ())
            value = ""
            if kind == "selectbox":  # the value the server set, else the default option
                value = inner.raw_value if inner.set_value else (options[inner.default] if options else "")
            self.widgets[key] = Widget(widget_id, kind, fragment, options, value)
