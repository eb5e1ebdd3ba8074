"""Shared bits for the Astria client tests."""

import email
import email.policy
import io

from PIL import Image

from tests.helpers import API_KEY  # noqa: F401 (re-exported for the client tests)


def multipart_fields(request):
    """The parts of a multipart request: ``[(name, value)]``, files as tuples."""
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body,
        policy=email.policy.HTTP,
    )
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        if filename is None:
            fields.append((name, payload.decode()))
        else:
            fields.append((name, (filename, payload, part.get_content_type())))
    return fields


def jpeg(color="red", size=(64, 64)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()
