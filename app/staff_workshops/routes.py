from app.staff_workshops import bp  # noqa: F401
