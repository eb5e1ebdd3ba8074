"""State survives a restart with a data dir; the module runs as its own process."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from astria_emulator import Emulator

from .conftest import PHOTOS, Api, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_tunes_prompts_files_and_balance_survive_a_restart(tmp_path):
    with Emulator(api_key="test-key", data_dir=tmp_path, train_seconds=0, prompt_seconds=0) as emu:
        api = Api(emu)
        files = [("tune[images][]", photo) for photo in PHOTOS]
        fields = {"tune[title]": "kept", "tune[name]": "man", "tune[branch]": "sd15"}
        tune = api.post("/tunes", data=fields, files=files).json()
        prompt = api.done_prompt(api.new_prompt(tune["id"], num_images=2)["id"])
        image = requests.get(prompt["images"][0], timeout=5).content
        balance = api.balance()
        trained = api.tune(tune["id"])

    with Emulator(api_key="test-key", data_dir=tmp_path, train_seconds=0, prompt_seconds=0) as emu:
        api = Api(emu)
        assert api.tune(tune["id"])["trained_at"] == trained["trained_at"]
        assert api.tune(tune["id"])["title"] == "kept"
        restored = api.prompt(prompt["id"])
        assert len(restored["images"]) == 2
        assert requests.get(restored["images"][0], timeout=5).content == image
        served = requests.get(api.tune(tune["id"])["orig_images"][0], timeout=5)
        assert served.content == PHOTOS[0][1]
        assert api.balance() == balance
        assert api.new_tune()["id"] == tune["id"] + 1
        assert api.create_tune(title="kept").status_code == 200  # idempotency still holds


def test_a_tune_still_training_at_shutdown_finishes_after_a_restart(tmp_path):
    with Emulator(data_dir=tmp_path, train_seconds=0.2, prompt_seconds=0) as emu:
        api = Api(emu)
        api.headers = {"Authorization": "Bearer demo-key"}
        tune = api.new_tune()

    with Emulator(data_dir=tmp_path, train_seconds=0.2, prompt_seconds=0) as emu:
        api = Api(emu)
        api.headers = {"Authorization": "Bearer demo-key"}
        assert api.trained_tune(tune["id"])["trained_at"] is not None


def test_reset_with_a_data_dir_removes_the_files(tmp_path):
    with Emulator(api_key="test-key", data_dir=tmp_path, train_seconds=0) as emu:
        api = Api(emu)
        files = [("tune[images][]", photo) for photo in PHOTOS]
        api.post("/tunes", data={"tune[title]": "t", "tune[name]": "man"}, files=files)
        assert len(list((tmp_path / "files").iterdir())) == 4

        emu.reset()

        assert list((tmp_path / "files").iterdir()) == []
        assert api.get("/tunes").json() == []


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_command_line_server_logs_requests_but_not_the_key(tmp_path):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "astria_emulator",
        "--port",
        str(port),
        "--api-key",
        "cli-secret",
        "--data-dir",
        str(tmp_path),
        "--train-seconds",
        "0",
        "--public-url",
        "http://emulator.test:9000/",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"

        def users():
            try:
                return requests.get(
                    f"{base}/users", headers={"Authorization": "Bearer cli-secret"}, timeout=1
                )
            except requests.ConnectionError:
                return None

        assert wait_for(users, lambda response: response is not None, seconds=10).ok
        body = {"tune": {"title": "t", "name": "man", "image_urls": ["u"] * 4}}
        tune = requests.post(
            f"{base}/tunes", json=body, headers={"Authorization": "Bearer cli-secret"}, timeout=5
        ).json()
        assert tune["url"] == f"http://emulator.test:9000/tunes/{tune['id']}.json"
        assert (tmp_path / "state.json").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)

    assert process.returncode == 0
    assert "GET /users 200" in stderr and "POST /tunes 201" in stderr
    assert "cli-secret" not in stderr
