"""Zalo Bot API channel: polling or webhook, numbered choices, media by public URL."""
