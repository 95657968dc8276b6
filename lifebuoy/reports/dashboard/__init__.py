"""The support lead dashboard (/desk/reports/dashboard/): the desk now and the metrics of a
period, filtered by support tier or organization, refreshing itself, each table as CSV."""
