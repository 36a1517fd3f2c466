"""Widgets and dialogs more than one feature uses: the key footer, going to a date, picking a
location or provider, and the treatment lookup panel."""
