"""Small text helpers."""
import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title):
    """Lower-case ASCII words joined by '-': 'Terraform in Practice!' -> 'terraform-in-practice'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("-", ascii_title.lower()).strip("-")


def truncate(text, limit):
    """At most `limit` characters, ending with '...' when something was cut."""
    if limit < 3:
        raise ValueError("limit must be at least 3")
    if len(text) <= limit:
        return text
    return text[: limit - 3] + "..."
