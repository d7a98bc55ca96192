"""Errors meant for people: the message says what went wrong and what to do."""


class PantauError(Exception):
    """A failure the user can act on. The CLI prints `str(error)` on one line and exits non-zero."""

    exit_code = 1


class InputError(PantauError):
    """Bad input from the user: a missing file, a bad URL, an invalid option."""

    exit_code = 2


class StoreError(PantauError):
    """The database cannot be opened, migrated or written."""


class ModelMissingError(PantauError):
    """An NLP resource or embedding model has not been prepared."""
