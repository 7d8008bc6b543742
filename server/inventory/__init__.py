"""Inventory: see DESIGN.md. Built by its own issue."""
