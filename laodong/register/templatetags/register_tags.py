from django import template

from laodong.forms.citizen_id import mask_id
from laodong.register.display import warning_names as _warning_names

register = template.Library()


@register.filter
def masked(value: str) -> str:
    """An ID number with all but its last four digits hidden."""
    return mask_id(value or "")


@register.filter
def warning_names(rules: list[str]) -> str:
    """The confirmed warnings of a version, in words."""
    return _warning_names(list(rules or []))
