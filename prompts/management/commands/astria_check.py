import io
import itertools
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw

from astria_portal.astria import (
    Ambiguous,
    AstriaError,
    NotFound,
    RetryLater,
    Unauthorized,
    get_client,
)
from prompts import smoke

# How far back to look for tunes carrying the check's title.
RECENT_TUNES = 50


class Command(BaseCommand):
    help = (
        "Check the configured Astria account: API reachable, key valid, balance; with "
        "--full, a free journey of every model from training to a downloaded image."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help=(
                "Also train a free branch=fast tune of every model the portal offers, "
                "write a test-mode prompt on each, download one image through the "
                "allow-list, delete everything, and report the time and cost of each step."
            ),
        )
        parser.add_argument("--poll", type=float, default=5.0, help="seconds between polls")
        parser.add_argument(
            "--timeout", type=float, default=900.0, help="seconds to wait for each result"
        )
        parser.add_argument(
            "--idempotency",
            action="store_true",
            help=(
                "Also create two free branch=fast tunes with the same title and check "
                "that Astria returned one tune (RELIABILITY R16); the tune is deleted."
            ),
        )

    def handle(self, *args, idempotency=False, full=False, poll=5.0, timeout=900.0, **options):
        try:
            client = get_client()
        except Unauthorized as exc:
            raise CommandError(f"{exc.message}. Set ASTRIA_API_KEY.") from None
        self.stdout.write(f"Astria API: {client.base_url}")
        with client:
            account = self.check_account(client)
            balance = account.balance_usd
            balance = "unknown" if balance is None else f"${balance:,.2f}"
            who = account.email or account.name or account.id
            self.stdout.write(f"API key OK: account {who}, balance {balance}")
            if idempotency:
                self.check_idempotency(client)
            if full:
                self.check_journey(client, account, poll, timeout)
        self.stdout.write(self.style.SUCCESS("Astria check passed."))

    def check_account(self, client):
        try:
            return client.get_account()
        except Unauthorized as exc:
            message = f"Astria rejected the API key ({exc}). Check ASTRIA_API_KEY."
            raise CommandError(message) from None
        except (RetryLater, Ambiguous) as exc:
            raise CommandError(
                f"Astria is unreachable or failing ({exc}). Check ASTRIA_API_URL and the network."
            ) from None
        except AstriaError as exc:
            raise CommandError(f"Astria account check failed: {exc}") from None

    def check_journey(self, client, before, poll, timeout):
        self.stdout.write("Free journey of every model (branch=fast, test-mode prompts):")
        images = [(f"astria-check-{n}.jpg", sample_jpeg(n), "image/jpeg") for n in range(4)]
        try:
            smoke.run(client, images, self.step, poll=poll, timeout=timeout)
        except smoke.NotFree as exc:
            raise CommandError(f"Refused to send a request that may cost money: {exc}.") from None
        except smoke.SmokeFailed as exc:
            raise CommandError(f"The journey failed: {exc}") from None
        except AstriaError as exc:
            raise CommandError(f"The journey failed: {exc}") from None
        after = self.check_account(client)
        if before.usd_balance_mc is None or after.usd_balance_mc is None:
            self.stdout.write("Cost: unknown (Astria's answer has no usd_balance_mc).")
            return
        spent = before.usd_balance_mc - after.usd_balance_mc
        self.stdout.write(
            f"Balance before ${before.balance_usd:,.2f}, after ${after.balance_usd:,.2f}: "
            f"cost ${spent / 100_000:,.5f}"
        )
        if spent:
            raise CommandError(f"The free journey cost ${spent / 100_000:,.5f}: it should be $0.")

    def step(self, name, started, detail):
        self.stdout.write(f"  {name:<38} {time.monotonic() - started:6.2f} s  {detail}")

    def check_idempotency(self, client):
        title = str(uuid.uuid4())
        images = [(f"astria-check-{n}.jpg", sample_jpeg(n), "image/jpeg") for n in range(4)]
        ids = []
        try:
            for _ in range(2):
                tune = client.create_tune(title=title, name="man", branch="fast", images=images)
                ids.append(tune.id)
        except AstriaError as exc:
            raise CommandError(f"Creating a branch=fast tune failed: {exc}") from None
        finally:
            self.clean_up(client, title, ids)
        if ids[0] != ids[1]:
            raise CommandError(
                f"Idempotency is OFF: two creates with title {title} returned tunes "
                f"{ids[0]} and {ids[1]} (both deleted). Turn on idempotency in Astria's "
                "API settings, or retries after a timeout will create duplicate tunes."
            )
        self.stdout.write(
            f"Idempotency ON: both creates returned tune {ids[0]} (deleted afterwards)."
        )

    def clean_up(self, client, title, ids):
        """Delete every tune the check made, including one from a create that failed."""
        doomed = set(ids)
        try:
            recent = itertools.islice(client.iter_tunes(page_size=RECENT_TUNES), RECENT_TUNES)
            doomed.update(tune.id for tune in recent if tune.title == title)
        except AstriaError as exc:
            self.stderr.write(f"Could not list tunes to clean up: {exc}")
        for tune_id in sorted(doomed):
            try:
                client.delete_tune(tune_id)
            except NotFound:
                pass
            except AstriaError as exc:
                self.stderr.write(f"Could not delete check tune {tune_id}: {exc}")


def sample_jpeg(n):
    """A small distinct JPEG: a face-like oval on a coloured background."""
    image = Image.new("RGB", (128, 128), ((60 * n) % 256, 120, 200 - 40 * n))
    draw = ImageDraw.Draw(image)
    draw.ellipse((32, 20, 96, 108), fill=(224, 190, 160))
    draw.ellipse((48, 50, 56, 58), fill="black")
    draw.ellipse((72, 50, 80, 58), fill="black")
    draw.arc((48, 70, 80, 90), start=20, end=160, fill="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
