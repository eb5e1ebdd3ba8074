"""The tune page's prompt form before anything is typed, rendered once per process and kept.

Its widgets are most of the cost of a tune page (some 40 widget templates), and an
unbound form renders the same for the same tune, status, chosen preset, presets and
allowance or credits. Those are its key (astria_portal/fragments.py); a form with what
someone typed or with errors is always rendered afresh.
"""

from django.template.loader import get_template

from astria_portal import fragments

TEMPLATE = "prompts/_prompt_form.html"
TEMPLATES = (
    TEMPLATE,
    "prompts/_prompt_text.html",
    "includes/field.html",
    "prompts/_options.html",
    "billing/_prompt_cost.html",
)
KEPT_SECONDS = 3600


def _state(context):
    tune, form = context["tune"], context["form"]
    money = context.get("billing_mode")
    if money == "credits":
        money = (money, context["credits"]["balance"], context["credits"]["per_image"])
    return (
        (tune.code, tune.status, tune.class_name),
        context["can_prompt"],
        sorted(form.initial.items()),
        context["presets"],
        context["allowance"],
        money,
    )


def render(request, context):
    """The unbound form's HTML, with the request's own CSRF token."""
    if context["form"].is_bound:
        return None
    context = fragments.page_context(request, context)
    kept = fragments.cache()
    key = fragments.key("composer", TEMPLATES, _state(context))
    html = kept.get(key)
    if html is None:
        html = get_template(TEMPLATE).render(context)
        kept.set(key, html, KEPT_SECONDS)
    return fragments.with_token(request, html)
