"""The week view: a week of one location or one provider, a column per day."""
