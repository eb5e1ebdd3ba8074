"""Run the emulator as its own process: python -m astria_emulator --port 8765 ..."""

import argparse
import logging
import signal
import sys
import threading

from .app import Emulator
from .render import CALLBACK_BODIES


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m astria_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--media-port", type=int, default=None, help="port of the media host (default: port + 1)"
    )
    parser.add_argument("--data-dir", default=None, help="persist state here (default: memory)")
    parser.add_argument("--api-key", default="demo-key")
    parser.add_argument("--train-seconds", type=float, default=5.0)
    parser.add_argument("--prompt-seconds", type=float, default=3.0)
    parser.add_argument("--public-url", default=None, help="API base URL put into objects")
    parser.add_argument(
        "--public-media-url", default=None, help="media base URL put into file URLs"
    )
    parser.add_argument(
        "--idempotency",
        action="store_true",
        help="start with idempotency on (a new Astria account has it off)",
    )
    parser.add_argument(
        "--callback-body",
        choices=CALLBACK_BODIES,
        default="full",
        help="shape of callback bodies (default: full)",
    )
    args = parser.parse_args(argv)
    media_port = args.media_port
    if media_port is None:
        media_port = args.port + 1 if args.port else 0

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    emulator = Emulator(
        api_key=args.api_key,
        data_dir=args.data_dir,
        train_seconds=args.train_seconds,
        prompt_seconds=args.prompt_seconds,
        public_url=args.public_url,
        media_port=media_port,
        public_media_url=args.public_media_url,
        idempotency=args.idempotency,
        callback_body=args.callback_body,
    )
    emulator.start(host=args.host, port=args.port)
    # The key is not logged: anyone who can read the logs could otherwise call the API.
    logging.info(
        "Astria emulator listening on %s, files on %s (data: %s)",
        emulator.base_url,
        emulator.media_url,
        args.data_dir or "memory",
    )
    # Process managers stop us with SIGTERM; exiting through `finally` saves the state.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
