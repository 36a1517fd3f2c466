"""One visit wherever it shows (calendar or call): its details and history, cancelling it,
moving it to an offered time, and the changes the backend applies."""
