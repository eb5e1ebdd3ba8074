"""What the emulator's ledger charges, in millicents (100,000 mc = $1).

`branch=fast` tunes, and prompts on them, are free (§11). Everything else is
charged when the create call is accepted and refunded if it later fails.
"""

TUNE_MC = 150_000  # $1.50 per tune, any model type
IMAGE_MC = 2_500  # $0.025 per generated image, so a prompt costs num_images * this
AUTO_EXTEND_MC = 50_000  # $0.50 per 30-day storage renewal of an auto_extend tune


def tune_cost(branch):
    return 0 if branch == "fast" else TUNE_MC


def prompt_cost(num_images, free):
    return 0 if free else IMAGE_MC * num_images


def extend_cost(branch):
    return 0 if branch == "fast" else AUTO_EXTEND_MC
