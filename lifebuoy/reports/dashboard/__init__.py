"""The support lead dashboard (/desk/reports/dashboard/): the desk now and the metrics of a
period, filtered by support tier or organization. Headline figures as tiles that refresh in place
every 30 s (/desk/reports/dashboard/tiles/), charts drawn on the server with their tables one
click away, each table as CSV."""
