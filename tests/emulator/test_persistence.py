"""State survives a restart with a data dir; the module runs as its own process."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from astria_emulator import Emulator

from .conftest import PHOTOS, Api, free_port, wait_for

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

    with Emulator(
        api_key="test-key", data_dir=tmp_path, train_seconds=0, prompt_seconds=0, idempotency=True
    ) as emu:
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
        assert api.create_tune(title="kept").status_code == 200  # the title is still known


def test_a_state_file_from_before_the_failure_signals_still_loads(tmp_path):
    with Emulator(api_key="test-key", data_dir=tmp_path, train_seconds=60) as emu:
        api = Api(emu)
        failed, waiting = api.new_tune(), api.new_tune()
        api.control("POST", f"tunes/{failed['id']}/fail", {"signal": "user_error"})
    state_file = tmp_path / "state.json"
    saved = json.loads(state_file.read_text())
    for tune in saved["tunes"]:  # the keys an older emulator did not write
        for key in ("failed", "failed_at", "fail_message", "start_due", "prompts_callback",
                    "checkpoint_deleted_at"):  # fmt: skip
            tune.pop(key)
        if tune["id"] == waiting["id"]:
            tune["fail_with"] = "Bad photos"
    state_file.write_text(json.dumps(saved))

    with Emulator(api_key="test-key", data_dir=tmp_path, train_seconds=0) as emu:
        api = Api(emu)
        assert api.tune(failed["id"])["user_error"] == "Training failed"
        assert api.tune(failed["id"])["failed_at"] is None
        api.control("POST", f"tunes/{waiting['id']}/finish")
        assert api.tune(waiting["id"])["trained_at"] is not None
        assert api.state()["tunes"]["failed"] == 1


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


def two_free_ports():
    """A free port whose next port is free too (the media host's default)."""
    while True:
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


@contextlib.contextmanager
def command_line(*arguments, port):
    """Run `python -m astria_emulator` until the block ends; yield a dict that gets its stderr."""
    command = [sys.executable, "-m", "astria_emulator", "--port", str(port), *arguments]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    result = {}
    try:

        def users():
            try:
                return requests.get(
                    f"http://127.0.0.1:{port}/users",
                    headers={"Authorization": "Bearer cli-secret"},
                    timeout=1,
                )
            except requests.ConnectionError:
                return None

        assert wait_for(users, lambda response: response is not None, seconds=10).ok
        yield result
    finally:
        process.send_signal(signal.SIGTERM)
        _, result["stderr"] = process.communicate(timeout=10)
        result["returncode"] = process.returncode


def post_tune(port, **fields):
    body = {"tune": {"title": "t", "name": "man", "image_urls": ["u"] * 4, **fields}}
    response = requests.post(
        f"http://127.0.0.1:{port}/tunes",
        json=body,
        headers={"Authorization": "Bearer cli-secret"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return response.json()


def trained_tune(port, tune_id):
    def fetch():
        return requests.get(
            f"http://127.0.0.1:{port}/tunes/{tune_id}",
            headers={"Authorization": "Bearer cli-secret"},
            timeout=5,
        ).json()

    return wait_for(fetch, lambda found: found["trained_at"])


def test_the_command_line_server_logs_requests_but_not_the_key(tmp_path):
    port = two_free_ports()
    arguments = [
        "--api-key", "cli-secret", "--data-dir", str(tmp_path), "--train-seconds", "0",
        "--public-url", "http://emulator.test:9000/",
    ]  # fmt: skip
    with command_line(*arguments, port=port) as run:
        tune = post_tune(port)
        assert tune["url"] == f"http://emulator.test:9000/tunes/{tune['id']}.json"
        assert (tmp_path / "state.json").exists()
        # The media host listens on the next port; file URLs name the address it is bound to.
        trained = trained_tune(port, tune["id"])
        assert trained["ckpt_url"] == f"http://127.0.0.1:{port + 1}/mock"
        assert requests.get(trained["ckpt_url"], timeout=5).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/mock", timeout=5).status_code == 404

    assert run["returncode"] == 0
    assert "GET /users 200" in run["stderr"] and "POST /tunes 201" in run["stderr"]
    assert "media: GET /mock 200" in run["stderr"]
    assert "cli-secret" not in run["stderr"]


def test_the_command_line_sets_the_media_port_idempotency_and_callback_bodies():
    port, media_port = free_port(), free_port()
    arguments = [
        "--api-key", "cli-secret", "--train-seconds", "0", "--media-port", str(media_port),
        "--public-media-url", "https://mp.example.test", "--idempotency",
        "--callback-body", "thin",
    ]  # fmt: skip
    with command_line(*arguments, port=port):
        first = post_tune(port, title="same")
        again = requests.post(
            f"http://127.0.0.1:{port}/tunes",
            json={"tune": {"title": "same", "name": "man", "image_urls": ["u"] * 4}},
            headers={"Authorization": "Bearer cli-secret"},
            timeout=5,
        )
        config = requests.get(f"http://127.0.0.1:{port}/_emulator/config", timeout=5).json()
        mock = requests.get(f"http://127.0.0.1:{media_port}/mock", timeout=5)
        trained = trained_tune(port, first["id"])

    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    assert trained["ckpt_url"] == "https://mp.example.test/mock"
    assert config["idempotency"] is True and config["callback_body"] == "thin"
    assert mock.status_code == 200


def test_the_command_line_starts_with_idempotency_off():
    port = two_free_ports()
    with command_line("--api-key", "cli-secret", port=port):
        first, second = post_tune(port, title="same"), post_tune(port, title="same")

    assert first["id"] != second["id"]
