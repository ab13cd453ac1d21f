"""Staff exports of the open data for a fund and a period (360Giving JSON or spreadsheet, IATI
XML), made in the background as jobs "360giving" and "iati"."""
