"""The day view: one location's day as a time grid, a column per provider; moving and booking
on it."""
