"""U1 GET /users: the one account the emulator serves."""

from .wire import json_response

USER = {
    "id": 1,
    "name": "Demo Account",
    "email": "demo@example.com",
    "auto_extend_tunes": False,
    "top_off_amount": None,
}


def show_user(state, request):
    with state.lock:
        return json_response(200, {**USER, "usd_balance_mc": state.balance_mc})
