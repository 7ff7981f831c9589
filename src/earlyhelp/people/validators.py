import re

from django.core.exceptions import ValidationError

# The shape of a UK postcode (outward code, space optional, inward code).
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def validate_postcode(value: str) -> None:
    if value and not POSTCODE_RE.match(value.strip().upper()):
        raise ValidationError("Enter a real postcode, like PR1 2AB", code="invalid_postcode")
