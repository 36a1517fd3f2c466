"""A call while the caller waits: who is calling and why, the pathway's questions, the visit to
book and its read-back, the caller's own visits, a new patient."""
