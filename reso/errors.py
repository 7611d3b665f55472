"""Domain errors of the indexing side. The CLI and the HTTP API turn them into messages."""


class ResoError(Exception):
    """Base class: every error the project raises on purpose says what to do about it."""


class UnreadableFile(ResoError):
    """A file that cannot become a resolution: corrupt, encrypted, empty, not a resolution.

    The reason is meant for the user ("encrypted PDF", "XML but not Akoma Ntoso"), the path is
    kept so that a summary of a folder ingest can name every file it skipped.
    """

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class UnsupportedFormat(UnreadableFile):
    """No reader is registered for the file's suffix."""


class IndexMismatch(ResoError):
    """The index was built with another embedding model than the one configured."""
