"""Technicians (field engineers), their skills and working hours, and the skills catalogue."""
