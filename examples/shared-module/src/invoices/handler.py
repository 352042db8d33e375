"""Invoices function: renders invoice lines with the shared money helpers."""
import json

from shared import money


def lambda_handler(event, context):
    lines = (event or {}).get("lines", [])
    rendered = [
        f"{line['quantity']} x {line['name']}: {money.format_cents(line['quantity'] * line['unit_cents'])}"
        for line in lines
    ]
    rendered.append(f"Total: {money.format_cents(money.total_cents(lines))}")
    return {"statusCode": 200, "body": json.dumps({"invoice": rendered})}
