"""The attendee's circle on the network page (``dashboard.circle``)."""

from django import template

from dashboard.circle import circle_chart

register = template.Library()


@register.simple_tag
def circle_of(network):
    return circle_chart(network)
