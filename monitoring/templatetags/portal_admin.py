from django import template

from monitoring import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def may_view_dashboard(context):
    """Whether the links to the staff dashboard are shown: to those it would answer."""
    request = context.get("request")
    return request is not None and dashboard.may_view(request)
