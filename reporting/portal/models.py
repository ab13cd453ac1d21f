"""What the public project portal and the open-data export may show of each award."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin
from core.translations import Translatable

#: The parts of a project staff can publish or hold back, in the order the settings form
#: shows them. Personal data (contacts, emails, people) is never among them.
PUBLIC_PARTS = ("summary", "organisation", "partner", "amount", "dates", "area", "district",
                "progress")


class ProjectPublication(Translatable, TimestampMixin, db.Model):
    """Staff's choice of what is public about one award.

    An award without a row is published with the defaults (every part public) once its
    agreement is signed; a row records a departure from that: a withdrawn page, a part held
    back, or a public title and summary worded for readers rather than reviewers.
    """

    __tablename__ = "project_publications"
    __translatable__ = ("public_title", "public_summary")

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          unique=True)
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Empty means the application's own title and summary.
    public_title: Mapped[str] = mapped_column(String(200), default="")
    public_summary: Mapped[str] = mapped_column(Text, default="")
    is_summary_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_organisation_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_partner_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_amount_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_dates_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_area_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_district_public: Mapped[bool] = mapped_column(Boolean, default=True)
    is_progress_public: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))

    award = relationship("Award")

    def is_public(self, part: str) -> bool:
        """Whether ``part`` (one of :data:`PUBLIC_PARTS`) may be shown."""
        if part not in PUBLIC_PARTS:
            raise ValueError(f"unknown public part {part!r}")
        return getattr(self, f"is_{part}_public")
