"""Prefect flows and deployments of pantau."""
