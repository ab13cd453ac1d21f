"""Open-government action plans and their commitments and milestones."""
