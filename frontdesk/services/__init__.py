"""Use cases: gather inputs, call the domain, write one transaction with its audit event.

Everything here returns plain frozen values (services.views), never ORM rows.
"""
