"""Amounts are integers in cents; these helpers format and add them."""


def format_cents(cents, currency="EUR"):
    """1234 -> 'EUR 12.34'; negative amounts keep their sign."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{currency} {whole}.{frac:02d}"


def total_cents(lines):
    """Sum of quantity * unit_cents over order lines."""
    return sum(line["quantity"] * line["unit_cents"] for line in lines)
