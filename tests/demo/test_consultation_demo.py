"""The demo's completed 2020 consultation on Belize's first action plan."""

from __future__ import annotations

from sqlalchemy import func, select

from coalitions.consultations.models import Comment, Consultation, Proposal, Support


def _load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--today", "2026-12-06"])
    assert result.exit_code == 0, result.output


def test_the_consultation_is_complete_and_loading_twice_changes_nothing(app, client,
                                                                         db_session):
    _load(app)
    consultation = db_session.scalar(select(Consultation))
    assert consultation.summary_published_at is not None
    assert consultation.text_in("title", "es") == "Co-creación del primer plan de acción de " \
                                                  "Belice"
    proposals = list(db_session.scalars(select(Proposal)))
    assert len(proposals) == 12 and all(p.response is not None for p in proposals)
    assert any(p.response_commitment_id for p in proposals)
    hidden = db_session.scalar(select(Comment).where(Comment.hidden_at.is_not(None)))
    assert hidden.hidden_reason
    counts = [db_session.scalar(select(func.count()).select_from(model))
              for model in (Consultation, Proposal, Comment, Support)]
    _load(app)
    assert counts == [db_session.scalar(select(func.count()).select_from(model))
                      for model in (Consultation, Proposal, Comment, Support)]
    page = client.get(f"/consultations/{consultation.id}/what-we-heard")
    assert page.status_code == 200 and "Merged into" in page.get_data(as_text=True)
    assert hidden.body not in client.get(
        f"/consultations/proposals/{hidden.proposal_id}").get_data(as_text=True)
