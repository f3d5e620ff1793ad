"""Pledges' domain code shared by the pledge features: matching typed text, the weekly
schedule, and the certificate image."""
