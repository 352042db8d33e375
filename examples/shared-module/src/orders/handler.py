"""Orders function: prices an order with the shared money and validation helpers."""
import json

from shared.money import format_cents, total_cents
from shared.validation import ValidationError, require


def lambda_handler(event, context):
    try:
        (lines,) = require(event, "lines")
    except ValidationError as exc:
        return {"statusCode": 400, "body": json.dumps({"error": str(exc)})}
    cents = total_cents(lines)
    return {"statusCode": 200, "body": json.dumps({"total": format_cents(cents)})}
