"""The e-mails the stack wrote to its mail folder (EMAIL_URL=filemail://), as a person
reads their inbox."""

import re
import time
from email import message_from_bytes
from email.header import decode_header, make_header

LINK = re.compile(r"https?://[^/\s]+(/[^\s]+)")


def messages(mail_dir, address):
    """Every message to address so far, oldest first: (subject, body)."""
    found = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = message_from_bytes(chunk)
            if address.lower() not in str(message["To"]).lower():
                continue
            body = message.get_payload(decode=True) or b""
            if message.is_multipart():
                body = message.get_payload(0).get_payload(decode=True)
            subject = str(make_header(decode_header(message["Subject"])))
            found.append((subject, body.decode()))
    return found


def mail_link(mail_dir, address, part, seconds=10):
    """The newest link containing part in an e-mail to address, waiting for it a little."""
    deadline = time.monotonic() + seconds
    while True:
        links = [
            link
            for _, body in messages(mail_dir, address)
            for link in LINK.findall(body)
            if part in link
        ]
        if links or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert links, f"no {part} link in the e-mails to {address}"
    return links[-1]
