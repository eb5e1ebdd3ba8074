from django import template

from prompts import cards

register = template.Library()


@register.simple_tag(takes_context=True)
def prompt_cards(context, prompts):
    """The cards of a page of prompts, settled ones from the cache (prompts/cards.py)."""
    return cards.render_cards(context["request"], prompts, context["tune"], context["can_prompt"])
