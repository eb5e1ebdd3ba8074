"""Tune endpoints: T1 create, T2 list, T3 retrieve, T4 delete, T5 update."""

from . import prices, transitions
from .clock import now_ms
from .fields import Invalid
from .pagination import PageError, paginate
from .prompt_records import fill_placeholders
from .prompt_records import new_record as new_prompt_record
from .render import tune_json
from .tune_records import new_record, read_tune, read_tune_update
from .wire import error, json_response, not_found, root_object

TUNES_MAX_OFFSET = 200


def create_tune(state, request):
    return store_tune(state, root_object(request, "tune"))


def store_tune(state, attrs, setup=None):
    """Create a tune from the `tune` hash; setup(record), if given, runs on a new
    tune under the lock before it is answered (packs.py adds its pack there)."""
    try:
        values = read_tune(attrs)
    except Invalid as exc:
        return json_response(422, exc.errors)
    log = {"title": values["title"]}

    with state.lock:
        now = now_ms()
        base = None
        if values["base_tune_id"] is not None:
            base = state.live_tune(values["base_tune_id"])
            if base is None:  # a business refusal, not a field error
                return error(422, "Base tune not found")

        # §8: an account-level switch; the title is the key, live tunes only.
        if state.config["idempotency"]:
            existing = _find_by_title(state, values["title"])
            if existing:
                body = tune_json(state, existing)
                return json_response(200, body, object_id=existing["id"], idempotent=True, **log)

        branch = values["branch"] or (base["branch"] if base else "sd15")  # §3.1 default
        values["branch"] = branch
        tune_cost = prices.tune_cost(branch)
        prompt_costs = [prices.prompt_cost(p["num_images"], branch) for p in values["prompts"]]
        if tune_cost + sum(prompt_costs) > state.balance_mc:
            return error(402, "Insufficient account balance")

        seconds = state.config["train_seconds"]
        tune = new_record(state, values, base, tune_cost, seconds, now)
        state.balance_mc -= tune_cost + sum(prompt_costs)
        for prompt_values, cost in zip(values["prompts"], prompt_costs, strict=True):
            text = fill_placeholders(prompt_values["text"], tune["characteristics"] or {})
            prompt_values["text"] = text
            prompt = new_prompt_record(state, tune["id"], prompt_values, [tune["id"]], cost, now)
            transitions.arm_failure(state, "prompt", prompt, prompt["text"], now)
        failure = transitions.arm_failure(state, "tune", tune, tune["title"], now)
        if tune["model_type"] == "faceid" and not tune["failed"]:
            # FaceID skips training: usable at once, no callback (docs/features/faceid.md).
            if failure:
                transitions.mark_tune_failed(
                    state, tune, failure["message"], failure["signal"], now
                )
            else:
                transitions.mark_tune_trained(tune, now)
        if setup is not None:
            setup(tune)
        state.save()
        return json_response(201, tune_json(state, tune), object_id=tune["id"], **log)


def _find_by_title(state, title):
    for tune in state.tunes.values():
        if tune["title"] == title and not tune["gallery"] and state.live_tune(tune["id"]):
            return tune
    return None


def list_tunes(state, request):
    query = request.query
    with state.lock:
        tunes = [
            tune
            for tune in state.tunes.values()
            if not tune["gallery"] and state.live_tune(tune["id"]) and _matches(tune, query)
        ]
        try:
            page = paginate(tunes, query, TUNES_MAX_OFFSET)
        except PageError as exc:
            return error(400, str(exc))
        return json_response(200, [tune_json(state, tune) for tune in page])


def _matches(tune, query):
    """Apply the filters Astria's CLI sends (title is a case-insensitive substring)."""
    title = query.get("title")
    if isinstance(title, str) and title.lower() not in tune["title"].lower():
        return False
    names = query.get("name")
    if isinstance(names, list) and names and tune["name"] not in names:
        return False
    for key in ("branch", "model_type"):
        wanted = query.get(key)
        if isinstance(wanted, str) and wanted and tune[key] != wanted:
            return False
    return True


def get_tune(state, request, tune_id):
    with state.lock:
        tune = state.live_tune(tune_id)
        if tune is None:
            return not_found()
        return json_response(200, tune_json(state, tune))


def update_tune(state, request, tune_id):
    try:
        values = read_tune_update(root_object(request, "tune"))
    except Invalid as exc:
        return json_response(422, exc.errors)
    with state.lock:
        tune = _own_tune(state, tune_id)
        if tune is None:
            return not_found()
        tune.update(values)
        tune["updated_at"] = now_ms()
        state.save()
        return json_response(200, tune_json(state, tune))


def delete_tune(state, request, tune_id):
    with state.lock:
        tune = _own_tune(state, tune_id)
        if tune is None:
            return not_found()
        transitions.remove_tune(state, tune, now_ms())
        state.save()
        return json_response(200, {"message": "Tune successfully deleted"})


def _own_tune(state, tune_id):
    """Return a live tune the user may change; gallery tunes are not theirs (404)."""
    tune = state.live_tune(tune_id)
    if tune is None or tune["gallery"]:
        return None
    return tune
