"""Decode request bodies (multipart, urlencoded, JSON) into nested Rails-style params."""

import email.parser
import email.policy
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .params import parse_pairs


class BadRequest(Exception):
    """The body could not be decoded at all (answered with 400)."""


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


def parse_body(content_type, body):
    """Return the params dict for a request body; JSON bodies come back as sent."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not body:
        return {}
    if media_type == "multipart/form-data":
        return parse_pairs(_multipart_pairs(content_type, body))
    if media_type == "application/json":
        return _json_body(body)
    if media_type in ("application/x-www-form-urlencoded", ""):
        return parse_pairs(_urlencoded_pairs(body))
    raise BadRequest(f"Unsupported content type {media_type}")


def parse_query(query_string):
    return parse_pairs(parse_qsl(query_string or "", keep_blank_values=True))


def _urlencoded_pairs(body):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("Form body is not UTF-8") from exc
    return parse_qsl(text, keep_blank_values=True)


def _json_body(body):
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("Body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("JSON body must be an object")
    return data


def _multipart_pairs(content_type, body):
    # The email package already knows MIME multipart; feeding it the body behind a
    # Content-Type header avoids a hand-written boundary splitter.
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    if not message.is_multipart():
        raise BadRequest("Malformed multipart body")

    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            pairs.append((name, data.decode("utf-8", errors="replace")))
        elif filename or data:
            # Browsers send an empty, nameless part for an untouched file input.
            content_type = part.get_content_type() if part.get("content-type") else ""
            pairs.append((name, UploadedFile(filename, content_type, data)))
    return pairs
