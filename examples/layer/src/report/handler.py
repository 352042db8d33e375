"""A function that uses the layer: `mylib` is not in this package, the layer provides it."""
import json

from mylib import slugify, truncate


def lambda_handler(event, context):
    title = (event or {}).get("title", "Terraform in Practice")
    body = {"slug": slugify(title), "short": truncate(title, 16)}
    return {"statusCode": 200, "body": json.dumps(body)}
