"""Hazards, inspections and the audit trail (the web app's database)."""
