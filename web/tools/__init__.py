"""Scripts that generate the dashboard's committed static data (run by hand, never at run time)."""
