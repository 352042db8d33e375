"""The deployed function: greets the caller, reports the stage it was packaged for.

api/settings.json is written into the package by an inline source block in main.tf.
"""
import json
import os

from shared.responses import bad_request, ok

with open(os.path.join(os.path.dirname(__file__), "settings.json"), encoding="utf-8") as f:
    _SETTINGS = json.load(f)


def lambda_handler(event, context):
    params = (event or {}).get("queryStringParameters") or {}
    name = params.get("name", "world")
    if len(name) > 64:
        return bad_request("name is longer than 64 characters")
    return ok({"greeting": f"Hello, {name}!", "stage": _SETTINGS["stage"]})
