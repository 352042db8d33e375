import json


def respond(body):
    return {"statusCode": 200, "body": json.dumps(body)}
