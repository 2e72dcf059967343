from app.staff_articles import bp  # noqa: F401
