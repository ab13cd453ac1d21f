"""The application as gunicorn serves it for the download burst (``bench/burst.py``): the
production configuration read from the environment, with rate limits off, because the burst's
clients all come from 127.0.0.1 and the point is to load the server, not to be refused."""

from __future__ import annotations

from app import create_app
from config import config_from_name

settings = config_from_name("production")
settings["RATELIMIT_ENABLED"] = False
application = create_app(settings)
