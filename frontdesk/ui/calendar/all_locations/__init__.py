"""Every location's day side by side: counts, who works, the next open slots."""
