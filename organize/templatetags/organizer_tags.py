from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.756 → "76%"; nothing to show → an em dash."""
    if value is None or value == "":
        return "—"
    return f"{round(float(value) * 100)}%"


@register.filter
def one_decimal(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}"
