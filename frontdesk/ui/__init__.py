"""The Textual front end. Importing it stays cheap: services load in workers after first paint."""
