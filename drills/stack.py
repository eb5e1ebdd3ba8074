"""Start the whole portal as separate processes: emulator, WSGI server, task worker.

Everything listens on loopback ports picked at start, and every file (the
SQLite database unless DRILL_DATABASE_URL names another, media, e-mails, the
emulator's state, logs) lives in one throw-away folder. For the scale-out drill
it runs several web servers and workers, as if on several machines, with media
in a bucket on moto's S3 server and each process given a media folder of its own.
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
BUCKET = "drill-media"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    def __init__(
        self, folder, *, train_seconds=2.0, prompt_seconds=1.0, database_url=None,
        webs=1, workers=1, bucket=False, web_workers=None, emulator_on_disk=True,
        gunicorn_conf=False,
    ):  # fmt: skip
        self.folder = Path(folder)
        # gunicorn workers per web server: fewer when several share the machine.
        self.web_workers = web_workers or (3 if webs == 1 else 2)
        # On disk the emulator survives a restart, but rewrites its state file on
        # every change; in memory it costs no more CPU than Astria would.
        self.emulator_on_disk = emulator_on_disk
        # Run gunicorn with deploy/gunicorn.conf.py, as production does (its timeouts,
        # worker recycling, access log), instead of the drills' own few options.
        self.gunicorn_conf = gunicorn_conf
        self.emulator_port = free_port()
        self.emulator_media_port = free_port()
        self.web_ports = [free_port() for _ in range(webs)]
        self.web_port = self.web_ports[0]
        self.train_seconds = train_seconds
        self.prompt_seconds = prompt_seconds
        self.processes = {}
        self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
        # Its files come from a host of their own, as Astria's come from mp.astria.ai.
        self.emulator_media_url = f"http://127.0.0.1:{self.emulator_media_port}"
        self.web_urls = [f"http://127.0.0.1:{port}" for port in self.web_ports]
        self.web_url = self.web_urls[0]
        self.webs = ["web", *(f"web{n}" for n in range(2, webs + 1))]
        self.workers = ["worker", *(f"worker{n}" for n in range(2, workers + 1))]
        self.s3_url = f"http://127.0.0.1:{free_port()}" if bucket else None
        self.mail_dir = self.folder / "mail"
        self.overrides = {}  # process name -> environment variables of its own
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
            "ASTRIA_MEDIA_HOSTS": self.emulator_media_url,
            "DATABASE_URL": database_url or f"sqlite:///{self.folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(self.folder / "media"),
            "EMAIL_URL": f"filemail:///{self.mail_dir}",  # four slashes: an absolute path
            "CALLBACK_GRACE": "10",
            "SUBMIT_LEASE": "45",
            "QUOTA_TUNES_PER_MONTH": "100000",
            "QUOTA_IMAGES_PER_MONTH": "1000000",
            # The drills play several people from one address, faster than anyone would.
            "SIGNUPS_PER_IP_PER_HOUR": "0",
            "TUNES_PER_DAY": "0",
            "PROMPTS_PER_HOUR": "0",
            "TUNE_UPLOADS_PER_HOUR": "0",
            "TUNE_UPLOADS_PER_IP_PER_HOUR": "0",
            "UPLOADS_AT_ONCE": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "astria_portal.settings",
        }
        if bucket:
            self.env.update(
                STORAGE_URL=f"s3://{BUCKET}?endpoint_url={self.s3_url}&region=us-east-1",
                AWS_ACCESS_KEY_ID="drill-key",
                AWS_SECRET_ACCESS_KEY="drill-secret",
            )

    # Processes

    def names(self):
        """Every process, in the order they start."""
        return [*(["s3"] if self.s3_url else []), "emulator", *self.webs, *self.workers]

    def commands(self):
        python = sys.executable
        data = ["--data-dir", str(self.folder / "emulator")] if self.emulator_on_disk else []
        commands = {
            "emulator": [
                python, "-m", "astria_emulator", "--port", str(self.emulator_port),
                "--api-key", API_KEY, *data,
                "--train-seconds", str(self.train_seconds),
                "--prompt-seconds", str(self.prompt_seconds),
                "--public-url", self.emulator_url,
                "--media-port", str(self.emulator_media_port),
                "--public-media-url", self.emulator_media_url,
            ],
        }  # fmt: skip
        for name, port in zip(self.webs, self.web_ports, strict=True):
            gunicorn = [python, "-m", "gunicorn", "astria_portal.wsgi"]
            if self.gunicorn_conf:
                # The command line overrides the file's bind (every address) with loopback;
                # the number of workers comes from WEB_CONCURRENCY, as in production.
                commands[name] = [
                    *gunicorn, "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                ]  # fmt: skip
                continue
            commands[name] = [
                *gunicorn, "--bind", f"127.0.0.1:{port}",
                "--workers", str(self.web_workers), "--timeout", "60",
            ]  # fmt: skip
        for name in self.workers:
            commands[name] = [python, "manage.py", "qcluster"]
        if self.s3_url:
            port = self.s3_url.rsplit(":", 1)[1]
            commands["s3"] = [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", port]
        return commands

    def process_env(self, name):
        """With a bucket, every process gets a media folder of its own, as on its own machine:
        nothing may end up there."""
        env = {**self.env, **self.overrides.get(name, {})}
        if self.gunicorn_conf and name in self.webs:
            env["WEB_CONCURRENCY"] = str(self.web_workers)
        if self.s3_url:
            env["MEDIA_ROOT"] = str(self.folder / "machines" / name / "media")
        return env

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
        names = names or self.names()
        for name in names:
            log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (kept open while it runs)
            self.processes[name] = subprocess.Popen(
                self.commands()[name], cwd=ROOT, env=self.process_env(name), stdout=log,
                stderr=log, start_new_session=True,
            )  # fmt: skip
            if name == "s3":
                wait_until(lambda: _answers(f"{self.s3_url}/moto-api/"), 20, "S3 server")
                self.s3_client().create_bucket(Bucket=BUCKET)
        if "emulator" in names:
            wait_until(lambda: _answers(f"{self.emulator_url}/_emulator/state"), 20, "emulator")
        for web, url in zip(self.webs, self.web_urls, strict=True):
            if web in names:
                wait_until(lambda url=url: _answers(f"{url}/healthz"), 20, web)

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

    # The bucket

    def s3_client(self):
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.s3_url, region_name="us-east-1",
            aws_access_key_id="drill-key", aws_secret_access_key="drill-secret",
        )  # fmt: skip

    def bucket_objects(self):
        pages = self.s3_client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

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
