"""A job's page (its progress; the file once ready; a retry after a failure), its progress as
JSON for the page's script, and its file."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import navigation
from core.access import policy_required, require
from core.extensions import db
from core.jobs import operations, queries
from core.jobs.models import Job
from core.jobs.policies import can_list_own_jobs, can_read_job, shows_jobs_in_menu
from core.jobs.registry import kind_of
from core.jobs.states import UNFINISHED, JobState
from core.loading import get_or_404
from core.locking import AlreadyDone
from core.uploads.responses import send_stored_file

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

navigation.register(bp, navigation.NavEntry(_l("My tasks"), "jobs.mine", shows_jobs_in_menu,
                                            order=98, group=navigation.ACCOUNT))

PER_PAGE = 20


def _readable(job_id: int) -> Job:
    job = get_or_404(Job, job_id)
    require(can_read_job(current_user, job))
    return job


@bp.route("")
@policy_required(can_list_own_jobs)
def mine():
    """The reader's own jobs, newest first (staff too see only their own here)."""
    page = db.paginate(queries.jobs_of(current_user), per_page=PER_PAGE,
                       max_per_page=PER_PAGE)
    return render_template("core/jobs/list.html", page=page, title_of=queries.title_of,
                           UNFINISHED=UNFINISHED)


@bp.route("/<int:job_id>")
def show(job_id: int):
    job = _readable(job_id)
    kind = kind_of(job.kind)
    back = kind.back(job) if kind.back else None
    lines = kind.describe(job) if kind.describe and job.state == JobState.done else None
    return render_template("core/jobs/show.html", job=job, title=kind.title(job), back=back,
                           lines=lines, makes_file=kind.describe is None,
                           JobState=JobState)


@bp.route("/<int:job_id>/status")
def status(job_id: int):
    job = _readable(job_id)
    response = jsonify(queries.status(job, url_for("jobs.download", job_id=job.id)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:job_id>/download")
def download(job_id: int):
    job = _readable(job_id)
    if job.state != JobState.done or job.result_file is None:
        abort(404)
    return send_stored_file(job.result_file)


@bp.route("/<int:job_id>/retry", methods=["POST"])
def retry(job_id: int):
    job = _readable(job_id)
    if job.state == JobState.failed:
        try:
            operations.retry(job, current_user)
        except AlreadyDone:
            pass  # queued by a click that came first: answered alike
    if job.state != JobState.done:
        flash(_("The work starts again. This page shows how far it has gone."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))
