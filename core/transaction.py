"""The single commit point: one transaction per request.

Operations only flush. After a view returns a response below 400 the transaction commits; a
4xx/5xx response or an exception rolls it back, so a rejected form never leaves a partial
write. Views that must persist something while answering with an error status (none yet) can
set ``g.commit_on_error``.
"""

from __future__ import annotations

from flask import Flask, g

from core.extensions import db


def init_app(app: Flask) -> None:
    @app.after_request
    def commit_or_rollback(response):
        if response.status_code < 400 or g.get("commit_on_error"):
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        else:
            db.session.rollback()
        return response
