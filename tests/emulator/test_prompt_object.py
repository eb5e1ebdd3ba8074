"""The prompt object: the §5 fields, plus those newer real prompt bodies carry."""

PROMPT_FIELDS = {
    "id",
    "callback",
    "text",
    "negative_prompt",
    "cfg_scale",
    "steps",
    "seed",
    "trained_at",
    "started_training_at",
    "created_at",
    "updated_at",
    "tune_id",
    "super_resolution",
    "ar",
    "num_images",
    "controlnet_conditioning_scale",
    "controlnet_txt2img",
    "denoising_strength",
    "url",
    "images",
    "user_error",
    "cost_mc",
    "failed_at",
    "pack_id",
    "base_pack_id",
    "orig_prompt_id",
    "prompt_likes_count",
    "liked",
    "tune",
    "tunes",
}


def test_a_new_prompt_carries_every_field_with_its_quiet_value(api):
    tune = api.new_tune()

    prompt = api.new_prompt(tune["id"], cfg_scale=3)

    assert set(prompt) >= PROMPT_FIELDS
    assert prompt["user_error"] is None and prompt["failed_at"] is None
    assert (prompt["pack_id"], prompt["base_pack_id"], prompt["orig_prompt_id"]) == (None,) * 3
    assert (prompt["prompt_likes_count"], prompt["liked"]) == (0, False)
    assert prompt["cfg_scale"] == "3.0"
    assert prompt["tune"] == {"id": tune["id"], "title": tune["title"]}


def test_a_finished_prompt_keeps_the_failure_fields_null(api):
    tune = api.new_tune()

    done = api.done_prompt(api.new_prompt(tune["id"])["id"])

    assert done["trained_at"] is not None and done["images"]
    assert done["user_error"] is None and done["failed_at"] is None
