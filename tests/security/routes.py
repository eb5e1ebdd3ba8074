"""Every URL pattern of the project, found by walking the resolver, and a URL for each."""

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.urls.resolvers import RoutePattern

# What to put into each named part of a URL when any value will do (the CSRF
# check runs before the view looks at it). A new part name fails the tests
# until it is added here.
ANY_VALUE = {
    "code": uuid.UUID(int=1),
    "tune_code": uuid.UUID(int=2),
    "photo_code": uuid.UUID(int=3),
    "kind": "tune",
    "app_label": "auth",
    "object_id": "1",
    "content_type_id": 1,
    "uidb64": "MQ",
    "token": "set-password",
    "url": "anything",
    "id": 1,
    "tune_id": 1,
    "pack_id": 260,
    "image_id": 1,
    "key": "anything",
    "uidb36": "1",
    "provider": "google",
}


@dataclass(frozen=True)
class Route:
    route: str  # the whole pattern, for messages
    name: str | None  # "namespace:name"
    callback: object
    parts: tuple  # the names of the URL's variable parts
    uuid_parts: tuple  # those with a <uuid:...> converter

    def url(self, values):
        """The path with values for its parts (a dict by part name)."""
        missing = [part for part in self.parts if part not in values]
        if missing:
            raise LookupError(f"no value for {missing} in {self.route}")
        if self.name:
            return reverse(self.name, kwargs={part: values[part] for part in self.parts})
        # Unnamed: put the values into the pattern's text.
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), self.route)
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), path)
        return "/" + path.replace("^", "").replace("$", "")


def routes():
    return list(_walk(get_resolver(), "", None, (), ()))


def _walk(resolver, prefix, namespace, parts, uuid_parts):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        here = parts + tuple(entry.pattern.regex.groupindex)
        here_uuid = uuid_parts + tuple(_uuid_parts(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, route, inner, here, here_uuid)
            continue
        assert isinstance(entry, URLPattern)
        name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
        yield Route(route, name, entry.callback, here, here_uuid)


def _uuid_parts(pattern):
    if not isinstance(pattern, RoutePattern):
        return []
    return [name for name, conv in pattern.converters.items() if isinstance(conv, UUIDConverter)]
