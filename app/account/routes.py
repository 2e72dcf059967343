from app.account import bp  # noqa: F401
