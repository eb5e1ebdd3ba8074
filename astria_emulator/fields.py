"""Coerce form strings into typed values; reject what Rails would reject with 422."""

import json


class Invalid(Exception):
    """A validation error, answered as 422 {"error": message}."""


_TRUE = {"true", "1", "t", "yes", "on"}
_FALSE = {"false", "0", "f", "no", "off", ""}


def text(params, key, default=None):
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, (dict, list)):
        raise Invalid(f"{_label(key)} must be a string")
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
    raise Invalid(f"{_label(key)} must be true or false")


def integer(params, key, default=None, low=None, high=None):
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value) if not isinstance(value, float) else _whole(value)
    except (TypeError, ValueError):
        raise Invalid(f"{_label(key)} is not a number") from None
    _check_range(key, number, low, high)
    return number


def number(params, key, default=None, low=None, high=None):
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"{_label(key)} is not a number") from None
    _check_range(key, result, low, high)
    return result


def choice(params, key, options, default=None):
    value = text(params, key)
    if value is None or value == "":
        return default
    if value not in options:
        raise Invalid(f"{_label(key)} is not included in the list")
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
            raise Invalid(f"{_label(key)} is not valid JSON") from None
    if not isinstance(value, dict):
        raise Invalid(f"{_label(key)} must be a hash")
    return value


def _whole(value):
    if value != int(value):
        raise ValueError(value)
    return int(value)


def _check_range(key, value, low, high):
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid(f"{_label(key)} must be between {low} and {high}")


def _label(key):
    return key.replace("_", " ").capitalize()
