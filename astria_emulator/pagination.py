"""List paging as §10 describes: id descending, limit, shallow offset, before_id."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 120


class PageError(ValueError):
    """A paging parameter is unusable (answered with 400)."""


def paginate(records, query, max_offset):
    limit = _number(query, "limit", DEFAULT_LIMIT)
    offset = _number(query, "offset", 0)
    before_id = _number(query, "before_id", None)
    if offset < 0:
        raise PageError("offset must not be negative")
    if offset > max_offset:
        raise PageError(
            f"offset must not exceed {max_offset}; use before_id to page further "
            "(pass the last id of the current page)"
        )
    limit = min(max(limit, 1), MAX_LIMIT)
    rows = sorted(records, key=lambda record: record["id"], reverse=True)
    if before_id is not None:
        rows = [record for record in rows if record["id"] < before_id]
    return rows[offset : offset + limit]


def _number(query, key, default):
    value = query.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PageError(f"{key} must be an integer") from None
