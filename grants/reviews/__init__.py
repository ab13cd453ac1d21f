"""Review panels: conflicts of interest, assignment, rubric scoring, aggregation and decisions."""
