"""A function whose third-party code comes from a layer: `textfmt` is installed
into the layer ZIP under python/, not into this package."""
import json

from textfmt import slugify, truncate


def lambda_handler(event, context):
    title = (event or {}).get("title", "Terraform in Practice")
    body = {"slug": slugify(title), "short": truncate(title, 16)}
    return {"statusCode": 200, "body": json.dumps(body)}
