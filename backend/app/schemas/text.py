"""Text a UTF-8 database can hold: JSON's `\\ud800` escapes decode to unpaired surrogates, which
no UTF-8 column, log or file can take (they used to fail the INSERT as a 500)."""

UNPAIRED_SURROGATE = "must be valid Unicode text (it holds an unpaired surrogate such as \\ud800)"


def has_unpaired_surrogate(text: str) -> bool:
    """True if `text` cannot be written as UTF-8; ASCII text (most of it) is answered at once."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
