"""What the emulator's ledger charges, in millicents (100,000 mc = $1).

Documented (docs/api/0-overview.md, "Mock testing"): creating a `branch=fast`
tune is free, and "subsequent prompt calls will return mock images without
incurring any charges", i.e. prompts posted to that fast tune. Nothing says a
prompt posted to a shared gallery base tune (1504944, 690204, 666678) is free
when its `<lora:ID>`/`<faceid:ID>` tag names a fast tune, so such a prompt is
charged like any other: gallery tunes are never `fast`. Everything else is
charged when the create call is accepted and refunded if it later fails.
"""

TUNE_MC = 150_000  # $1.50 per tune, any model type
IMAGE_MC = 2_500  # $0.025 per generated image, so a prompt costs num_images * this
AUTO_EXTEND_MC = 50_000  # $0.50 per 30-day storage renewal of an auto_extend tune


def tune_cost(branch):
    return 0 if branch == "fast" else TUNE_MC


def prompt_cost(num_images, branch):
    """The price of a prompt posted to a tune of `branch`: the tune in its URL,
    whatever tunes its text names."""
    return 0 if branch == "fast" else IMAGE_MC * num_images


def extend_cost(branch):
    return 0 if branch == "fast" else AUTO_EXTEND_MC
