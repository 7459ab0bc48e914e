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


@register.filter
def reference_text(version: object) -> str:
    """A version's reference in one line (procedure, number, date)."""
    from laodong.register.sources import Origin

    return Origin(
        source="",
        reference_title=getattr(version, "reference_title", ""),
        reference=getattr(version, "reference", ""),
        reference_date=getattr(version, "reference_date", None),
    ).text()
