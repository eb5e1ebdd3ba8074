"""python -m drills.astria_check: `manage.py astria_check --full` against the emulator.

The emulator runs as its own process, with its files on a host of their own, as
Astria's are on mp.astria.ai; the check then talks to it exactly as it would to
api.astria.ai with a real key, so the live smoke test keeps working between the
days someone runs it against the real account.
"""

import subprocess
import sys
import tempfile

from drills.stack import ROOT, Stack


def main():
    with tempfile.TemporaryDirectory(prefix="astria-check-") as folder:
        stack = Stack(folder, train_seconds=2.0, prompt_seconds=1.0, emulator_on_disk=False)
        try:
            stack.start("emulator")
            command = [sys.executable, "manage.py", "astria_check", "--full", "--poll", "0.5"]
            done = subprocess.run(command, cwd=ROOT, env=stack.env, check=False)
        finally:
            stack.stop()
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
