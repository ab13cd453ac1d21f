"""Who may read a job (its page, its progress, its file) and retry it: the person who asked
for it, or programme staff, and then only if the job's kind agrees (a kind may ask more, such
as the right to the names a file holds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.access import Decision
from core.jobs.registry import kind_of
from core.policies import signed_in


def can_read_job(user, job) -> Decision:
    if not signed_in(user):
        return False, str(_l("Sign in to see this."))
    if job.requested_by_id != user.id and not user.has_role("staff", "admin"):
        return False, str(_l("Only the person who asked for this file, and programme staff, "
                             "can see it."))
    return kind_of(job.kind).may_read(user, job)


def can_list_own_jobs(user) -> Decision:
    """Everyone signed in sees the list of their own jobs (staff too: their own only)."""
    if not signed_in(user):
        return False, str(_l("Sign in to see this."))
    return True, ""


def shows_jobs_in_menu(user) -> Decision:
    """The menu links the list for those who ask for files (reports' readers, staff); the
    others find it on their account page, which keeps their menu short."""
    if signed_in(user) and user.has_role("staff", "admin", "finance", "donor"):
        return True, ""
    return False, str(_l("Open the list of your tasks from your account page."))
