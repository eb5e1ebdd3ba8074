from tests.prompts.conftest import add_image, make_prompt, trained_tune  # noqa: F401
