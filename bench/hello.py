"""The ceiling: a bare Flask "hello" app, served by bench/run.py with the same gunicorn
settings as Askdesk, so every page is reported as a share of it."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
