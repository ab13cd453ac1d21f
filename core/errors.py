"""Friendly error pages and the domain error raised by operations."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from core.extensions import db


class OperationError(Exception):
    """A business rule refused an operation; the message is shown to the user.

    ``field`` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Not possible right now"),
    413: _l("Too large"),
    422: _l("Cannot process this request"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

EXPLANATIONS = {
    400: _l("The request could not be understood. Go back, reload the page and try again."),
    403: _l("You do not have permission to do this. If you think you should, ask the "
            "programme team."),
    404: _l("There is nothing at this address. It may have moved or been removed."),
    405: _l("This address does not accept that kind of request."),
    409: _l("This cannot be done in the item's current state. Reload the page to see it."),
    413: _l("What you sent is larger than the system accepts. Send something smaller."),
    422: _l("The request was understood but could not be processed."),
    429: _l("Too many attempts in a short time. Wait a few minutes and try again."),
    500: _l("An unexpected error happened on our side and nothing was saved. The team has "
            "been notified; please try again later."),
}


def render_error(code: int, detail=None):
    return render_template(
        "errors/error.html", code=code, title=TITLES.get(code, TITLES[400]),
        explanation=detail or EXPLANATIONS.get(code, EXPLANATIONS[400]),
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("The form had expired or was not sent from this site. "
                                    "Reload the page and submit it again."))

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # The Host header is not one of TRUSTED_HOSTS: no URL can be built for this request,
        # so the page template (full of links) cannot render. A short plain answer instead.
        return "Bad request: unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = render_error(error.code if error.code in TITLES else 400)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error):
        # The failed transaction goes first: the page reads the signed-in user and the
        # navigation, which would fail again on it (PendingRollbackError) and hide the page.
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - a lost connection must still get its page
            current_app.logger.exception("Rolling back before the error page failed")
        return render_error(500)
