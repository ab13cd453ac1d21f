"""Applications for a call: CSO–government partnership proposals and their screening."""
