"""A person using the portal over HTTP, as a browser would post its forms."""

import io
import itertools
import re

import requests
from PIL import Image, ImageDraw

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


def photo(seed):
    image = Image.new("RGB", (640, 800), ((seed * 47) % 256, (seed * 91) % 256, 160))
    ImageDraw.Draw(image).ellipse((100 + seed % 50, 120, 500, 600), fill=(250, seed % 256, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Person:
    """One browser. Given several web servers' URLs it takes them in turn for every
    request, as a load balancer may: the session and CSRF token must hold on each."""

    def __init__(self, base_urls, username):
        self.base_urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.base_url = self.base_urls[0]
        self._next = itertools.cycle(self.base_urls).__next__
        self.username = username
        self.session = requests.Session()

    def get(self, path, **kwargs):
        return self.session.get(f"{self._next()}{path}", timeout=30, **kwargs)

    def _token(self, path):
        page = self.get(path)
        page.raise_for_status()
        return CSRF.search(page.content).group(1).decode()

    def post(self, path, data, files=None, form_path=None):
        data = {**data, "csrfmiddlewaretoken": self._token(form_path or path)}
        return self.session.post(
            f"{self._next()}{path}",
            data=data,
            files=files,
            headers={"Referer": f"{self.base_url}{form_path or path}"},
            allow_redirects=False,
            timeout=60,
        )

    def sign_up(self, mail_dir=None):
        """Sign up, and with the stack's mail folder follow the verification link, which
        a first fine-tune needs (and which logs the person in)."""
        password = "drill-Password-2026"
        response = self.post(
            "/accounts/signup/",
            {
                "username": self.username,
                "email": f"{self.username}@example.com",
                "password1": password,
                "password2": password,
            },
        )
        assert response.status_code == 302, f"sign-up failed: {response.status_code}"
        if mail_dir is not None:
            self.confirm_email(mail_dir)

    def confirm_email(self, mail_dir):
        address = f"{self.username}@example.com"
        links = [
            link
            for path in sorted(mail_dir.glob("*.log"))
            for chunk in path.read_text().split("-" * 79)
            if f"To: {address}" in chunk
            for link in CONFIRM.findall(chunk)
        ]
        assert links, f"no verification e-mail for {address}"
        response = self.post(links[-1], {})
        assert response.status_code == 302, f"verification failed: {response.status_code}"

    def create_tune(self, name, seed=0, model_kind="sd15"):
        """Post the new-tune form; return the tune's code, or None if the portal refused."""
        files = [("photos", (f"p{i}.jpg", photo(seed + i), "image/jpeg")) for i in range(4)]
        data = {"name": name, "class_name": "woman", "model_kind": model_kind, "test_mode": "on"}
        response = self.post("/tunes/new/", data, files=files)
        if response.status_code != 302:
            return None
        return response.headers["Location"].rstrip("/").split("/")[-1]

    def create_prompt(self, tune_code, text, num_images=2):
        """Post the prompt form of a tune's page; return True if the portal accepted it."""
        data = {"text": text, "num_images": num_images, "aspect_ratio": "1:1"}
        response = self.post(
            f"/prompts/for/{tune_code}/new/", data, form_path=f"/tunes/{tune_code}/"
        )
        return response.status_code == 302
