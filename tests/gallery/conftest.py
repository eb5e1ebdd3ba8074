from tests.prompts.conftest import make_prompt, trained_tune  # noqa: F401 (fixtures)
