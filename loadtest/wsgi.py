"""The application as gunicorn serves it during the load test: the production configuration
read from the environment, CSRF on, and one change through its setting: the sign-in rate
limit (``LOGIN_RATE_LIMIT``, 20 a minute per address by default) is raised, because every
client signs in from 127.0.0.1 and each worker counts on its own. The load test passes the
value in ``LOADTEST_LOGIN_RATE_LIMIT``."""

from __future__ import annotations

import os

from app import create_app
from config import config_from_name

settings = config_from_name("production")
settings["LOGIN_RATE_LIMIT"] = os.environ.get("LOADTEST_LOGIN_RATE_LIMIT",
                                              settings["LOGIN_RATE_LIMIT"])
application = create_app(settings)
