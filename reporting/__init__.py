"""Reporting for donors and the public: indicators, workbooks, dashboards, open data,
project pages."""
