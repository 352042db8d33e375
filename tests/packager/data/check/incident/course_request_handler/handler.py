"""Course request handler (the layout of the ImportModuleError incident)."""
import json

from shared.logic.courses import get_course
from shared.utils import respond


def lambda_handler(event, context):
    return respond(get_course(json.loads(event["body"])["id"]))
