"""The results framework: outcomes, outputs, indicators and targets."""
