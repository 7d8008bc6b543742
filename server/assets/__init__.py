"""Assets: the installed base, its meters, checklists and preventive maintenance (DESIGN §3)."""
