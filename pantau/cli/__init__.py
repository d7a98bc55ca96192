"""The `pantau` command line. Each module in this package adds its commands to the groups in `app`."""
