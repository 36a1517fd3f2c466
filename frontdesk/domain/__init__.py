"""Pure rules: values, availability, pathway, summaries. stdlib + dateutil only."""
