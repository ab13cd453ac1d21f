"""Ranking and decisions: the panel's ranking with its funding line, the chair's decisions,
reviewers' feedback to applicants, locking the panel, review progress and reminders, and the
scores workbook."""
