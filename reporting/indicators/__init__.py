"""The programme's indicators, computed from the records and never typed in."""
