"""Start the whole portal as separate processes: emulator, WSGI server, task worker.

Everything listens on loopback ports picked at start, and every file (the
SQLite database unless DRILL_DATABASE_URL names another, media, e-mails, the
emulator's state, logs) lives in one throw-away folder.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sd_DrillKey0123456789abcdef"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    def __init__(
        self,
        folder,
        *,
        train_seconds=2.0,
        prompt_seconds=1.0,
        database_url=None,
        web_workers=3,
        emulator_on_disk=True,
    ):
        self.folder = Path(folder)
        self.web_workers = web_workers
        # On disk the emulator survives a restart, but rewrites its state file on
        # every change; in memory it costs no more CPU than Astria would.
        self.emulator_on_disk = emulator_on_disk
        self.emulator_port = free_port()
        self.web_port = free_port()
        self.train_seconds = train_seconds
        self.prompt_seconds = prompt_seconds
        self.processes = {}
        self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.mail_dir = self.folder / "mail"
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "drill-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",  # plain HTTP on loopback
            "PUBLIC_BASE_URL": self.web_url,
            "ASTRIA_API_URL": self.emulator_url,
            "ASTRIA_API_KEY": API_KEY,
            "ASTRIA_TEST_MODE": "true",
            "ASTRIA_MEDIA_HOSTS": self.emulator_url,
            "DATABASE_URL": database_url or f"sqlite:///{self.folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(self.folder / "media"),
            "EMAIL_URL": f"filemail:///{self.mail_dir}",  # four slashes: an absolute path
            "CALLBACK_GRACE": "10",
            "SUBMIT_LEASE": "45",
            "QUOTA_TUNES_PER_MONTH": "100000",
            "QUOTA_IMAGES_PER_MONTH": "1000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "astria_portal.settings",
        }

    # Processes

    def commands(self):
        python = sys.executable
        data = ["--data-dir", str(self.folder / "emulator")] if self.emulator_on_disk else []
        return {
            "emulator": [
                python, "-m", "astria_emulator", "--port", str(self.emulator_port),
                "--api-key", API_KEY, *data,
                "--train-seconds", str(self.train_seconds),
                "--prompt-seconds", str(self.prompt_seconds),
                "--public-url", self.emulator_url,
            ],
            "web": [
                python, "-m", "gunicorn", "astria_portal.wsgi", "--bind",
                f"127.0.0.1:{self.web_port}", "--workers", str(self.web_workers), "--timeout", "60",
            ],
            "worker": [python, "manage.py", "qcluster"],
        }  # fmt: skip

    def setup(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(exist_ok=True)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=self.env, check=True,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip

    def manage(self, *args, **env):
        """Run a management command against the stack's database."""
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **env}, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self, *names):
        for name in names or ("emulator", "web", "worker"):
            log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (kept open while it runs)
            self.processes[name] = subprocess.Popen(
                self.commands()[name], cwd=ROOT, env=self.env, stdout=log, stderr=log,
                start_new_session=True,
            )  # fmt: skip
        if "emulator" in (names or ("emulator",)):
            wait_until(lambda: _answers(f"{self.emulator_url}/_emulator/state"), 20, "emulator")
        if "web" in (names or ("web",)):
            wait_until(lambda: _answers(f"{self.web_url}/healthz"), 20, "web server")

    def kill(self, name, sig=signal.SIGKILL, grace=15):
        """Send sig to the process (SIGKILL to its whole group); SIGKILL the group if
        it has not ended after grace s, and whatever it left behind."""
        process = self.processes.pop(name)
        try:
            if sig == signal.SIGKILL:
                os.killpg(process.pid, sig)
            else:
                # It stops its own children: django-q2's cluster, signalled all at
                # once, hangs until it is killed.
                os.kill(process.pid, sig)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        except ProcessLookupError:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop(self):
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def __enter__(self):
        self.setup()
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # The emulator's control surface

    def control(self, method, path, data=None):
        response = requests.request(
            method, f"{self.emulator_url}/_emulator/{path}", json=data, timeout=10
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def remote(self, path):
        """Every object the emulator's API lists at path, following before_id."""
        found, params = [], {"limit": 120}
        while True:
            response = requests.get(
                f"{self.emulator_url}{path}",
                params=params,
                headers={"Authorization": f"Bearer {API_KEY}"},
                timeout=10,
            )
            response.raise_for_status()
            page = response.json()
            if not page:
                return found
            found += page
            params["before_id"] = page[-1]["id"]


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code < 600
    except requests.RequestException:
        return False


def wait_until(check, seconds, what, every=0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise TimeoutError(f"{what} did not come up within {seconds} s")
