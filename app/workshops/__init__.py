from flask import Blueprint

bp = Blueprint("workshops", __name__)


@bp.record_once
def _register_helpers(state) -> None:  # noqa: ANN001
    from app.workshops import display

    display.init_app(state.app)


from app.workshops import routes  # noqa: E402, F401
