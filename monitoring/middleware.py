import time

from astria_portal.metrics import REQUEST_SECONDS

# (view, status class) -> the histogram's child: labels() costs as much as observe().
# As bounded as the metric itself: one entry per URL name and class.
_children = {}


def request_metrics(get_response):
    """Time every request, by view name and status class (the first middleware)."""

    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        match = request.resolver_match
        key = (match.view_name if match else "unresolved", f"{response.status_code // 100}xx")
        child = _children.get(key)
        if child is None:
            child = _children[key] = REQUEST_SECONDS.labels(*key)
        child.observe(time.perf_counter() - started)
        return response

    return middleware
