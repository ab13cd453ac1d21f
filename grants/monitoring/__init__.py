"""Grantee progress reports, expenditure statements and budget versus actual."""
