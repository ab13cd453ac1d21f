"""A large attendance sheet is imported in the background: the page checks it cheaply and
queues a job, the job reports its progress step by step, a worker that dies is taken over
without writing any row twice, and a sheet over the limit is refused next to the field.
A small sheet is still imported at once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coalitions.events import attendance_sheet, import_job
from coalitions.events.models import Attendance, Person
from core.jobs import worker
from core.jobs.models import Job
from core.jobs.states import JobState
from core.outbox.models import OutboxMessage
from core.timeutil import utcnow
from core.uploads.models import StoredFile
from tests.coalitions.events import csv_bytes, make_event, row, xlsx_bytes
from tests.fixtures.jobs import job_id_of, run_jobs

PEOPLE = 60


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-job (nothing of it is caught)."""


def _rows(count: int = PEOPLE, **fields) -> list[list]:
    return [row(name=f"Person {n}", email=f"person{n}@example.org", **fields)
            for n in range(1, count + 1)]


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def event(db_session):
    return make_event(db_session)


@pytest.fixture(autouse=True)
def small_threshold(app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDANCE_JOB_THRESHOLD", 50)
    monkeypatch.setattr(import_job, "STEP", 10)


@pytest.fixture
def staff(login_as):
    return login_as("staff")


def _upload(client, event, data: bytes, filename="sheet.csv", dry_run=False):
    form = {"file": (io.BytesIO(data), filename)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post(f"/staff/events/{event.id}/import", data=form,
                       content_type="multipart/form-data")


def test_a_sheet_up_to_the_threshold_is_imported_at_once(client, staff, db_session, event):
    response = _upload(client, event, csv_bytes(_rows(50)))
    assert response.status_code == 302
    assert response.location.endswith(f"/staff/events/{event.id}")
    assert _count(db_session, Attendance, Attendance.event_id == event.id) == 50
    assert _count(db_session, Job) == 0


@pytest.mark.parametrize(("make_file", "filename"), [(csv_bytes, "sheet.csv"),
                                                     (xlsx_bytes, "sheet.xlsx")])
def test_a_large_sheet_is_queued_and_imported_by_the_worker(client, staff, db_session, event,
                                                            make_file, filename):
    response = _upload(client, event, make_file(_rows()), filename)
    job_id = job_id_of(response)
    assert job_id is not None
    assert _count(db_session, Attendance) == 0  # nothing imported within the request
    job = db_session.get(Job, job_id)
    assert job.kind == "attendance_import" and job.state == JobState.queued
    assert job.parameters["event"] == event.id and not job.parameters["dry_run"]
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and b"<progress" in page.data

    assert run_jobs() == 1
    db_session.refresh(job)
    assert job.state == JobState.done, job.message
    # Checked, then imported: every row counted twice, in steps.
    assert (job.progress_done, job.progress_total) == (2 * PEOPLE, 2 * PEOPLE)
    assert job.summary["rows"] == PEOPLE
    assert job.summary["people_created"] == PEOPLE
    assert job.summary["attendance_created"] == PEOPLE
    assert job.summary["organisations_created"] == 1
    assert job.result_file is None
    assert db_session.get(StoredFile, job.parameters["file"]) is None  # the sheet is not kept
    assert _count(db_session, Attendance, Attendance.event_id == event.id) == PEOPLE
    assert _count(db_session, Person) == PEOPLE
    page = client.get(f"/jobs/{job_id}")
    assert b"People created" in page.data and b"Imported." in page.data
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["finished"] and status["download_url"] is None  # no file: its summary
    (message,) = db_session.scalars(select(OutboxMessage))
    assert message.subject.startswith("Finished: Importing the attendance sheet")


def test_progress_is_recorded_at_each_step(client, staff, db_session, event, monkeypatch):
    recorded = []
    original = worker.Progress.__call__

    def spy(self, done, total):
        recorded.append((done, total))
        original(self, done, total)

    monkeypatch.setattr(worker.Progress, "__call__", spy)
    job_id_of(_upload(client, event, csv_bytes(_rows())))
    run_jobs()
    checked = [(n, 120) for n in range(10, 61, 10)]
    imported = [(n, 120) for n in range(70, 121, 10)]
    assert recorded == [*checked, (60, 120), *imported]  # the check's end, committed apart


def test_a_worker_that_dies_mid_import_is_taken_over_without_duplicates(
        client, staff, db_session, event, monkeypatch):
    job_id = job_id_of(_upload(client, event, csv_bytes(_rows())))
    original, calls = import_job.apply_plan, []

    def dies_at_the_third_step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise WorkerKilled
        return original(*args, **kwargs)

    monkeypatch.setattr(import_job, "apply_plan", dies_at_the_third_step)
    with pytest.raises(WorkerKilled):
        run_jobs()
    db_session.rollback()  # what the dead process had not committed is lost
    job = db_session.get(Job, job_id)
    assert job.state == JobState.running
    assert job.progress_done == PEOPLE + 20  # checked, then two steps imported
    assert _count(db_session, Attendance) == 20

    assert worker.run_next(utcnow() + timedelta(minutes=11))
    db_session.refresh(job)
    assert job.state == JobState.done and job.attempts == 2
    assert _count(db_session, Attendance, Attendance.event_id == event.id) == PEOPLE
    assert _count(db_session, Person) == PEOPLE
    assert job.summary["people_created"] == PEOPLE
    assert job.summary["attendance_created"] == PEOPLE


def test_the_same_sheet_imported_again_writes_nothing_twice(client, staff, db_session, event):
    data = csv_bytes(_rows())
    job_id_of(_upload(client, event, data))
    run_jobs()
    second = job_id_of(_upload(client, event, data))
    run_jobs()
    job = db_session.get(Job, second)
    assert job.state == JobState.done
    assert job.summary["people_created"] == 0
    assert job.summary["people_matched"] == PEOPLE
    assert job.summary["attendance_unchanged"] == PEOPLE
    assert _count(db_session, Attendance) == PEOPLE
    assert _count(db_session, Person) == PEOPLE


def test_the_form_sent_twice_queues_one_job(client, staff, db_session, event):
    data = csv_bytes(_rows())
    first = job_id_of(_upload(client, event, data))
    second = job_id_of(_upload(client, event, data))
    assert first == second
    assert _count(db_session, Job) == 1


def test_a_large_dry_run_is_checked_in_the_background_and_writes_nothing(
        client, staff, db_session, event):
    job_id = job_id_of(_upload(client, event, csv_bytes(_rows()), dry_run=True))
    assert job_id is not None
    run_jobs()
    job = db_session.get(Job, job_id)
    assert job.state == JobState.done
    assert (job.progress_done, job.progress_total) == (PEOPLE, PEOPLE)
    assert job.summary["dry_run"] and job.summary["people_created"] == PEOPLE
    assert _count(db_session, Person) == 0 and _count(db_session, Attendance) == 0
    assert b"Dry run: nothing was imported" in client.get(f"/jobs/{job_id}").data


def test_a_large_sheet_with_problems_imports_nothing_and_offers_them(
        client, staff, db_session, event):
    rows = _rows()
    rows[54][2] = "Alien"
    rows[57][1] = "person3@example.org"  # the same person as on row 4
    job_id = job_id_of(_upload(client, event, csv_bytes(rows)))
    run_jobs()
    job = db_session.get(Job, job_id)
    assert job.state == JobState.done
    assert job.summary["problems"] == 2 and "people_created" not in job.summary
    assert _count(db_session, Person) == 0
    page = client.get(f"/jobs/{job_id}")
    assert b"nothing was imported" in page.data
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")


def test_a_sheet_over_the_limit_is_refused_next_to_the_field(client, staff, db_session, event,
                                                             monkeypatch):
    monkeypatch.setattr(attendance_sheet, "MAX_PEOPLE", 55)
    response = _upload(client, event, csv_bytes(_rows()))
    assert response.status_code == 422
    error = response.data.split(b'id="file-error"', 1)[1].split(b"</p>", 1)[0]
    assert b"60 people" in error and b"55" in error
    assert _count(db_session, Job) == 0


def test_a_workbook_over_the_limit_is_refused_by_its_job(client, staff, db_session, event,
                                                         monkeypatch):
    monkeypatch.setattr(attendance_sheet, "MAX_PEOPLE", 55)
    job_id = job_id_of(_upload(client, event, xlsx_bytes(_rows()), "sheet.xlsx"))
    run_jobs()
    job = db_session.get(Job, job_id)
    assert job.state == JobState.done and job.summary["problems"] == 1
    assert _count(db_session, Person) == 0


def test_only_staff_who_import_attendance_read_the_job(client, staff, login_as, event):
    job_id = job_id_of(_upload(client, event, csv_bytes(_rows())))
    login_as("applicant")
    assert client.get(f"/jobs/{job_id}").status_code == 403
