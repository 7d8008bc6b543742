"""Customers, their contacts and their sites (the places engineers go)."""
