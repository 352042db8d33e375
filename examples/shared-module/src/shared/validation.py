"""Request validation shared by every function."""


class ValidationError(ValueError):
    """The request is missing something; the message says what."""


def require(event, *fields):
    """Returns the values of `fields` from `event`, or raises ValidationError naming the first missing one."""
    if not isinstance(event, dict):
        raise ValidationError("the event must be a JSON object")
    values = []
    for field in fields:
        if field not in event:
            raise ValidationError(f"missing field '{field}'")
        values.append(event[field])
    return values
