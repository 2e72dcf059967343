"""The yardstick: a bare Flask app, served by gunicorn exactly like Odkrywka
(same gunicorn.conf.py, same number of workers, same access log)."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
