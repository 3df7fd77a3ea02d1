"""Repositories: the operations the rest of the service performs on storage.

Every function takes the caller's Session and never commits: the caller owns
the transaction, so a state change and its outbox rows commit together.
"""
