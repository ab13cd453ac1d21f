"""The two data scales. L is the size the targets are checked at; S is small enough that a
page whose query count grows with the data shows it when S and L are compared."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    applications: int
    #: Applications of the one large call whose ranking page is measured.
    ranking_call_applications: int
    #: Applications of every other call.
    applications_per_call: int
    civil_society_organisations: int
    government_organisations: int
    private_organisations: int
    academic_organisations: int
    reviewers: int
    events: int
    attendances_per_event: int
    people: int
    coalitions: int

    @property
    def regular_calls(self) -> int:
        rest = self.applications - self.ranking_call_applications
        return -(-rest // self.applications_per_call)


# Per 20 applications: 15 reviewed by 4 reviewers (3 reviews per application overall) and 5
# awarded (awards are a quarter of the applications), with 4 ledger entries per award on
# average (bench.generate.STAGES): hence L's 60,000 reviews, 5,000 awards and 20,000
# disbursements.
SCALES = {
    "S": Scale(name="S", applications=1_000, ranking_call_applications=100,
               applications_per_call=100, civil_society_organisations=150,
               government_organisations=20, private_organisations=30,
               academic_organisations=10, reviewers=8, events=50,
               attendances_per_event=100, people=1_500, coalitions=5),
    "L": Scale(name="L", applications=20_000, ranking_call_applications=2_000,
               applications_per_call=200, civil_society_organisations=2_500,
               government_organisations=100, private_organisations=300,
               academic_organisations=50, reviewers=40, events=1_000,
               attendances_per_event=100, people=30_000, coalitions=50),
}
