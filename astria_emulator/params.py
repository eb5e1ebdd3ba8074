"""Turn Rails bracket keys (`tune[prompts_attributes][][text]`) into nested dicts and lists.

This follows Rack's `normalize_params`, so both array-of-hash encodings Astria's
docs use come out the way Rails sees them:

* unindexed `a[][x]=1&a[][y]=2&a[][x]=3` gives `[{"x": 1, "y": 2}, {"x": 3}]`
  (a key that the last hash already holds starts a new hash);
* indexed `a[0][x]=1&a[1][x]=2` gives `{"0": {...}, "1": {...}}`, which
  `as_list` turns into a list ordered by index, as `accepts_nested_attributes_for` does.
"""

import re

_HEAD = re.compile(r"\A[\[\]]*([^\[\]]+)\]*")
_ARRAY_OF_HASH = re.compile(r"\A\[\]\[([^\[\]]+)\]\Z")
_ARRAY_OF_ANY = re.compile(r"\A\[\](.+)\Z")


def parse_pairs(pairs):
    """Build nested params from (key, value) pairs in the order they arrived."""
    params = {}
    for key, value in pairs:
        _normalize(params, key, value)
    return params


def _normalize(params, name, value):
    match = _HEAD.match(name)
    if not match:
        return params
    key = match.group(1)
    after = name[match.end() :]

    if after == "":
        params[key] = value
    elif after == "[]":
        target = params.setdefault(key, [])
        if isinstance(target, list):
            target.append(value)
    else:
        child = _ARRAY_OF_HASH.match(after) or _ARRAY_OF_ANY.match(after)
        if child:
            child_key = child.group(1)
            items = params.setdefault(key, [])
            if not isinstance(items, list):
                return params
            last = items[-1] if items else None
            if isinstance(last, dict) and not _has_key(last, child_key):
                _normalize(last, child_key, value)
            else:
                items.append(_normalize({}, child_key, value))
        else:
            nested = params.setdefault(key, {})
            if isinstance(nested, dict):
                _normalize(nested, after, value)
    return params


def _has_key(params, key):
    """Tell whether a (possibly nested) key is already set, as Rack does."""
    if "[]" in key:
        return False
    current = params
    for part in re.split(r"[\[\]]+", key):
        if part == "":
            continue
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    return True


def as_list(value):
    """Read an array of hashes sent in either form: a list, or a dict keyed "0", "1", ..."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if all(str(key).isdigit() for key in value):
            return [value[key] for key in sorted(value, key=int)]
        return [value]
    return [value]
