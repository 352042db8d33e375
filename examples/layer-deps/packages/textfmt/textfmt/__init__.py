"""Small text helpers shared by the team's functions."""
import re


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def truncate(text, length):
    return text if len(text) <= length else text[: max(length - 1, 0)] + "\u2026"
