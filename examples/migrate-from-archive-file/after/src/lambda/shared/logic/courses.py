"""Course catalogue lookups."""

_COURSES = {
    "intro-101": {"id": "intro-101", "title": "Introduction to Serverless", "seats": 30},
    "tf-201": {"id": "tf-201", "title": "Terraform in Practice", "seats": 24},
}


def find_course(course_id):
    return _COURSES.get(course_id)
