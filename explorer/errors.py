"""The one exception type for problems a user can cause, carrying a sentence a student understands."""


class ExplorerError(Exception):
    """A problem with the user's input or environment, said in one plain sentence.

    The UI shows ``str(error)`` with ``st.error``; the command line prints it on one line and exits 2.
    """
