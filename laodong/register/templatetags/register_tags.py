from django import template

from laodong.forms.citizen_id import mask_id

register = template.Library()


@register.filter
def masked(value: str) -> str:
    """An ID number with all but its last four digits hidden."""
    return mask_id(value or "")
