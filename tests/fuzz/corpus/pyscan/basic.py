import os
from shared.logic.courses import get_course
from . import x
from ..pkg import (a,
  b as c)

def handler(event, context):
    import json
    return 1
