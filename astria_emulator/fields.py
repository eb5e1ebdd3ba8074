"""Coerce form strings into typed values; reject what Rails would reject with 422.

A rejected model answers 422 with a Rails error map, every field at once, as
the real service does (`{"images": ["must contain at least one image"]}`, seen
in a production log): `Form` reads many fields and collects their errors.
"""

import json


class Invalid(Exception):
    """Validation errors, answered as 422 with the field map `errors`."""

    def __init__(self, errors):
        self.errors = errors  # field name -> list of messages, as Rails renders them
        super().__init__("; ".join(f"{key} {m}" for key, found in errors.items() for m in found))


def invalid(key, message):
    return Invalid({key: [message]})


class Form:
    """Read fields from one hash, keeping every error instead of stopping at the first.

    form = Form(attrs); title = form.read(text, "title"); ...; form.check()
    `prefix` names a nested model the way Rails does ("prompts." + "text").
    """

    def __init__(self, params, prefix=""):
        self.params = params
        self.prefix = prefix
        self.errors = {}

    def add(self, key, message):
        messages = self.errors.setdefault(self.prefix + key, [])
        if message not in messages:
            messages.append(message)

    def merge(self, exc):
        for key, messages in exc.errors.items():
            for message in messages:
                self.add(key, message)

    def read(self, reader, key, *args, **kwargs):
        try:
            return reader(self.params, key, *args, **kwargs)
        except Invalid as exc:
            self.merge(exc)
            return None

    def check(self):
        if self.errors:
            raise Invalid(self.errors)


_TRUE = {"true", "1", "t", "yes", "on"}
_FALSE = {"false", "0", "f", "no", "off", ""}


def text(params, key, default=None):
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, (dict, list)):
        raise invalid(key, "must be a string")
    return str(value)


def boolean(params, key, default=None):
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise invalid(key, "must be true or false")


def integer(params, key, default=None, low=None, high=None):
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value) if not isinstance(value, float) else _whole(value)
    except (TypeError, ValueError):
        raise invalid(key, "is not a number") from None
    _check_range(key, number, low, high)
    return number


def number(params, key, default=None, low=None, high=None):
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise invalid(key, "is not a number") from None
    _check_range(key, result, low, high)
    return result


def choice(params, key, options, default=None):
    value = text(params, key)
    if value is None or value == "":
        return default
    if value not in options:
        raise invalid(key, "is not included in the list")
    return value


def mapping(params, key):
    """Read a hash sent nested (`x[k]=v`), as a JSON object, or as a JSON string."""
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid(key, "is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid(key, "must be a hash")
    return value


def _whole(value):
    if value != int(value):
        raise ValueError(value)
    return int(value)


def _check_range(key, value, low, high):
    """Rails' numericality messages, e.g. "must be less than or equal to 8"."""
    if low is not None and value < low:
        raise invalid(key, f"must be greater than or equal to {_plain(low)}")
    if high is not None and value > high:
        raise invalid(key, f"must be less than or equal to {_plain(high)}")


def _plain(bound):
    return int(bound) if float(bound).is_integer() else bound
