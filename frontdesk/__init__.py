"""frontdesk — the front desk of a multi-location pain management practice."""

__version__ = "0.1.0"
