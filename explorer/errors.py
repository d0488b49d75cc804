"""The one exception type for problems a user can cause, carrying a sentence a student understands."""


class ExplorerError(Exception):
    """A problem with the user's input or environment, said in one plain sentence.

    The UI shows ``str(error)`` with ``st.error``; the command line prints it on one line and exits 2.
    """


def quoted(text: str, limit: int = 48) -> str:
    """What a user typed, in quotes for a message: on one line, shortened to ``limit`` characters with an
    ellipsis (a 400-digit number or a pasted paragraph does not fill the screen)."""
    text = " ".join(text.split())
    return f"'{shortened(text, limit)}'"


def shortened(text: str, limit: int = 48) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
