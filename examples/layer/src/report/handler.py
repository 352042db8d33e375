"""A function that uses the layer: `mylib` is not in this package, the layer provides it.

settings.json is not in src/report: main.tf writes it into the package with an
inline source block.
"""
import json
import os

from mylib import slugify, truncate

with open(os.path.join(os.path.dirname(__file__), "settings.json"), encoding="utf-8") as f:
    _SETTINGS = json.load(f)


def lambda_handler(event, context):
    title = (event or {}).get("title", "Terraform in Practice")
    body = {"slug": slugify(title), "short": truncate(title, _SETTINGS["short_title_length"])}
    return {"statusCode": 200, "body": json.dumps(body)}
