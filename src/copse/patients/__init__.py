"""Patient services: server-created patients, access keys, task schedules,
IP-use settings and upload-time ID-policy enforcement.

Everything here takes a Connection and never begins or commits: the client
API endpoint and the CLI own the transaction.
"""
