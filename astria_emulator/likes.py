"""Likes (L1): `POST /prompts/:id/likes`, 201 with no body (astria-docs docs/api/3-like/).

The docs' samples post to `/prompts/:id/like`; both paths are accepted. One account's
like counts once per prompt [I]. A prompt made from a pack (`orig_prompt_id` set) likes
its original too, as the docs say. The "delete a like" page shows the same POST, so no
unlike is emulated: nothing documents what would take a like back.
"""

from .clock import now_ms
from .wire import Response, not_found


def like_prompt(state, request, prompt_id):
    with state.lock:
        prompt = state.live_prompt(prompt_id)
        if prompt is None:
            return not_found()
        original = state.prompts.get(prompt.get("orig_prompt_id"))
        for liked in (prompt, original):
            if liked is not None and not liked.get("likes"):
                liked["likes"] = 1
                liked["updated_at"] = now_ms()
        state.save()
        return Response(201, b"", content_type="text/plain; charset=utf-8")
