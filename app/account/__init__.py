from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/staff/account")


def _init_security(state) -> None:  # noqa: ANN001
    """App-wide session rules: limits on every request, 2FA set-up gate."""
    from app.account.gate import require_two_factor_setup
    from app.security import requests, sessions

    requests.init_app(state.app)
    sessions.init_app(state.app)
    state.app.before_request(require_two_factor_setup)


bp.record_once(_init_security)

from app.account import routes  # noqa: E402, F401
