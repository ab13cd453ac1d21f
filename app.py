"""The application factory."""

from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_from_name, instance_dir


def create_app(config: dict | str | None = None) -> Flask:
    """Build the app. ``config`` is a config name (``development``, ``production``,
    ``testing``), a dict of settings, or None to read ``APP_ENV``."""
    app = Flask(__name__, instance_path=str(instance_dir()), instance_relative_config=False)
    settings = config if isinstance(config, dict) else config_from_name(config)
    app.config.update(settings)
    app.config["MAIL_SUPPRESS_SEND"] = False  # delivery is the outbox worker's job, tests too
    from core.urls import configure_public_urls
    configure_public_urls(app)
    from core.database import IdConverter
    app.url_map.converters["int"] = IdConverter
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a TLS proxy: the client's address (rate limits, audit) and scheme. A forwarded
        # host is still checked against TRUSTED_HOSTS, and links never use it.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    if not app.testing:
        # What start-up builds lives as long as the process; freezing it spares every full
        # garbage collection from walking it again (pauses of 80-100 ms seen at p95).
        gc.freeze()
    return app


def _init_extensions(app: Flask) -> None:
    from core import (
        components,
        errors,
        i18n,
        navigation,
        params,
        security,
        static_files,
        transaction,
        translations,
    )
    from core.database import configure_sqlite
    from core.extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        mail,
        migrate,
    )

    # First registered, so it runs last after each request: it compresses the final body.
    compress.init_app(app)
    configure_sqlite()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    login_manager.init_app(app)
    transaction.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    params.init_app(app)
    errors.init_app(app)
    i18n.init_app(app)
    components.init_app(app)
    translations.init_app(app)
    navigation.init_app(app)
    _import_models()


def _import_models() -> None:
    """Every model module, so that metadata (and Alembic) sees every table."""
    import accounts.models  # noqa: F401
    import accounts.organisations.models  # noqa: F401
    import coalitions.coalitions.models  # noqa: F401
    import coalitions.consultations.models  # noqa: F401
    import coalitions.events.models  # noqa: F401
    import coalitions.forum.models  # noqa: F401
    import coalitions.plans.models  # noqa: F401
    import core.audit.models  # noqa: F401
    import core.freshness  # noqa: F401
    import core.jobs.models  # noqa: F401
    import core.jobs.retention  # noqa: F401  (deletes old jobs in the worker's loop)
    import core.jobs.worker  # noqa: F401  (runs jobs in the worker's loop)
    import core.outbox.models  # noqa: F401
    import core.references  # noqa: F401
    import core.uploads.models  # noqa: F401
    import grants.applications.models  # noqa: F401
    import grants.awards.models  # noqa: F401
    import grants.calls.models  # noqa: F401
    import grants.monitoring.models  # noqa: F401
    import grants.ranking.models  # noqa: F401
    import grants.reviews.models  # noqa: F401
    import reporting.indicators.models  # noqa: F401
    import reporting.opendata.models  # noqa: F401
    import reporting.portal.models  # noqa: F401
    import reporting.results.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from accounts.organisations.views import bp as organisations_bp
    from accounts.views import admin_bp as users_admin_bp
    from accounts.views import bp as accounts_bp
    from coalitions.coalitions.views import bp as coalitions_bp
    from coalitions.consultations import participation_views as _participation  # noqa: F401
    from coalitions.consultations import staff_views as _consultation_staff  # noqa: F401
    from coalitions.consultations.views import bp as consultations_bp
    from coalitions.events.views import bp as events_bp
    from coalitions.forum.views import bp as forum_bp
    from coalitions.plans.views import plans_bp
    from core.jobs.views import bp as jobs_bp
    from core.views import admin_bp as core_admin_bp
    from core.views import bp as core_bp
    from grants.applications.views import admin_bp as applications_admin_bp
    from grants.applications.views import bp as applications_bp
    from grants.awards.views import bp as awards_bp
    from grants.calls.views import admin_bp as calls_admin_bp
    from grants.calls.views import bp as calls_bp
    from grants.endorsements.views import bp as endorsements_bp
    from grants.ledger import views as _ledger_views  # noqa: F401  (routes of awards_bp)
    from grants.monitoring.views import bp as monitoring_bp
    from grants.ranking.views import bp as ranking_bp
    from grants.reviews.views import admin_bp as panels_bp
    from grants.reviews.views import bp as reviews_bp
    from grants.screening.views import bp as screening_bp
    from reporting.dashboards.views import bp as dashboards_bp
    from reporting.exports.views import bp as exports_bp
    from reporting.indicators.views import bp as indicators_bp
    from reporting.opendata.views import bp as opendata_bp
    from reporting.portal.views import bp as portal_bp
    from reporting.results.views import bp as results_bp
    from reporting.workbook.views import bp as workbook_bp

    for blueprint in (core_bp, core_admin_bp, jobs_bp, accounts_bp, users_admin_bp,
                      organisations_bp, calls_bp, calls_admin_bp, applications_bp,
                      applications_admin_bp, endorsements_bp, screening_bp, panels_bp,
                      reviews_bp, ranking_bp,
                      awards_bp, monitoring_bp, coalitions_bp, plans_bp, consultations_bp,
                      events_bp, forum_bp, indicators_bp, dashboards_bp, workbook_bp,
                      opendata_bp, portal_bp, results_bp, exports_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from coalitions.events.cli import import_cli, people_cli
    from core.outbox.cli import outbox_cli
    from demo.cli import demo_cli
    from grants.cli import reminders_cli
    from reporting.cli import export_cli
    from reporting.opendata.cli import opendata_cli

    app.cli.add_command(outbox_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(people_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(opendata_cli)
