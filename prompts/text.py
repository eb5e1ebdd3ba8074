"""Refuse user text that Astria would read as settings: only the portal's fields set them.

The forms refuse such text with these messages; ``unsendable`` is the last guard
for prompts saved before the forms did, checked where the text is fixed for sending.
"""

from astria_portal.astria import syntax

FORM_MESSAGES = {
    syntax.FLAG: "Leave out --options such as --ar or --upscale_v4: Astria would read them "
    "as (paid) settings. Choose the shape and the quality with the form's own fields.",
    syntax.TAG: "Leave out <lora:…> and <faceid:…> tags: the portal adds your fine-tune's own.",
    syntax.PLACEHOLDER: "Leave out {{…}}: Astria would fill it in as a placeholder. "
    "Write the words themselves.",
}
NAMES = {
    syntax.FLAG: "--options",
    syntax.TAG: "<lora:…> or <faceid:…> tags",
    syntax.PLACEHOLDER: "{{…}} placeholders",
}


def form_errors(text):
    """The form's messages for every kind of control in text; empty if it is plain."""
    return [FORM_MESSAGES[kind] for kind in syntax.controls(text)]


def unsendable(prompt):
    """Why the prompt cannot be sent to Astria as it is, or "" if it can."""
    tune = prompt.tune
    again = "Write the prompt again without them."
    remake = "Make the fine-tune again with a plain one."
    parts = (
        ("its text", prompt.text, again),
        ("what it leaves out", prompt.negative_prompt, again),
        ("the fine-tune's class name", tune.class_name, remake),
        ("the fine-tune's trigger word", tune.token, remake),
    )
    for where, value, advice in parts:
        kinds = syntax.controls(value)
        if kinds:
            found = " and ".join(NAMES[kind] for kind in kinds)
            return (
                f"Not sent to Astria: {where} has {found}, which Astria reads as settings, "
                f"not words. {advice}"
            )
    return ""
