"""The panel's scores as an Excel workbook (staff only: it names the reviewers).

Three sheets: the per-application aggregates in raw-ranking order (the ranking page's
columns), every criterion score with its comment and its reviewer, and every review with its
overall comment. Applications the person downloading has a conflict of interest with appear
in the aggregates without their scores and are left out of the other sheets, as on the
ranking page.
"""

from __future__ import annotations

from flask_babel import gettext as _

from core.spreadsheets import Column, Workbook
from grants.ranking import queries
from grants.reviews.states import Recommendation


def export_filename(panel) -> str:
    return f"panel-{panel.id}-scores.xlsx"


def _aggregate_rows(ranking: queries.Ranking, hidden: str):
    for row in ranking.rows:
        application, stats, decision = row.application, row.stats, row.decision
        yield [
            stats.raw_rank, application.display_reference, application.title,
            application.organisation.display_name, application.state.title,
            application.requested_amount, stats.count, stats.mean, stats.median,
            stats.minimum, stats.maximum, stats.spread, stats.normalised,
            stats.normalised_rank, stats.is_disagreement, stats.is_rank_unstable,
            stats.is_funded_raw, stats.is_funded_normalised,
            row.count(Recommendation.fund), row.count(Recommendation.fund_with_conditions),
            row.count(Recommendation.do_not_fund), row.cumulative,
            decision.outcome.title if decision else None,
            decision.rationale if decision else None,
        ]
    for row in ranking.conflicted_rows:
        application = row.application
        yield [hidden, application.display_reference, application.title,
               application.organisation.display_name, application.state.title,
               application.requested_amount, *([hidden] * 15), None, None, None]


def _aggregate_columns(currency: str) -> list[Column]:
    return [
        Column(_("Raw rank"), "integer", 9), Column(_("Reference"), width=16),
        Column(_("Project"), width=40), Column(_("Applicant"), width=32),
        Column(_("State"), width=14), Column(_("Requested"), "money", currency=currency),
        Column(_("Reviews"), "integer"), Column(_("Mean"), "decimal"),
        Column(_("Median"), "decimal"), Column(_("Min"), "decimal"),
        Column(_("Max"), "decimal"), Column(_("Spread"), "decimal"),
        Column(_("Normalised"), "decimal"), Column(_("Normalised rank"), "integer"),
        Column(_("Disagreement"), "boolean"), Column(_("Rank unstable"), "boolean"),
        Column(_("Funded (raw)"), "boolean"), Column(_("Funded (normalised)"), "boolean"),
        Column(_("Fund"), "integer"), Column(_("Fund with conditions"), "integer"),
        Column(_("Do not fund"), "integer"),
        Column(_("Cumulative requested"), "money", currency=currency),
        Column(_("Decision"), width=12), Column(_("Rationale"), width=50),
    ]


def scores_workbook(panel, viewer=None) -> Workbook:
    """The workbook of ``panel``'s scores as ``viewer`` (by default the signed-in user) may
    see them."""
    if viewer is None:
        from flask_login import current_user
        viewer = current_user
    ranking = queries.build_ranking(panel, viewer, queries.RAW)
    scores = queries.panel_scores(panel)
    hidden_ids = {row.application.id for row in ranking.conflicted_rows}
    reviews = [review for review in scores.reviews
               if review.assignment.application_id not in hidden_ids]
    criteria = list(scores.call.criteria)
    currency = ranking.pool.currency

    workbook = Workbook()
    workbook.add_sheet(_("Aggregates"), _aggregate_columns(currency),
                       _aggregate_rows(ranking, _("Conflict of interest")),
                       totals={5: "sum"}, totals_label=_("Total"))

    na = _("N/A")

    def score_rows():
        for review in reviews:
            application = scores.applications[review.assignment.application_id]
            by_criterion = {score.criterion_id: score for score in review.scores}
            for criterion in criteria:
                score = by_criterion.get(criterion.id)
                yield [application.display_reference, application.title,
                       review.assignment.reviewer.name, criterion.name,
                       (na if score.score is None else score.score) if score else None,
                       criterion.max_score, criterion.weight,
                       score.comment if score else None, scores.totals.get(review.id)]

    workbook.add_sheet(_("Scores"), [
        Column(_("Reference"), width=16), Column(_("Project"), width=32),
        Column(_("Reviewer"), width=24), Column(_("Criterion"), width=28),
        Column(_("Score"), "integer"), Column(_("Maximum score"), "integer"),
        Column(_("Weight"), "decimal"), Column(_("Comment"), width=50),
        Column(_("Review total (0–100)"), "decimal"),
    ], score_rows())

    def review_rows():
        for review in reviews:
            application = scores.applications[review.assignment.application_id]
            yield [application.display_reference, review.assignment.reviewer.name,
                   scores.totals.get(review.id),
                   review.recommendation.title if review.recommendation else None,
                   review.confidence.title if review.confidence else None,
                   review.overall_comment, bool(review.is_shared_with_applicant),
                   review.submitted_at]

    workbook.add_sheet(_("Reviews"), [
        Column(_("Reference"), width=16), Column(_("Reviewer"), width=24),
        Column(_("Review total (0–100)"), "decimal"), Column(_("Recommendation"), width=20),
        Column(_("Confidence"), width=12), Column(_("Overall comment"), width=60),
        Column(_("Shared with the applicant"), "boolean"),
        Column(_("Submitted (%(zone)s)", zone=_programme_zone()), "datetime"),
    ], review_rows())
    return workbook


def _programme_zone() -> str:
    from flask import current_app
    return current_app.config["PROGRAMME_TIMEZONE"]
