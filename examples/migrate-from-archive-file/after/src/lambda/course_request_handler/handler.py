"""Course request handler: the function from the incident that motivated lambda_package."""
import json

from shared.logic.courses import find_course


def lambda_handler(event, context):
    course_id = (event or {}).get("course_id", "intro-101")
    course = find_course(course_id)
    if course is None:
        return {"statusCode": 404, "body": json.dumps({"error": f"no course {course_id}"})}
    return {"statusCode": 200, "body": json.dumps(course)}
