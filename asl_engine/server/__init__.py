"""The wire of ``asl serve``: AWS Step Functions' JSON 1.0 protocol over HTTP.

A pure translation layer, independent of the service behind it::

    from asl_engine.server import ApiError, Server

    def call(operation, request, headers):
        if operation == "ListStateMachines":
            return {"stateMachines": []}
        raise ApiError("UnsupportedOperation", f"{operation} is not supported")

    with Server(call, port=0) as server:
        boto3.client("stepfunctions", endpoint_url=server.url, ...)

* ``Protocol`` reads a request (``X-Amz-Target`` and JSON body) and checks it
  against botocore's model of Step Functions, raising the ``ApiError`` AWS
  would answer (``UnknownOperationException``, ``SerializationException``,
  ``ValidationException`` with AWS's messages); it encodes a response dict
  (datetimes as epoch seconds, ``None`` members left out).
* ``Server`` is the threaded HTTP/1.1 server: ``POST /`` goes through the
  protocol to ``call``; other requests go to ``routes`` (the console's pages).
* ``make_server(..., allowed_hosts=, access_keys=)`` decides who is let in:
  the ``Host`` and cross-site checks (``guard``), AWS Signature V4 under
  ``--auth sigv4`` (``sigv4``, ``auth``); ``read_access_keys`` reads
  ``ID:SECRET`` keys from arguments and a file.
* ``ApiError`` is what ``call`` raises to answer with an AWS error
  (``ExecutionDoesNotExist``, ``InvalidArn``, ...).

See docs/server.md for talking to it from boto3 and the AWS CLI.
"""

from .app import Route, make_server, read_routes
from .http import Server
from .protocol import ApiError, Protocol
from .sigv4 import read_access_keys

__all__ = ["ApiError", "Protocol", "Route", "Server", "make_server", "read_access_keys", "read_routes"]
