"""Words for a cache file that could not be used (the t-SNE map, the digit classifier), so the
UI can say why it is rebuilding instead of silently making the user wait."""


def describe_cache_error(exc: Exception) -> str:
    """'BadZipFile: File is not a zip file': the error's type and the first line of its text."""
    text = str(exc).strip()
    first_line = text.splitlines()[0][:200] if text else ""
    return f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
