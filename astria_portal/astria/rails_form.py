"""Rails-style nested form fields (``tune[images][]``), sent as multipart parts."""


def rails_form(root, fields):
    """Multipart parts with Rails bracket keys; ``None`` values are left out.

    ``{"title": "t", "images": [file], "characteristics": {"eyes": "blue"}}`` becomes
    ``tune[title]``, ``tune[images][]`` and ``tune[characteristics][eyes]``.
    """
    parts = []
    for key, value in fields.items():
        _add_part(parts, f"{root}[{key}]", value)
    return parts


def _add_part(parts, key, value):
    if value is None:
        return
    if _is_file(value):
        parts.append((key, value))
    elif isinstance(value, dict):
        for sub_key, sub_value in value.items():
            _add_part(parts, f"{key}[{sub_key}]", sub_value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _add_part(parts, f"{key}[]", item)
    elif isinstance(value, bool):
        parts.append((key, (None, "true" if value else "false")))
    else:
        parts.append((key, (None, str(value))))


def _is_file(value):
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and (isinstance(value[1], (bytes, bytearray)) or hasattr(value[1], "read"))
    )


def text_first(prompt):
    # In the unindexed form Rails starts a new hash when a key repeats, so each
    # hash must open with a key every hash has: ``text``.
    if not prompt.get("text"):
        raise ValueError("every prompt in prompts needs a text")
    return {"text": prompt["text"], **prompt}
