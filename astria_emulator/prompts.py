"""Prompt endpoints: P1 create, P2/P3 list, P4/P4b retrieve, P5 delete."""

from . import prices, transitions
from .clock import now_ms
from .fields import Invalid
from .pagination import PageError, paginate
from .prompt_records import (
    fill_placeholders,
    new_record,
    read_prompt,
    referenced_tune_ids,
    same_attributes,
)
from .render import prompt_json
from .wire import error, json_response, not_found, root_object

PROMPTS_MAX_OFFSET = 10_000


def create_prompt(state, request, tune_id):
    try:
        values = read_prompt(root_object(request, "prompt"))
    except Invalid as exc:
        return json_response(422, exc.errors)
    adapter_ids = referenced_tune_ids(values["text"])

    with state.lock:
        now = now_ms()
        tune = state.live_tune(tune_id)
        if tune is None:
            return not_found()
        # Business refusals answer {"error": ...}, not a field map.
        if transitions.failure_blocks(tune):
            return error(422, f"Tune {tune_id} failed to train: {tune['fail_message']}")
        adapters = []
        for adapter_id in adapter_ids:
            adapter = state.live_tune(adapter_id)
            if adapter is None or adapter["gallery"]:
                return error(422, f"Tune {adapter_id} in the prompt text does not exist")
            if transitions.failure_blocks(adapter):
                message = adapter["fail_message"]
                return error(422, f"Tune {adapter_id} failed to train: {message}")
            adapters.append(adapter)
        if tune["gallery"] and not adapters:
            # The message a real account gets for prompting a bare base model (§13).
            return error(422, "Prompt is not using a fine-tuned model")
        characteristics = {}
        for source in [tune, *adapters]:
            characteristics.update(source["characteristics"] or {})
        values["text"] = fill_placeholders(values["text"], characteristics)

        if state.config["idempotency"]:
            existing = _find_same(state, values, tune_id)
            if existing:
                body = prompt_json(state, existing)
                return json_response(200, body, object_id=existing["id"], idempotent=True)

        cost = prices.prompt_cost(values["num_images"], tune["branch"])
        if cost > state.balance_mc:
            return error(402, "Insufficient account balance")
        state.balance_mc -= cost
        depends_on = [tune_id] + [adapter["id"] for adapter in adapters]
        prompt = new_record(state, tune_id, values, depends_on, cost, now)
        transitions.arm_failure(state, "prompt", prompt, prompt["text"], now)
        state.save()
        return json_response(201, prompt_json(state, prompt), object_id=prompt["id"])


def _find_same(state, values, tune_id):
    for prompt in state.prompts.values():
        if same_attributes(prompt, values, tune_id) and state.live_prompt(prompt["id"]):
            return prompt
    return None


def list_tune_prompts(state, request, tune_id):
    with state.lock:
        if state.live_tune(tune_id) is None:
            return not_found()
        return _list(state, request, tune_id)


def list_prompts(state, request):
    with state.lock:
        return _list(state, request, None)


def _list(state, request, tune_id):
    query = request.query
    prompts = [
        prompt
        for prompt in state.prompts.values()
        if state.live_prompt(prompt["id"])
        and (tune_id is None or prompt["tune_id"] == tune_id)
        and _matches(prompt, query)
    ]
    try:
        page = paginate(prompts, query, PROMPTS_MAX_OFFSET)
    except PageError as exc:
        return error(400, str(exc))
    return json_response(200, [prompt_json(state, prompt) for prompt in page])


def _matches(prompt, query):
    """Apply the simple filters Astria's CLI sends to GET /prompts."""
    wanted_tune = query.get("tune_id")
    if isinstance(wanted_tune, str) and wanted_tune and str(prompt["tune_id"]) != wanted_tune:
        return False
    if query.get("liked") == "true" and not prompt.get("likes"):
        return False
    text = query.get("text")
    return not isinstance(text, str) or text.lower() in prompt["text"].lower()


def get_prompt(state, request, prompt_id, tune_id=None):
    with state.lock:
        prompt = _find(state, prompt_id, tune_id)
        if prompt is None:
            return not_found()
        return json_response(200, prompt_json(state, prompt))


def delete_prompt(state, request, prompt_id, tune_id=None):
    with state.lock:
        prompt = _find(state, prompt_id, tune_id)
        if prompt is None:
            return not_found()
        transitions.remove_prompt(state, prompt, now_ms())
        state.save()
        return json_response(200, {"message": "Prompt successfully deleted"})


def _find(state, prompt_id, tune_id):
    prompt = state.live_prompt(prompt_id)
    if prompt is None or (tune_id is not None and prompt["tune_id"] != tune_id):
        return None
    return prompt


def get_tune_prompt(state, request, tune_id, prompt_id):
    return get_prompt(state, request, prompt_id, tune_id)


def delete_tune_prompt(state, request, tune_id, prompt_id):
    return delete_prompt(state, request, prompt_id, tune_id)
