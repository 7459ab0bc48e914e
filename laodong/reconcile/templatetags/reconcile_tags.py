from typing import Any

from django import template

register = template.Library()


@register.filter
def dict_get(mapping: dict[Any, Any], key: Any) -> Any:
    """`mapping[key]`, or an empty list."""
    return mapping.get(key, []) if isinstance(mapping, dict) else []


@register.filter
def pair_with(first: Any, second: Any) -> list[Any]:
    return [first, second]
