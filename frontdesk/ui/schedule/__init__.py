"""The hours and closures editor: a provider's weekly templates and the closures ahead."""
