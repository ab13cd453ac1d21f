"""Reporting for donors and the public: workbooks, dashboards, open data, project pages."""
