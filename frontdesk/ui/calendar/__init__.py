"""The live calendar: the today board, the day view, the week view and every location side by
side, with the keys that act on a visit."""
